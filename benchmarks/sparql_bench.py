"""lanzagraph's /sparql against Oxigraph server and rdflib-endpoint, side by side, in one run.

    .venv/bin/python benchmarks/sparql_bench.py --size real
    .venv/bin/python benchmarks/sparql_bench.py --size 500k
    .venv/bin/python benchmarks/sparql_bench.py --size 1m --duration 8

For the size asked, it prepares (or reuses, in --work-dir) the same data for every server:
the real build copied into a store of its own, or a synthetic graph (synthetic.py) loaded with
load_store.py; the store's quads dumped as N-Quads; that file loaded with `oxigraph load`. Then
it starts, on 127.0.0.1 only, `lanzagraph serve` (its default settings, with 1 and with 2 uvicorn
workers), `oxigraph serve --union-default-graph` and `rdflib-endpoint serve`, and for every query
and every server runs client.py in a process of its own (latency at 1 client, throughput at
8 clients). It prints the tables and the ratios to Oxigraph server, writes
benchmarks/results/<date>-<size>.json, and stops every server it started, by pid, even on error.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import cpu
import load_store
import report
import servers
import synthetic

import queries
from lanzagraph.settings import Settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
SIZES = {"real": 0, "500k": 500_000, "1m": 1_000_000}
ALL_SERVERS = ["lanzagraph-w1", "lanzagraph-w2", "lanzagraph-w1-nocache", "oxigraph", "rdflib-endpoint"]
CACHE_SETTING = "result_cache_mb"  # LANZAGRAPH_RESULT_CACHE_MB, if this lanzagraph has a result cache


@dataclass
class Dataset:
    size: str
    store: Path
    nquads: Path
    oxigraph_dir: Path
    info: dict[str, Any] = field(default_factory=dict)


def parse_size(text: str) -> int:
    if text in SIZES:
        return SIZES[text]
    return int(text.lower().replace("k", "000").replace("m", "000000"))


def timed(label: str, info: dict[str, Any]) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def run() -> Iterator[None]:
        started = time.monotonic()
        print(f"  {label}...", flush=True)
        yield
        info[f"{label}_s"] = round(time.monotonic() - started, 2)
        print(f"  {label}: {info[f'{label}_s']} s", flush=True)
    return run()


def prepare(size: str, source: Path, work: Path, reuse: bool) -> Dataset:
    """The same data three ways: a lanzagraph store, an N-Quads file, an Oxigraph server directory."""
    data = Dataset(size, work / "store", work / "data.nq", work / "oxigraph")
    ready = work / "prepared.json"
    if reuse and ready.is_file():
        data.info = json.loads(ready.read_text())
        return data
    work.mkdir(parents=True, exist_ok=True)
    target = parse_size(size)
    if target == 0:
        with timed("copy_build", data.info):
            version = load_store.copy_build(source, data.store)
    else:
        generated = work / "synthetic.nq"
        with timed("generate", data.info):
            data.info["synthetic"] = asdict(synthetic.generate(source, target, generated))
        with timed("lanzagraph_load", data.info):
            version = load_store.load_nquads(generated, data.store)
        generated.unlink()
    data.info["version"] = version.as_dict()
    with timed("dump_nquads", data.info):
        data.info["quads"] = load_store.dump_nquads(data.store, data.nquads)
    with timed("oxigraph_load", data.info):
        subprocess.run([str(servers.VENV_BIN / "oxigraph"), "load", "--location", str(data.oxigraph_dir),
                        "--file", str(data.nquads)], check=True, capture_output=True, timeout=1800)
    ready.write_text(json.dumps(data.info, indent=2))
    return data


def make_servers(names: list[str], data: Dataset, logs: Path) -> list[servers.Server]:
    made: list[servers.Server] = []
    for name in names:
        if name.startswith("lanzagraph-w"):
            workers, _, variant = name.removeprefix("lanzagraph-w").partition("-")
            server = servers.lanzagraph(name, data.store, int(workers), ROOT, logs)
            if variant == "nocache":
                if CACHE_SETTING not in Settings.model_fields:
                    print(f"  {name}: skipped, this lanzagraph has no {CACHE_SETTING} setting", flush=True)
                    continue
                server.env[f"LANZAGRAPH_{CACHE_SETTING.upper()}"] = "0"
            elif variant:
                raise SystemExit(f"unknown lanzagraph variant {variant!r} in {name}")
            made.append(server)
        elif name == "oxigraph":
            made.append(servers.oxigraph(name, data.oxigraph_dir, logs))
        elif name == "rdflib-endpoint":
            made.append(servers.rdflib_endpoint(name, data.nquads, logs))
        else:
            raise SystemExit(f"unknown server {name}; choose from {', '.join(ALL_SERVERS)}")
    return made


def measure(server: servers.Server, query: queries.BenchQuery, args: argparse.Namespace) -> dict[str, Any]:
    job = {"url": server.url, "query": query.text, "accept": query.accept, "warmup": args.warmup, "n": args.n,
           "latency_budget_s": args.latency_budget, "concurrency": args.concurrency,
           "duration_s": args.duration, "cap_s": args.cap, "grace_s": args.grace}
    limit = 30 + args.cap * 2 + args.latency_budget * 1.5 + args.duration + args.grace
    waited, busy = cpu.wait_quiet(args.quiet_threshold, args.quiet_wait)
    pids = sorted(pid for s in (server, *server.backends) if s.process is not None
                  for pid in servers.descendants(s.process.pid))
    before = cpu.snapshot(pids)
    try:
        done = subprocess.run([PYTHON, str(HERE / "client.py")], input=json.dumps(job), capture_output=True,
                              text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"status": "error", "error": f"client did not finish within {limit:g} s"}
    used = cpu.usage(before, cpu.snapshot(pids)).as_dict()
    if done.returncode != 0 or not done.stdout.strip():
        return {"status": "error", "error": f"client failed: {done.stderr[-500:]}"}
    result: dict[str, Any] = json.loads(done.stdout)
    result["cpu"] = {**used, "quiet_wait_s": round(waited, 1), "busy_before": round(busy, 3)}
    return result


def needs_restart(result: dict[str, Any]) -> bool:
    load = result.get("throughput") or {}
    return result.get("status") != "ok" or bool(load.get("timeouts") or load.get("abandoned"))


def settle(server: servers.Server, args: argparse.Namespace, result: dict[str, Any]) -> None:
    """After a run that left requests behind (a timeout, abandoned requests), make sure the server
    answers again; restart it if not (rdflib-endpoint keeps evaluating what clients gave up on)."""
    if not needs_restart(result):
        return
    if servers.responsive(server, timeout_s=5):
        return
    print(f"    {server.name} is still busy: restarting it", flush=True)
    result["restarted_after"] = True
    servers.restart(server, args.ready_timeout)


def run_matrix(running: list[servers.Server], bench: list[queries.BenchQuery],
               args: argparse.Namespace) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every query on every server, `repeat` times over (query by query, servers interleaved)."""
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {q.name: {s.name: [] for s in running} for q in bench}
    for round_ in range(args.repeat):
        print(f" round {round_ + 1} of {args.repeat}", flush=True)
        for query in bench:
            for server in running:
                if server.process is None or server.process.poll() is not None:
                    servers.restart(server, args.ready_timeout)
                print(f"  {query.name:16} {server.name:22}", end=" ", flush=True)
                earlier = runs[query.name][server.name]
                if any(r.get("status") == "timeout" for r in earlier):
                    result = {"status": "timeout", "skipped": True, "error": "timed out in an earlier round"}
                else:
                    result = measure(server, query, args)
                runs[query.name][server.name].append(result)
                print(report.one_line(result), flush=True)
                settle(server, args, result)
                time.sleep(args.pause)
    return runs


