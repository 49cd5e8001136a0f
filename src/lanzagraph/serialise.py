"""Triples to bytes in the RDF formats the service offers: pyoxigraph's writers, and the compacted
JSON-LD of lanzagraph.jsonld (pyoxigraph writes expanded JSON-LD only)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pyoxigraph import RdfFormat, Triple, serialize

from lanzagraph import jsonld
from lanzagraph.formats import GRAPH_FORMATS
from lanzagraph.vocab import PREFIXES, VOID

# The graph formats a resource, the ontology or the VoID description can be had in, in the order a
# server prefers them when the client does not care (Accept: */*).
RDF_FORMAT_NAMES = ("turtle", "jsonld", "rdfxml", "ntriples")

SERVED_PREFIXES: dict[str, str] = {**PREFIXES, "void": VOID}


def curie(iri: str) -> str:
    """'https://w3id.org/lanzagraph/ontology#text' -> 'lz:text' (the IRI itself when no prefix fits)."""
    for prefix, namespace in sorted(SERVED_PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def media_type(name: str) -> str:
    return GRAPH_FORMATS[name][0].media_type


def serialize_triples(triples: Iterable[Triple], name: str, prefixes: Mapping[str, str] | None = None) -> bytes:
    """`triples` in the graph format called `name` (turtle, ntriples, jsonld, rdfxml)."""
    prefixes = dict(prefixes if prefixes is not None else SERVED_PREFIXES)
    items = list(triples)
    if name == "jsonld":
        return jsonld.dumps(items, prefixes)
    if name not in GRAPH_FORMATS or GRAPH_FORMATS[name][1] in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        raise ValueError(f"{name!r} is not a graph format")
    rdf_format = GRAPH_FORMATS[name][1]
    used = None if rdf_format == RdfFormat.N_TRIPLES else _used_prefixes(items, prefixes)
    data = serialize(items, format=rdf_format, prefixes=used)
    assert data is not None  # no output file given: the bytes are returned
    return data


def _used_prefixes(triples: list[Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """Only the prefixes the triples use, so a small description does not open with a dozen."""
    iris: set[str] = set()
    for t in triples:
        iris.add(t.predicate.value)
        for term in (t.subject, t.object):
            value = getattr(term, "value", "")
            iris.add(value)
            datatype = getattr(term, "datatype", None)
            if datatype is not None:
                iris.add(datatype.value)
    return {p: ns for p, ns in prefixes.items() if any(i.startswith(ns) for i in iris)}
