"""Faults and hostile input: a killed build, a stopped server, and requests built to hurt.
Every one gets a clean answer in bounded time, and the next normal request is served normally."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO, LiveServer, start_server, stop_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanzagraph import formats
from lanzagraph.build import build
from lanzagraph.settings import Settings
from lanzagraph.store import EmbeddedStore, build_lock, current_build

COUNT = "SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/lanzagraph/ontology#Recommendation> }"


def healthy(server: LiveServer) -> None:
    response = server.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.text.split() == ["n", "70"]


def test_kill_9_of_a_build_at_random_points_leaves_the_previous_store(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    settings = Settings(store=str(tmp_path / "store"), root=root)
    first = build(settings, lambda _m: None).version.build_id
    rng = random.Random(20261122)
    for delay in sorted(rng.uniform(0.5, 20.0) for _ in range(3)):
        process = subprocess.Popen([sys.executable, "-m", "lanzagraph", "build", "--store", str(settings.store_path)],
                                   cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        build_id = current_build(settings.store_path).name
        assert build_id == first or process.returncode == 0, f"killed after {delay:.1f} s"
        graph = EmbeddedStore.open(settings.store_path, 10**9)
        assert graph.select(COUNT)[0]["n"].value == "70"
        graph.close()
        first = build_id
    # The lock died with the process: the next build may take it at once.
    with build_lock(settings.store_path):
        pass


def test_sigterm_lets_an_in_flight_request_finish(built_settings: Settings, tmp_path: Path) -> None:
    server = start_server(built_settings, tmp_path / "server.log")
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?c }} # {time.time()}"
    outcome: dict[str, object] = {}

    def request() -> None:
        response = httpx.get(server.url + "/sparql", params={"query": slow}, timeout=60,
                             headers={"Accept": "application/sparql-results+json"})
        outcome.update(status=response.status_code, body=response.json())

    thread = threading.Thread(target=request)
    thread.start()
    time.sleep(0.3)
    os.kill(server.process.pid, signal.SIGTERM)
    thread.join(timeout=60)
    server.process.wait(timeout=60)
    assert outcome["status"] == 200
    assert int(outcome["body"]["results"]["bindings"][0]["n"]["value"]) > 1_000_000  # type: ignore[index]
    stop_server(server.process)


@pytest.mark.parametrize("path", [
    "/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/id/party%2F..%2F..%2Fetc", "/id/party/ge%00",
    "/dumps/../pyproject.toml", "/dumps/%2e%2e%2fpyproject.toml", "/dumps/lanzagraph.ttl.gz%00.txt",
    "/api/queries/..%2F..%2Fpyproject", "/api/queries/%2e%2e", "/ontology/../pyproject.toml",
])
def test_path_traversal_is_refused(live_server: LiveServer, path: str) -> None:
    response = httpx.get(live_server.url + path, timeout=30)
    assert response.status_code in (400, 404, 405, 422)
    assert "[project]" not in response.text and "root:" not in response.text
    healthy(live_server)


@pytest.mark.parametrize("headers", [
    {"Accept": "text/turtle;q=0.5," * 2000},
    {"Accept": "\x01\x02 garbage ;;; q=x"},
    {"Accept": "a/" + "b" * 30000},
    {"Content-Type": "application/sparql-query; charset=" + "x" * 5000},
    {"Content-Type": "multipart/form-data; boundary="},
])
def test_oversized_and_malformed_headers(live_server: LiveServer, headers: dict[str, str]) -> None:
    try:
        response = httpx.post(live_server.url + "/sparql", content=COUNT, headers=headers, timeout=30)
        assert response.status_code < 500 or response.status_code == 503, response.text
    except httpx.RemoteProtocolError:
        pass  # the server closed a connection whose headers were over its limit: a clean refusal
    healthy(live_server)


HOSTILE_QUERIES = [
    "SELECT * WHERE " + "{ " * 500 + "?s ?p ?o" + " }" * 500,
    "SELECT * WHERE { ?s ?p ?o " + " ".join(f"OPTIONAL {{ ?s ?p{i} ?o{i} }}" for i in range(200)) + " }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|!<urn:q>)* ?b }",
    "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), \"^(a+)+$\")) }",
    "SELECT * WHERE { ?s ?p \"\x00\" }",
    "SELECT * WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://[::1]:8000/sparql> { ?s ?p ?o } }",
]


@pytest.fixture(scope="module")
def guarded_server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with a 3 s query time limit, so that each pathological query is cut quickly."""
    server = start_server(built_settings, tmp_path_factory.mktemp("guarded") / "server.log",
                          extra_env={"LANZAGRAPH_QUERY_TIMEOUT": "3"})
    yield server
    stop_server(server.process)


@pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=[
    "deep-nesting", "many-optionals", "cartesian", "star-path", "regex-bomb", "nul", "service-private",
    "service-ipv6-loopback"])
def test_pathological_sparql_gets_a_bounded_clean_answer(guarded_server: LiveServer, query: str) -> None:
    started = time.monotonic()
    response = guarded_server.post("/sparql", content=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert time.monotonic() - started < 20
    assert response.status_code in (200, 400, 403, 413, 503), response.text[:300]
    assert "Traceback" not in response.text
    healthy(guarded_server)


@settings(max_examples=300, deadline=None)
@given(header=st.text(max_size=300), offered=st.lists(st.sampled_from(
    ["text/turtle", "application/ld+json", "text/html", "application/rdf+xml", "application/n-triples"]),
    min_size=1, max_size=5, unique=True))
def test_negotiation_never_fails_and_picks_an_offered_type(header: str, offered: list[str]) -> None:
    choice = formats.negotiate(header, offered)
    assert choice is None or choice in offered


@given(st.sampled_from(["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]))
def test_negotiation_honours_an_exact_type(media: str) -> None:
    offered = ["text/html", "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]
    assert formats.negotiate(f"text/html;q=0.1, {media}", offered) == media
    assert formats.negotiate(f"{media};q=0", offered) in set(offered) - {media} | {None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(min_size=1, max_size=80))
def test_no_party_value_changes_a_query(live_server: LiveServer, value: str) -> None:
    response = httpx.get(live_server.url + "/api/queries/party-obligations", params={"party": value}, timeout=30)
    assert response.status_code in (200, 404, 422), response.text[:300]
    if response.status_code == 200:
        # Only a real Party resolves, and then every row is about that one Party.
        parties = {row["party"]["uri"] for row in response.json()}
        assert len(parties) <= 1
