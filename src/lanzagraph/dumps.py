"""Downloads of the whole graph, gzipped: made from the store once per build and kept in the build's
directory (`<build>/dumps/`), or in memory when the store has no directory or it cannot be written.

Only the names in DUMPS exist; a requested name is looked up there and never joined to a path.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from weakref import WeakKeyDictionary

from pyoxigraph import Quad, QueryBoolean, QuerySolutions, RdfFormat, Triple, serialize

from lanzagraph.describe import sort_triples
from lanzagraph.serialise import SERVED_PREFIXES, serialize_triples
from lanzagraph.store import GraphStore


@dataclass(frozen=True)
class Dump:
    name: str
    format: str
    media_type: str
    description: str
    quads: bool = False


DUMPS: dict[str, Dump] = {
    d.name: d
    for d in (
        Dump("lanzagraph.ttl.gz", "turtle", "text/turtle",
             "The whole graph as Turtle: the union of the named graphs (asserted, materialised and metadata)."),
        Dump("lanzagraph.nq.gz", "nquads", "application/n-quads",
             "Every named graph as N-Quads: one graph per data file, the ontology, the inferred triples and the "
             "dataset metadata.", quads=True),
        Dump("lanzagraph.jsonld.gz", "jsonld", "application/ld+json",
             "The whole graph as JSON-LD, compacted with the graph's prefixes (the union, as in the Turtle dump)."),
    )
}


def _union(store: GraphStore) -> list[Triple]:
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert not isinstance(result, (QuerySolutions, QueryBoolean)), "a CONSTRUCT answers triples"
    return sort_triples(set(result))


def _quads(store: GraphStore) -> list[Quad]:
    return sorted(store.quads(), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def render(store: GraphStore, dump: Dump) -> bytes:
    """The dump's bytes, gzipped (deterministic: no timestamp in the gzip header)."""
    if dump.quads:
        data = serialize(_quads(store), format=RdfFormat.N_QUADS)
        assert data is not None  # no output file given: the bytes are returned
        raw = data
    else:
        raw = serialize_triples(_union(store), dump.format, SERVED_PREFIXES)
    return gzip.compress(raw, compresslevel=6, mtime=0)


class DumpCache:
    """The dumps of one opened store."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._memory: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path | None:
        return self.store.build / "dumps" if self.store.build is not None else None

    def get(self, name: str) -> bytes | None:
        """The gzipped dump called `name`, None for a name that is not a dump."""
        dump = DUMPS.get(name)
        if dump is None:
            return None
        with self._lock:
            cached = self._memory.get(name)
            if cached is not None:
                return cached
            data = self._read(dump) or render(self.store, dump)
            self._write(dump, data)
            self._memory[name] = data
            return data

    def _read(self, dump: Dump) -> bytes | None:
        folder = self.folder
        if folder is None:
            return None
        try:
            return (folder / dump.name).read_bytes()
        except OSError:
            return None

    def _write(self, dump: Dump, data: bytes) -> None:
        """Keeps the dump next to the build; a read-only store directory just means memory only."""
        folder = self.folder
        if folder is None or (folder / dump.name).exists():
            return
        tmp = folder / f".{dump.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            folder.mkdir(exist_ok=True)
            tmp.write_bytes(data)
            os.replace(tmp, folder / dump.name)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


_CACHES: WeakKeyDictionary[GraphStore, DumpCache] = WeakKeyDictionary()
_LOCK = threading.Lock()


def cache_for(store: GraphStore) -> DumpCache:
    with _LOCK:
        cache = _CACHES.get(store)
        if cache is None:
            cache = DumpCache(store)
            _CACHES[store] = cache
        return cache
