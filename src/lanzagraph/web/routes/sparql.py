"""/sparql: the SPARQL 1.1 Protocol (queries only), the Service Description and the query page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, serialize

from lanzagraph import formats, sparql_text
from lanzagraph.errors import QueryRefused, QuerySyntaxError, QueryTimeout
from lanzagraph.executor import Outcome, QueryJob
from lanzagraph.result_cache import ResultCache
from lanzagraph.vocab import RDF, SD, VOID, XSD
from lanzagraph.web import protocol
from lanzagraph.web.deps import ExecutorDep, SettingsDep, StoreDep
from lanzagraph.web.handlers import problem
from lanzagraph.web.routes import query_page

router = APIRouter(tags=["SPARQL"])

DESCRIPTION_MEDIA = ["text/turtle", "text/html", "application/ld+json", "application/n-triples", "application/rdf+xml"]


def _service_description(request: Request, store: StoreDep) -> list[Quad]:
    endpoint = NamedNode(str(request.url.replace(query="", fragment="")).rstrip("?"))
    def sd(name: str) -> NamedNode:
        return NamedNode(SD + name)

    service = BlankNode()
    dataset = BlankNode()
    default = BlankNode()
    quads = [
        Quad(service, NamedNode(RDF + "type"), sd("Service")),
        Quad(service, sd("endpoint"), endpoint),
        Quad(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Quad(service, sd("feature"), sd("UnionDefaultGraph")),
        Quad(service, sd("feature"), sd("BasicFederatedQuery")),
        Quad(service, sd("defaultDataset"), dataset),
        Quad(dataset, NamedNode(RDF + "type"), sd("Dataset")),
        Quad(dataset, sd("defaultGraph"), default),
        Quad(default, NamedNode(RDF + "type"), sd("Graph")),
        Quad(default, NamedNode(VOID + "triples"),
             Literal(str(store.version.triples), datatype=NamedNode(XSD + "integer"))),
    ]
    for fmt, _ in formats.RESULTS_FORMATS.values():
        quads.append(Quad(service, sd("resultFormat"), NamedNode(_format_iri(fmt.name))))
    for graph in store.named_graphs():
        named = BlankNode()
        quads += [Quad(dataset, sd("namedGraph"), named), Quad(named, sd("name"), graph)]
    return quads


def _format_iri(name: str) -> str:
    return {
        "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
        "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
        "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    }[name]


def _describe_service(request: Request, store: StoreDep, fmt: str | None) -> Response:
    media = formats.media_type_for(fmt) if fmt else formats.negotiate(request.headers.get("accept"), DESCRIPTION_MEDIA)
    if fmt == "html" or media == "text/html":
        return query_page.blank_page(request)
    if media is None or media not in DESCRIPTION_MEDIA:
        return problem(406, "Not acceptable", "the service description is available as " + ", ".join(DESCRIPTION_MEDIA))
    rdf_format = next(f for m, f in formats.GRAPH_FORMATS.values() if m.media_type == media)
    body = serialize([q.triple for q in _service_description(request, store)], format=rdf_format,
                     prefixes={"sd": SD, "void": VOID})
    return Response(body, media_type=media, headers={"Vary": "Accept"})


def _cache(request: Request, megabytes: int) -> ResultCache[Outcome]:
    cache = getattr(request.app.state, "result_cache", None)
    if cache is None:
        cache = ResultCache[Outcome](megabytes * 1024 * 1024)
        request.app.state.result_cache = cache
    return cache


@router.api_route("/sparql", methods=["GET", "POST", "HEAD"], summary="SPARQL 1.1 Protocol endpoint (read-only)")
async def sparql_endpoint(request: Request, settings: SettingsDep, store: StoreDep, executor: ExecutorDep) -> Response:
    try:
        req = await protocol.read(request)
    except protocol.UnsupportedBody as err:
        return problem(415, "Unsupported media type", str(err))
    if req.query is not None and req.format_name == "html" and request.method != "POST":
        return RedirectResponse("/query?" + urlencode([("query", req.query)]), status_code=303)  # the query page
    if req.query is None:
        if request.method == "POST":
            raise QuerySyntaxError("the request has no 'query'")
        return _describe_service(request, store, req.format_name)
    if not req.query.strip():
        raise QuerySyntaxError("the query is empty")
    if sparql_text.looks_like_update(req.query):
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
    for call in sparql_text.service_calls(req.query):
        if call.target is None or call.target not in settings.allowed_services:
            raise QueryRefused(
                f"SERVICE {call.raw} is refused: federated queries may only call endpoints on this service's "
                "allow-list (LANZAGRAPH_SERVICE_ALLOWLIST)"
            )
    job = QueryJob(
        query=req.query,
        accept=request.headers.get("accept"),
        format_name=req.format_name,
        default_graphs=req.default_graphs,
        named_graphs=req.named_graphs,
        max_rows=settings.max_rows,
        base_iri=str(request.url.replace(query="", fragment="")).rstrip("?"),
    )
    cache = _cache(request, settings.result_cache_mb)
    key = (store.version.content_hash, job)
    outcome = cache.get(key)
    if outcome is None:
        outcome = await executor.run(job, settings.query_timeout)
        if outcome.status == "ok":
            cache.put(key, outcome, len(outcome.body) + len(job.query) + len(job.accept or "") + 1024)
    if outcome.status == "ok":
        headers = {"Vary": "Accept", "X-Lanzagraph-Dataset": store.version.content_hash[:16]}
        if outcome.truncated:
            headers["X-Lanzagraph-Truncated"] = f"results cut at {settings.max_rows} rows (LANZAGRAPH_MAX_ROWS)"
        media = outcome.media_type + ("; charset=utf-8" if outcome.media_type.startswith("text/") else "")
        body = b"" if request.method == "HEAD" else outcome.body
        return Response(body, headers=headers, media_type=media)
    if outcome.status == "bad_query":
        raise QuerySyntaxError(outcome.message)
    if outcome.status == "not_acceptable":
        return problem(406, "Not acceptable",
                       f"a {outcome.kind} result can be had as: {', '.join(outcome.offered)}")
    if outcome.status in ("timeout", "busy"):
        raise QueryTimeout(outcome.message)
    if outcome.status == "unavailable":
        return problem(502, "SPARQL server unavailable", outcome.message)
    return problem(503, "Query failed", outcome.message)


@router.options("/sparql", include_in_schema=False)
async def sparql_options() -> Response:
    return Response(status_code=204, headers={"Allow": "GET, POST, HEAD, OPTIONS"})
