"""/id/...: every URI of the graph dereferences, by content negotiation.

`GET|HEAD /id/{path}` answers for the resource whose IRI is the configured instance base plus
`path` (the store is built with that base, so with `--base-uri http://127.0.0.1:PORT/` the IRIs are
the server's own URLs). Turtle, JSON-LD, RDF/XML, N-Triples or an HTML page, chosen by Accept
(q-values honoured) or `?format=`. A path ending in `/` (and `/id/` itself) lists what lies under
it, so that every resource can be reached by following links.

Paths are checked before they become IRIs: an encoded separator (`%2F`, `%5C`), NUL, a dot
segment or a character an IRI cannot hold gives 400; anything else that names no resource, 404.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lanzagraph import describe as describing
from lanzagraph.directory import Listing, ResourceIndex, index_for
from lanzagraph.serialise import serialize_triples
from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore
from lanzagraph.web import conneg
from lanzagraph.web.deps import PartiesDep, SettingsDep, StoreDep
from lanzagraph.web.handlers import problem
from lanzagraph.web.pages import render
from lanzagraph.web.resource_pages import build_page, kind_of
from lanzagraph.web.views import Linker

router = APIRouter(tags=["Linked data"])

RESOURCE_NAMES: list[str] = [*conneg.RDF_NAMES, conneg.HTML]
LISTING_NAMES: list[str] = [conneg.HTML, conneg.JSON]
MAX_PATH = 512
_BAD_CHARS = set('<>"{}|^`\\#?') | {chr(c) for c in range(0x21)} | {"\x7f"}


def check_path(request: Request, path: str) -> str | None:
    """Why the path cannot name a resource (None when it can)."""
    raw = bytes(request.scope.get("raw_path") or request.url.path.encode("utf-8")).lower()
    if any(bad in raw for bad in (b"%2f", b"%5c", b"%00", b"\\")):
        return "encoded path separators and NUL are not allowed in an identifier"
    if len(path) > MAX_PATH:
        return f"identifiers are at most {MAX_PATH} characters long"
    segments = path.split("/")
    if any(s in (".", "..") for s in segments) or any(not s for s in segments[:-1]):
        return "dot segments and empty segments are not allowed in an identifier"
    if any(c in _BAD_CHARS for c in path):
        return "the identifier holds a character an IRI cannot hold"
    return None


@router.api_route(
    "/id/{path:path}",
    methods=["GET", "HEAD"],
    summary="Dereference a resource of the graph",
    description="The resource's concise bounded description (its triples, blank-node closure, labels of what it "
    "links to, and links into it) as Turtle, JSON-LD, RDF/XML or N-Triples, or an HTML page, by content negotiation "
    "(Accept with q-values, or ?format=turtle|jsonld|rdfxml|ntriples|html). A path ending in '/' lists the "
    "resources under it.",
    response_class=Response,
)
def resource(path: str, request: Request, settings: SettingsDep, store: StoreDep, parties: PartiesDep) -> Response:
    reason = check_path(request, path)
    if reason is not None:
        return problem(400, "Invalid identifier", reason)
    index = index_for(store, settings.id_base)
    if path == "" or path.endswith("/"):
        return _listing(request, settings, store, index, path)
    iri = settings.id_base + path
    if not describing.exists(store, iri):
        return not_found(request, index, path)
    name = conneg.choose(request, RESOURCE_NAMES)
    if name is None:
        return conneg.not_acceptable(request, "this resource", RESOURCE_NAMES)
    found = conneg.validators(store.version.content_hash, store.version.built_at, iri, name)
    link = conneg.alternates(request.url.path, RESOURCE_NAMES)
    if conneg.not_modified(request, found):
        return conneg.respond(request, b"", name, found, link=link)
    description = describing.describe(store, iri)
    if description is None:  # removed between the two reads: cannot happen with a read-only store
        return not_found(request, index, path)
    if name == conneg.HTML:
        alternates = [{"name": n, "media": conneg.media_of(n), "href": f"{request.url.path}?format={n}"}
                      for n in conneg.RDF_NAMES]
        page = build_page(store, index, Linker(settings.base_uri, index), parties, description, alternates)
        body = render(request, page.template, page.context).encode("utf-8")
    else:
        body = serialize_triples(description.triples, name)
    return conneg.respond(request, body, name, found, link=link)


def _listing(request: Request, settings: Settings, store: GraphStore, index: ResourceIndex, prefix: str) -> Response:
    listing = index.listing(prefix)
    if listing.empty:
        return not_found(request, index, prefix)
    name = conneg.choose(request, LISTING_NAMES)
    if name is None:
        return conneg.not_acceptable(request, "this listing", LISTING_NAMES)
    found = conneg.validators(store.version.content_hash, store.version.built_at, "listing", prefix, name)
    link = conneg.alternates(request.url.path, LISTING_NAMES)
    if name == conneg.JSON:
        body = json.dumps(listing_json(listing, index), ensure_ascii=False, indent=1).encode("utf-8")
    else:
        crumbs = _prefix_crumbs(prefix)
        body = render(request, "directory.html", {
            "title": "/id/" + prefix, "listing": listing, "crumbs": crumbs, "kind_of": partial(kind_of, index=index),
            "index": index,
        }).encode("utf-8")
    return conneg.respond(request, body, name, found, link=link)


def listing_json(listing: Listing, index: ResourceIndex) -> dict[str, Any]:
    return {
        "prefix": "/id/" + listing.prefix,
        "resources": [{"iri": e.iri, "href": e.href, "label": e.label, "kind": kind_of(e, index)}
                      for e in listing.resources],
        "folders": [{"name": name, "href": f"/id/{listing.prefix}{name}/", "resources": count}
                    for name, count in listing.folders],
    }


def _prefix_crumbs(prefix: str) -> list[tuple[str, str]]:
    """('id', '/id/'), ('round', '/id/round/'), ('2', '/id/round/2/') for 'round/2/'."""
    crumbs = [("id", "/id/")]
    parts = [p for p in prefix.split("/") if p]
    for end in range(1, len(parts) + 1):
        crumbs.append((parts[end - 1], "/id/" + "/".join(parts[:end]) + "/"))
    return crumbs


def not_found(request: Request, index: ResourceIndex, path: str) -> Response:
    """404: an HTML page with close identifiers and a search form for a browser, else a problem document."""
    suggestions = index.suggest(path.rstrip("/")) if path else []
    folder = f"/id/{path.rstrip('/')}/" if path and not index.listing(path.rstrip("/") + "/").empty else None
    words = " ".join(p for p in path.replace("-", " ").split("/") if p and not p.isdigit())[-80:]
    detail = f"nothing in the graph is identified by /id/{path}"
    if conneg.choose(request, [conneg.JSON, conneg.HTML]) == conneg.HTML and "format" not in request.query_params:
        body = render(request, "not_found.html", {
            "title": "Not found", "path": path, "suggestions": suggestions, "query": words, "detail": detail,
            "folder": folder,
        }).encode("utf-8")
        return conneg.send(request, body, "text/html; charset=utf-8", {"Vary": "Accept"}, status=404)
    response = problem(404, "Not found", detail, suggestions=[s.href for s in suggestions],
                       search=f"/search?q={quote(words)}", browse=folder or "/id/")
    response.headers["Vary"] = "Accept"
    if request.method == "HEAD":
        return conneg.send(request, bytes(response.body), "application/problem+json", {"Vary": "Accept"}, 404)
    return response
