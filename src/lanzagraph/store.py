"""The embedded store: a pyoxigraph database on disk, built into a fresh directory and switched in
atomically.

Layout, for a store path such as `.lanzagraph/store`:

    .lanzagraph/store            symlink -> store.builds/<build id>   (switched with os.replace)
    .lanzagraph/store.builds/    one directory per build; the current and the previous one are kept
    .lanzagraph/store.lock       held while a build runs

Readers open what the symlink points to, so a reader never sees a half-built store and a failed
build leaves the previous one in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    Triple,
    Variable,
)

from lanzagraph.errors import BuildInProgress, ConfigurationError, StoreError, StoreNotBuilt

BUILD_INFO = "build.json"
KEEP_BUILDS = 2

QueryResult = QuerySolutions | QueryBoolean | QueryTriples
Term = NamedNode | BlankNode | Literal | Triple
# What a SELECT row holds: SPARQL 1.1 has no triple terms, and the graph holds none.
RowTerm = NamedNode | BlankNode | Literal


@dataclass(frozen=True)
class DatasetVersion:
    """What a build was made from and when: every answer carries it."""

    build_id: str
    built_at: str
    content_hash: str
    triples: int
    base_uri: str
    reasoner: str

    @property
    def label(self) -> str:
        return f"{self.built_at} ({self.content_hash[:12]})"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def builds_dir(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".builds")


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".lock")


def new_build_id(content_hash: str) -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + content_hash[:8]


@contextlib.contextmanager
def build_lock(store_path: Path) -> Iterator[None]:
    """Holds an exclusive lock for one build; a second build is refused at once, not queued."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(store_path), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgress(
                f"another build of {store_path} is running; wait for it to finish and try again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_build(store_path: Path) -> Path:
    """The directory of the build the store path points to; StoreNotBuilt or StoreError otherwise."""
    if not store_path.is_symlink():
        if store_path.exists():
            raise StoreError(
                f"{store_path} exists but is not a lanzagraph store (expected a link to a build); "
                "move it away or choose another --store"
            )
        raise StoreNotBuilt(f"no store at {store_path}: run `lanzagraph build` first")
    target = store_path.resolve()
    if not (target / BUILD_INFO).is_file():
        raise StoreError(f"the store at {store_path} is incomplete or corrupt ({target}); run `lanzagraph build`")
    return target


def read_version(build: Path) -> DatasetVersion:
    try:
        info = json.loads((build / BUILD_INFO).read_text())
        return DatasetVersion(**info)
    except (OSError, ValueError, TypeError) as err:
        raise StoreError(f"cannot read {build / BUILD_INFO}: {err}") from None


def write_version(build: Path, version: DatasetVersion) -> None:
    (build / BUILD_INFO).write_text(json.dumps(version.as_dict(), indent=2))


def switch_to(store_path: Path, build: Path) -> None:
    """Points the store path at `build` in one atomic rename, then prunes old builds."""
    if store_path.exists() and not store_path.is_symlink():
        raise ConfigurationError(f"{store_path} exists and is not a lanzagraph store link")
    tmp = store_path.with_name(f".{store_path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(build, store_path.parent))
    os.replace(tmp, store_path)
    prune(store_path, keep=KEEP_BUILDS)


def prune(store_path: Path, keep: int) -> None:
    """Removes all builds but the newest `keep` (the current one is always kept)."""
    folder = builds_dir(store_path)
    if not folder.is_dir():
        return
    current = store_path.resolve() if store_path.is_symlink() else None
    builds = sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True)
    for old in builds[keep:]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)


class GraphStore(Protocol):
    """What every reader of the graph (pages, canned queries, dumps, the CLI) relies on, whichever
    backend holds it: the embedded EmbeddedStore, or remote.RemoteStore over a SPARQL server."""

    version: DatasetVersion
    build: Path | None
    in_memory: bool

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[Variable, Term] | None = None,
        default_graph: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult | Iterator[Triple]: ...

    def select(self, sparql: str, substitutions: Mapping[Variable, Term] | None = None) -> list[dict[str, RowTerm]]: ...

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]: ...

    def named_graphs(self) -> list[NamedNode]: ...

    def close(self) -> None: ...


def solution_rows(result: QuerySolutions) -> list[dict[str, RowTerm]]:
    """A SELECT answer as {variable: term} rows, unbound variables left out."""
    names = [v.value for v in result.variables]
    rows: list[dict[str, RowTerm]] = []
    for solution in result:
        rows.append({name: value for name in names
                     if (value := solution[name]) is not None and not isinstance(value, Triple)})
    return rows


def value_of(row: Mapping[str, RowTerm], key: str) -> str | None:
    """The lexical value of a row's term, None where the variable is unbound."""
    term = row.get(key)
    return term.value if term is not None else None


class EmbeddedStore:
    """A read view of one build: pyoxigraph, in memory when the graph is small enough, else on disk.

    pyoxigraph releases the GIL while it evaluates, so one instance serves many threads at once.
    """

    def __init__(self, store: Store, version: DatasetVersion, build: Path | None, in_memory: bool) -> None:
        self._store = store
        self.version = version
        self.build = build
        self.in_memory = in_memory

    @classmethod
    def open(cls, store_path: Path, in_memory_max_triples: int) -> EmbeddedStore:
        build = current_build(store_path)
        version = read_version(build)
        try:
            disk = Store.read_only(str(build / "oxigraph"))
        except OSError as err:
            raise StoreError(f"cannot open the store at {build}: {err}") from None
        if version.triples > in_memory_max_triples:
            return cls(disk, version, build, in_memory=False)
        memory = Store()
        memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
        del disk
        return cls(memory, version, build, in_memory=True)

    @classmethod
    def from_store(cls, store: Store, version: DatasetVersion) -> EmbeddedStore:
        return cls(store, version, None, in_memory=True)

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[Variable, Term] | None = None,
        default_graph: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Runs a query over the union of all graphs, unless a default graph is given (Protocol
        default-graph-uri). Raises pyoxigraph's SyntaxError for bad SPARQL."""
        if default_graph:
            return self._store.query(
                sparql,
                base_iri=base_iri,
                default_graph=list(default_graph),
                named_graphs=list(named_graphs) if named_graphs else None,
                substitutions=dict(substitutions) if substitutions else None,
            )
        return self._store.query(
            sparql,
            base_iri=base_iri,
            use_default_graph_as_union=True,
            named_graphs=list(named_graphs) if named_graphs else None,
            substitutions=dict(substitutions) if substitutions else None,
        )

    def select(self, sparql: str, substitutions: Mapping[Variable, Term] | None = None) -> list[dict[str, RowTerm]]:
        """A SELECT as a list of {variable: term} rows (unbound variables left out)."""
        result = self.query(sparql, substitutions=substitutions)
        if not isinstance(result, QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        return solution_rows(result)

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def named_graphs(self) -> list[NamedNode]:
        return [g for g in self._store.named_graphs() if isinstance(g, NamedNode)]

    def close(self) -> None:
        del self._store
