"""The load client: run as its own process by sparql_bench.py, one run per (server, query).

Reads a JSON job on stdin, prints one JSON result on stdout. Phases, each bounded in count and time:

1. probe: one request (timeout `cap_s`); a timeout here ends the run with status "timeout".
2. warm-up: up to `warmup` sequential requests.
3. latency: up to `n` sequential requests at concurrency 1, stopped after `latency_budget_s`.
4. throughput: `concurrency` threads, each with its own persistent httpx.Client, send requests
   back to back for `duration_s`; throughput counts the answers that came back (2xx) before the
   deadline (`rps`), and every answer over the time until the last one (`rps_closed`, the one
   reported: with slow queries few answers fit in the window). Requests still in flight at the
   deadline get `grace_s` to finish (they are then abandoned, and counted as such).

Every request is a SPARQL Protocol GET (`?query=`), with the same Accept header for every server.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Job:
    url: str
    query: str
    accept: str
    warmup: int = 20
    n: int = 200
    latency_budget_s: float = 20.0
    concurrency: int = 8
    duration_s: float = 10.0
    cap_s: float = 30.0
    grace_s: float = 5.0


@dataclass
class Sample:
    ok: bool
    seconds: float
    status: int = 0
    error: str = ""


@dataclass
class LoadResult:
    clients: int
    duration_s: float
    ok: int = 0
    errors: int = 0
    timeouts: int = 0
    abandoned: int = 0
    rps: float = 0.0  # answers back before the deadline / duration
    rps_closed: float = 0.0  # every answer / time until the last one
    ok_after_deadline: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    client_cpu_s: float = 0.0
    error_sample: list[str] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def count_rows(body: bytes, content_type: str) -> int:
    """Rows of a SPARQL JSON result, triples of an RDF/XML body (what rdflib-endpoint sends for a
    DESCRIBE, whatever the Accept header), or lines (triples) of an N-Triples body."""
    if b"<rdf:RDF" in body[:2000]:
        from pyoxigraph import RdfFormat, parse

        return sum(1 for _ in parse(body, format=RdfFormat.RDF_XML))
    if "json" in content_type:
        data = json.loads(body)
        if "boolean" in data:
            return 1
        return len(data["results"]["bindings"])
    return sum(1 for line in body.decode("utf-8", "replace").splitlines() if line.strip().endswith("."))


def request(client: httpx.Client, job: Job) -> tuple[Sample, httpx.Response | None]:
    started = time.perf_counter()
    try:
        # httpx replaces a URL's query string with `params`: keep the URL's own parameters
        # (a default-graph-uri, say) beside the query.
        url = httpx.URL(job.url)
        response = client.get(url.copy_with(query=None), params=[*url.params.multi_items(), ("query", job.query)],
                              headers={"Accept": job.accept})
        response.read()
    except httpx.TimeoutException:
        return Sample(False, time.perf_counter() - started, 0, "timeout"), None
    except httpx.HTTPError as err:
        return Sample(False, time.perf_counter() - started, 0, f"{type(err).__name__}: {err}"[:200]), None
    seconds = time.perf_counter() - started
    ok = 200 <= response.status_code < 300
    error = "" if ok else f"HTTP {response.status_code}: {response.text[:200]}"
    return Sample(ok, seconds, response.status_code, error), response


def new_client(job: Job) -> httpx.Client:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return httpx.Client(timeout=httpx.Timeout(job.cap_s, connect=10.0), limits=limits)


def sequential(client: httpx.Client, job: Job, count: int, budget_s: float) -> list[Sample]:
    samples: list[Sample] = []
    deadline = time.perf_counter() + budget_s
    for _ in range(count):
        if time.perf_counter() >= deadline:
            break
        sample, _ = request(client, job)
        samples.append(sample)
        if sample.error == "timeout":
            break
    return samples


def summarise_latency(samples: list[Sample]) -> dict[str, Any]:
    times = [s.seconds * 1000 for s in samples if s.ok]
    errors = [s.error for s in samples if not s.ok]
    if not times:
        return {"n": 0, "errors": len(errors), "error_sample": errors[:3]}
    return {
        "n": len(times),
        "errors": len(errors),
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 95),
        "min_ms": min(times),
        "max_ms": max(times),
        "error_sample": errors[:3],
    }


def _load_thread(job: Job, deadline: float, out: list[Sample], done_at: list[float]) -> None:
    with new_client(job) as client:
        while time.perf_counter() < deadline:
            sample, _ = request(client, job)
            done_at.append(time.perf_counter())
            out.append(sample)


def load(job: Job) -> LoadResult:
    """`concurrency` clients back to back for `duration_s`; answers after the deadline are not counted."""
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + job.duration_s
    buckets: list[list[Sample]] = [[] for _ in range(job.concurrency)]
    stamps: list[list[float]] = [[] for _ in range(job.concurrency)]
    threads = [threading.Thread(target=_load_thread, args=(job, deadline, buckets[i], stamps[i]), daemon=True)
               for i in range(job.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline + job.grace_s - time.perf_counter()))
    result = LoadResult(clients=job.concurrency, duration_s=job.duration_s)
    result.abandoned = sum(1 for t in threads if t.is_alive())
    in_window: list[Sample] = []
    for samples, times in zip(buckets, stamps, strict=False):
        in_window += [s for s, t in zip(list(samples), list(times), strict=False) if t <= deadline]
    ok = [s for s in in_window if s.ok]
    result.ok = len(ok)
    result.errors = sum(1 for s in in_window if not s.ok and s.error != "timeout")
    result.timeouts = sum(1 for s in in_window if s.error == "timeout")
    result.rps = len(ok) / job.duration_s
    finished = [(s, t) for samples, times in zip(buckets, stamps, strict=False)
                for s, t in zip(list(samples), list(times), strict=False)]
    ok_all = [t for s, t in finished if s.ok]
    if ok_all:
        # Closed-loop throughput: every answer, including those that came back in the grace period,
        # over the time until the last one (requests still out after the grace period are left out).
        result.rps_closed = len(ok_all) / max(1e-9, max(ok_all) - start)
    result.ok_after_deadline = len(ok_all) - len(ok)
    if ok:
        times = [s.seconds * 1000 for s in ok]
        result.median_ms = statistics.median(times)
        result.p95_ms = percentile(times, 95)
    result.error_sample = [s.error for s in in_window if not s.ok][:3]
    result.client_cpu_s = time.process_time() - cpu0
    return result


def run(job: Job) -> dict[str, Any]:
    out: dict[str, Any] = {"status": "ok"}
    with new_client(job) as client:
        probe, response = request(client, job)
        out["probe_ms"] = probe.seconds * 1000
        if probe.error == "timeout":
            return {**out, "status": "timeout", "error": f"no answer within {job.cap_s:g} s"}
        if response is None or not probe.ok:
            return {**out, "status": "error", "error": probe.error}
        content_type = response.headers.get("content-type", "")
        out.update(content_type=content_type, bytes=len(response.content),
                   rows=count_rows(response.content, content_type))
        warm = sequential(client, job, job.warmup, job.latency_budget_s / 2)
        out["warmup"] = len(warm)
        out["latency"] = summarise_latency(sequential(client, job, job.n, job.latency_budget_s))
    out["throughput"] = asdict(load(job))
    return out


def main() -> None:
    job = Job(**json.loads(sys.stdin.read()))
    result = run(job)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # do not wait for abandoned request threads


if __name__ == "__main__":
    main()
