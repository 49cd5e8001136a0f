"""The VoID description of the dataset: size, class and property partitions, where to get it
(dumps, SPARQL endpoint), its licence, sources and URI space.

The counts are of distinct triples of the union of the named graphs (what a SPARQL query over the
default graph and the Turtle dump see); the N-Quads dump holds one quad more wherever a triple is
stated in two graphs (an asserted triple that the build also materialised).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from lanzagraph.describe import exists, term_value
from lanzagraph.store import GraphStore
from lanzagraph.vocab import (
    DCTERMS,
    ELI,
    ONTOLOGY_IRI,
    ORG,
    PROV,
    RDF,
    SKOS,
    VOID,
    XSD,
    sparql_prefixes,
)

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
FORMATS_NS = "http://www.w3.org/ns/formats/"
VOCABULARIES = [ONTOLOGY_IRI, ELI.rstrip("#"), SKOS.rstrip("#"), DCTERMS, ORG.rstrip("#"), PROV.rstrip("#")]
EXAMPLES = ["party/ge", "round/2/recommendation/III-16", "instrument/cets-201/article/38/1/c"]

_TOTALS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (COUNT(DISTINCT ?p) AS ?properties)
WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"""

_QUADS = "SELECT (COUNT(*) AS ?quads) WHERE { GRAPH ?g { ?s ?p ?o } }"

_CLASSES = sparql_prefixes() + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s a ?class FILTER(isIRI(?class)) }
GROUP BY ?class ORDER BY ?class"""

_PROPERTIES = """
SELECT ?p (COUNT(*) AS ?triples) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
GROUP BY ?p ORDER BY ?p"""

_SOURCES = sparql_prefixes() + "SELECT DISTINCT ?source WHERE { ?source a lz:SourceDocument } ORDER BY ?source"


@dataclass(frozen=True)
class DatasetStats:
    triples: int
    quads: int
    subjects: int
    objects: int
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]
    sources: list[str]


def _int(term: object) -> int:
    return int(getattr(term, "value", 0))


def compute_stats(store: GraphStore) -> DatasetStats:
    totals = store.select(_TOTALS)[0]
    quads = store.select(_QUADS)[0]
    return DatasetStats(
        triples=_int(totals["triples"]),
        quads=_int(quads["quads"]),
        subjects=_int(totals["subjects"]),
        objects=_int(totals["objects"]),
        classes=[(term_value(row["class"]), _int(row["entities"])) for row in store.select(_CLASSES)],
        properties=[(term_value(row["p"]), _int(row["triples"])) for row in store.select(_PROPERTIES)],
        sources=[term_value(row["source"]) for row in store.select(_SOURCES)],
    )


_CACHE: WeakKeyDictionary[GraphStore, DatasetStats] = WeakKeyDictionary()
_LOCK = threading.Lock()


def stats_for(store: GraphStore) -> DatasetStats:
    """The counts of an opened store, computed on first use."""
    with _LOCK:
        stats = _CACHE.get(store)
        if stats is None:
            stats = compute_stats(store)
            _CACHE[store] = stats
        return stats


def dataset_iri(base_uri: str) -> str:
    return base_uri + "dataset"


def describe_dataset(
    store: GraphStore, base_uri: str, service: str, dumps: list[tuple[str, str]], entities: int
) -> list[Triple]:
    """VoID triples for the dataset. `service` is the service's own base URL (no trailing slash);
    `dumps` lists (file name, media type) of the downloads; `entities` counts the resources under
    the instance base."""
    stats = stats_for(store)
    version = store.version
    ds = NamedNode(dataset_iri(base_uri))

    def void(name: str) -> NamedNode:
        return NamedNode(VOID + name)

    def integer(n: int) -> Literal:
        return Literal(str(n), datatype=NamedNode(XSD + "integer"))

    a = NamedNode(RDF + "type")
    triples = [
        Triple(ds, a, void("Dataset")),
        Triple(ds, NamedNode(DCTERMS + "title"),
               Literal("lanzagraph: the Lanzarote Convention knowledge graph", language="en")),
        Triple(ds, NamedNode(DCTERMS + "description"), Literal(
            "The Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual "
            "Abuse, the instruments and opinions around it, and the recommendations its Committee of the Parties "
            "addresses to each Party, with their verbatim wording, urgency, addressees and sources.", language="en")),
        Triple(ds, NamedNode(DCTERMS + "license"), NamedNode(LICENSE)),
        Triple(ds, NamedNode(DCTERMS + "modified"), Literal(version.built_at, datatype=NamedNode(XSD + "dateTime"))),
        Triple(ds, NamedNode(DCTERMS + "conformsTo"), NamedNode(ONTOLOGY_IRI)),
        Triple(ds, NamedNode(DCTERMS + "identifier"), Literal(version.content_hash)),
        Triple(ds, void("triples"), integer(stats.triples)),
        Triple(ds, void("entities"), integer(entities)),
        Triple(ds, void("distinctSubjects"), integer(stats.subjects)),
        Triple(ds, void("distinctObjects"), integer(stats.objects)),
        Triple(ds, void("classes"), integer(len(stats.classes))),
        Triple(ds, void("properties"), integer(len(stats.properties))),
        Triple(ds, void("uriSpace"), Literal(base_uri + "id/")),
        Triple(ds, void("sparqlEndpoint"), NamedNode(service + "/sparql")),
        Triple(ds, void("rootResource"), NamedNode(service + "/id/")),
    ]
    triples += [Triple(ds, void("vocabulary"), NamedNode(v)) for v in VOCABULARIES]
    for name in ("Turtle", "JSON-LD", "RDF_XML", "N-Triples", "N-Quads"):
        triples.append(Triple(ds, void("feature"), NamedNode(FORMATS_NS + name)))
    triples += [Triple(ds, void("dataDump"), NamedNode(f"{service}/dumps/{name}")) for name, _ in dumps]
    triples += [Triple(ds, NamedNode(DCTERMS + "source"), NamedNode(s)) for s in stats.sources]
    for example in EXAMPLES:
        iri = base_uri + "id/" + example
        if exists(store, iri):
            triples.append(Triple(ds, void("exampleResource"), NamedNode(iri)))
    for number, (cls, count) in enumerate(stats.classes, 1):
        part = BlankNode(f"class{number}")
        triples += [Triple(ds, void("classPartition"), part), Triple(part, void("class"), NamedNode(cls)),
                    Triple(part, void("entities"), integer(count))]
    for number, (prop, count) in enumerate(stats.properties, 1):
        part = BlankNode(f"property{number}")
        triples += [Triple(ds, void("propertyPartition"), part), Triple(part, void("property"), NamedNode(prop)),
                    Triple(part, void("triples"), integer(count))]
    return triples
