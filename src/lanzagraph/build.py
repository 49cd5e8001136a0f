"""The build: load -> reason -> validate -> write -> switch. The only module that orders these steps.

Everything happens on an in-memory store and a fresh build directory; the store path is switched
to the new build only once every step has passed, so a failed build changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, Store

from lanzagraph import loading, reasoning, remote, store, validation
from lanzagraph.errors import StoreNotBuilt, ValidationFailed, Violation
from lanzagraph.settings import Settings
from lanzagraph.vocab import DCTERMS, LZ, ONTOLOGY_IRI, RDF, VOID, XSD

log = logging.getLogger(__name__)

Report = Callable[[str], None]


@dataclass
class BuildResult:
    version: store.DatasetVersion
    build_dir: Path
    asserted: int
    inferred: int
    warnings: list[Violation] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class CheckedGraph:
    """The outcome of loading, reasoning and validating, before anything is written."""

    quads: list[Quad]
    asserted: int
    inferred: int
    results: list[Violation]
    consistency: reasoning.ConsistencyResult
    content_hash: str


def graph_iri(settings: Settings, name: str) -> NamedNode:
    return NamedNode(settings.graph_base + name)


def check(settings: Settings, report: Report = log.info, data_files: list[Path] | None = None) -> CheckedGraph:
    """Loads ontology/ and data/ (or the given data files instead of data/), materialises the OWL
    axioms, checks consistency and runs SHACL. Raises on syntax errors and inconsistency; returns
    the SHACL results, which the caller judges."""
    root = settings.root
    sources = loading.discover(root, settings.graph_base)
    if data_files is not None:
        sources = [s for s in sources if s.path.parent.name == "ontology"] + [
            loading.SourceFile(p, graph_iri(settings, p.stem)) for p in data_files
        ]
    ontology_graph = graph_iri(settings, "lanzagraph")
    memory = Store()
    asserted: list[Quad] = []
    for source, quads in loading.parse_all(sources, settings.base_uri):
        report(f"parsed {source.path.relative_to(root) if source.path.is_relative_to(root) else source.path}: "
               f"{len(quads)} triples")
        asserted.extend(quads)
    memory.extend(asserted)

    consistency = reasoning.check_consistency(asserted)
    report(consistency.reason)

    inferred_graph = graph_iri(settings, "inferred")
    inferred = reasoning.materialise(memory, ontology_graph, inferred_graph)
    report(f"materialised {inferred} triples from the ontology's axioms")

    shapes = validation.load_shapes(loading.shape_files(root), settings.base_uri)
    all_quads = list(memory.quads_for_pattern(None, None, None, None))
    results = validation.validate(all_quads, shapes)
    hashed = [s.path for s in sources] + loading.shape_files(root)
    return CheckedGraph(all_quads, len(asserted), inferred, results, consistency, loading.content_hash(hashed))


def _metadata(settings: Settings, version: store.DatasetVersion) -> list[Quad]:
    """VoID triples about the dataset itself, in graph/meta, so SPARQL clients can read the version."""
    dataset = NamedNode(settings.base_uri + "dataset")
    meta = graph_iri(settings, "meta")
    return [
        Quad(dataset, NamedNode(RDF + "type"), NamedNode(VOID + "Dataset"), meta),
        Quad(dataset, NamedNode(DCTERMS + "modified"),
             Literal(version.built_at, datatype=NamedNode(XSD + "dateTime")), meta),
        Quad(dataset, NamedNode(LZ + "contentHash"), Literal(version.content_hash), meta),
        Quad(dataset, NamedNode(VOID + "triples"),
             Literal(str(version.triples), datatype=NamedNode(XSD + "integer")), meta),
        Quad(dataset, NamedNode(DCTERMS + "conformsTo"), NamedNode(ONTOLOGY_IRI), meta),
    ]


def build(settings: Settings, report: Report = log.info) -> BuildResult:
    """Builds the store at settings.store. On any failure the previous store stays as it was."""
    if remote.is_remote(settings.store):
        return build_remote(settings, report)
    started = datetime.now(UTC)
    store_path = settings.store_path
    with store.build_lock(store_path):
        checked = check(settings, report)
        errors = validation.violations_only(checked.results)
        if errors:
            raise ValidationFailed(errors)
        warnings = [r for r in checked.results if r.severity != "Violation"]

        build_id = store.new_build_id(checked.content_hash)
        build_dir = store.builds_dir(store_path) / build_id
        build_dir.mkdir(parents=True)
        try:
            version = store.DatasetVersion(
                build_id=build_id,
                built_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                content_hash=checked.content_hash,
                triples=len(checked.quads) + 5,
                base_uri=settings.base_uri,
                reasoner=checked.consistency.reason,
            )
            disk = Store(str(build_dir / "oxigraph"))
            disk.bulk_extend(checked.quads + _metadata(settings, version))
            disk.flush()
            disk.optimize()
            del disk
            store.write_version(build_dir, version)
            store.switch_to(store_path, build_dir)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
    seconds = (datetime.now(UTC) - started).total_seconds()
    report(f"built {version.triples} triples into {build_dir} in {seconds:.1f} s")
    return BuildResult(version, build_dir, checked.asserted, checked.inferred, warnings, seconds)


def build_remote(settings: Settings, report: Report = log.info) -> BuildResult:
    """The same build against an external SPARQL server: checked here, loaded into fresh graphs there,
    then switched in by one update; a failure drops the partial graphs and keeps the previous build."""
    started = datetime.now(UTC)
    lock = Path(tempfile.gettempdir()) / f"lanzagraph-{hashlib.sha1(settings.store.encode()).hexdigest()[:16]}"
    with store.build_lock(lock):
        checked = check(settings, report)
        errors = validation.violations_only(checked.results)
        if errors:
            raise ValidationFailed(errors)
        client = remote.RemoteClient(remote.Endpoints.from_settings(settings), max(settings.query_timeout, 120))
        try:
            try:
                previous = remote.read_pointer(client, settings).all_graphs()
            except StoreNotBuilt:
                previous = set()
            build_id = store.new_build_id(checked.content_hash)
            version = store.DatasetVersion(
                build_id=build_id,
                built_at=started.strftime("%Y-%m-%dT%H:%M:%SZ"),
                content_hash=checked.content_hash,
                triples=len(checked.quads) + 5,
                base_uri=settings.base_uri,
                reasoner=checked.consistency.reason,
            )
            loaded = remote.load_build(client, settings, checked.quads + _metadata(settings, version), version)
            remote.switch_pointer(client, settings, loaded)
            remote.prune_builds(client, settings, keep=loaded.all_graphs() | previous)
        finally:
            client.close()
    seconds = (datetime.now(UTC) - started).total_seconds()
    report(f"built {version.triples} triples into {len(loaded.graphs)} graphs (and their union) on {settings.store} "
           f"in {seconds:.1f} s")
    warnings = [r for r in checked.results if r.severity != "Violation"]
    return BuildResult(version, Path(settings.store), checked.asserted, checked.inferred, warnings, seconds)


def ensure_built(settings: Settings, report: Report = log.info) -> store.DatasetVersion:
    """The current build's version, building first when there is none or it was made for another base URI."""
    if remote.is_remote(settings.store):
        try:
            remote_store = remote.RemoteStore.open(settings)
            remote_store.close()
            if remote_store.version.base_uri == settings.base_uri:
                return remote_store.version
        except StoreNotBuilt:
            report("no build on the SPARQL server yet: building it")
        return build(settings, report).version
    try:
        version = store.read_version(store.current_build(settings.store_path))
        if version.base_uri == settings.base_uri:
            return version
        report(f"the store was built for {version.base_uri}; rebuilding for {settings.base_uri}")
    except StoreNotBuilt:
        report("no store yet: building it")
    return build(settings, report).version
