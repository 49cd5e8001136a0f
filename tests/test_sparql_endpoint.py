"""/sparql against a real uvicorn server: the SPARQL 1.1 Protocol with real clients, and the refusals."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import rdflib
from conftest import LiveServer, start_server, stop_server
from SPARQLWrapper import JSON, XML, SPARQLWrapper

from lanzagraph.settings import Settings

LZ = "PREFIX lz: <https://w3id.org/lanzagraph/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
COUNT = LZ + "SELECT (COUNT(?r) AS ?n) WHERE { ?r a lz:Recommendation }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Recorder(BaseHTTPRequestHandler):
    """A local SPARQL endpoint that records whether anything called it, and answers one row."""

    hits: list[str] = []

    def _answer(self) -> None:
        Recorder.hits.append(self.path)
        body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
            {"x": {"type": "literal", "value": "from the allowed endpoint"}}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def strict_server(built_settings: Settings, recorder: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second server with a 2 s time limit, a 5-row cap and the recorder on its SERVICE allow-list."""
    server = start_server(built_settings, tmp_path_factory.mktemp("strict") / "server.log", extra_env={
        "LANZAGRAPH_QUERY_TIMEOUT": "2", "LANZAGRAPH_MAX_ROWS": "5",
        "LANZAGRAPH_SERVICE_ALLOWLIST": recorder + ", http://example.org/other"})
    yield server
    stop_server(server.process)


def test_get_post_form_and_direct_post_agree(live_server: LiveServer) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        live_server.get("/sparql", params={"query": COUNT}, headers=accept),
        live_server.post("/sparql", data={"query": COUNT}, headers=accept),
        live_server.post("/sparql", content=COUNT.encode(),
                         headers={**accept, "Content-Type": "application/sparql-query"}),
    ]
    for response in answers:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/sparql-results+json")
        assert response.json()["results"]["bindings"][0]["n"]["value"] == "70"


