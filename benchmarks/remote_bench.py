"""The latency lanzagraph adds when it serves from an external SPARQL server, in one run.

    .venv/bin/python benchmarks/remote_bench.py --n 200 --duration 6

On 127.0.0.1 only, it starts `oxigraph serve --union-default-graph` on a temporary --location,
loads it with `lanzagraph build --store sparql+http://127.0.0.1:PORT/query` (the remote build: a
named graph per file, one for their union, and the pointer graph), then `lanzagraph serve` over it twice, with
LANZAGRAPH_RESULT_CACHE_MB=0 (every request reaches Oxigraph) and with the default result cache.
Every query of queries.py goes, the same text, to Oxigraph's /query (over the dataset lanzagraph
reads: the build's union graph as default graph) and to each lanzagraph's /sparql, measured as
sparql_bench.py measures (client.py in a process of its own: latency at 1 client, throughput at 8);
Oxigraph's CPU counts as lanzagraph's own while lanzagraph is measured.
It prints the tables and the latency lanzagraph adds per query, writes
benchmarks/results/<date>-remote.json, and stops every process it started, by pid, even on error.

Unlike sparql_bench.py it needs no embedded store: the data is the checkout's data/, built now.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import report
import servers
import sparql_bench

import queries
from lanzagraph.remote import Endpoints, RemoteClient, read_pointer
from lanzagraph.settings import Settings

ROOT = sparql_bench.ROOT
REFERENCE = report.REFERENCE  # "oxigraph": the server lanzagraph reads from, also queried directly
LANZAGRAPHS = {"lanzagraph-remote-nocache": {f"LANZAGRAPH_{sparql_bench.CACHE_SETTING.upper()}": "0"},
               "lanzagraph-remote": {}}


def build(store: str, logs: Path, timeout_s: float) -> dict[str, Any]:
    """`lanzagraph build --store STORE` as a child of ours, in a session of its own, within
    `timeout_s`; stopped by pid (with HermiT's java, if still running) on timeout or error."""
    job = servers.Server("build", "lanzagraph-build", store, [str(servers.VENV_BIN / "lanzagraph"), "build",
                                                              "--store", store], {}, ROOT, logs / "build.log")
    started = time.monotonic()
    servers.start(job)
    assert job.process is not None
    try:
        code = job.process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        servers.stop(job)
    tail = sparql_bench._tail(job.log, 5)
    if code != 0:
        raise SystemExit(f"lanzagraph build {'timed out' if code is None else f'exited with {code}'}: "
                         + "\n".join(tail))
    return {"argv": job.argv, "seconds": round(time.monotonic() - started, 1), "log_tail": tail}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, sparql_bench._terminate)
    if sparql_bench.CACHE_SETTING not in Settings.model_fields:
        raise SystemExit(f"this lanzagraph has no {sparql_bench.CACHE_SETTING} setting: nothing to turn off")
    bench = [q for q in queries.all_queries(ROOT) if not args.queries or q.name in args.queries]
    started = time.monotonic()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    logs = args.work_dir / "logs"
    made: list[servers.Server] = []
    with tempfile.TemporaryDirectory(prefix="oxigraph-", dir=args.work_dir) as location:
        backend = servers.oxigraph(REFERENCE, Path(location), logs)
        store = "sparql+" + backend.url
        out: dict[str, Any] = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "size": "real", "backend": "remote",
            "machine": {**sparql_bench.machine(), "load_average_at_start": _load()},
            "versions": sparql_bench.versions(), "code_fingerprint": sparql_bench.code_fingerprint(),
            "lanzagraph_settings": {"effective": Settings(store=store).model_dump(mode="json", exclude={"root"}),
                                    "environment": {k: v for k, v in os.environ.items()
                                                    if k.startswith("LANZAGRAPH_")}},
            "params": sparql_bench._params(args), "store": store,
            "queries": {q.name: {"what": q.what, "text": q.text, "accept": q.accept} for q in bench},
            "servers": {},
        }
        try:
            made.append(backend)
            servers.start(backend)
            if not sparql_bench.start_up(backend, args, out["servers"]):
                raise SystemExit(f"Oxigraph server did not start: {out['servers'][REFERENCE].get('error')}")
            print(f"  building into {store}...", flush=True)
            out["build"] = build(store, logs, args.build_timeout)
            print(f"  built in {out['build']['seconds']} s", flush=True)
            for name, env in LANZAGRAPHS.items():
                if name in args.servers:
                    server = servers.lanzagraph(name, store, 1, ROOT, logs)
                    server.env.update(env)
                    server.backends.append(backend)
                    made.append(server)
                    servers.start(server)
            # Oxigraph is asked directly over the dataset lanzagraph reads: the build's union graph as
            # the default graph (its union default graph would also hold every per-file graph).
            union = _union_graph(store)
            direct = dataclasses.replace(backend, url=f"{backend.url}?{urlencode({'default-graph-uri': union})}")
            out["direct_url"] = direct.url
            running = [direct] + [s for s in made[1:] if sparql_bench.start_up(s, args, out["servers"])]
            for server in running:
                out["servers"][server.name]["env"] = server.env
            measured = [s for s in running if s.name in args.servers]
            out["runs"] = sparql_bench.run_matrix(measured, bench, args)
            out["results"] = {q: {n: report.summarise(rs) for n, rs in by.items()} for q, by in out["runs"].items()}
            for server in running:
                out["servers"][server.name].update(memory_at_end=servers.memory(server), restarts=server.restarts)
        finally:
            for server in reversed(made):
                servers.stop(server)
    out["machine"]["load_average_at_end"] = _load()
    out["elapsed_s"] = round(time.monotonic() - started, 1)
    out["added"] = report.added(out)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"{out['date'][:10]}-remote{'-' + args.tag if args.tag else ''}.json"
    path.write_text(json.dumps(out, indent=2))
    print(tables(out))
    print(f"wrote {path} ({out['elapsed_s']} s)")
    return 0


def _union_graph(store: str) -> str:
    """The graph lanzagraph reads by default on the remote store: the current build's union."""
    settings = Settings(store=store)
    client = RemoteClient(Endpoints.from_settings(settings), settings.query_timeout)
    try:
        union = read_pointer(client, settings).union
    finally:
        client.close()
    if union is None:
        raise SystemExit("the build on the server has no union graph")
    return union


def _load() -> list[float]:
    """1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def tables(doc: dict[str, Any]) -> str:
    return "\n\n".join([
        report.failures(doc),
        report.added_table(doc),
        report.table(doc, "errors", "Errors and timeouts (all rounds, both phases)"),
        report.table(doc, "foreign", "CPU used by other processes during each round's measurement (share of "
                                     "the CPUs; Oxigraph's own counts as lanzagraph's while lanzagraph is measured)"),
        report.rows_table(doc),
        report.memory_table(doc),
        f"Load average at start {doc['machine']['load_average_at_start']}, "
        f"at end {doc['machine']['load_average_at_end']}",
    ])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work-dir", type=Path, default=Path("/tmp/lanzagraph-bench/remote"),
                   help="logs, and the temporary Oxigraph --location (removed at the end)")
    p.add_argument("--servers", nargs="+", default=[REFERENCE, *LANZAGRAPHS],
                   help="which to measure (Oxigraph server always runs: it is the store)")
    p.add_argument("--build-timeout", type=float, default=900.0, help="seconds `lanzagraph build` may take")
    sparql_bench.add_measurement_args(p)
    return p.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
