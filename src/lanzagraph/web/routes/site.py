"""Service-level routes: health, the home page and search by name."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from lanzagraph.directory import index_for
from lanzagraph.text_search import text_index_for
from lanzagraph.vocab import LZ
from lanzagraph.web import conneg
from lanzagraph.web.deps import SettingsDep, StoreDep
from lanzagraph.web.home import class_counts
from lanzagraph.web.pages import render
from lanzagraph.web.resource_pages import kind_of

router = APIRouter(tags=["Service"])


@router.get("/healthz", summary="Liveness and the dataset version being served")
async def healthz(store: StoreDep) -> dict[str, Any]:
    return {"status": "ok", "dataset": store.version.as_dict(), "in_memory": store.in_memory}


@router.api_route("/", methods=["GET", "HEAD"], summary="Home page: the entry points of the graph",
                  response_class=HTMLResponse)
def home(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    index = index_for(store, settings.id_base)
    convention = settings.id_base + "instrument/cets-201/"
    body = render(request, "home.html", {
        "title": "Home",
        "parties": index.of_type(LZ + "StateParty"),
        "chapters": index.of_type(LZ + "ReportChapter"),
        "articles": [e for e in index.of_type(LZ + "Article") if e.iri.startswith(convention)]
        + [e for e in index.of_type(LZ + "Article") if not e.iri.startswith(convention)],
        "opinions": index.of_type(LZ + "Opinion"),
        "instruments": index.of_type(LZ + "LegalInstrument"),
        "total": len(index.entries),
        "counts": class_counts(index),
    }).encode("utf-8")
    found = conneg.validators(store.version.content_hash, store.version.built_at, "home")
    return conneg.respond(request, body, conneg.HTML, found, negotiated=False)


@router.get("/search", summary="Find resources by name, number or identifier", response_class=HTMLResponse)
def search(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    q: Annotated[str, Query(max_length=200, description="Words to look for in names, numbers, identifiers")] = "",
) -> Response:
    index = index_for(store, settings.id_base)
    results = index.search(q)
    named = {e.iri for e in results}
    in_texts = [(index.get(h.iri), h) for h in text_index_for(store, settings.id_base).search(q)
                if h.iri not in named and index.get(h.iri) is not None]
    if conneg.choose(request, [conneg.HTML, conneg.JSON]) == conneg.JSON:
        return JSONResponse({"query": q, "results": [
            {"iri": e.iri, "href": e.href, "label": e.label, "kind": kind_of(e, index)} for e in results],
            "in_texts": [{"iri": e.iri, "href": e.href, "label": e.label, "kind": kind_of(e, index),
                          "snippet": h.snippet} for e, h in in_texts if e is not None]})
    return HTMLResponse(render(request, "search.html", {
        "title": f"Search: {q}" if q else "Search", "query": q, "results": results, "in_texts": in_texts,
        "kind_of": partial(kind_of, index=index),
    }))
