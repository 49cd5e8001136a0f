"""Search in the wording of the graph: recommendation texts, article and paragraph texts, opinions,
practices, footnotes (every `lz:text` of a resource under the instance base).

Built once per opened store, like the resource index: a few hundred texts, matched in Python with
the same case- and accent-insensitive form as names (every word of the query must occur).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from lanzagraph.describe import term_value
from lanzagraph.parties import normalise
from lanzagraph.store import GraphStore
from lanzagraph.vocab import sparql_prefixes

_TEXTS = sparql_prefixes() + "SELECT ?s ?text WHERE { ?s lz:text ?text FILTER(isIRI(?s)) }"
SNIPPET = 90


@dataclass(frozen=True)
class TextHit:
    iri: str
    before: str
    match: str
    after: str

    @property
    def snippet(self) -> str:
        return self.before + self.match + self.after


class TextIndex:
    def __init__(self, texts: list[tuple[str, str]]) -> None:
        self._texts = [(iri, text, normalise(text)) for iri, text in texts]

    @classmethod
    def load(cls, store: GraphStore, id_base: str) -> TextIndex:
        rows = store.select(_TEXTS)
        pairs = {(term_value(r["s"]), term_value(r["text"])) for r in rows}
        texts = sorted((iri, text) for iri, text in pairs if iri.startswith(id_base))
        return cls(texts)

    def search(self, query: str, limit: int = 100) -> list[TextHit]:
        """Resources whose text holds every word of `query`, those holding the whole phrase first."""
        words = normalise(query).split()
        if not words:
            return []
        phrase = " ".join(words)
        hits: list[tuple[int, str, TextHit]] = []
        seen: set[str] = set()
        for iri, text, folded in self._texts:
            if iri in seen or not all(w in folded for w in words):
                continue
            seen.add(iri)
            hits.append((0 if phrase in folded else 1, iri, _hit(iri, text, words[0])))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [h for _, _, h in hits[:limit]]


def _hit(iri: str, text: str, word: str) -> TextHit:
    """The text around the first occurrence of `word` (found case-insensitively; accents may differ)."""
    at = text.lower().find(word)
    if at < 0:
        return TextHit(iri, text[: SNIPPET * 2] + ("…" if len(text) > SNIPPET * 2 else ""), "", "")
    start, end = max(0, at - SNIPPET), min(len(text), at + len(word) + SNIPPET)
    return TextHit(iri, ("…" if start else "") + text[start:at], text[at:at + len(word)],
                   text[at + len(word):end] + ("…" if end < len(text) else ""))


_CACHE: WeakKeyDictionary[object, TextIndex] = WeakKeyDictionary()
_LOCK = threading.Lock()


def text_index_for(store: GraphStore, id_base: str) -> TextIndex:
    with _LOCK:
        index = _CACHE.get(store)
        if index is None:
            index = TextIndex.load(store, id_base)
            _CACHE[store] = index
        return index
