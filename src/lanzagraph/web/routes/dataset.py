"""The dataset as a whole: its VoID description (/.well-known/void, RFC 5785 and VoID §7) and the
downloads of the whole graph (/dumps/)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from lanzagraph import void
from lanzagraph.directory import index_for
from lanzagraph.dumps import DUMPS, cache_for
from lanzagraph.serialise import serialize_triples
from lanzagraph.web import conneg
from lanzagraph.web.deps import SettingsDep, StoreDep
from lanzagraph.web.handlers import problem
from lanzagraph.web.pages import render
from lanzagraph.web.views import GraphView, Linker

router = APIRouter(tags=["Dataset"])

VOID_NAMES: list[str] = [*conneg.RDF_NAMES, conneg.HTML]
LISTING_NAMES: list[str] = [conneg.HTML, conneg.JSON]


def service_base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.api_route(
    "/.well-known/void",
    methods=["GET", "HEAD"],
    summary="VoID description of the dataset",
    description="Size, class and property partitions, dumps, SPARQL endpoint, licence (CC BY 4.0), sources and URI "
    "space, as Turtle, JSON-LD, RDF/XML, N-Triples or HTML by content negotiation (or ?format=).",
    response_class=Response,
)
def void_description(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    name = conneg.choose(request, VOID_NAMES)
    if name is None:
        return conneg.not_acceptable(request, "the VoID description", VOID_NAMES)
    service = service_base(request)
    found = conneg.validators(store.version.content_hash, store.version.built_at, "void", service, name)
    link = conneg.alternates(request.url.path, VOID_NAMES)
    if conneg.not_modified(request, found):
        return conneg.respond(request, b"", name, found, link=link)
    index = index_for(store, settings.id_base)
    triples = void.describe_dataset(store, settings.base_uri, service,
                                    [(d.name, d.media_type) for d in DUMPS.values()], len(index.entries))
    if name == conneg.HTML:
        linker = Linker(settings.base_uri, index)
        view = GraphView(triples, linker)
        body = render(request, "void.html", {
            "title": "Dataset description",
            "ds": view.node(void.dataset_iri(settings.base_uri)),
            "stats": void.stats_for(store),
            "label": linker.label,
            "href": linker.href,
            "alternates": [{"name": n, "media": conneg.media_of(n), "href": f"{request.url.path}?format={n}"}
                           for n in conneg.RDF_NAMES],
        }).encode("utf-8")
    else:
        body = serialize_triples(triples, name)
    return conneg.respond(request, body, name, found, link=link)


@router.get("/dataset", include_in_schema=False)
def dataset_iri() -> Response:
    """The dataset's IRI (base + 'dataset') is described by the VoID document: 303 See Other."""
    return RedirectResponse("/.well-known/void", status_code=303)


def _listing(request: Request, store: StoreDep) -> list[dict[str, Any]]:
    stats = void.stats_for(store)
    cache = cache_for(store)
    entries = []
    for dump in DUMPS.values():
        data = cache.get(dump.name) or b""
        entries.append({
            "name": dump.name,
            "href": f"/dumps/{dump.name}",
            "url": f"{service_base(request)}/dumps/{dump.name}",
            "format": dump.media_type,
            "compression": "gzip",
            "bytes": len(data),
            "statements": stats.quads if dump.quads else stats.triples,
            "statement_kind": "quads" if dump.quads else "triples",
            "description": dump.description,
        })
    return entries


@router.api_route("/dumps/", methods=["GET", "HEAD"], summary="The downloads of the whole graph",
                  response_class=Response)
def dumps_index(request: Request, store: StoreDep) -> Response:
    name = conneg.choose(request, LISTING_NAMES)
    if name is None:
        return conneg.not_acceptable(request, "the list of downloads", LISTING_NAMES)
    found = conneg.validators(store.version.content_hash, store.version.built_at, "dumps", name)
    link = conneg.alternates(request.url.path, LISTING_NAMES)
    if conneg.not_modified(request, found):
        return conneg.respond(request, b"", name, found, link=link)
    entries = _listing(request, store)
    if name == conneg.JSON:
        body = json.dumps({"dataset": store.version.as_dict(), "dumps": entries}, indent=1).encode("utf-8")
    else:
        body = render(request, "dumps.html", {"title": "Downloads", "dumps": entries}).encode("utf-8")
    return conneg.respond(request, body, name, found, link=link)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], summary="One download of the whole graph (gzip)",
                  response_class=Response)
def dump_file(name: str, request: Request, store: StoreDep) -> Response:
    dump = DUMPS.get(name)
    if dump is None:
        return problem(404, "Not found", f"there is no download called {name!r}; see /dumps/",
                       known=sorted(DUMPS))
    found = conneg.validators(store.version.content_hash, store.version.built_at, "dump", name)
    headers = {"Content-Disposition": f'attachment; filename="{dump.name}"',
               "X-Lanzagraph-Dump-Format": dump.media_type}
    if conneg.not_modified(request, found):
        return conneg.respond(request, b"", "application/gzip", found, extra=headers, negotiated=False)
    data = cache_for(store).get(name)
    assert data is not None
    return conneg.respond(request, data, "application/gzip", found, extra=headers, negotiated=False)
