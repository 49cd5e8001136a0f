"""Obligations at a glance: the Parties of the latest monitoring round (rows) by the chapters of its
report (columns), each cell counting the recommendations of that chapter that apply to the Party
(lz:appliesTo, certain) or may apply to it (lz:mayApplyTo, conditional), by urgency.

The whole table is one SPARQL query (MATRIX); the list behind one cell is another (CELL), with the
Party and the chapter bound. Both read only what the build materialised from the ontology's
property chains: no addressee reasoning happens here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Variable

from lanzagraph.describe import term_value
from lanzagraph.directory import natural_key
from lanzagraph.store import GraphStore, value_of
from lanzagraph.vocab import sparql_prefixes

# Highest first; "unstated" is a recommendation whose urgency no source gives.
URGENCIES: tuple[str, ...] = ("require", "request", "invite", "unstated")
REACHES: tuple[str, ...] = ("certain", "conditional")
_NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]

MATRIX = sparql_prefixes() + """
SELECT ?round ?roundLabel ?party ?partyLabel ?code ?chapter ?number ?chapterLabel ?urgency ?reach
       (COUNT(DISTINCT ?rec) AS ?n)
WHERE {
  { SELECT ?round WHERE { ?round a lz:MonitoringRound ; lz:roundNumber ?roundNumber }
    ORDER BY DESC(?roundNumber) LIMIT 1 }
  OPTIONAL { ?round rdfs:label ?roundLabel }
  ?round lz:hasParticipant ?party .
  ?party rdfs:label ?partyLabel ; lz:iso3166Alpha2 ?code .
  ?chapter a lz:ReportChapter ; lz:round ?round ; lz:chapterNumber ?number ; rdfs:label ?chapterLabel .
  OPTIONAL {
    ?rec lz:chapter ?chapter .
    { ?rec lz:appliesTo ?party . BIND("certain" AS ?reach) }
    UNION
    { ?rec lz:mayApplyTo ?party . FILTER NOT EXISTS { ?rec lz:appliesTo ?party } BIND("conditional" AS ?reach) }
    OPTIONAL { ?rec lz:urgency/skos:notation ?urgency }
  }
}
GROUP BY ?round ?roundLabel ?party ?partyLabel ?code ?chapter ?number ?chapterLabel ?urgency ?reach"""

CELL = sparql_prefixes() + """
SELECT ?party ?chapter ?rec ?id ?reach ?route ?urgency ?text ?summary ?wording ?listNumber
WHERE {
  ?rec lz:chapter ?chapter ; skos:notation ?id ; lz:addressedTo ?group .
  { ?rec lz:appliesTo ?party . BIND("certain" AS ?reach) }
  UNION
  { ?rec lz:mayApplyTo ?party . FILTER NOT EXISTS { ?rec lz:appliesTo ?party } BIND("conditional" AS ?reach) }
  ?group a ?groupClass . ?groupClass rdfs:subClassOf lz:AddresseeGroup ; skos:notation ?route .
  OPTIONAL { ?group lz:wording ?wording }
  OPTIONAL { ?group lz:listedIn/lz:footnoteNumber ?listNumber }
  OPTIONAL { ?rec lz:text ?text }
  OPTIONAL { ?rec lz:summarisedIn/lz:text ?summary }
  OPTIONAL { ?rec lz:urgency/skos:notation ?urgency }
}"""


def chapter_key(number: str) -> tuple[int, str]:
    """'III' -> (2, 'III'): chapters in the report's order."""
    return (_NUMERALS.index(number) if number in _NUMERALS else len(_NUMERALS), number)


def short_title(label: str) -> str:
    """'Chapter III – investigations and prosecution' -> 'investigations and prosecution' ('' without one)."""
    _, dash, rest = label.partition(" – ")
    return rest.strip() if dash else ""


@dataclass(frozen=True)
class Chapter:
    iri: str
    number: str
    label: str

    @property
    def title(self) -> str:
        return short_title(self.label)


@dataclass(frozen=True)
class PartyRow:
    iri: str
    code: str
    name: str


@dataclass
class Cell:
    """Counts of one Party in one chapter: urgency -> reach -> recommendations."""

    party: PartyRow
    chapter: Chapter
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {u: {r: 0 for r in REACHES} for u in URGENCIES})

    @property
    def certain(self) -> int:
        return sum(c["certain"] for c in self.counts.values())

    @property
    def conditional(self) -> int:
        return sum(c["conditional"] for c in self.counts.values())

    @property
    def total(self) -> int:
        return self.certain + self.conditional

    @property
    def highest(self) -> str | None:
        """The highest urgency among the recommendations counted (certain or conditional)."""
        return next((u for u in URGENCIES if sum(self.counts[u].values())), None)

    @property
    def only_conditional(self) -> bool:
        return self.total > 0 and self.certain == 0

    def lines(self) -> list[tuple[str, int, int]]:
        """(urgency, certain, conditional) for each urgency with a count, highest first."""
        return [(u, c["certain"], c["conditional"]) for u, c in self.counts.items() if c["certain"] or c["conditional"]]

    def describe(self) -> str:
        """The cell in words: 'Georgia, Chapter III: require 1; invite 11 and 2 conditionally'."""
        if not self.total:
            return f"{self.party.name}, {self.chapter.label}: no recommendation"
        parts = []
        for urgency, certain, conditional in self.lines():
            word = "urgency not stated" if urgency == "unstated" else urgency
            counted = [f"{certain} certain"] if certain else []
            counted += [f"{conditional} conditional"] if conditional else []
            parts.append(f"{word}: {' and '.join(counted)}")
        return f"{self.party.name}, {self.chapter.label}: " + "; ".join(parts)


