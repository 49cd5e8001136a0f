"""The build is atomic: a failed build names the file, line or shape and leaves the previous store serving."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, settings_for

from lanzagraph import store as store_module
from lanzagraph.build import build
from lanzagraph.errors import BuildInProgress, DataSyntaxError, InconsistentOntology, StoreError, StoreNotBuilt
from lanzagraph.reasoning import check_consistency
from lanzagraph.settings import Settings
from lanzagraph.store import EmbeddedStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?r a <https://w3id.org/lanzagraph/ontology#Recommendation> }"


def copy_project(tmp: Path) -> Path:
    """A throwaway copy of ontology/, shapes/ and data/ to break on purpose."""
    root = tmp / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def recommendations(settings: Settings) -> int:
    graph = EmbeddedStore.open(settings.store_path, settings.in_memory_max_triples)
    try:
        return int(graph.select(COUNT)[0]["n"].value)
    finally:
        graph.close()


@pytest.fixture(scope="module")
def project_with_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str]:
    """A copy of the project with one good build, shared by the failure tests of this module."""
    tmp = tmp_path_factory.mktemp("atomic")
    root = copy_project(tmp)
    settings = Settings(store=str(tmp / "store"), root=root)
    result = build(settings, lambda _m: None)
    return settings, result.version.build_id


def test_a_syntax_error_names_file_and_line_and_changes_nothing(project_with_store: tuple[Settings, str]) -> None:
    settings, build_id = project_with_store
    broken = settings.root / "data" / "round-2-chapter-v.ttl"
    original = broken.read_text()
    lines = original.splitlines()
    lines[40] = lines[40] + ' "unterminated'
    broken.write_text("\n".join(lines) + "\n")
    try:
        with pytest.raises(DataSyntaxError) as caught:
            build(settings, lambda _m: None)
    finally:
        broken.write_text(original)
    assert "round-2-chapter-v.ttl" in str(caught.value)
    assert caught.value.line is not None and 40 <= caught.value.line <= 42
    assert store_module.current_build(settings.store_path).name == build_id
    assert recommendations(settings) == 70


def test_a_shape_violation_names_shape_and_file_and_changes_nothing(project_with_store: tuple[Settings, str]) -> None:
    settings, build_id = project_with_store
    data = settings.root / "data" / "round-2-chapter-iii.ttl"
    original = data.read_text()
    # Drop the addressee of III-30: the shape says every recommendation has exactly one.
    data.write_text(original.replace("lz:addressedTo <round/2/recommendation/III-30/addressees> ;", ""))
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "lanzagraph", "build", "--store", str(settings.store_path)],
            cwd=settings.root, capture_output=True, text=True, timeout=300,
        )
    finally:
        data.write_text(original)
    assert completed.returncode == 1
    assert "Recommendation-addressee" in completed.stderr
    assert "round/2/recommendation/III-30" in completed.stderr
    assert "graph/round-2-chapter-iii" in completed.stderr
    assert "previous store is unchanged" in completed.stderr
    assert store_module.current_build(settings.store_path).name == build_id
    assert recommendations(settings) == 70


def test_an_inconsistent_graph_is_refused(tmp_path: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: HermiT cannot run here (the build says so and goes on)")
    from lanzagraph import loading
    from lanzagraph.vocab import DEFAULT_BASE

    ontology = loading.parse_file(loading.SourceFile(REPO / "ontology" / "lanzagraph.ttl",
                                                     store_module.NamedNode(DEFAULT_BASE + "graph/lanzagraph")))
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix lz: <https://w3id.org/lanzagraph/ontology#> .\n"
                   "<https://w3id.org/lanzagraph/id/g> a lz:NamedParties, lz:AllParties .\n")
    quads = ontology + loading.parse_file(loading.SourceFile(bad, store_module.NamedNode(DEFAULT_BASE + "graph/bad")))
    with pytest.raises(InconsistentOntology):
        check_consistency(quads)
    assert check_consistency(ontology).checked


def test_a_second_build_at_once_is_refused(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "store")
    with store_module.build_lock(settings.store_path), pytest.raises(BuildInProgress, match="another build"):
        build(settings, lambda _m: None)
    assert not settings.store_path.exists()


def test_missing_and_corrupt_stores_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreNotBuilt, match="lanzagraph build"):
        EmbeddedStore.open(tmp_path / "none", 10)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(StoreError, match="not a lanzagraph store"):
        EmbeddedStore.open(plain, 10)
    dangling = tmp_path / "dangling"
    (tmp_path / "gone").mkdir()
    dangling.symlink_to(tmp_path / "gone")
    with pytest.raises(StoreError, match="incomplete or corrupt"):
        EmbeddedStore.open(dangling, 10)


def test_a_corrupt_store_is_named_at_start_and_a_rebuild_recovers(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "store")
    build(settings, lambda _m: None)
    database = store_module.current_build(settings.store_path) / "oxigraph"
    shutil.rmtree(database)
    database.write_bytes(b"not a database")
    with pytest.raises(StoreError, match="cannot open the store"):
        EmbeddedStore.open(settings.store_path, settings.in_memory_max_triples)
    started = subprocess.run([sys.executable, "-m", "lanzagraph", "query", "ASK {}", "--store", str(settings.store_path)],
                             capture_output=True, text=True, timeout=120, cwd=REPO)
    assert started.returncode != 0 and "cannot open the store" in started.stderr
    assert "Traceback" not in started.stderr
    build(settings, lambda _m: None)
    assert recommendations(settings) == 70


def test_the_store_records_its_version(built_settings: Settings) -> None:
    version = store_module.read_version(store_module.current_build(built_settings.store_path))
    assert len(version.content_hash) == 64 and version.triples > 10_000
    assert version.base_uri == "https://w3id.org/lanzagraph/"
    graph = EmbeddedStore.open(built_settings.store_path, built_settings.in_memory_max_triples)
    rows = graph.select("SELECT ?h WHERE { ?d <https://w3id.org/lanzagraph/ontology#contentHash> ?h }")
    assert [r["h"].value for r in rows] == [version.content_hash]
    graph.close()


def test_the_on_disk_store_answers_like_the_in_memory_copy(built_settings: Settings) -> None:
    memory = EmbeddedStore.open(built_settings.store_path, in_memory_max_triples=10**9)
    disk = EmbeddedStore.open(built_settings.store_path, in_memory_max_triples=0)
    assert memory.in_memory and not disk.in_memory
    assert memory.select(COUNT)[0]["n"].value == disk.select(COUNT)[0]["n"].value == "70"
