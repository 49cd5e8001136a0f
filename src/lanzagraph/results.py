"""SPARQL results serialised from a row iterator, so that a row limit can cut them.

pyoxigraph serialises a whole QuerySolutions at once; the row cap needs to stop part-way, so SELECT
results are written here (SPARQL 1.1 JSON, XML, CSV and TSV, as the W3C Recommendations give them).
ASK results and graphs use pyoxigraph's serialisers.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = Sequence[NamedNode | BlankNode | Literal | Triple | None]


def _json_term(term: NamedNode | BlankNode | Literal | Triple) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def json_rows(variables: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
    yield ('{"head":{"vars":' + json.dumps(variables) + '},"results":{"bindings":[').encode()
    first = True
    for row in rows:
        binding = {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        yield (("" if first else ",") + json.dumps(binding, ensure_ascii=False)).encode()
        first = False
    yield b"]}}"


def _xml_term(term: NamedNode | BlankNode | Literal | Triple) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>")


def xml_rows(variables: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    yield (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}'
           "</head><results>").encode()
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                        for v, t in zip(variables, row, strict=True) if t is not None)
        yield f"<result>{cells}</result>".encode()
    yield b"</results></sparql>"


def _csv_value(term: NamedNode | BlankNode | Literal | Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return "_:" + term.value
    if isinstance(term, Triple):
        return str(term)
    return term.value


def csv_rows(variables: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    yield buffer.getvalue().encode()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_value(t) for t in row])
        yield buffer.getvalue().encode()


def _tsv_value(term: NamedNode | BlankNode | Literal | Triple | None) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def tsv_rows(variables: list[str], rows: Iterable[Row]) -> Iterator[bytes]:
    yield ("\t".join("?" + v for v in variables) + "\n").encode()
    for row in rows:
        yield ("\t".join(_tsv_value(t) for t in row) + "\n").encode()


WRITERS = {"json": json_rows, "xml": xml_rows, "csv": csv_rows, "tsv": tsv_rows}


def solution_rows(variables: list[str], solutions: Iterable[QuerySolution]) -> Iterator[Row]:
    for solution in solutions:
        yield tuple(solution[v] for v in variables)