@dataclass
class Matrix:
    round_iri: str | None
    round_label: str
    parties: list[PartyRow]
    chapters: list[Chapter]
    cells: dict[tuple[str, str], Cell]

    def cell(self, party: PartyRow, chapter: Chapter) -> Cell:
        return self.cells[(party.iri, chapter.iri)]

    def row(self, party: PartyRow) -> list[Cell]:
        return [self.cell(party, c) for c in self.chapters]

    def party_totals(self, party: PartyRow) -> tuple[int, int]:
        row = self.row(party)
        return sum(c.certain for c in row), sum(c.conditional for c in row)

    def chapter_totals(self, chapter: Chapter) -> tuple[int, int]:
        column = [self.cell(p, chapter) for p in self.parties]
        return sum(c.certain for c in column), sum(c.conditional for c in column)

    def find_party(self, code: str) -> PartyRow | None:
        return next((p for p in self.parties if p.code.lower() == code.strip().lower()), None)

    def find_chapter(self, number: str) -> Chapter | None:
        return next((c for c in self.chapters if c.number.upper() == number.strip().upper()), None)

    def as_rows(self) -> list[dict[str, object]]:
        """One flat record per cell and urgency, for CSV and JSON."""
        out: list[dict[str, object]] = []
        for party in self.parties:
            for cell in self.row(party):
                for urgency in URGENCIES:
                    counts = cell.counts[urgency]
                    out.append({"party": party.iri, "party_code": party.code, "party_label": party.name,
                                "chapter": cell.chapter.iri, "chapter_number": cell.chapter.number,
                                "urgency": urgency, "certain": counts["certain"],
                                "conditional": counts["conditional"]})
        return out


def matrix_for(store: GraphStore) -> Matrix:
    """The matrix of the latest monitoring round, from one query."""
    parties: dict[str, PartyRow] = {}
    chapters: dict[str, Chapter] = {}
    counted: list[tuple[str, str, str, str, int]] = []
    round_iri: str | None = None
    round_label = "monitoring round"
    for row in store.select(MATRIX):
        round_iri = value_of(row, "round")
        round_label = value_of(row, "roundLabel") or round_label
        party, chapter = term_value(row["party"]), term_value(row["chapter"])
        parties.setdefault(party, PartyRow(party, term_value(row["code"]), term_value(row["partyLabel"])))
        chapters.setdefault(chapter, Chapter(chapter, term_value(row["number"]), term_value(row["chapterLabel"])))
        reach = value_of(row, "reach")
        if reach is not None:
            counted.append((party, chapter, value_of(row, "urgency") or "unstated", reach, int(term_value(row["n"]))))
    ordered_parties = sorted(parties.values(), key=lambda p: natural_key(p.name))
    ordered_chapters = sorted(chapters.values(), key=lambda c: chapter_key(c.number))
    cells = {(p.iri, c.iri): Cell(p, c) for p in ordered_parties for c in ordered_chapters}
    for party, chapter, urgency, reach, n in counted:
        cell = cells[(party, chapter)]
        cell.counts.setdefault(urgency, {r: 0 for r in REACHES})[reach] += n
    return Matrix(round_iri, round_label, ordered_parties, ordered_chapters, cells)


@dataclass(frozen=True)
class CellItem:
    """One recommendation behind a cell."""

    iri: str
    id: str
    certain: bool
    route: str
    urgency: str
    rank: int
    text: str | None
    summary: str | None
    wording: str | None
    list_footnote: int | None


def cell_items(store: GraphStore, party_iri: str, chapter_iri: str) -> list[CellItem]:
    """The recommendations of the chapter that reach the Party: highest urgency first, certain before
    conditional, then in the report's order."""
    bind = {Variable("party"): NamedNode(party_iri), Variable("chapter"): NamedNode(chapter_iri)}
    found: dict[str, CellItem] = {}
    for row in store.select(CELL, bind):
        iri = term_value(row["rec"])
        if iri in found:
            continue
        urgency = value_of(row, "urgency") or "unstated"
        found[iri] = CellItem(
            iri=iri, id=term_value(row["id"]), certain=value_of(row, "reach") == "certain",
            route=term_value(row["route"]),
            urgency=urgency, rank=URGENCIES.index(urgency) if urgency in URGENCIES else len(URGENCIES),
            text=value_of(row, "text"), summary=value_of(row, "summary"), wording=value_of(row, "wording"),
            list_footnote=int(term_value(row["listNumber"])) if "listNumber" in row else None)
    return sorted(found.values(), key=lambda i: (i.rank, not i.certain, _id_key(i.id)))


def _id_key(identifier: str) -> tuple[tuple[int, str], int]:
    chapter, _, number = identifier.partition("-")
    digits = re.match(r"\d+", number)
    return chapter_key(chapter), int(digits.group()) if digits else 0
