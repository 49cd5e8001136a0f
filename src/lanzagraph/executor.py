"""Runs client SPARQL queries in worker processes, so that a query past its time limit is stopped.

pyoxigraph cannot interrupt a query once it runs. Each worker process holds its own read view of
the store; a query that overruns is answered with a timeout while its worker is killed (SIGKILL)
and replaced, so the CPU it held is freed and other clients keep being served by the other
workers. Workers also serialise the results, in parallel, out of the server's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import resource
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, serialize

from lanzagraph import formats, results
from lanzagraph.errors import StoreError
from lanzagraph.store import EmbeddedStore, GraphStore
from lanzagraph.vocab import PREFIXES

log = logging.getLogger(__name__)

SELECT_MEDIA = [f.media_type for f, _ in formats.RESULTS_FORMATS.values()]
GRAPH_MEDIA = [f.media_type for name, (f, _) in formats.GRAPH_FORMATS.items() if name not in ("nquads", "trig")]


@dataclass(frozen=True)
class QueryJob:
    query: str
    accept: str | None = None
    format_name: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 100_000
    base_iri: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a worker answered. `status` is ok, bad_query, not_acceptable, timeout, busy or error."""

    status: str
    message: str = ""
    media_type: str = ""
    body: bytes = b""
    truncated: bool = False
    kind: str = ""
    rows: int = 0
    offered: tuple[str, ...] = field(default_factory=tuple)


GRAPH_READINGS = {"json": "jsonld", "xml": "rdfxml", "application/json": "jsonld", "application/xml": "rdfxml"}


def _choose(job: QueryJob, offered: list[str], graph: bool = False) -> str | None:
    """The media type to answer with: the `format` parameter when it names one we offer for this kind
    of result ('json' means JSON-LD and 'xml' RDF/XML for a graph, as clients such as SPARQLWrapper
    send them), else Accept negotiation."""
    if job.format_name:
        name = job.format_name.strip().lower()
        media = formats.media_type_for(GRAPH_READINGS.get(name, name) if graph else name)
        if media in offered:
            return media
    return formats.negotiate(job.accept, offered)


def run_job(store: GraphStore, job: QueryJob) -> Outcome:
    """Evaluates one job against a store; used inside the worker processes (and directly in tests)."""
    try:
        result = store.query(
            job.query,
            base_iri=job.base_iri,
            default_graph=[NamedNode(g) for g in job.default_graphs] or None,
            named_graphs=[NamedNode(g) for g in job.named_graphs] or None,
        )
    except SyntaxError as err:
        return Outcome("bad_query", str(err))
    except (OSError, RuntimeError, ValueError) as err:
        return Outcome("bad_query", str(err))
    return render(result, job)


def render(result: object, job: QueryJob) -> Outcome:
    """Serialises a query result in the negotiated format, cut at the job's row limit."""
    try:
        if isinstance(result, QueryBoolean):
            media = _choose(job, SELECT_MEDIA)
            if media is None:
                return Outcome("not_acceptable", offered=tuple(SELECT_MEDIA), kind="ASK")
            fmt = next(f for _, (m, f) in formats.RESULTS_FORMATS.items() if m.media_type == media)
            answer = result.serialize(format=fmt)
            assert answer is not None  # no output file given: pyoxigraph returns the bytes
            return Outcome("ok", media_type=media, body=answer, kind="ASK", rows=1)
        if isinstance(result, QuerySolutions):
            media = _choose(job, SELECT_MEDIA)
            if media is None:
                return Outcome("not_acceptable", offered=tuple(SELECT_MEDIA), kind="SELECT")
            name = next(n for n, (m, _) in formats.RESULTS_FORMATS.items() if m.media_type == media)
            variables = [v.value for v in result.variables]
            rows = list(itertools.islice(results.solution_rows(variables, result), job.max_rows + 1))
            truncated = len(rows) > job.max_rows
            rows = rows[: job.max_rows]
            body = b"".join(results.WRITERS[name](variables, rows))
            return Outcome("ok", media_type=media, body=body, truncated=truncated, kind="SELECT", rows=len(rows))
        media = _choose(job, GRAPH_MEDIA, graph=True)
        if media is None:
            return Outcome("not_acceptable", offered=tuple(GRAPH_MEDIA), kind="CONSTRUCT")
        rdf_format = next(f for _, (m, f) in formats.GRAPH_FORMATS.items() if m.media_type == media)
        triples = list(itertools.islice(result, job.max_rows + 1))  # type: ignore[call-overload]
        truncated = len(triples) > job.max_rows
        triples = triples[: job.max_rows]
        graph = serialize(triples, format=rdf_format, prefixes=PREFIXES)
        assert graph is not None  # no output file given: pyoxigraph returns the bytes
        return Outcome("ok", media_type=media, body=graph, truncated=truncated, kind="CONSTRUCT",
                       rows=len(triples))
    except (OSError, RuntimeError, ValueError) as err:
        return Outcome("bad_query", str(err))


def _worker_main(store_path: str, in_memory_max: int, memory_mb: int, conn: Connection) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        store = EmbeddedStore.open(Path(store_path), in_memory_max)
    except Exception as err:  # report any failure to open, then stop
        conn.send(("failed", str(err)))
        return
    conn.send(("ready", store.version.build_id))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(run_job(store, job))
        except MemoryError:
            conn.send(Outcome("error", "the query needed more memory than a query may use"))


class _Worker:
    def __init__(self, process: BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()


class QueryExecutor:
    """A fixed set of worker processes; `run` hands a job to a free one and waits at most `timeout`."""

    def __init__(self, store_path: Path, in_memory_max: int, processes: int, memory_mb: int = 0) -> None:
        self.store_path = store_path
        self.in_memory_max = in_memory_max
        self.processes = processes
        self.memory_mb = memory_mb
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._threads = ThreadPoolExecutor(max_workers=processes, thread_name_prefix="lanzagraph-query")
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(str(self.store_path), self.in_memory_max, self.memory_mb, child),
            daemon=True,
            name="lanzagraph-query-worker",
        )
        process.start()
        child.close()
        if not parent.poll(120):
            process.kill()
            raise StoreError("a query worker did not start within 120 s")
        status, detail = parent.recv()
        if status != "ready":
            process.kill()
            raise StoreError(f"a query worker could not open the store: {detail}")
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        workers = await asyncio.gather(*(loop.run_in_executor(self._threads, self._spawn)
                                         for _ in range(self.processes)))
        for worker in workers:
            self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        return self._spawn()

    def _roundtrip(self, worker: _Worker, job: QueryJob, timeout: float) -> tuple[_Worker, Outcome]:
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                return worker, worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            return self._replace(worker), Outcome("error", "the query worker stopped (out of memory?)")
        log.warning("query ran past %.1f s; stopping its worker", timeout)
        return self._replace(worker), Outcome(
            "timeout", f"the query ran past the time limit of {timeout:g} s and was stopped")

    async def run(self, job: QueryJob, timeout: float) -> Outcome:
        assert self._idle is not None, "QueryExecutor.start() was not awaited"
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            return Outcome("busy", f"every query worker stayed busy for {timeout:g} s; try again later")
        loop = asyncio.get_running_loop()
        replacement = worker
        try:
            replacement, outcome = await loop.run_in_executor(self._threads, self._roundtrip, worker, job, timeout)
        finally:
            self._idle.put_nowait(replacement)
        return outcome

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.conn.send(None)
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)
