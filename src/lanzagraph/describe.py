"""The concise bounded description of one resource, as served at its URI.

For a resource `r` it holds, from every named graph (asserted and materialised, deduplicated):

- every triple `r ?p ?o`, and the closure of the blank nodes among the objects;
- every link into `r` from another IRI (`?s ?p r`, rdf:type left out): the recommendations that
  apply or may apply to a Party, the reservations and treaty statuses that name it, the
  recommendations and sub-provisions that rest on or belong to a provision, and so on. The graph
  has no large fan-in (a few hundred links at most, into a source document), so nothing is cut;
  `max_incoming` still bounds it. A link in is left out when it is only the materialised inverse
  of a link out already there (`party/ad lz:subjectTo III-16` beside `III-16 lz:appliesTo
  party/ad`), the ontology's first-named direction being kept;
- the rdfs:label and skos:prefLabel of every IRI it links to or is linked from, so a client can
  show names without a second request.

Everything is read through SPARQL with the resource bound as a term (pyoxigraph substitutions),
never pasted into query text.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import BlankNode, NamedNode, QueryBoolean, QuerySolutions, Triple, Variable

from lanzagraph.store import GraphStore, Term
from lanzagraph.vocab import RDF, sparql_prefixes

_DESCRIBE = sparql_prefixes() + """
CONSTRUCT { ?r ?p ?o . ?x ?lp ?l }
WHERE {
  { ?r ?p ?o }
  UNION
  { { ?r ?p0 ?x } UNION { ?x ?q0 ?r FILTER(?q0 != rdf:type) }
    FILTER(isIRI(?x))
    VALUES ?lp { rdfs:label skos:prefLabel }
    ?x ?lp ?l }
}"""

_INCOMING = sparql_prefixes() + """
SELECT DISTINCT ?r ?s ?q WHERE { ?s ?q ?r FILTER(isIRI(?s) && ?q != rdf:type) }
ORDER BY ?q ?s"""

_INVERSES = sparql_prefixes() + "SELECT ?p ?q WHERE { ?p owl:inverseOf ?q FILTER(isIRI(?p) && isIRI(?q)) }"

_BLANK = "SELECT ?b ?p ?o WHERE { ?b ?p ?o }"

_EXISTS = "ASK { ?r ?p ?o }"


def term_value(term: Term) -> str:
    """The lexical value of an IRI, blank node or literal (a quoted triple as N-Triples)."""
    return str(term) if isinstance(term, Triple) else term.value


@dataclass(frozen=True)
class Description:
    """The triples served for one resource, sorted: the resource's own first."""

    iri: str
    triples: list[Triple]
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.triples)


def exists(store: GraphStore, iri: str) -> bool:
    """Whether any triple has `iri` as its subject."""
    return bool(store.query(_EXISTS, substitutions={Variable("r"): NamedNode(iri)}))


def describe(store: GraphStore, iri: str, max_incoming: int = 5000) -> Description | None:
    """The bounded description of `iri`, or None when the graph says nothing about it."""
    node = NamedNode(iri)
    if not exists(store, iri):
        return None
    bind = {Variable("r"): node}
    found: set[Triple] = set()
    result = store.query(_DESCRIBE, substitutions=bind)
    assert not isinstance(result, (QuerySolutions, QueryBoolean)), "a CONSTRUCT answers triples"
    found.update(result)

    # `x q r` where q is declared the inverse of p and `r p x` is already here says nothing new
    # (the build materialises both directions): keep the direction the ontology names first.
    primary_of = {term_value(row["q"]): row["p"] for row in store.select(_INVERSES)}
    truncated = False
    kept = 0
    for row in store.select(_INCOMING, bind):
        subject, predicate = row["s"], row["q"]
        assert isinstance(subject, NamedNode) and isinstance(predicate, NamedNode)
        primary = primary_of.get(predicate.value)
        if isinstance(primary, NamedNode) and Triple(node, primary, subject) in found:
            continue
        if kept >= max_incoming:
            truncated = True
            break
        found.add(Triple(subject, predicate, node))
        kept += 1

    _close_blank_nodes(store, found)
    return Description(iri, sort_triples(found, node), truncated)


def _close_blank_nodes(store: GraphStore, found: set[Triple]) -> None:
    """Adds the triples of every blank node reachable from the description through blank nodes."""
    seen: set[BlankNode] = set()
    pending = [t.object for t in found if isinstance(t.object, BlankNode)]
    while pending:
        blank = pending.pop()
        if not isinstance(blank, BlankNode) or blank in seen:
            continue
        seen.add(blank)
        for row in store.select(_BLANK, {Variable("b"): blank}):
            predicate, obj = row["p"], row["o"]
            assert isinstance(predicate, NamedNode) and not isinstance(obj, Triple)
            found.add(Triple(blank, predicate, obj))
            if isinstance(obj, BlankNode) and obj not in seen:
                pending.append(obj)


def sort_triples(triples: set[Triple] | list[Triple], first: NamedNode | None = None) -> list[Triple]:
    """A stable order for serialising: the given subject first, then by subject, rdf:type first
    within a subject, then by predicate and object."""
    rdf_type = RDF + "type"

    def key(t: Triple) -> tuple[int, str, int, str, str]:
        subject = t.subject
        rank = 0 if first is not None and subject == first else (2 if isinstance(subject, BlankNode) else 1)
        return (rank, str(subject), 0 if t.predicate.value == rdf_type else 1, t.predicate.value, str(t.object))

    return sorted(triples, key=key)
