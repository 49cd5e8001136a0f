"""Puts a dataset into a lanzagraph store that `lanzagraph serve --store PATH` opens as it is.

- `load_nquads`: an N-Quads file (a synthetic graph) is bulk-loaded with pyoxigraph into a fresh
  build directory, the build's VoID metadata graph is added with lanzagraph's own code
  (`build._metadata`), then `store.write_version` and `store.switch_to` publish it, as
  `lanzagraph build` does. What the build does before writing (parsing Turtle, HermiT, the
  OWL materialisation, SHACL) is skipped: synthetic data is cloned from a build that passed them,
  and the version's `reasoner` field says so.
- `copy_build`: the real build is copied as it is (the same files `lanzagraph build` wrote).
- `dump_nquads`: a store's quads as N-Quads, to load the same data into Oxigraph server and
  rdflib-endpoint.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from lanzagraph import build, store
from lanzagraph.settings import Settings

SYNTHETIC_NOTE = "synthetic: cloned from a checked build; not reasoned, not SHACL-validated (benchmarks/)"


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_nquads(nquads: Path, store_path: Path) -> store.DatasetVersion:
    """Bulk-loads `nquads` into a new build of the store at `store_path` and switches to it."""
    settings = Settings(store=str(store_path))
    content_hash = file_hash(nquads)
    with store.build_lock(store_path):
        build_dir = store.builds_dir(store_path) / store.new_build_id(content_hash)
        build_dir.mkdir(parents=True)
        try:
            disk = Store(str(build_dir / "oxigraph"))
            disk.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
            version = store.DatasetVersion(
                build_id=build_dir.name,
                built_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                content_hash=content_hash,
                triples=len(disk) + 5,
                base_uri=settings.base_uri,
                reasoner=SYNTHETIC_NOTE,
            )
            disk.bulk_extend(build._metadata(settings, version))
            disk.flush()
            disk.optimize()
            del disk
            store.write_version(build_dir, version)
            store.switch_to(store_path, build_dir)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
    return version


def copy_build(source_store: Path, store_path: Path) -> store.DatasetVersion:
    """Copies the build `source_store` points to into a store of its own at `store_path`."""
    source = store.current_build(source_store)
    target = store.builds_dir(store_path) / source.name
    if not target.exists():
        shutil.copytree(source, target)
    store.switch_to(store_path, target)
    return store.read_version(target)


def dump_nquads(store_path: Path, out: Path) -> int:
    """Writes every quad of the store's current build to `out`; returns how many."""
    disk = Store.read_only(str(store.current_build(store_path) / "oxigraph"))
    out.parent.mkdir(parents=True, exist_ok=True)
    disk.dump(output=str(out), format=RdfFormat.N_QUADS)
    return len(disk)
