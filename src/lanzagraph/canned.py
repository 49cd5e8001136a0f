"""Runs a canned query and shapes one page of its rows.

Three shapes, the same rows in each:
- JSON: an array of row objects keyed by the catalogue's columns; a resource column is
  {"uri": ..., "label": ...}, a literal is a JSON string, number or boolean, an unbound value null.
- CSV: the projected variables as they are, so a resource column `x` is two columns, `x` (the IRI)
  and `x_label`; an unbound value is empty.
- SPARQL 1.1 Query Results JSON, for SPARQL tools.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Variable

from lanzagraph import results
from lanzagraph.catalogue import LABEL_SUFFIX, CannedQuery
from lanzagraph.errors import QueryError
from lanzagraph.store import GraphStore, Term
from lanzagraph.vocab import XSD

_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {XSD + "double", XSD + "float"}


@dataclass(frozen=True)
class Page:
    """Rows `offset` to `offset + limit` of a canned query's answer; `more` when rows follow."""

    query: CannedQuery
    variables: list[str]
    rows: list[results.Row]
    limit: int
    offset: int
    more: bool


def run(store: GraphStore, query: CannedQuery, bindings: Mapping[Variable, Term], *, limit: int, offset: int) -> Page:
    try:
        result = store.query(query.sparql, substitutions=bindings)
    except (SyntaxError, RuntimeError, OSError) as err:  # a catalogue query that the store refuses
        raise QueryError(f"canned query {query.name!r} failed: {err}") from None
    if not isinstance(result, QuerySolutions):
        raise QueryError(f"canned query {query.name!r} is not a SELECT query")
    variables = [v.value for v in result.variables]
    rows = list(itertools.islice(results.solution_rows(variables, result), offset, offset + limit + 1))
    return Page(query, variables, rows[:limit], limit, offset, len(rows) > limit)


def literal_value(term: Literal) -> str | int | float | bool:
    """The JSON value of a literal: numbers and booleans as such, everything else its lexical form."""
    datatype = term.datatype.value
    try:
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype == XSD + "decimal":
            number = Decimal(term.value)
            return int(number) if number == number.to_integral_value() else float(number)
        if datatype in _FLOATS:
            value = float(term.value)
            return value if math.isfinite(value) else term.value
    except (ValueError, InvalidOperation):
        return term.value
    if datatype == XSD + "boolean":
        return term.value in ("true", "1")
    return term.value


def _json(term: Term | None, label: Term | None) -> Any:
    if term is None:
        return None
    if isinstance(term, NamedNode | BlankNode):
        uri = term.value if isinstance(term, NamedNode) else "_:" + term.value
        return {"uri": uri, "label": label.value if isinstance(label, Literal) else None}
    if isinstance(term, Literal):
        return literal_value(term)
    return str(term)


def json_rows(page: Page) -> list[dict[str, Any]]:
    index = {name: i for i, name in enumerate(page.variables)}
    out: list[dict[str, Any]] = []
    for row in page.rows:
        item: dict[str, Any] = {}
        for column in page.query.columns:
            term = row[index[column.name]]
            label = row[index[column.name + LABEL_SUFFIX]] if column.type == "resource" else None
            item[column.name] = _json(term, label)
        out.append(item)
    return out


def csv_bytes(page: Page) -> bytes:
    return b"".join(results.csv_rows(page.variables, page.rows))


def sparql_json_bytes(page: Page) -> bytes:
    return b"".join(results.json_rows(page.variables, page.rows))
