"""/api/queries: the catalogue of canned queries and one endpoint per query, generated from
queries/*.rq when the app is created, so that a new .rq file is a new documented endpoint.

    GET /api/queries               the catalogue (JSON array of entries)
    GET /api/queries/{name}        runs the query with its parameters from the query string
    GET /api/queries/{name}/about  the entry, with its SPARQL and a link that opens it on /sparql

An answer is a plain JSON array of row objects, a resource column as {"uri": ..., "label": ...};
CSV with `Accept: text/csv` or `?format=csv` (a resource column `x` is two columns, `x` and
`x_label`); SPARQL 1.1 JSON results with `?format=json-sparql` or
`Accept: application/sparql-results+json`. Pages are cut by `limit` and `offset` and linked
with RFC 8288 `Link` headers (first, prev, next, and describedby: the entry); every answer
carries the dataset version in `X-Lanzagraph-Dataset`.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response

from lanzagraph import canned, formats
from lanzagraph.binding import Binder
from lanzagraph.catalogue import URGENCIES, CannedQuery, Catalogue, Param
from lanzagraph.errors import InvalidParameter, UnknownQuery
from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore
from lanzagraph.web.deps import PartiesDep, StoreDep
from lanzagraph.web.handlers import problem

PREFIX = "/api/queries"
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
MAX_OFFSET = 1_000_000
FORMATS = {"json": "application/json", "csv": "text/csv", "json-sparql": "application/sparql-results+json"}
PAGING = ("limit", "offset", "format")
_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean", "date": "string"}
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}


def build_router(settings: Settings) -> APIRouter:
    catalogue = Catalogue.load(settings.root / "queries")
    cap = min(MAX_LIMIT, settings.max_rows)
    router = APIRouter(prefix=PREFIX, tags=["Canned queries"])

    @router.get("", summary="The catalogue of canned queries", response_model=None, operation_id="canned_catalogue")
    def list_queries(store: StoreDep) -> JSONResponse:
        """Every canned query: name, title, description, parameters, columns, and the URLs to run it
        (`url`, `example`) and to read its SPARQL (`about`)."""
        return JSONResponse([entry(q) for q in catalogue], headers=_dataset(store))

    for query in catalogue:
        router.add_api_route(
            "/" + query.name,
            endpoint(query, min(DEFAULT_LIMIT, cap), cap),
            methods=["GET"],
            summary=query.title,
            description=_description(query),
            response_model=None,
            operation_id="canned_" + query.name.replace("-", "_"),
            responses=_responses(query),
        )

    def about(name: str, store: GraphStore) -> JSONResponse:
        return JSONResponse(entry(catalogue.get(name), with_sparql=True), headers=_dataset(store))

    # A signature of real objects: the examples come from the catalogue, which string annotations cannot see.
    name = Annotated[str, PathParam(description="the query's name", examples=catalogue.names()[:1])]
    about.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a)
            for n, a in [("name", name), ("store", StoreDep)]
        ]
    )
    router.add_api_route(
        "/{name}/about",
        about,
        methods=["GET"],
        summary="A canned query's entry, with its SPARQL",
        response_model=None,
        operation_id="canned_about",
    )

    @router.get("/{name}", include_in_schema=False, response_model=None)
    def unknown(name: str) -> Response:
        raise UnknownQuery(name, catalogue.names())  # every catalogue entry has its own route above

    return router


def entry(query: CannedQuery, *, with_sparql: bool = False) -> dict[str, Any]:
    url = f"{PREFIX}/{query.name}"
    examples = [(p.name, str(p.example)) for p in query.params]
    out: dict[str, Any] = {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "params": [p.as_dict() for p in query.params],
        "columns": [c.as_dict() for c in query.columns],
        "url": url,
        "example": url + ("?" + urlencode(examples) if examples else ""),
        "about": url + "/about",
    }
    if with_sparql:
        out["sparql"] = query.sparql
        out["query_page"] = "/sparql?query=" + quote(query.sparql, safe="")
    return out


def endpoint(query: CannedQuery, default_limit: int, cap: int) -> Callable[..., Response]:
    """The route function of one canned query, with a signature FastAPI reads its parameters from."""
    allowed = {p.name for p in query.params} | set(PAGING)

    def run(**arguments: Any) -> Response:
        request: Request = arguments.pop("request")
        store: GraphStore = arguments.pop("store")
        parties = arguments.pop("parties")
        limit, offset, fmt = arguments.pop("limit"), arguments.pop("offset"), arguments.pop("format")
        _check_names(request, allowed)
        media = FORMATS[fmt] if fmt else formats.negotiate(request.headers.get("accept"), list(FORMATS.values()))
        if media is None:
            return problem(406, "Not acceptable", "a canned query answers as " + ", ".join(FORMATS.values()))
        headers = _dataset(store) | {"Vary": "Accept", "ETag": _etag(store, request, media)}
        if headers["ETag"] in _tags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)
        page = canned.run(store, query, Binder(store, parties).bind(query, arguments), limit=limit, offset=offset)
        headers["Link"] = _links(request, page)
        if media == FORMATS["csv"]:
            headers["Content-Disposition"] = f'attachment; filename="{query.name}.csv"'
            return Response(canned.csv_bytes(page), media_type="text/csv; charset=utf-8", headers=headers)
        if media == FORMATS["json-sparql"]:
            return Response(canned.sparql_json_bytes(page), media_type=media, headers=headers)
        return JSONResponse(canned.json_rows(page), headers=headers)

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("request", keyword, annotation=Request),
        inspect.Parameter("store", keyword, annotation=StoreDep),
        inspect.Parameter("parties", keyword, annotation=PartiesDep),
        *(_parameter(p) for p in query.params),
        inspect.Parameter(
            "limit",
            keyword,
            default=default_limit,
            annotation=Annotated[int, Query(ge=1, le=cap, description=f"Rows per page (at most {cap}).")],
        ),
        inspect.Parameter(
            "offset",
            keyword,
            default=0,
            annotation=Annotated[
                int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip: the `Link` header gives the next page.")
            ],
        ),
        inspect.Parameter(
            "format",
            keyword,
            default=None,
            annotation=Annotated[
                Literal["json", "csv", "json-sparql"] | None,
                Query(
                    description="json (row objects), csv, or json-sparql (SPARQL 1.1 results); "
                    "overrides the Accept header."
                ),
            ],
        ),
    ]
    run.__signature__ = inspect.Signature(parameters, return_annotation=Response)  # type: ignore[attr-defined]
    run.__name__ = "canned_" + query.name.replace("-", "_")
    return run


def _parameter(param: Param) -> inspect.Parameter:
    """The FastAPI query parameter of a catalogue parameter, documented from the header."""
    kind: Any
    extra: dict[str, Any] = {}
    if param.type == "integer":
        kind = int
        extra = {"ge": param.minimum, "le": param.maximum}
    elif param.type == "urgency":
        kind = Literal[URGENCIES]
    else:
        kind = str
        extra = {"max_length": param.max_length if param.type == "string" else 100}
    meta = Query(
        description=f"{param.description} [{param.type}]",
        examples=[param.example],
        openapi_examples={"example": {"summary": "example", "value": param.example}},
        **extra,
    )
    default: Any = inspect.Parameter.empty if param.required else param.default
    annotation = Annotated[kind, meta] if param.required else Annotated[kind | None, meta]
    return inspect.Parameter(param.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _check_names(request: Request, allowed: set[str]) -> None:
    """Unknown parameters are refused rather than ignored: a typo would otherwise widen the answer."""
    for name in request.query_params:
        if name not in allowed:
            raise InvalidParameter(name, f"is not a parameter of this query (it takes: {', '.join(sorted(allowed))})")
        if len(request.query_params.getlist(name)) > 1:
            raise InvalidParameter(name, "is given more than once")


def _dataset(store: GraphStore) -> dict[str, str]:
    return {"X-Lanzagraph-Dataset": store.version.content_hash[:16]}


def _etag(store: GraphStore, request: Request, media: str) -> str:
    """Weak: the same dataset, URL and format give the same rows, though not always the same bytes
    (the order inside a GROUP_CONCAT is the engine's)."""
    key = f"{store.version.content_hash}|{media}|{request.url.path}?{sorted(request.query_params.multi_items())}"
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _tags(header: str | None) -> set[str]:
    return {t.strip() for t in (header or "").split(",") if t.strip()}


def _links(request: Request, page: canned.Page) -> str:
    """RFC 8288 links: first, prev and next pages (same parameters), and the catalogue entry."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]

    def at(offset: int) -> str:
        return request.url.path + "?" + urlencode([*kept, ("limit", str(page.limit)), ("offset", str(offset))])

    links = [f'<{at(0)}>; rel="first"']
    if page.offset > 0:
        links.append(f'<{at(max(0, page.offset - page.limit))}>; rel="prev"')
    if page.more:
        links.append(f'<{at(page.offset + page.limit)}>; rel="next"')
    links.append(f'<{PREFIX}/{page.query.name}/about>; rel="describedby"; type="application/json"')
    return ", ".join(links)


def _description(query: CannedQuery) -> str:
    columns = "\n".join(f"- `{c.name}` ({c.type}): {c.description}" for c in query.columns)
    return (
        f'{query.description}\n\n**Columns** (a resource is `{{"uri", "label"}}` in JSON, `x` and `x_label` '
        f"in CSV):\n\n{columns}\n\n**SPARQL** (`queries/{query.name}.rq`; parameters are bound as RDF terms):\n\n"
        f"```sparql\n{query.body}\n```"
    )


def _responses(query: CannedQuery) -> dict[int | str, dict[str, Any]]:
    properties: dict[str, Any] = {}
    for column in query.columns:
        if column.type == "resource":
            schema: dict[str, Any] = {
                "type": ["object", "null"],
                "properties": {"uri": {"type": "string"}, "label": {"type": ["string", "null"]}},
            }
        else:
            schema = {"type": [_JSON_TYPES[column.type], "null"]}
        properties[column.name] = {**schema, "description": column.description}
    rows = {"type": "array", "items": {"type": "object", "properties": properties}}
    link = {
        "description": "RFC 8288 links: first, prev, next pages and the catalogue entry (describedby)",
        "schema": {"type": "string"},
    }
    return {
        200: {
            "description": "A page of rows",
            "headers": {
                "Link": link,
                "X-Lanzagraph-Dataset": {"description": "the dataset version", "schema": {"type": "string"}},
            },
            "content": {
                "application/json": {"schema": rows},
                "text/csv": {"schema": {"type": "string"}},
                "application/sparql-results+json": {"schema": {"type": "object"}},
            },
        },
        404: {"description": "Unknown Party (with the closest names)", "content": _PROBLEM},
        406: {"description": "None of the formats the Accept header allows", "content": _PROBLEM},
        422: {"description": "A parameter that is missing, unknown or names nothing in the graph", "content": _PROBLEM},
    }
