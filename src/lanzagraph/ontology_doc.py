"""The ontology file, parsed once, and a documentation model of it: the header, then every class,
property, concept scheme and concept with its label, definition, notes, super- and sub-classes,
domains, ranges, inverses, property chains and characteristics.

The file is served as it is (Turtle, with its comments) and in the other formats from its triples;
the HTML page is rendered from `OntologyDoc`, one anchor per term (`/ontology#Recommendation`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

from lanzagraph.errors import ConfigurationError
from lanzagraph.serialise import curie
from lanzagraph.vocab import DCTERMS, LZ, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS

ONTOLOGY_FILE = Path("ontology") / "lanzagraph.ttl"
_VANN = "http://purl.org/vocab/vann/"

KINDS: list[tuple[str, str]] = [
    (OWL + "Class", "class"),
    (OWL + "ObjectProperty", "object property"),
    (OWL + "DatatypeProperty", "datatype property"),
    (OWL + "AnnotationProperty", "annotation property"),
    (SKOS + "ConceptScheme", "concept scheme"),
    (SKOS + "Concept", "concept"),
]
CHARACTERISTICS = ["FunctionalProperty", "InverseFunctionalProperty", "SymmetricProperty", "TransitiveProperty",
                   "AsymmetricProperty", "ReflexiveProperty", "IrreflexiveProperty"]


@dataclass(frozen=True)
class Ref:
    """A term named on the page: a local anchor for lz: terms, the IRI itself otherwise."""

    iri: str
    label: str
    href: str | None


@dataclass
class TermDoc:
    iri: str
    local: str
    kind: str
    label: str
    definition: str | None = None
    notes: list[str] = field(default_factory=list)
    superclasses: list[Ref] = field(default_factory=list)
    subclasses: list[Ref] = field(default_factory=list)
    domains: list[Ref] = field(default_factory=list)
    ranges: list[Ref] = field(default_factory=list)
    superproperties: list[Ref] = field(default_factory=list)
    inverses: list[Ref] = field(default_factory=list)
    chains: list[list[Ref]] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    scheme: list[Ref] = field(default_factory=list)
    members: list[Ref] = field(default_factory=list)
    notation: str | None = None
    used_by: list[Ref] = field(default_factory=list)


@dataclass
class OntologyDoc:
    iri: str
    title: str
    description: str | None
    version: str | None
    version_iri: str | None
    license: str | None
    created: str | None
    history: list[str]
    sections: list[tuple[str, list[TermDoc]]]
    external: list[TermDoc]

    @property
    def terms(self) -> list[TermDoc]:
        return [t for _, terms in self.sections for t in terms]


@dataclass(frozen=True)
class Ontology:
    """The ontology file: its bytes (served as Turtle), its triples and its documentation."""

    path: Path
    data: bytes
    triples: list[Triple]
    doc: OntologyDoc
    modified: float

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class _Graph:
    def __init__(self, triples: list[Triple]) -> None:
        self.out: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        self.inc: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.bnodes: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for t in triples:
            s, p, o = t.subject, t.predicate.value, t.object
            if isinstance(s, NamedNode):
                self.out[s.value][p].append(o)
                if isinstance(o, NamedNode):
                    self.inc[o.value][p].append(s.value)
            elif isinstance(s, BlankNode):
                self.bnodes[s.value][p].append(o)

    def iris(self, subject: str, prop: str) -> list[str]:
        return sorted(o.value for o in self.out.get(subject, {}).get(prop, []) if isinstance(o, NamedNode))

    def texts(self, subject: str, prop: str) -> list[str]:
        found = [o for o in self.out.get(subject, {}).get(prop, []) if isinstance(o, Literal)]
        english = [o for o in found if o.language in (None, "en")]
        return sorted(o.value for o in (english or found))

    def text(self, subject: str, prop: str) -> str | None:
        texts = self.texts(subject, prop)
        return texts[0] if texts else None

    def rdf_list(self, head: object) -> list[str]:
        items: list[str] = []
        node = head
        while isinstance(node, BlankNode) and len(items) < 100:
            first = self.bnodes[node.value].get(RDF + "first", [])
            if first and isinstance(first[0], NamedNode):
                items.append(first[0].value)
            rest = self.bnodes[node.value].get(RDF + "rest", [])
            node = rest[0] if rest else None
        return items


def _local(iri: str) -> str:
    return iri[len(LZ):] if iri.startswith(LZ) else iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def build_doc(triples: list[Triple]) -> OntologyDoc:
    g = _Graph(triples)

    def label(iri: str) -> str:
        return g.text(iri, RDFS + "label") or g.text(iri, SKOS + "prefLabel") or curie(iri)

    def ref(iri: str) -> Ref:
        href = "#" + iri[len(LZ):] if iri.startswith(LZ) else (iri if iri.startswith(("http://", "https://")) else None)
        return Ref(iri, label(iri), href)

    def refs(iris: list[str]) -> list[Ref]:
        return sorted((ref(i) for i in iris), key=lambda r: r.label.casefold())

    terms: dict[str, list[TermDoc]] = defaultdict(list)
    external: list[TermDoc] = []
    for subject in sorted(g.out):
        types = set(g.iris(subject, RDF + "type"))
        kind = next((name for cls, name in KINDS if cls in types), None)
        if kind is None:
            continue
        doc = TermDoc(subject, _local(subject), kind, label(subject))
        doc.definition = g.text(subject, SKOS + "definition")
        doc.notes = g.texts(subject, SKOS + "scopeNote") + g.texts(subject, RDFS + "comment")
        doc.superclasses = refs(g.iris(subject, RDFS + "subClassOf"))
        doc.subclasses = refs(g.inc.get(subject, {}).get(RDFS + "subClassOf", []))
        doc.domains = refs(g.iris(subject, RDFS + "domain"))
        doc.ranges = refs(g.iris(subject, RDFS + "range"))
        doc.superproperties = refs(g.iris(subject, RDFS + "subPropertyOf"))
        doc.inverses = refs(sorted(set(g.iris(subject, OWL + "inverseOf"))
                                   | set(g.inc.get(subject, {}).get(OWL + "inverseOf", []))))
        doc.chains = [refs_in_order(g.rdf_list(head), ref)
                      for head in g.out[subject].get(OWL + "propertyChainAxiom", [])]
        doc.characteristics = [c for c in CHARACTERISTICS if OWL + c in types]
        doc.scheme = refs(g.iris(subject, SKOS + "inScheme"))
        doc.members = refs(g.inc.get(subject, {}).get(SKOS + "inScheme", []))
        doc.notation = g.text(subject, SKOS + "notation")
        if kind == "class":
            doc.used_by = refs(sorted(set(g.inc.get(subject, {}).get(RDFS + "domain", []))
                                      | set(g.inc.get(subject, {}).get(RDFS + "range", []))))
        if subject.startswith(LZ):
            terms[kind].append(doc)
        else:
            external.append(doc)

    order = ["class", "object property", "datatype property", "annotation property", "concept scheme", "concept"]
    titles = {"class": "Classes", "object property": "Object properties", "datatype property": "Datatype properties",
              "annotation property": "Annotation properties", "concept scheme": "Concept schemes",
              "concept": "Concepts"}
    sections = [(titles[k], sorted(terms[k], key=lambda t: t.local.casefold())) for k in order if terms.get(k)]
    licence = g.iris(ONTOLOGY_IRI, DCTERMS + "license")
    return OntologyDoc(
        iri=ONTOLOGY_IRI,
        title=g.text(ONTOLOGY_IRI, DCTERMS + "title") or "lanzagraph ontology",
        description=g.text(ONTOLOGY_IRI, DCTERMS + "description"),
        version=g.text(ONTOLOGY_IRI, OWL + "versionInfo"),
        version_iri=next(iter(g.iris(ONTOLOGY_IRI, OWL + "versionIRI")), None),
        license=licence[0] if licence else None,
        created=g.text(ONTOLOGY_IRI, DCTERMS + "created"),
        history=g.texts(ONTOLOGY_IRI, SKOS + "historyNote"),
        sections=sections,
        external=sorted(external, key=lambda t: curie(t.iri)),
    )


def refs_in_order(iris: list[str], make: Callable[[str], Ref]) -> list[Ref]:
    return [make(i) for i in iris]


_CACHE: dict[tuple[str, float], Ontology] = {}
_LOCK = threading.Lock()


def load(root: Path) -> Ontology:
    """The ontology under `root`, parsed once per version of the file."""
    path = root / ONTOLOGY_FILE
    try:
        modified = path.stat().st_mtime
    except OSError as err:
        raise ConfigurationError(f"cannot read the ontology at {path}: {err}") from None
    key = (str(path), modified)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        data = path.read_bytes()
        try:
            triples = [q.triple if hasattr(q, "triple") else q
                       for q in parse(data, format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)]
        except SyntaxError as err:
            raise ConfigurationError(f"{path}: {err}") from None
        ontology = Ontology(path, data, triples, build_doc(triples), modified)
        _CACHE.clear()
        _CACHE[key] = ontology
        return ontology
