"""What the HTML query page runs and shows: a query goes through the same checks and the same
executor as /sparql (read-only, SERVICE only to allow-listed endpoints, the time limit, the row
cap), and its answer becomes a table of linked values, one page at a time.

The executor is asked for SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE),
which this module reads back into rows; nothing here evaluates SPARQL itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from lanzagraph import sparql_text
from lanzagraph.directory import ResourceIndex
from lanzagraph.executor import Outcome, QueryJob
from lanzagraph.result_cache import ResultCache
from lanzagraph.serialise import curie
from lanzagraph.settings import Settings
from lanzagraph.vocab import LZ, ONTOLOGY_IRI, RDF, XSD, sparql_prefixes

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
PAGE_SIZES = (25, 100, 500)
DEFAULT_PAGE_SIZE = 100
_PATH_SAFE = "/-_.~!$&'()*+,;=:@"
_POSITION = re.compile(r"\b(?:at|line)\s+(\d+):(\d+)")
_PLAIN = frozenset({XSD + "string", RDF + "langString"})

DEFAULT_QUERY = sparql_prefixes() + """
# Every recommendation with its urgency; change the query and press Run.
SELECT ?recommendation ?id ?urgency WHERE {
  ?recommendation a lz:Recommendation ; skos:notation ?id .
  OPTIONAL { ?recommendation lz:urgency/skos:notation ?urgency }
}
ORDER BY ?id
"""

DOWNLOADS = {
    "SELECT": [("csv", "CSV", "csv"), ("tsv", "TSV", "tsv"), ("json", "SPARQL JSON", "srj"),
               ("xml", "SPARQL XML", "srx")],
    "ASK": [("json", "SPARQL JSON", "srj"), ("xml", "SPARQL XML", "srx")],
    "CONSTRUCT": [("turtle", "Turtle", "ttl"), ("ntriples", "N-Triples", "nt"), ("jsonld", "JSON-LD", "jsonld"),
                  ("rdfxml", "RDF/XML", "rdf")],
}


@dataclass(frozen=True)
class PageError:
    """Why a query gave no table: the status of the page, a title and the message to show."""

    status: int
    title: str
    message: str
    line: int | None = None
    column: int | None = None
    source_line: str | None = None


def refusal(query: str, settings: Settings) -> PageError | None:
    """The refusals /sparql makes before running anything (same rules, same words)."""
    if not query.strip():
        return PageError(400, "Empty query", "the query is empty")
    if "\x00" in query:
        return PageError(400, "Malformed query", "the query contains a NUL character")
    if sparql_text.looks_like_update(query):
        return PageError(403, "Query refused", "this endpoint is read-only: SPARQL Update is not accepted")
    for call in sparql_text.service_calls(query):
        if call.target is None or call.target not in settings.allowed_services:
            return PageError(403, "Query refused",
                             f"SERVICE {call.raw} is refused: federated queries may only call endpoints on this "
                             "service's allow-list (LANZAGRAPH_SERVICE_ALLOWLIST)")
    return None


def syntax_error(message: str, query: str) -> PageError:
    """A 400 with the parser's message, and the line it points at when it gives one."""
    match = _POSITION.search(message)
    if match is None:
        return PageError(400, "Malformed query", message)
    line, column = int(match.group(1)), int(match.group(2))
    lines = query.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else None
    return PageError(400, "Malformed query", message, line, column, source)


def outcome_error(outcome: Outcome, query: str) -> PageError | None:
    if outcome.status == "ok":
        return None
    if outcome.status == "bad_query":
        return syntax_error(outcome.message, query)
    if outcome.status in ("timeout", "busy"):
        return PageError(503, "Query timed out", outcome.message)
    if outcome.status == "unavailable":
        return PageError(502, "SPARQL server unavailable", outcome.message)
    if outcome.status == "not_acceptable":
        return PageError(406, "Not acceptable", f"a {outcome.kind} result cannot be shown as a table")
    return PageError(503, "Query failed", outcome.message)


def job_for(request: Request, query: str, settings: Settings) -> QueryJob:
    """The job /sparql would make for this query, asking for results the page can read back."""
    return QueryJob(query=query, accept=ACCEPT, max_rows=settings.max_rows,
                    base_iri=str(request.url.replace(path="/sparql", query="", fragment="")).rstrip("?"))


def cache(request: Request, settings: Settings) -> ResultCache[Outcome]:
    """Answers kept for paging: turning a page does not run the query again."""
    found = getattr(request.app.state, "query_page_cache", None)
    if found is None:
        found = ResultCache[Outcome](max(settings.result_cache_mb, 0) * 1024 * 1024)
        request.app.state.query_page_cache = found
    return found


@dataclass(frozen=True)
class ValueView:
    """One RDF term in a results table: what to show, where it links, and a note under it."""

    kind: str  # iri, literal, bnode
    text: str
    href: str | None = None
    title: str | None = None
    note: str | None = None
    external: bool = False
    lang: str | None = None


