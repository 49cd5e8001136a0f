"""The service over an external SPARQL server (Oxigraph server): faults, recovery, statelessness,
and a remote build that fails without touching what is served."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO, LiveServer, Oxigraph, start_server, stop_server

from lanzagraph.build import build
from lanzagraph.errors import ValidationFailed
from lanzagraph.remote import RemoteStore
from lanzagraph.settings import Settings

COUNT = ("SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/lanzagraph/ontology#Recommendation> }")


def test_the_server_going_down_gives_a_clear_error_and_the_service_recovers(
        oxigraph: Oxigraph, remote_settings: Settings, tmp_path: Path) -> None:
    server = start_server(remote_settings, tmp_path / "server.log")
    try:
        assert server.get("/api/parties/ge/obligations").status_code == 200
        oxigraph.stop()
        started = time.monotonic()
        down_sparql = server.get("/sparql", params={"query": COUNT + " # down"})
        down_api = server.get("/api/parties/md/obligations")
        assert time.monotonic() - started < 20, "an unreachable server must not hang the client"
        assert down_sparql.status_code == 502 and "cannot be reached" in down_sparql.json()["detail"]
        assert down_api.status_code == 503
        oxigraph.start()
        recovered = server.get("/sparql", params={"query": COUNT + " # up"},
                               headers={"Accept": "application/sparql-results+json"})
        assert recovered.status_code == 200
        assert recovered.json()["results"]["bindings"][0]["n"]["value"] == "70"
        assert server.get("/api/parties/md/obligations").status_code == 200
    finally:
        if oxigraph.process.poll() is not None:
            oxigraph.start()
        stop_server(server.process)


def test_two_services_over_one_store_give_identical_answers(remote_settings: Settings, tmp_path: Path) -> None:
    servers: list[LiveServer] = []
    try:
        servers = [start_server(remote_settings, tmp_path / f"server-{i}.log") for i in range(2)]
        for path in ("/api/parties/ge/obligations", "/api/queries/chapter-urgency-counts", "/id/party/md"):
            accept = "text/turtle" if path.startswith("/id/") else "application/json"
            answers = [httpx.get(s.url + path, headers={"Accept": accept}, timeout=60) for s in servers]
            assert all(a.status_code == 200 for a in answers)
            assert answers[0].content == answers[1].content, path
    finally:
        for server in servers:
            stop_server(server.process)


def test_a_failed_remote_build_keeps_the_served_build_and_leaves_no_graph(
        remote_settings: Settings, tmp_path: Path) -> None:
    before = RemoteStore.open(remote_settings)
    root = tmp_path / "project"
    import shutil

    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    data = root / "data" / "round-2-chapter-v.ttl"
    data.write_text(data.read_text().replace("lz:addressedTo <round/2/recommendation/V-3/addressees> ;", ""))
    with pytest.raises(ValidationFailed):
        build(Settings(store=remote_settings.store, root=root), lambda _m: None)
    after = RemoteStore.open(remote_settings)
    assert after.version == before.version and after.graphs == before.graphs
    leftovers = after.client.post(
        after.client.endpoints.query,
        content=b"SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    graphs = {b["g"]["value"] for b in leftovers}
    assert graphs <= set(after.graphs) | {after.union, remote_settings.graph_base + "current"}
    before.close()
    after.close()


def test_reads_go_to_the_union_of_the_build_and_graph_names_stay_per_file(remote_settings: Settings) -> None:
    """The default graph of every read is one graph holding the build's union (fast on the server);
    GRAPH ?g still shows the graph of each file, and the union holds exactly their triples."""
    store = RemoteStore.open(remote_settings)
    try:
        assert store.union == f"{remote_settings.graph_base}build/{store.version.build_id}"
        named = {r["g"].value for r in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
        assert named == set(store.graphs) and store.union not in named
        graphs = " ".join(f"<{g}>" for g in store.graphs)

        def on_server(query: str) -> Any:
            """The server's own answer, over its whole store (no dataset named)."""
            return store.client.post(store.client.endpoints.query, content=query.encode(), headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}).json()

        # Blank nodes get fresh labels in each graph loaded (the ontology's axioms have them): compare
        # the triples without them, and count those with them.
        plain = "FILTER(!isBlank(?s) && !isBlank(?o))"
        assert not on_server(f"ASK {{ GRAPH <{store.union}> {{ ?s ?p ?o }} {plain} "
                             f"FILTER NOT EXISTS {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }} }}")["boolean"]
        assert not on_server(f"ASK {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} {plain} "
                             f"FILTER NOT EXISTS {{ GRAPH <{store.union}> {{ ?s ?p ?o }} }} }}")["boolean"]

        def blank_triples(where: str) -> int:
            answer = on_server(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} FILTER(isBlank(?s) || isBlank(?o)) }}")
            return int(answer["results"]["bindings"][0]["n"]["value"])

        in_union = blank_triples(f"GRAPH <{store.union}> {{ ?s ?p ?o }}")
        assert in_union > 0 and in_union == blank_triples(f"VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }}")
    finally:
        store.close()
