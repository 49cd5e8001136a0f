"""/query: the SPARQL query page for people, working without JavaScript.

    GET /query                      the editor, prefilled with the graph's PREFIXes
    GET /query?example={name}       the editor holding a canned query, its example parameters bound
    GET /query?query=...            runs the query and shows the answer as a table, a page at a time
                                    (rows=25|100|500, page=N); the URL is the link to share
    GET /query/examples/{name}      that canned query's text alone (application/sparql-query)

The query runs through the executor /sparql uses, with its refusals (update, SERVICE outside the
allow-list), time limit and row cap; bad syntax gives the page back with the parser's message and
status 400. /sparql shows this page to browsers that ask it for no query.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from lanzagraph.directory import index_for
from lanzagraph.errors import UnknownQuery
from lanzagraph.executor import Outcome
from lanzagraph.settings import Settings
from lanzagraph.web import sparql_page as sp
from lanzagraph.web.deps import ExecutorDep, PartiesDep, SettingsDep, StoreDep
from lanzagraph.web.examples import catalogue, example_sparql
from lanzagraph.web.handlers import problem
from lanzagraph.web.pages import render

router = APIRouter(tags=["Service"])


def _examples(settings: Settings) -> list[dict[str, str]]:
    return [{"name": q.name, "title": q.title, "href": f"/query?example={q.name}",
             "api": f"/api/queries/{q.name}"} for q in catalogue(settings.root / "queries")]


def _page(request: Request, settings: Settings, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("query", sp.DEFAULT_QUERY)
    context.setdefault("title", "SPARQL query")
    context.setdefault("size", sp.DEFAULT_PAGE_SIZE)
    body = render(request, "query.html", {"examples": _examples(settings), "page_sizes": sp.PAGE_SIZES,
                                          "max_rows": settings.max_rows, "timeout": settings.query_timeout,
                                          **context})
    return HTMLResponse(body, status_code=status)


def blank_page(request: Request) -> HTMLResponse:
    """The editor, as /sparql shows it to a browser that sends no query."""
    return _page(request, request.app.state.settings)


@router.api_route(
    "/query",
    methods=["GET", "HEAD"],
    summary="The SPARQL query page: an editor, and the answer as an HTML table",
    response_class=HTMLResponse,
)
async def query_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    parties: PartiesDep,
    executor: ExecutorDep,
    query: Annotated[str | None, Query(description="the SPARQL query to run")] = None,
    example: Annotated[str | None, Query(max_length=100, description="a canned query to load into the editor")] = None,
    rows: Annotated[str | None, Query(description="rows per page: 25, 100 or 500")] = None,
    page: Annotated[str | None, Query(description="the page of the answer to show, from 1")] = None,
) -> Response:
    size = sp.page_size(rows)
    if query is not None:
        query = query.replace("\r\n", "\n")  # what a form sends for a textarea's line breaks
    if query is None or not query.strip():
        if example:
            try:
                text = example_sparql(catalogue(settings.root / "queries").get(example), store, parties)
            except UnknownQuery as err:
                return _page(request, settings, 404, error=sp.PageError(404, "Unknown example", str(err)))
            return _page(request, settings, query=text, example=example, title=f"SPARQL query: {example}")
        if query is None:
            return _page(request, settings)
    assert query is not None
    refused = sp.refusal(query, settings)
    if refused is not None:
        return _page(request, settings, refused.status, query=query, error=refused, size=size)
    job = sp.job_for(request, query, settings)
    results = sp.cache(request, settings)
    key = (store.version.content_hash, job)
    started = time.monotonic()
    outcome: Outcome | None = results.get(key)
    if outcome is None:
        outcome = await executor.run(job, settings.query_timeout)
        if outcome.status == "ok":
            results.put(key, outcome, len(outcome.body) + len(query) + 1024)
    elapsed = time.monotonic() - started
    error = sp.outcome_error(outcome, query)
    if error is not None:
        return _page(request, settings, error.status, query=query, error=error, size=size)
    table = sp.result_table(outcome, sp.Valuer(settings, index_for(store, settings.id_base)),
                            sp.page_number(page), size)
    pager = {
        "first": sp.page_url(query, 1, size), "last": sp.page_url(query, table.pages, size),
        "prev": sp.page_url(query, table.page - 1, size) if table.page > 1 else None,
        "next": sp.page_url(query, table.page + 1, size) if table.page < table.pages else None,
    }
    counted = "yes" if table.boolean else "no" if table.kind == "ASK" else f"{table.total} rows"
    return _page(request, settings, query=query, table=table, size=size, pager=pager, elapsed=elapsed,
                 downloads=sp.download_links(query, table.kind), share=sp.page_url(query, table.page, size),
                 title=f"SPARQL query: {counted}", max_rows=settings.max_rows)


@router.get(
    "/query/examples/{name}",
    summary="A canned query as an example: its SPARQL with its example parameters bound",
    response_class=Response,
    responses={200: {"content": {"application/sparql-query": {}}}},
)
def example_text(name: str, settings: SettingsDep, store: StoreDep, parties: PartiesDep) -> Response:
    try:
        query = catalogue(settings.root / "queries").get(name)
    except UnknownQuery as err:
        return problem(404, "Unknown query", str(err), known=err.known)
    return Response(example_sparql(query, store, parties), media_type="application/sparql-query; charset=utf-8",
                    headers={"X-Lanzagraph-Dataset": store.version.content_hash[:16]})
