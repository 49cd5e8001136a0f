"""Chooses the store by configuration: an embedded pyoxigraph path, or `sparql+http(s)://` for an
external SPARQL 1.1 server. Everything that reads the graph gets its store from here."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from lanzagraph.errors import QuerySyntaxError, QueryTimeout, StoreError
from lanzagraph.executor import Outcome, QueryExecutor, QueryJob, render
from lanzagraph.remote import RemoteStore, is_remote
from lanzagraph.settings import Settings
from lanzagraph.store import EmbeddedStore, GraphStore


class Executor(Protocol):
    async def start(self) -> None: ...
    async def run(self, job: QueryJob, timeout: float) -> Outcome: ...
    def close(self) -> None: ...


def open_store(settings: Settings) -> GraphStore:
    if is_remote(settings.store):
        return RemoteStore.open(settings)
    return EmbeddedStore.open(settings.store_path, settings.in_memory_max_triples)


def make_executor(settings: Settings, store: GraphStore) -> Executor:
    if isinstance(store, RemoteStore):
        return RemoteExecutor(store, settings.query_processes * 4)
    return QueryExecutor(settings.store_path, settings.in_memory_max_triples, settings.query_processes,
                         settings.query_memory_mb)


class RemoteExecutor:
    """Client queries forwarded to the remote server, with its timeout and a client-side deadline;
    answers are re-serialised here so that formats, row caps and errors match the embedded store."""

    def __init__(self, store: RemoteStore, threads: int) -> None:
        self.store = store
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lanzagraph-remote")

    async def start(self) -> None:
        return None

    def _run(self, job: QueryJob, timeout: float) -> Outcome:
        from pyoxigraph import NamedNode

        try:
            result = self.store.query(
                job.query,
                default_graph=[NamedNode(g) for g in job.default_graphs] or None,
                named_graphs=[NamedNode(g) for g in job.named_graphs] or None,
                base_iri=job.base_iri,
                timeout=timeout,
            )
        except QuerySyntaxError as err:
            return Outcome("bad_query", str(err))
        except QueryTimeout as err:
            return Outcome("timeout", str(err))
        except StoreError as err:
            return Outcome("unavailable", str(err))
        return render(result, job)

    async def run(self, job: QueryJob, timeout: float) -> Outcome:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._run, job, timeout)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
