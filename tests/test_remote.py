"""The service over an external SPARQL server (Oxigraph server): faults, recovery, statelessness,
and a remote build that fails without touching what is served."""

from __future__ import annotations

import time
from pathlib import Path

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
    assert graphs <= set(after.graphs) | {remote_settings.graph_base + "current"}
    before.close()
    after.close()
