"""Where a lanzagraph /sparql request spends its time, stage by stage, without HTTP.

For each benchmark query, median over `n` runs (after a warm-up) of:

- evaluate_memory: pyoxigraph evaluation on the in-memory copy lanzagraph serves from, all
  solutions consumed (what a query worker's engine does);
- evaluate_disk: the same on the on-disk store (what Oxigraph server evaluates against);
- run_job: evaluation plus lanzagraph's serialisation to the answer's bytes (executor.run_job);
- lexical_checks: sparql_text.looks_like_update + service_calls on the query text (done by the
  web process for every request, before the cache);
- executor: QueryExecutor.run with one worker process: run_job plus pickling and the pipe hop.

The HTTP layer's share is what the end-to-end latency (sparql_bench.py) adds on top.

    python benchmarks/stages.py --store /tmp/lanzagraph-bench/real/store
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyoxigraph import QueryBoolean, Store

import queries
from lanzagraph import sparql_text
from lanzagraph.executor import QueryExecutor, QueryJob, run_job
from lanzagraph.settings import Settings
from lanzagraph.store import EmbeddedStore, GraphStore, current_build

ROOT = Path(__file__).resolve().parent.parent


def median_ms(fn: Callable[[], object], n: int, warmup: int, budget_s: float) -> tuple[float, int]:
    for _ in range(warmup):
        fn()
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(times) < n and time.perf_counter() < deadline:
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(times)


def consume(store: Store, text: str) -> int:
    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, QueryBoolean):
        return 1
    return sum(1 for _ in result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a lanzagraph store (link to a build)")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per stage and query at most")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here too")
    args = parser.parse_args(argv)
    memory = EmbeddedStore.open(args.store, 2_000_000)
    disk = Store.read_only(str(current_build(args.store) / "oxigraph"))
    executor = QueryExecutor(args.store, 2_000_000, processes=1)
    results: dict[str, Any] = {}
    loop = asyncio.new_event_loop()
    loop.run_until_complete(executor.start())
    try:
        for q in queries.all_queries(ROOT):
            # QueryExecutor binds its queue to the loop that started it: every stage uses that loop.
            results[q.name] = stage_times_on(loop, args, q, memory, disk, executor)
            print(q.name, json.dumps(results[q.name]), flush=True)
    finally:
        executor.close()
        loop.close()
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))
    return 0


def stage_times_on(loop: asyncio.AbstractEventLoop, args: argparse.Namespace, q: queries.BenchQuery,
                   memory: GraphStore, disk: Store, executor: QueryExecutor) -> dict[str, Any]:
    settings = Settings(store=str(args.store))
    job = QueryJob(query=q.text, accept=q.accept, max_rows=settings.max_rows, base_iri="http://127.0.0.1/sparql")
    stages: dict[str, Callable[[], object]] = {
        "evaluate_memory": lambda: consume_graphstore(memory, q.text),
        "evaluate_disk": lambda: consume(disk, q.text),
        "run_job": lambda: run_job(memory, job),
        "lexical_checks": lambda: (sparql_text.looks_like_update(q.text), sparql_text.service_calls(q.text)),
        "executor": lambda: loop.run_until_complete(executor.run(job, settings.query_timeout)),
    }
    out: dict[str, Any] = {}
    for name, fn in stages.items():
        value, count = median_ms(fn, args.n, warmup=3, budget_s=args.budget)
        out[name] = {"median_ms": round(value, 3), "n": count}
    out["answer_bytes"] = len(run_job(memory, job).body)
    return out


def consume_graphstore(store: GraphStore, text: str) -> int:
    result = store.query(text)
    if isinstance(result, QueryBoolean):
        return 1
    return sum(1 for _ in result)


if __name__ == "__main__":
    sys.exit(main())
