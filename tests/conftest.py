"""Shared fixtures: one real build of the graph per session, and a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lanzagraph.build import BuildResult, build
from lanzagraph.settings import Settings
from lanzagraph.store import EmbeddedStore, GraphStore

REPO = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/lanzagraph/id/"
LZ = "https://w3id.org/lanzagraph/ontology#"
PREFIXES = """PREFIX lz: <https://w3id.org/lanzagraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
"""


def settings_for(store: Path, **overrides: object) -> Settings:
    return Settings(store=str(store), root=REPO, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def build_result(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of the real ontology and data for the whole session."""
    return build(settings_for(tmp_path_factory.mktemp("built") / "store"), report=lambda _m: None)


@pytest.fixture(scope="session")
def built_settings(build_result: BuildResult) -> Settings:
    """Settings of the store the session built."""
    return settings_for(build_result.build_dir.parent.parent / "store")


@pytest.fixture(scope="session")
def graph(built_settings: Settings) -> Iterator[GraphStore]:
    store = EmbeddedStore.open(built_settings.store_path, built_settings.in_memory_max_triples)
    yield store
    store.close()


def select(graph: GraphStore, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as {variable: value} dicts (values as plain strings)."""
    return [{k: v.value for k, v in row.items()} for row in graph.select(PREFIXES + query)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.get(self.url + path, timeout=60, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.post(self.url + path, timeout=60, **kwargs)  # type: ignore[arg-type]


def start_server(settings: Settings, log: Path, extra_env: dict[str, str] | None = None,
                 args: list[str] | None = None, port: int | None = None) -> LiveServer:
    """`lanzagraph serve` in a subprocess on a free loopback port (or `port`, e.g. the one a store's
    base URI names); waits at most 90 s for /healthz."""
    port = port or free_port()
    env = {**os.environ, "LANZAGRAPH_QUERY_PROCESSES": "2", **(extra_env or {})}
    command = [sys.executable, "-m", "lanzagraph", "serve", "--store", settings.store,
               "--host", "127.0.0.1", "--port", str(port), "--base-uri", settings.base_uri, *(args or [])]
    with open(log, "wb") as handle:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return LiveServer(url, process, log)
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"the server did not answer within 90 s: {log.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stops what start_server started, by its process id: SIGTERM, then SIGKILL after 20 s."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Oxigraph:
    """An Oxigraph server (PyPI `oxigraph`) on loopback with its own data directory."""

    url: str
    location: Path
    port: int
    process: subprocess.Popen[bytes]

    def start(self) -> None:
        binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        assert binary, "the `oxigraph` server (PyPI package oxigraph, in the test extra) is not installed"
        command = [binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
                   "--timeout-s", "30"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        stop_server(self.process)


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    port = free_port()
    server = Oxigraph(f"http://127.0.0.1:{port}", tmp_path_factory.mktemp("oxigraph"), port, None)  # type: ignore[arg-type]
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def remote_settings(oxigraph: Oxigraph) -> Settings:
    """The real graph built onto the Oxigraph server, through the same build command."""
    settings = Settings(store=f"sparql+{oxigraph.url}/query", root=REPO)
    build(settings, report=lambda _m: None)
    return settings


@pytest.fixture(scope="session", params=["embedded", "remote"])
def live_server(request: pytest.FixtureRequest, built_settings: Settings,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`lanzagraph serve` over the embedded store, then over the Oxigraph server: every test that
    uses it runs against both backends."""
    settings = built_settings if request.param == "embedded" else request.getfixturevalue("remote_settings")
    server = start_server(settings, tmp_path_factory.mktemp(f"server-{request.param}") / "server.log")
    yield server
    stop_server(server.process)
