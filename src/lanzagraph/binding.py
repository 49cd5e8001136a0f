"""Canned-query parameters: what a user types -> the RDF term bound to the query's variable.

Values are bound through pyoxigraph `substitutions`, never pasted into the query text, and each
type resolves against the graph: a Party through the PartyIndex (UnknownParty, 404, with the
closest names), an article, recommendation, chapter, urgency or theme to the IRI the graph has
for it (InvalidParameter, 422, saying what exists), a string to a plain literal, an integer to an
xsd:integer. Nothing a user types can change the query: it becomes a term or an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pyoxigraph import Literal, NamedNode, Triple, Variable

from lanzagraph.catalogue import URGENCIES, CannedQuery, Param
from lanzagraph.errors import InvalidParameter
from lanzagraph.parties import PartyIndex, normalise
from lanzagraph.store import GraphStore, Term
from lanzagraph.vocab import XSD, sparql_prefixes

PARTY_MAX = 100
_ARTICLE = re.compile(
    r"^(?:art(?:icle)?\.?\s*)?(\d{1,3})(?:\s*[.(]\s*(\d{1,3})\s*\)?)?(?:\s*[.(]\s*([a-z])\s*\)?)?$", re.IGNORECASE
)
_RECOMMENDATION = re.compile(r"^(?:rec(?:ommendation)?\.?\s*)?([IVXLC]{1,7})\s*-\s*(\d{1,3})$", re.IGNORECASE)
_CHAPTER = re.compile(r"^(?:chapter\s+)?([IVXLC]{1,7}|\d{1,2})$", re.IGNORECASE)
_INTEGER = re.compile(r"^[+-]?\d{1,12}$")
_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]

_CONVENTION = sparql_prefixes() + 'SELECT ?convention WHERE { ?convention lz:treatySeriesNumber "CETS 201" }'
_ARTICLES = (
    sparql_prefixes()
    + """SELECT ?convention ?number WHERE {
  ?article eli:is_part_of ?convention ; eli:number ?number } ORDER BY xsd:integer(?number)"""
)
_PROVISION = sparql_prefixes() + "SELECT ?provision WHERE { ?provision eli:is_part_of ?parent }"
_PARTS = (
    sparql_prefixes()
    + """SELECT ?article ?label WHERE {
  ?article ^eli:is_part_of+ ?part . ?part rdfs:label ?label } ORDER BY ?part"""
)
_RECOMMENDATIONS = (
    sparql_prefixes() + "SELECT ?id ?recommendation WHERE { ?recommendation a lz:Recommendation ; skos:notation ?id }"
)
_CHAPTERS = (
    sparql_prefixes() + "SELECT ?number ?chapter WHERE { ?chapter a lz:ReportChapter ; lz:chapterNumber ?number }"
)
_URGENCIES = (
    sparql_prefixes()
    + "SELECT ?notation ?urgency WHERE { ?urgency skos:inScheme lz:UrgencyScheme ; skos:notation ?notation }"
)
_THEMES = (
    sparql_prefixes() + "SELECT ?theme ?label WHERE { ?theme skos:inScheme lz:ThemeScheme ; skos:prefLabel ?label }"
)


def _str(term: Term) -> str:
    return str(term) if isinstance(term, Triple) else term.value


def roman(number: int) -> str:
    """1 -> 'I', 11 -> 'XI' (chapters go up to XI; enough for any report up to XXXIX)."""
    out = ""
    for value, numeral in _ROMAN:
        while number >= value:
            out += numeral
            number -= value
    return out


class Binder:
    """Resolves the parameter values of canned queries against one store."""

    def __init__(self, store: GraphStore, parties: PartyIndex) -> None:
        self.store = store
        self.parties = parties

    def bind(self, query: CannedQuery, values: Mapping[str, object]) -> dict[Variable, Term]:
        """The substitutions for `values` (name -> what the user gave; None or '' when absent),
        defaults filled in; InvalidParameter for a missing required value."""
        bound: dict[Variable, Term] = {}
        for param in query.params:
            value = values.get(param.name)
            if value is None or value == "":
                if param.default is None:
                    if param.required:
                        raise InvalidParameter(param.name, f"is required ({param.description}), e.g. {param.example}")
                    continue
                value = param.default
            bound[Variable(param.name)] = self.term(param, value)
        return bound

    def term(self, param: Param, value: object) -> Term:
        text = str(value).strip()
        resolve = {
            "Party": self._party,
            "Article": self._article,
            "Recommendation": self._recommendation,
            "urgency": self._urgency,
            "chapter": self._chapter,
            "theme": self._theme,
        }.get(param.type)
        if resolve is not None:
            return resolve(param.name, text)
        if param.type == "integer":
            return self._integer(param, value)
        if len(str(value)) > param.max_length:
            raise InvalidParameter(param.name, f"is longer than {param.max_length} characters")
        return Literal(str(value))

    def _lookup(self, sparql: str, key: str, value: Term) -> list[NamedNode]:
        rows = self.store.select(sparql, {Variable(key): value})
        return [t for row in rows for t in row.values() if isinstance(t, NamedNode)]

    def _party(self, name: str, text: str) -> NamedNode:
        if len(text) > PARTY_MAX:
            raise InvalidParameter(name, f"a Party is an ISO code or a name of at most {PARTY_MAX} characters")
        return NamedNode(self.parties.resolve(text).iri)

    def _article(self, name: str, text: str) -> NamedNode:
        match = _ARTICLE.match(text)
        if match is None:
            raise InvalidParameter(
                name,
                f"{text[:60]!r} is not an article of the Lanzarote Convention: write 38, 38(1), 38(1)(c) or 38.1.c",
            )
        article, paragraph, sub = match.groups()
        conventions = self.store.select(_CONVENTION)
        if not conventions:
            raise InvalidParameter(name, "the graph has no Lanzarote Convention (CETS 201)")
        base = _str(conventions[0]["convention"]) + "/article/" + str(int(article))
        iri = base + "".join(f"/{part}" for part in (paragraph and str(int(paragraph)), sub and sub.lower()) if part)
        if self._lookup(_PROVISION, "provision", NamedNode(iri)):
            return NamedNode(iri)
        label = (
            f"Article {int(article)}"
            + (f"({int(paragraph)})" if paragraph else "")
            + (f"({sub.lower()})" if sub else "")
        )
        parts = [_str(row["label"]) for row in self.store.select(_PARTS, {Variable("article"): NamedNode(base)})]
        if parts:
            raise InvalidParameter(name, f"the graph has no {label}; it has: {'; '.join(parts)}")
        numbers = [
            _str(row["number"])
            for row in self.store.select(_ARTICLES, {Variable("convention"): conventions[0]["convention"]})
        ]
        raise InvalidParameter(
            name,
            f"the graph has no {label} of the Lanzarote Convention; it holds the articles "
            f"the sources cite: {', '.join(numbers)}",
        )

    def _recommendation(self, name: str, text: str) -> NamedNode:
        match = _RECOMMENDATION.match(text)
        if match is None:
            raise InvalidParameter(name, f"{text[:60]!r} is not a recommendation identifier: write III-16 or V-18")
        identifier = f"{match.group(1).upper()}-{int(match.group(2))}"
        found = self._lookup(_RECOMMENDATIONS, "id", Literal(identifier))
        if len(found) != 1:
            raise InvalidParameter(
                name,
                f"the graph has no recommendation {identifier}"
                if not found
                else f"{identifier} names {len(found)} recommendations",
            )
        return found[0]

    def _chapter(self, name: str, text: str) -> NamedNode:
        match = _CHAPTER.match(text)
        numeral = match.group(1).upper() if match else ""
        numeral = roman(int(numeral)) if numeral.isdigit() else numeral
        found = self._lookup(_CHAPTERS, "number", Literal(numeral)) if numeral else []
        if not found:
            numerals = [roman(n) for n in range(1, 40)]
            known = sorted(
                (_str(row["number"]) for row in self.store.select(_CHAPTERS)),
                key=lambda n: numerals.index(n) if n in numerals else len(numerals),
            )
            raise InvalidParameter(
                name,
                f"{text[:60]!r} is not a chapter of the report: write a numeral "
                f"({', '.join(known)}) or its number (3 for III)",
            )
        return found[0]

    def _urgency(self, name: str, text: str) -> NamedNode:
        found = self._lookup(_URGENCIES, "notation", Literal(text.lower())) if text.lower() in URGENCIES else []
        if not found:
            raise InvalidParameter(name, f"{text[:60]!r} is not an urgency: write {', '.join(URGENCIES)}")
        return found[0]

    def _theme(self, name: str, text: str) -> NamedNode:
        key = normalise(text.replace("-", " "))
        themes = self.store.select(_THEMES)
        for row in themes:
            slug = _str(row["theme"]).rsplit("/", 1)[-1]
            if key in (normalise(slug.replace("-", " ")), normalise(_str(row["label"]))):
                return NamedNode(_str(row["theme"]))
        slugs = sorted({_str(row["theme"]).rsplit("/", 1)[-1] for row in themes})
        raise InvalidParameter(name, f"{text[:60]!r} is not a theme: write one of {', '.join(slugs)}")

    def _integer(self, param: Param, value: object) -> Literal:
        text = str(value).strip()
        if isinstance(value, bool) or not _INTEGER.match(text):
            raise InvalidParameter(param.name, f"{text[:30]!r} is not an integer")
        number = int(text)
        if (param.minimum is not None and number < param.minimum) or (
            param.maximum is not None and number > param.maximum
        ):
            raise InvalidParameter(param.name, f"must be between {param.minimum} and {param.maximum}")
        return Literal(str(number), datatype=NamedNode(XSD + "integer"))