def code_fingerprint() -> str:
    """sha256 over src/lanzagraph/**/*.py: which code was measured, without asking git."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "lanzagraph").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def lanzagraph_settings(store: Path) -> dict[str, Any]:
    """The settings `lanzagraph serve` runs with here (defaults plus any LANZAGRAPH_ environment),
    with every field whose name mentions a cache called out."""
    settings = Settings(store=str(store)).model_dump(mode="json")
    settings.pop("root", None)
    cache = {k: v for k, v in settings.items() if "cache" in k}
    env = {k: v for k, v in os.environ.items() if k.startswith("LANZAGRAPH_")}
    return {"effective": settings, "cache_settings": cache or "none in settings.py", "environment": env}


def machine() -> dict[str, Any]:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "")
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version()}


def versions() -> dict[str, str]:
    from importlib.metadata import version
    out = {name: version(name) for name in ("lanzagraph", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint",
                                           "fastapi", "uvicorn", "httpx")}
    done = subprocess.run([str(servers.VENV_BIN / "oxigraph"), "--version"], capture_output=True, text=True)
    out["oxigraph-cli"] = done.stdout.strip()
    return out


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    work = args.work_dir / args.size
    started = time.monotonic()
    print(f"preparing {args.size} in {work}", flush=True)
    data = prepare(args.size, args.source, work, args.reuse)
    if args.prepare_only:
        print(json.dumps(data.info, indent=2))
        return 0
    bench = [q for q in queries.all_queries(ROOT) if not args.queries or q.name in args.queries]
    running = make_servers(args.servers, data, work / "logs")
    out: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "size": args.size, "machine": machine(),
        "versions": versions(), "code_fingerprint": code_fingerprint(),
        "lanzagraph_settings": lanzagraph_settings(data.store), "params": _params(args),
        "dataset": data.info, "queries": {q.name: {"what": q.what, "text": q.text, "accept": q.accept} for q in bench},
        "servers": {},
    }
    try:
        for server in running:
            servers.start(server)
        running = [server for server in running if start_up(server, args, out["servers"])]
        out["runs"] = run_matrix(running, bench, args)
        out["results"] = {q: {name: report.summarise(rs) for name, rs in by.items()} for q, by in out["runs"].items()}
        for server in running:
            out["servers"][server.name].update(memory_at_end=servers.memory(server), restarts=server.restarts)
    finally:
        for server in running:
            servers.stop(server)
    out["elapsed_s"] = round(time.monotonic() - started, 1)
    out["targets"] = report.targets(out)
    print(report.tables(out))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"{out['date'][:10]}-{args.size}{'-' + args.tag if args.tag else ''}.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"wrote {path} ({out['elapsed_s']} s)")
    return 0


def start_up(server: servers.Server, args: argparse.Namespace, record: dict[str, Any]) -> bool:
    """Waits for the server to answer and for its process tree to settle; a server that does not
    is recorded as failed, stopped and left out of the measurements (the others still run)."""
    try:
        ready = servers.wait_ready(server, args.ready_timeout)
        settled = servers.wait_stable(server, args.stable, args.ready_timeout)
    except (RuntimeError, TimeoutError) as err:
        print(f"  {server.name} FAILED to start: {err}", flush=True)
        record[server.name] = {"argv": server.argv, "status": "failed to start", "error": str(err),
                               "log_tail": _tail(server.log, 30)}
        servers.stop(server)
        return False
    record[server.name] = {"argv": server.argv, "url": server.url, "ready_s": round(ready, 2),
                           "settled_s": round(settled, 2), "memory_at_start": servers.memory(server)}
    print(f"  {server.name} ready in {ready:.1f} s, settled {settled:.1f} s later", flush=True)
    return True


def _tail(path: Path, lines: int) -> list[str]:
    try:
        return [line for line in path.read_text().splitlines() if "GET /sparql" not in line][-lines:]
    except OSError:
        return []


def _params(args: argparse.Namespace) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="real", help="real, 500k, 1m or a number of triples")
    p.add_argument("--source", type=Path, default=ROOT / ".lanzagraph" / "store", help="the real store")
    p.add_argument("--work-dir", type=Path, default=Path("/tmp/lanzagraph-bench"))
    p.add_argument("--reuse", action="store_true", help="reuse data prepared by an earlier run in --work-dir")
    p.add_argument("--prepare-only", action="store_true", help="prepare the data, measure nothing")
    p.add_argument("--servers", nargs="+", default=ALL_SERVERS)
    add_measurement_args(p)
    return p.parse_args(argv)


def add_measurement_args(p: argparse.ArgumentParser) -> None:
    """The options of how each (server, query) is measured; remote_bench.py takes the same."""
    p.add_argument("--results-dir", type=Path, default=HERE / "results")
    p.add_argument("--tag", default="", help="suffix of the results file name, to keep several runs of a day")
    p.add_argument("--queries", nargs="*", default=[])
    p.add_argument("--n", type=int, default=200, help="sequential requests for the latency (after warm-up)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--latency-budget", type=float, default=20.0, help="seconds the latency phase may take")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--duration", type=float, default=10.0, help="seconds of the throughput phase")
    p.add_argument("--cap", type=float, default=30.0, help="seconds one request may take (else: timeout)")
    p.add_argument("--grace", type=float, default=5.0, help="seconds in-flight requests get after the phase")
    p.add_argument("--pause", type=float, default=0.5)
    p.add_argument("--ready-timeout", type=float, default=600.0)
    p.add_argument("--stable", type=float, default=15.0,
                   help="seconds a server's process tree must stay unchanged before it is measured")
    p.add_argument("--repeat", type=int, default=2, help="rounds over the whole matrix; the best of them is reported")
    p.add_argument("--quiet-threshold", type=float, default=0.15,
                   help="wait before each measurement until less than this share of the CPUs is busy")
    p.add_argument("--quiet-wait", type=float, default=20.0, help="seconds to wait for that at most")


if __name__ == "__main__":
    sys.exit(main())
