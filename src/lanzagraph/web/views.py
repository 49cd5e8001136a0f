"""A read-only view of a few hundred triples for templates: nodes with labels, links and values.

Templates never see raw IRIs where a label exists: `r.values('lz:restsOn')` gives nodes whose
`label` comes from the triples at hand or, failing that, from the resource index, and whose `href`
is a local URL that resolves (an instance IRI -> /id/..., an ontology term -> /ontology#Term, the
dataset -> /.well-known/void) or, for an outside IRI, the IRI itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from lanzagraph.directory import ResourceIndex, natural_key
from lanzagraph.serialise import SERVED_PREFIXES, curie
from lanzagraph.vocab import LZ, ONTOLOGY_IRI, RDF, RDFS, SKOS, XSD

_LABELS = (RDFS + "label", SKOS + "prefLabel")
# Datatypes a reader needs no note about: strings, numbers, dates, booleans.
_PLAIN_DATATYPES = frozenset([RDF + "langString"] + [XSD + t for t in (
    "string", "integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "positiveInteger",
    "boolean", "date", "dateTime", "gYear")])
_PATH_SAFE = "/-_.~!$&'()*+,;=:@"


def expand(name: str) -> str:
    """'lz:text' -> the full IRI; a full IRI is returned as it is."""
    prefix, colon, local = name.partition(":")
    if colon and prefix in SERVED_PREFIXES and not local.startswith("//"):
        return SERVED_PREFIXES[prefix] + local
    return name


class Linker:
    """Local URLs for IRIs: every link it makes resolves on this service."""

    def __init__(self, base_uri: str, index: ResourceIndex) -> None:
        self.base_uri = base_uri
        self.index = index

    def href(self, iri: str) -> str | None:
        if iri.startswith(self.index.id_base):
            if iri not in self.index.entries:
                return None
            return "/id/" + quote(iri[len(self.index.id_base):], safe=_PATH_SAFE)
        if iri.startswith(LZ):
            return "/ontology#" + quote(iri[len(LZ):], safe="")
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "/"):
            return "/ontology"
        if iri == self.base_uri + "dataset":
            return "/.well-known/void"
        if iri.startswith(self.base_uri):
            return None
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def label(self, iri: str) -> str:
        return self.index.label(iri) or curie(iri)


@dataclass(frozen=True)
class LiteralView:
    value: str
    language: str | None
    datatype: str

    is_node = False

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return self.value

    @property
    def is_date(self) -> bool:
        return self.datatype == XSD + "date"

    @property
    def long_date(self) -> str:
        """'2022-03-10' -> '10 March 2022' (the value itself when it is not a date)."""
        try:
            day = date.fromisoformat(self.value)
        except ValueError:
            return self.value
        return f"{day.day} {day.strftime('%B')} {day.year}"

    @property
    def datatype_label(self) -> str | None:
        if self.language or self.datatype in _PLAIN_DATATYPES:
            return None
        return curie(self.datatype)


Value = Any  # NodeView | LiteralView, for templates


class GraphView:
    """Triples indexed both ways, plus the linker that names and links their IRIs."""

    def __init__(self, triples: Iterable[Triple], linker: Linker) -> None:
        self.linker = linker
        self.out: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        self.inc: dict[Any, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        seen: set[Triple] = set()
        for t in triples:
            if t in seen:
                continue
            seen.add(t)
            self.out[t.subject][t.predicate.value].append(t.object)
            self.inc[t.object][t.predicate.value].append(t.subject)

    def node(self, term: NamedNode | BlankNode | str) -> NodeView:
        return NodeView(self, NamedNode(term) if isinstance(term, str) else term)

    def wrap(self, term: Any) -> Value:
        if isinstance(term, Literal):
            return LiteralView(term.value, term.language, term.datatype.value)
        return NodeView(self, term)


class NodeView:
    """One IRI or blank node of a GraphView."""

    is_node = True

    def __init__(self, view: GraphView, term: NamedNode | BlankNode) -> None:
        self.view = view
        self.term = term

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NodeView) and other.term == self.term

    def __hash__(self) -> int:
        return hash(self.term)

    @property
    def iri(self) -> str:
        return self.term.value if isinstance(self.term, NamedNode) else f"_:{self.term.value}"

    @property
    def is_blank(self) -> bool:
        return isinstance(self.term, BlankNode)

    @property
    def href(self) -> str | None:
        return None if self.is_blank else self.view.linker.href(self.term.value)

    @property
    def local(self) -> bool:
        """Whether the link stays on this service."""
        href = self.href
        return href is not None and href.startswith("/")

    @property
    def label(self) -> str:
        for predicate in _LABELS:
            texts = self.texts(predicate)
            if texts:
                return texts[0]
        if self.is_blank:
            return "(unnamed node)"
        return self.view.linker.label(self.term.value)

    @property
    def sort_key(self) -> tuple[tuple[int, int | str], ...]:
        notation = self.text("skos:notation")
        return natural_key(notation or self.label)

    def _objects(self, prop: str) -> list[Any]:
        return self.view.out.get(self.term, {}).get(expand(prop), [])

    def values(self, prop: str) -> list[Value]:
        wrapped = [self.view.wrap(o) for o in self._objects(prop)]
        return sorted(wrapped, key=lambda v: v.sort_key if isinstance(v, NodeView) else natural_key(v.value))

    def value(self, prop: str) -> Value | None:
        values = self.values(prop)
        return values[0] if values else None

    def nodes(self, prop: str) -> list[NodeView]:
        return [v for v in self.values(prop) if isinstance(v, NodeView)]

    def node(self, prop: str) -> NodeView | None:
        nodes = self.nodes(prop)
        return nodes[0] if nodes else None

    def texts(self, prop: str) -> list[str]:
        literals = [o for o in self._objects(prop) if isinstance(o, Literal)]
        english = [o for o in literals if o.language in (None, "en") or o.language.startswith("en-")]
        return sorted(o.value for o in (english or literals))

    def text(self, prop: str) -> str | None:
        texts = self.texts(prop)
        return texts[0] if texts else None

    def refs(self, prop: str) -> list[NodeView]:
        """The nodes that link here through `prop`."""
        subjects = self.view.inc.get(self.term, {}).get(expand(prop), [])
        return sorted((NodeView(self.view, s) for s in subjects), key=lambda n: n.sort_key)

    def refs_a(self, prop: str, cls: str) -> list[NodeView]:
        """The nodes of class `cls` that link here through `prop`."""
        return [n for n in self.refs(prop) if n.is_a(cls)]

    def nodes_a(self, prop: str, cls: str) -> list[NodeView]:
        return [n for n in self.nodes(prop) if n.is_a(cls)]

    def related(self, prop: str, inverse: str) -> list[NodeView]:
        """Nodes linked either way: `self prop x` or `x inverse self` (one list, no repeats)."""
        found = {n.term: n for n in self.nodes(prop)}
        for n in self.refs(inverse):
            found.setdefault(n.term, n)
        return sorted(found.values(), key=lambda n: n.sort_key)

    @property
    def types(self) -> list[NodeView]:
        return self.nodes("rdf:type")

    def is_a(self, cls: str) -> bool:
        iri = expand(cls)
        if any(isinstance(t, NamedNode) and t.value == iri for t in self._objects(RDF + "type")):
            return True
        entry = self.view.linker.index.get(self.term.value) if isinstance(self.term, NamedNode) else None
        return entry is not None and entry.is_a(iri)

    def properties(self) -> list[tuple[PropertyView, list[Value]]]:
        """Every outgoing property with its values, rdf:type first, then by label."""
        rows = [(PropertyView(p, self.view.linker), self.values(p)) for p in self.view.out.get(self.term, {})]
        return sorted(rows, key=lambda row: (row[0].iri != RDF + "type", row[0].label.casefold()))

    def incoming(self) -> list[tuple[PropertyView, list[NodeView]]]:
        """Every property that links here, with the nodes that use it."""
        rows = [(PropertyView(p, self.view.linker), self.refs(p)) for p in self.view.inc.get(self.term, {})]
        return sorted(rows, key=lambda row: row[0].label.casefold())


@dataclass(frozen=True)
class PropertyView:
    iri: str
    linker: Linker

    @property
    def label(self) -> str:
        return self.linker.index.label(self.iri) or curie(self.iri)

    @property
    def curie(self) -> str:
        return curie(self.iri)

    @property
    def href(self) -> str | None:
        return self.linker.href(self.iri)
