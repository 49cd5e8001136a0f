"""IRIs of the vocabularies the graph uses, as plain strings and pyoxigraph nodes."""

from __future__ import annotations

from pyoxigraph import NamedNode

LZ = "https://w3id.org/lanzagraph/ontology#"
ONTOLOGY_IRI = "https://w3id.org/lanzagraph/ontology"
DEFAULT_BASE = "https://w3id.org/lanzagraph/"
ID_PATH = "id/"
GRAPH_PATH = "graph/"
ELI = "http://data.europa.eu/eli/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: dict[str, str] = {
    "lz": LZ,
    "eli": ELI,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "org": ORG,
    "prov": PROV,
}


def lz(name: str) -> NamedNode:
    return NamedNode(LZ + name)


def sparql_prefixes() -> str:
    """PREFIX lines for every vocabulary the graph uses, for queries written in code."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