class Valuer:
    """Turns result terms into linked values: an IRI under the served base's /id/ links to the local
    /id/... page, an ontology term to /ontology#Term, another http(s) IRI to itself."""

    def __init__(self, settings: Settings, index: ResourceIndex) -> None:
        self.settings = settings
        self.index = index

    def href(self, iri: str) -> tuple[str | None, bool]:
        id_base = self.settings.id_base
        if iri.startswith(id_base) and len(iri) > len(id_base):
            return "/id/" + quote(iri[len(id_base):], safe=_PATH_SAFE), False
        if iri.startswith(LZ) and len(iri) > len(LZ):
            return "/ontology#" + quote(iri[len(LZ):], safe=""), False
        if iri == ONTOLOGY_IRI:
            return "/ontology", False
        if iri == self.settings.base_uri + "dataset":
            return "/.well-known/void", False
        if iri.startswith(("http://", "https://")):
            return iri, True
        return None, False

    def iri(self, iri: str) -> ValueView:
        href, external = self.href(iri)
        id_base = self.settings.id_base
        if iri.startswith(id_base):
            path = iri[len(id_base):]
            label = self.index.label(iri)
            return ValueView("iri", label or path, href, iri, path if label else None)
        short = curie(iri)
        return ValueView("iri", short, href, iri, None, external)

    def literal(self, value: str, lang: str | None, datatype: str | None) -> ValueView:
        note = f"@{lang}" if lang else (curie(datatype) if datatype and datatype not in _PLAIN else None)
        return ValueView("literal", value, note=note, lang=lang)

    def binding(self, term: dict[str, Any]) -> ValueView:
        """A value of SPARQL 1.1 JSON results."""
        kind = term.get("type")
        if kind == "uri":
            return self.iri(term["value"])
        if kind == "bnode":
            return ValueView("bnode", "_:" + term["value"])
        if kind == "triple":
            inner = term["value"]
            parts = [self.binding(inner[k]).text for k in ("subject", "predicate", "object")]
            return ValueView("literal", "<< " + " ".join(parts) + " >>")
        return self.literal(term["value"], term.get("xml:lang"), term.get("datatype"))

    def term(self, term: Any) -> ValueView:
        """A pyoxigraph term (from N-Triples)."""
        if isinstance(term, NamedNode):
            return self.iri(term.value)
        if isinstance(term, BlankNode):
            return ValueView("bnode", "_:" + term.value)
        if isinstance(term, Literal):
            return self.literal(term.value, term.language, term.datatype.value)
        return ValueView("literal", str(term))


@dataclass
class ResultTable:
    kind: str  # SELECT, ASK or CONSTRUCT
    columns: list[str]
    rows: list[list[ValueView | None]]  # this page's rows only
    total: int
    truncated: bool
    page: int
    pages: int
    size: int
    boolean: bool | None = None

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.size)


def result_table(outcome: Outcome, valuer: Valuer, page: int, size: int) -> ResultTable:
    """The page-th page (from 1) of `size` rows of an answer; a page past the end shows the last."""
    if outcome.kind == "CONSTRUCT":
        triples = list(parse(outcome.body, format=RdfFormat.N_TRIPLES)) if outcome.body else []
        pages, page = _pages(len(triples), size, page)
        chosen = triples[(page - 1) * size: page * size]
        rows: list[list[ValueView | None]] = [
            [valuer.term(t.subject), valuer.term(t.predicate), valuer.term(t.object)] for t in chosen]
        return ResultTable("CONSTRUCT", ["subject", "predicate", "object"], rows, len(triples), outcome.truncated,
                           page, pages, size)
    data = json.loads(outcome.body)
    if "boolean" in data:
        return ResultTable("ASK", [], [], 1, False, 1, 1, size, boolean=bool(data["boolean"]))
    columns = list(data.get("head", {}).get("vars", []))
    bindings = data.get("results", {}).get("bindings", [])
    pages, page = _pages(len(bindings), size, page)
    rows = [[valuer.binding(b[c]) if c in b else None for c in columns]
            for b in bindings[(page - 1) * size: page * size]]
    return ResultTable("SELECT", columns, rows, len(bindings), outcome.truncated, page, pages, size)


def _pages(total: int, size: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // size))
    return pages, min(max(1, page), pages)


def page_size(text: str | None) -> int:
    try:
        value = int(text or DEFAULT_PAGE_SIZE)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return value if value in PAGE_SIZES else DEFAULT_PAGE_SIZE


def page_number(text: str | None) -> int:
    try:
        return max(1, min(int(text or 1), 1_000_000))
    except ValueError:
        return 1


def page_url(query: str, page: int, size: int) -> str:
    params: list[tuple[str, str]] = [("query", query)]
    if size != DEFAULT_PAGE_SIZE:
        params.append(("rows", str(size)))
    if page != 1:
        params.append(("page", str(page)))
    return "/query?" + urlencode(params)


def download_links(query: str, kind: str) -> list[dict[str, str]]:
    """The same query on /sparql, in each format a client can download."""
    return [{"href": "/sparql?" + urlencode([("query", query), ("format", name)]), "label": label,
             "filename": f"results.{extension}"} for name, label, extension in DOWNLOADS.get(kind, [])]
