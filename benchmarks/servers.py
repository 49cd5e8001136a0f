"""Starting, watching and stopping the servers under test, all on 127.0.0.1.

Every server is started as a child of the benchmark, in a session of its own, and stopped by its
process id: SIGTERM, then SIGKILL after a grace period, then SIGKILL to any of its descendants
(uvicorn workers, query worker processes) still alive, each checked by pid and start time so that
a reused pid is never signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# Where lanzagraph, oxigraph and rdflib-endpoint are installed: beside the running Python by default.
VENV_BIN = Path(os.environ.get("LANZAGRAPH_BENCH_BIN", Path(sys.executable).parent))
HOST = "127.0.0.1"
ASK = "ASK { }"


@dataclass
class Server:
    name: str
    kind: str  # lanzagraph, oxigraph or rdflib-endpoint
    url: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    started_s: float = 0.0
    known: dict[int, int] = field(default_factory=dict)  # pid -> start time, of the whole tree
    restarts: int = 0
    backends: list[Server] = field(default_factory=list)  # servers whose CPU counts as this one's (remote store)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a live process, from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every live process under `root` (included): pid -> start time."""
    parents: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info is not None:
                parents.setdefault(info[0], []).append(int(entry.name))
                starts[int(entry.name)] = info[1]
    out: dict[int, int] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in starts and pid not in out:
            out[pid] = starts[pid]
            todo += parents.get(pid, [])
    return out


def status_kb(pid: int, key: str) -> int | None:
    """A field such as VmRSS or VmHWM of /proc/PID/status, in kB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def memory(server: Server) -> list[dict[str, object]]:
    """RSS (and peak RSS) of the server and of each of its descendant processes."""
    if server.process is None:
        return []
    rows: list[dict[str, object]] = []
    for pid in sorted(descendants(server.process.pid)):
        rows.append({"pid": pid, "cmd": cmdline(pid)[:160], "rss_mb": _mb(status_kb(pid, "VmRSS")),
                     "hwm_mb": _mb(status_kb(pid, "VmHWM"))})
    return rows


def _mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


def start(server: Server) -> None:
    server.log.parent.mkdir(parents=True, exist_ok=True)
    log = open(server.log, "ab")  # noqa: SIM115 - handed to the child, closed with it
    env = {**os.environ, **server.env}
    server.process = subprocess.Popen(server.argv, cwd=server.cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    server.started_s = time.monotonic()


def wait_ready(server: Server, timeout_s: float) -> float:
    """Seconds until the endpoint answers ASK {}; raises if the process dies or time runs out."""
    assert server.process is not None
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.process.returncode}; see {server.log}")
            with contextlib.suppress(httpx.HTTPError):
                response = client.get(server.url, params={"query": ASK},
                                      headers={"Accept": "application/sparql-results+json"})
                if response.status_code == 200:
                    server.known = descendants(server.process.pid)
                    return time.monotonic() - server.started_s
            time.sleep(0.25)
    raise TimeoutError(f"{server.name} did not answer within {timeout_s:g} s; see {server.log}")


def wait_stable(server: Server, quiet_s: float, timeout_s: float) -> float:
    """Waits until the server's process tree has kept the same pids for `quiet_s` (all uvicorn
    workers and query workers up, none being replaced); seconds waited. Raises on timeout."""
    assert server.process is not None
    started = time.monotonic()
    deadline = started + timeout_s
    tree = set(descendants(server.process.pid))
    since = time.monotonic()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}; see {server.log}")
        time.sleep(0.5)
        now = set(descendants(server.process.pid))
        if now != tree:
            tree, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            server.known.update(descendants(server.process.pid))
            return time.monotonic() - started
    raise TimeoutError(f"{server.name}: its processes kept changing for {timeout_s:g} s (workers restarting?); "
                       f"see {server.log}")


def responsive(server: Server, timeout_s: float = 5.0) -> bool:
    with httpx.Client(timeout=timeout_s) as client:
        try:
            response = client.get(server.url, params={"query": ASK},
                                  headers={"Accept": "application/sparql-results+json"})
        except httpx.HTTPError:
            return False
    return response.status_code == 200


def _signal(pid: int, started: int, sig: int) -> None:
    """Signals `pid` only if it is still the process that was recorded (same start time)."""
    info = _stat(pid)
    if info is not None and info[1] == started:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def stop(server: Server, grace_s: float = 15.0) -> None:
    """SIGTERM to the server's pid, SIGKILL if it outlives the grace period, then SIGKILL to any
    recorded or current descendant still alive."""
    process = server.process
    if process is None:
        return
    if process.poll() is None:
        server.known.update(descendants(process.pid))
        _signal(process.pid, server.known.get(process.pid, -1), signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            _signal(process.pid, server.known.get(process.pid, -1), signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
    for pid, started in server.known.items():
        if pid != process.pid:
            _signal(pid, started, signal.SIGKILL)
    server.process = None
    server.known = {}


def restart(server: Server, ready_timeout_s: float) -> float:
    stop(server)
    server.restarts += 1
    start(server)
    return wait_ready(server, ready_timeout_s)


def lanzagraph(name: str, store: Path | str, workers: int, cwd: Path, log_dir: Path) -> Server:
    """`lanzagraph serve` over a store path or a `sparql+http://` store URL."""
    port = free_port()
    argv = [str(VENV_BIN / "lanzagraph"), "serve", "--store", str(store), "--host", HOST, "--port", str(port),
            "--workers", str(workers)]
    return Server(name, "lanzagraph", f"http://{HOST}:{port}/sparql", argv, {}, cwd, log_dir / f"{name}.log")


def oxigraph(name: str, location: Path, log_dir: Path) -> Server:
    port = free_port()
    argv = [str(VENV_BIN / "oxigraph"), "serve", "--location", str(location), "--bind", f"{HOST}:{port}",
            "--union-default-graph"]
    return Server(name, "oxigraph", f"http://{HOST}:{port}/query", argv, {}, location.parent, log_dir / f"{name}.log")


def rdflib_endpoint(name: str, nquads: Path, log_dir: Path) -> Server:
    port = free_port()
    argv = [str(VENV_BIN / "rdflib-endpoint"), "serve", str(nquads), "--host", HOST, "--port", str(port)]
    return Server(name, "rdflib-endpoint", f"http://{HOST}:{port}/", argv, {}, nquads.parent, log_dir / f"{name}.log")