@pytest.mark.parametrize(("accept", "media"), [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.5, application/sparql-results+json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
])
def test_select_content_negotiation(live_server: LiveServer, accept: str, media: str) -> None:
    response = live_server.get("/sparql", params={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml")])
def test_construct_formats_parse_back(live_server: LiveServer, accept: str, rdflib_format: str) -> None:
    query = LZ + "CONSTRUCT { ?r lz:urgency ?u } WHERE { ?r a lz:Recommendation ; lz:urgency ?u }"
    response = live_server.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(graph) == 51  # 70 recommendations, 19 of them without a stated urgency


def test_format_parameter_for_browsers(live_server: LiveServer) -> None:
    response = live_server.get("/sparql", params={"query": COUNT, "format": "csv"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.split() == ["n", "70"]


def test_sparqlwrapper_select_ask_construct(live_server: LiveServer) -> None:
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(LZ + "SELECT ?id WHERE { <https://w3id.org/lanzagraph/id/round/2/recommendation/V-18> skos:notation ?id }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"][0]["id"]["value"] == "V-18"
    client.setReturnFormat(XML)
    assert b"V-18" in client.query().convert().toxml().encode()
    client.setQuery(LZ + "ASK { <https://w3id.org/lanzagraph/id/party/md> a lz:StateParty }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setReturnFormat(XML)
    assert "true" in client.query().convert().toxml()
    client.setQuery(LZ + "CONSTRUCT { ?p lz:iso3166Alpha2 ?c } WHERE { ?p lz:iso3166Alpha2 ?c }")
    client.setReturnFormat(XML)
    assert len(client.query().convert()) == 51  # 48 Parties and Morocco, Australia, United States


def test_rdflib_sparqlstore(live_server: LiveServer) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(live_server.url + "/sparql", returnFormat="json")
    rows = list(store.query(LZ + """SELECT ?u (COUNT(?r) AS ?n) WHERE { ?r lz:urgency/skos:notation ?u }
        GROUP BY ?u ORDER BY ?u"""))
    assert [(str(u), int(n)) for u, n in rows] == [("invite", 36), ("request", 8), ("require", 7)]


def test_service_description(live_server: LiveServer) -> None:
    response = live_server.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(live_server.url + "/sparql")) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in graph
    page = live_server.get("/sparql", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "<textarea" in page.text
    assert "content-security-policy" in page.headers


def test_bad_syntax_is_400_with_the_parser_message(live_server: LiveServer) -> None:
    response = live_server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "error at" in response.json()["detail"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("params", [[], [("query", COUNT), ("query", COUNT)]])
def test_missing_or_repeated_query(live_server: LiveServer, params: list[tuple[str, str]]) -> None:
    response = httpx.post(live_server.url + "/sparql", data=dict(params) if len(params) < 2 else None,
                          content=None if len(params) < 2 else "&".join(f"query={q}" for _, q in params),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400


def test_updates_are_refused(live_server: LiveServer) -> None:
    insert = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert live_server.get("/sparql", params={"query": insert}).status_code == 403
    assert live_server.post("/sparql", data={"update": insert}).status_code == 403
    assert live_server.post("/sparql", content=insert,
                            headers={"Content-Type": "application/sparql-update"}).status_code == 403
    ask = live_server.get("/sparql", params={"query": "ASK { <http://example.org/a> ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is False


def test_unsupported_body_and_unacceptable_accept(live_server: LiveServer) -> None:
    assert live_server.post("/sparql", content=COUNT, headers={"Content-Type": "text/plain"}).status_code == 415
    assert live_server.get("/sparql", params={"query": COUNT}, headers={"Accept": "image/png"}).status_code == 406


def test_two_megabyte_body_is_413(live_server: LiveServer) -> None:
    body = "query=" + "A" * (2 * 1024 * 1024)
    response = live_server.post("/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert live_server.get("/sparql", params={"query": COUNT}).status_code == 200


def test_malformed_percent_encoding_and_non_utf8(live_server: LiveServer) -> None:
    assert httpx.get(live_server.url + "/sparql?query=SELECT%2G*").status_code == 400
    assert httpx.get(live_server.url + "/sparql?query=%FF%FE").status_code == 400
    assert live_server.post("/sparql", content=b"SELECT * WHERE { ?s ?p \xff }",
                            headers={"Content-Type": "application/sparql-query"}).status_code == 400
    assert live_server.post("/sparql", content=b"query=%C3%28",
                            headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 400


def test_head_options_and_cors(live_server: LiveServer) -> None:
    head = httpx.head(live_server.url + "/sparql", params={"query": COUNT})
    assert head.status_code == 200 and head.content == b""
    preflight = httpx.options(live_server.url + "/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://yasgui.example")
    cross = live_server.get("/sparql", params={"query": COUNT}, headers={"Origin": "https://yasgui.example"})
    assert cross.headers["access-control-allow-origin"] == "*"
    assert "server" not in cross.headers


def test_service_to_a_local_listener_is_refused_and_never_sent(live_server: LiveServer, recorder: str) -> None:
    Recorder.hits.clear()
    for query in (f"SELECT * WHERE {{ SERVICE <{recorder}> {{ ?s ?p ?o }} }}",
                  f"PREFIX x: <{recorder.rsplit('/', 1)[0]}/> SELECT * WHERE {{ service silent x:sparql {{ ?s ?p ?o }} }}",
                  "SELECT * WHERE { BIND(<http://127.0.0.1:1/> AS ?e) SERVICE ?e { ?s ?p ?o } }",
                  "SELECT * WHERE { \\u0053ERVICE <http://169.254.169.254/latest> { ?s ?p ?o } }",
                  "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }"):
        response = live_server.get("/sparql", params={"query": query})
        assert response.status_code == 403, query
        assert "allow-list" in response.json()["detail"]
    time.sleep(0.5)
    assert Recorder.hits == []


def test_service_on_the_allow_list_is_called(strict_server: LiveServer, recorder: str) -> None:
    Recorder.hits.clear()
    response = strict_server.get("/sparql", params={"query": f"SELECT ?x WHERE {{ SERVICE <{recorder}> {{ ?x ?y ?z }} }}"},
                                 headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "from the allowed endpoint"
    assert Recorder.hits


def test_row_cap(strict_server: LiveServer) -> None:
    response = strict_server.get("/sparql", params={"query": LZ + "SELECT ?r WHERE { ?r a lz:Recommendation }"},
                                 headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert len(response.text.strip().splitlines()) == 1 + 5
    assert "5 rows" in response.headers["x-lanzagraph-truncated"]


def test_a_runaway_query_is_stopped_and_others_are_still_served(strict_server: LiveServer) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        response = strict_server.get("/sparql", params={"query": RUNAWAY})
        outcome.update(status=response.status_code, seconds=time.monotonic() - started, body=response.json())

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    light_started = time.monotonic()
    light = strict_server.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    light_seconds = time.monotonic() - light_started
    thread.join(timeout=60)
    assert light.status_code == 200 and light_seconds < 1.5
    assert outcome["status"] == 503
    assert 1.8 <= float(outcome["seconds"]) < 15  # type: ignore[arg-type]
    assert "time limit" in outcome["body"]["detail"]  # type: ignore[index]
    # The stopped worker was replaced: both workers answer again.
    for _ in range(4):
        assert strict_server.get("/sparql", params={"query": COUNT}).status_code == 200


def test_default_and_named_graph_parameters(live_server: LiveServer) -> None:
    graph = "https://w3id.org/lanzagraph/graph/round-2-chapter-v"
    response = live_server.get("/sparql", params=[("query", COUNT), ("default-graph-uri", graph)],
                               headers={"Accept": "application/sparql-results+json"})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "19"
    named = live_server.get("/sparql", params=[
        ("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"), ("named-graph-uri", graph)],
        headers={"Accept": "application/sparql-results+json"})
    # The remote backend names each build's graphs graph/build/<id>/<file stem>.
    names = [b["g"]["value"] for b in named.json()["results"]["bindings"]]
    assert len(names) == 1 and names[0].endswith("/round-2-chapter-v")


def test_errors_never_leak_stack_traces(live_server: LiveServer) -> None:
    for response in (live_server.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y ?z } GROUP BY"}),
                     live_server.post("/sparql", content=b"\x00\x01", headers={"Content-Type": "application/sparql-query"})):
        assert response.status_code == 400
        assert "Traceback" not in response.text and "File \"" not in response.text


def test_results_parse_with_standard_parsers(live_server: LiveServer) -> None:
    query = LZ + "SELECT ?r ?text WHERE { ?r a lz:Recommendation ; lz:text ?text } ORDER BY ?r LIMIT 3"
    for accept, fmt in (("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
                        ("text/csv", "csv"), ("text/tab-separated-values", "tsv")):
        response = live_server.get("/sparql", params={"query": query}, headers={"Accept": accept})
        result = rdflib.query.Result.parse(io.BytesIO(response.content), format=fmt)
        rows = list(result)
        assert len(rows) == 3 and all(str(r[1]).strip() for r in rows)


def test_server_log_has_no_tracebacks(live_server: LiveServer) -> None:
    assert "Traceback" not in Path(live_server.log).read_text()
