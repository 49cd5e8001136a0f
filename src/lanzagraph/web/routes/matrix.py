"""/matrix: the obligations at a glance, Parties of the latest round by chapters of its report.

    GET /matrix                      the table (HTML; ?format=csv or json, or by Accept)
    GET /matrix/{party}/{chapter}    the recommendations behind one cell (party: ISO code; chapter: III)
"""

from __future__ import annotations

import csv
import io
import threading
from typing import Annotated
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from lanzagraph import formats
from lanzagraph.matrix import MATRIX, URGENCIES, Matrix, cell_items, matrix_for
from lanzagraph.store import GraphStore
from lanzagraph.web.deps import SettingsDep, StoreDep
from lanzagraph.web.pages import render
from lanzagraph.web.resource_pages import REACH_WORDS

router = APIRouter(tags=["Service"])

MEDIA = {"html": "text/html", "json": "application/json", "csv": "text/csv"}
URGENCY_WORDS = {"require": "require", "request": "request", "invite": "invite", "unstated": "urgency not stated"}

_CACHE: WeakKeyDictionary[object, tuple[str, Matrix]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def matrix(store: GraphStore) -> Matrix:
    """The matrix of the store's current build, computed once per dataset version."""
    with _LOCK:
        found = _CACHE.get(store)
        if found is not None and found[0] == store.version.content_hash:
            return found[1]
    computed = matrix_for(store)
    with _LOCK:
        _CACHE[store] = (store.version.content_hash, computed)
    return computed


def _choose(request: Request, fmt: str | None) -> str | None:
    if fmt is not None:
        key = fmt.strip().lower()
        return key if key in MEDIA else None
    media = formats.negotiate(request.headers.get("accept"), list(MEDIA.values()))
    return next((name for name, m in MEDIA.items() if m == media), None)


@router.api_route(
    "/matrix",
    methods=["GET", "HEAD"],
    summary="Obligations at a glance: Parties × chapters, recommendations by urgency, certain and conditional",
    description="For each Party of the latest monitoring round and each chapter of its report, how many of the "
    "chapter's recommendations apply to the Party (lz:appliesTo, certain) and may apply to it (lz:mayApplyTo, "
    "conditional), by urgency (require, request, invite, unstated). An HTML table, or one record per Party, "
    "chapter and urgency as JSON or CSV (?format=json|csv or Accept). Computed with one SPARQL query.",
    response_class=HTMLResponse,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def matrix_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    format: Annotated[str | None, Query(description="html, json or csv; overrides Accept")] = None,  # noqa: A002
) -> Response:
    name = _choose(request, format)
    headers = {"Vary": "Accept", "X-Lanzagraph-Dataset": store.version.content_hash[:16]}
    if name is None:
        return JSONResponse({"type": "about:blank", "title": "Not acceptable", "status": 406,
                             "detail": "the matrix is available as " + ", ".join(MEDIA.values())},
                            status_code=406, media_type="application/problem+json", headers=headers)
    m = matrix(store)
    if name == "json":
        return JSONResponse({"round": {"uri": m.round_iri, "label": m.round_label},
                             "chapters": [{"uri": c.iri, "number": c.number, "label": c.label} for c in m.chapters],
                             "cells": m.as_rows(), "sparql": MATRIX}, headers=headers)
    if name == "csv":
        out = io.StringIO()
        rows = m.as_rows()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["party"], lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        headers["Content-Disposition"] = 'attachment; filename="matrix.csv"'
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    body = render(request, "matrix.html", {
        "title": "Obligations matrix", "m": m, "urgencies": URGENCIES, "urgency_words": URGENCY_WORDS,
        "sparql_link": "/query?" + urlencode([("query", MATRIX)]), "id_base": settings.id_base,
    })
    return HTMLResponse(body, headers=headers)


@router.api_route(
    "/matrix/{party}/{chapter}",
    methods=["GET", "HEAD"],
    summary="The recommendations of one chapter that apply or may apply to one Party",
    response_class=HTMLResponse,
)
def matrix_cell(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    party: Annotated[str, Path(max_length=10, description="ISO 3166-1 alpha-2 code of a Party of the round")],
    chapter: Annotated[str, Path(max_length=10, description="the chapter's numeral, e.g. III")],
) -> Response:
    m = matrix(store)
    row, column = m.find_party(party), m.find_chapter(chapter)
    if row is None or column is None:
        what = (f"no Party {party!r} in the {m.round_label}" if row is None
                else f"no chapter {chapter!r} in the report of the {m.round_label}")
        body = render(request, "not_found.html", {"title": "Not found", "detail": what, "suggestions": [],
                                                  "query": party if row is None else chapter, "folder": None})
        return HTMLResponse(body, status_code=404)
    cell = m.cell(row, column)
    items = cell_items(store, row.iri, column.iri)
    chapters = [c for c in m.chapters if m.cell(row, c).total]
    at = chapters.index(column) if column in chapters else None
    body = render(request, "matrix_cell.html", {
        "title": f"{row.name}, {column.label}", "m": m, "party": row, "chapter": column, "cell": cell,
        "items": items, "id_base": settings.id_base, "urgencies": URGENCIES, "urgency_words": URGENCY_WORDS,
        "reach_words": REACH_WORDS,
        "previous": chapters[at - 1] if at else None,
        "next": chapters[at + 1] if at is not None and at + 1 < len(chapters) else None,
    })
    return HTMLResponse(body, headers={"X-Lanzagraph-Dataset": store.version.content_hash[:16]})
