"""OWL reasoning at build time.

Two jobs, both driven by the axioms of ontology/ rather than by rules written here:
- `check_consistency`: owlready2's HermiT reasoner says whether ontology + data are consistent
  (disjoint addressee classes, functional urgency...). Without Java it reports that it skipped.
- `materialise`: adds the triples the queries rely on, read off the ontology's own axioms:
  rdfs:subClassOf (types), rdfs:subPropertyOf, owl:inverseOf, owl:SymmetricProperty,
  owl:TransitiveProperty and two-step owl:propertyChainAxiom, iterated to a fixpoint.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, QuerySolutions, RdfFormat, Store

from lanzagraph.errors import InconsistentOntology
from lanzagraph.vocab import OWL, RDF, RDFS

log = logging.getLogger(__name__)

MAX_ROUNDS = 20


@dataclass(frozen=True)
class Rule:
    """One materialisation rule: a SPARQL WHERE pattern binding ?s ?p ?o for the new triple."""

    name: str
    where: str


def _axioms(store: Store, ontology_graph: NamedNode, pattern: str, variables: str) -> list[tuple[str, ...]]:
    query = f"SELECT {variables} WHERE {{ GRAPH <{ontology_graph.value}> {{ {pattern} }} }}"
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)
    names = [v.strip("?") for v in variables.split()]
    return [tuple(row[n].value for n in names) for row in solutions]


def rules_from_ontology(store: Store, ontology_graph: NamedNode) -> list[Rule]:
    """Every rule the ontology's axioms imply, as SPARQL patterns over the union graph."""
    rules: list[Rule] = []
    for sub, sup in _axioms(store, ontology_graph, f"?a <{RDFS}subClassOf> ?b . FILTER(isIRI(?b))", "?a ?b"):
        rules.append(Rule(f"{sub} ⊑ {sup}", f"?s a <{sub}> . BIND(<{RDF}type> AS ?p) BIND(<{sup}> AS ?o)"))
    for sub, sup in _axioms(store, ontology_graph, f"?a <{RDFS}subPropertyOf> ?b", "?a ?b"):
        rules.append(Rule(f"{sub} ⊑ {sup}", f"?s <{sub}> ?o . BIND(<{sup}> AS ?p)"))
    for a, b in _axioms(store, ontology_graph, f"?a <{OWL}inverseOf> ?b", "?a ?b"):
        rules.append(Rule(f"{a} inverse {b}", f"?o <{a}> ?s . BIND(<{b}> AS ?p)"))
        rules.append(Rule(f"{b} inverse {a}", f"?o <{b}> ?s . BIND(<{a}> AS ?p)"))
    for (prop,) in _axioms(store, ontology_graph, f"?a a <{OWL}SymmetricProperty>", "?a"):
        rules.append(Rule(f"{prop} symmetric", f"?o <{prop}> ?s . BIND(<{prop}> AS ?p)"))
    for (prop,) in _axioms(store, ontology_graph, f"?a a <{OWL}TransitiveProperty>", "?a"):
        rules.append(Rule(f"{prop} transitive", f"?s <{prop}> ?m . ?m <{prop}> ?o . BIND(<{prop}> AS ?p)"))
    chains = _axioms(
        store,
        ontology_graph,
        f"?a <{OWL}propertyChainAxiom> ?l . ?l <{RDF}first> ?p1 ; <{RDF}rest> ?r . "
        f"?r <{RDF}first> ?p2 ; <{RDF}rest> <{RDF}nil> .",
        "?a ?p1 ?p2",
    )
    for prop, first, second in chains:
        rules.append(
            Rule(f"{prop} ⊒ {first} ∘ {second}", f"?s <{first}> ?m . ?m <{second}> ?o . BIND(<{prop}> AS ?p)")
        )
    return rules


def materialise(store: Store, ontology_graph: NamedNode, inferred_graph: NamedNode) -> int:
    """Adds to `inferred_graph` every triple the rules derive and no graph holds yet.
    Returns how many were added."""
    rules = rules_from_ontology(store, ontology_graph)
    added = 0
    for _ in range(MAX_ROUNDS):
        new: set[Quad] = set()
        for rule in rules:
            query = (
                f"SELECT ?s ?p ?o WHERE {{ {rule.where} FILTER NOT EXISTS {{ ?s ?p ?o }} FILTER(!isLiteral(?s)) }}"
            )
            solutions = store.query(query, use_default_graph_as_union=True)
            assert isinstance(solutions, QuerySolutions)
            for row in solutions:
                new.add(Quad(row["s"], row["p"], row["o"], inferred_graph))
        if not new:
            return added
        store.extend(new)
        added += len(new)
    raise InconsistentOntology(f"materialisation did not reach a fixpoint in {MAX_ROUNDS} rounds")


@dataclass(frozen=True)
class ConsistencyResult:
    checked: bool
    reason: str


def check_consistency(quads: Iterable[Quad]) -> ConsistencyResult:
    """Runs HermiT (through owlready2) over the given quads as one ontology.
    Raises InconsistentOntology if it finds a contradiction."""
    if shutil.which("java") is None:
        return ConsistencyResult(False, "Java is not installed: the HermiT consistency check was skipped")
    import owlready2

    with tempfile.TemporaryDirectory(prefix="lanzagraph-owl-") as tmp:
        path = Path(tmp) / "graph.nt"
        from pyoxigraph import serialize

        triples = [q.triple for q in quads]
        serialize(triples, output=str(path), format=RdfFormat.N_TRIPLES)
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
        except owlready2.OwlReadyInconsistentOntologyError as err:
            raise InconsistentOntology(f"the reasoner found the ontology and data inconsistent: {err}") from None
        except owlready2.OwlReadyJavaError as err:
            raise InconsistentOntology(f"the reasoner failed: {str(err)[-2000:]}") from None
        finally:
            world.close()
    return ConsistencyResult(True, "HermiT found ontology and data consistent")
