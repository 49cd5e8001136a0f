"""One invalid fixture per SHACL node shape (W3C test-suite style).

tests/fixtures/shapes/<NodeShape>.ttl is small, otherwise-valid data that breaks the rules of the
node shape lzsh:<NodeShape>. Its first line says which shapes must report it:

    # expect: lzsh:Recommendation-urgency lzsh:Recommendation-verb-matches-urgency

naming a property shape, a sh:sparql constraint, or the node shape itself (for sh:xone,
sh:nodeKind). An optional `# also:` line in the leading comments names shapes that may report the
fixture as well (a sh:node failure reported by the referring property shape, say). Any other
result means the fixture is sloppy, or a shape fires where it should not.

Each fixture is checked as the build checks data: the ontology and the fixture in their named
graphs, the ontology's axioms materialised, then pyshacl with shapes/*.ttl.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import NamedNode, Quad, Store
from rdflib.namespace import RDF, SH

from lanzagraph import loading, reasoning, validation
from lanzagraph.errors import Violation
from lanzagraph.vocab import DEFAULT_BASE, GRAPH_PATH

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "shapes"
LZSH = "https://w3id.org/lanzagraph/shapes#"
GRAPH_BASE = DEFAULT_BASE + GRAPH_PATH
ONTOLOGY_GRAPH = NamedNode(GRAPH_BASE + "lanzagraph")
INFERRED_GRAPH = NamedNode(GRAPH_BASE + "inferred")

# Node shapes whose results are warnings: they do not fail the build. Any other shape's results
# are violations. Making a shape a warning is a decision about the data, so it is spelt out here.
WARNING_SHAPES = frozenset({"RecommendationSummaryCount", "StatusNoteReach"})

FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))


def local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


@dataclass(frozen=True)
class Catalogue:
    """The shapes of shapes/*.ttl by local name, and what a result's `shape` and `message` mean."""

    node_shapes: frozenset[str]
    owner: dict[str, str]  # property shape or sh:sparql constraint -> the node shape that uses it
    sparql: dict[str, str]  # sh:sparql constraint -> its sh:message

    def names(self) -> frozenset[str]:
        return self.node_shapes | frozenset(self.owner)

    def key(self, result: Violation) -> str:
        """Which shape or constraint a result comes from. pyshacl reports a sh:sparql constraint's
        results with the node shape as sh:sourceShape, so the constraint is told by its message."""
        shape = local(result.shape)
        for constraint, message in self.sparql.items():
            if self.owner[constraint] == shape and result.message == message:
                return constraint
        return shape

    def severity(self, name: str) -> str:
        node_shape = self.owner.get(name, name)
        return "Warning" if node_shape in WARNING_SHAPES else "Violation"


@dataclass(frozen=True)
class Expectation:
    expect: frozenset[str]
    also: frozenset[str]


def read_expectation(path: Path) -> Expectation:
    """The `# expect:` first line and the optional `# also:` line of the leading comments."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = re.fullmatch(r"#\s*expect:\s*(.+)", lines[0].strip()) if lines else None
    assert first, f"{path.name}: the first line must be `# expect: lzsh:<Shape> [lzsh:...]`"
    also: list[str] = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        found = re.fullmatch(r"#\s*also:\s*(.+)", line.strip())
        if found:
            also += found.group(1).split()

    def names(tokens: list[str]) -> frozenset[str]:
        for token in tokens:
            assert token.startswith("lzsh:"), f"{path.name}: {token!r} is not an lzsh: name"
        return frozenset(token.removeprefix("lzsh:") for token in tokens)

    return Expectation(names(first.group(1).split()), names(also))


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    return validation.load_shapes(loading.shape_files(REPO))


@pytest.fixture(scope="session")
def catalogue(shapes: rdflib.Graph) -> Catalogue:
    node_shapes = frozenset(
        local(str(s)) for s in shapes.subjects(RDF.type, SH.NodeShape) if str(s).startswith(LZSH)
    )
    owner: dict[str, str] = {}
    sparql: dict[str, str] = {}
    for node_shape, constraint in [*shapes.subject_objects(SH.property), *shapes.subject_objects(SH.sparql)]:
        if str(node_shape).startswith(LZSH) and str(constraint).startswith(LZSH):
            owner[local(str(constraint))] = local(str(node_shape))
    for _node_shape, constraint in shapes.subject_objects(SH.sparql):
        if str(constraint).startswith(LZSH):
            sparql[local(str(constraint))] = str(shapes.value(constraint, SH.message))
    for name in node_shapes:
        messages = [m for c, m in sparql.items() if owner[c] == name]
        assert len(messages) == len(set(messages)), (
            f"the sh:sparql constraints of lzsh:{name} share a message: results could not be told apart"
        )
    return Catalogue(node_shapes, owner, sparql)


@pytest.fixture(scope="session")
def ontology_quads() -> list[Quad]:
    return loading.parse_file(loading.SourceFile(REPO / "ontology" / "lanzagraph.ttl", ONTOLOGY_GRAPH))


def check(ontology_quads: list[Quad], shapes: rdflib.Graph, data: Path | None = None) -> list[Violation]:
    """What the build's SHACL step reports for the ontology plus `data`."""
    store = Store()
    store.extend(ontology_quads)
    if data is not None:
        store.extend(loading.parse_file(loading.SourceFile(data, NamedNode(GRAPH_BASE + data.stem))))
    reasoning.materialise(store, ONTOLOGY_GRAPH, INFERRED_GRAPH)
    return validation.validate(list(store.quads_for_pattern(None, None, None, None)), shapes)


def describe(results: list[Violation], catalogue: Catalogue) -> str:
    lines = [
        f"  {r.severity} lzsh:{catalogue.key(r)} on <{r.focus}>"
        + (f" (value {r.value})" if r.value is not None else "")
        + f": {r.message}"
        for r in results
    ]
    return "\n".join(lines) or "  (no results)"


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_fixture_is_reported_by_its_shapes(
    fixture: Path, shapes: rdflib.Graph, catalogue: Catalogue, ontology_quads: list[Quad]
) -> None:
    expectation = read_expectation(fixture)
    unknown = (expectation.expect | expectation.also) - catalogue.names()
    assert not unknown, f"{fixture.name} names shapes that shapes/ does not have: {sorted(unknown)}"

    results = check(ontology_quads, shapes, fixture)
    report = describe(results, catalogue)
    by_key: dict[str, set[str]] = {}
    for result in results:
        by_key.setdefault(catalogue.key(result), set()).add(result.severity)

    missing = sorted(expectation.expect - by_key.keys())
    assert not missing, f"{fixture.name}: expected results from {missing}; got:\n{report}"
    for name in sorted(expectation.expect):
        wanted = catalogue.severity(name)
        assert by_key[name] == {wanted}, f"{fixture.name}: lzsh:{name} should give {wanted}s; got:\n{report}"
    unrelated = sorted(by_key.keys() - expectation.expect - expectation.also)
    assert not unrelated, (
        f"{fixture.name}: results from shapes the fixture does not expect: {unrelated} "
        f"(fix the fixture's context, or list them on an `# also:` line); got:\n{report}"
    )


def test_ontology_alone_has_no_violations(shapes: rdflib.Graph, ontology_quads: list[Quad]) -> None:
    results = check(ontology_quads, shapes)
    violations = validation.violations_only(results)
    assert not violations, "\n".join(f"{v.shape} on <{v.focus}>: {v.message}" for v in violations)


def test_every_node_shape_has_a_fixture(catalogue: Catalogue) -> None:
    fixtures = {p.stem for p in FIXTURE_FILES}
    without = sorted(catalogue.node_shapes - fixtures)
    assert not without, f"node shapes without tests/fixtures/shapes/<name>.ttl: {without}"
    stray = sorted(fixtures - catalogue.node_shapes)
    assert not stray, f"fixtures named after no node shape of shapes/: {stray}"


def test_each_fixture_expects_its_own_shape(catalogue: Catalogue) -> None:
    """A fixture named after a node shape exercises that node shape, not only its neighbours."""
    for path in FIXTURE_FILES:
        expect = read_expectation(path).expect
        assert any(catalogue.owner.get(name, name) == path.stem for name in expect), (
            f"{path.name} expects no result from lzsh:{path.stem} or its property shapes and constraints"
        )


def _property_shapes_and_constraints(shapes: rdflib.Graph) -> Iterator[rdflib.term.Node]:
    seen: set[rdflib.term.Node] = set()
    for node in [
        *shapes.objects(None, SH.property),
        *shapes.subjects(SH.path, None),
        *shapes.objects(None, SH.sparql),
    ]:
        if node not in seen:
            seen.add(node)
            yield node


def test_every_property_shape_and_sparql_constraint_has_a_message(shapes: rdflib.Graph) -> None:
    silent = sorted(
        str(node)
        for node in _property_shapes_and_constraints(shapes)
        if shapes.value(node, SH.message) is None
    )
    assert not silent, f"property shapes and sh:sparql constraints without sh:message: {silent}"
