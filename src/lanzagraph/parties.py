"""Resolve what a user types for a Party ("ge", "GE", "Georgia", "Moldova") to the Party's IRI."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from lanzagraph.errors import UnknownParty
from lanzagraph.store import GraphStore
from lanzagraph.vocab import sparql_prefixes

_STATES = sparql_prefixes() + """
SELECT ?state ?code ?code3 ?label ?name ?party WHERE {
  ?state a lz:State ; lz:iso3166Alpha2 ?code ; rdfs:label ?label .
  OPTIONAL { ?state lz:iso3166Alpha3 ?code3 }
  OPTIONAL { ?state skos:prefLabel|skos:altLabel ?name }
  BIND(EXISTS { ?state a lz:StateParty } AS ?party)
}"""


def normalise(text: str) -> str:
    """Case-, accent- and space-insensitive form: 'Türkiye ' -> 'turkiye'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace(".", " ").split())


@dataclass(frozen=True)
class Party:
    iri: str
    code: str
    name: str
    is_party: bool


class PartyIndex:
    """Every State of the graph under each of its codes and names."""

    def __init__(self, states: list[Party], names: dict[str, Party]) -> None:
        self.states = states
        self._names = names

    @classmethod
    def load(cls, store: GraphStore) -> PartyIndex:
        by_iri: dict[str, Party] = {}
        names: dict[str, Party] = {}
        for row in store.select(_STATES):
            iri = row["state"].value
            party = by_iri.get(iri)
            if party is None:
                party = Party(iri, row["code"].value, row["label"].value, row["party"].value == "true")
                by_iri[iri] = party
            for key in ("code", "code3", "label", "name"):
                if key in row:
                    names.setdefault(normalise(row[key].value), party)
        return cls(sorted(by_iri.values(), key=lambda p: p.name), names)

    def resolve(self, text: str, *, parties_only: bool = True) -> Party:
        """The State named by `text`; UnknownParty with the closest names when none matches."""
        found = self._names.get(normalise(text))
        if found is not None and (found.is_party or not parties_only):
            return found
        candidates = [p for p in self.states if p.is_party or not parties_only]
        if found is not None:
            raise UnknownParty(text, [f"{found.name} is not a Party to the Lanzarote Convention"])
        return self._fail(text, candidates)

    def _fail(self, text: str, candidates: list[Party]) -> Party:
        keys = {n: p for n, p in self._names.items() if p in candidates}
        close = difflib.get_close_matches(normalise(text), list(keys), n=5, cutoff=0.6)
        suggestions: list[str] = []
        for key in close:
            label = f"{keys[key].name} ({keys[key].code})"
            if label not in suggestions:
                suggestions.append(label)
        raise UnknownParty(text, suggestions[:3])

    def parties(self) -> list[Party]:
        return [p for p in self.states if p.is_party]
