"""Every resource under the instance base, with its label and types: the index behind the /id/
listings, the home page, label lookups on HTML pages, search and "did you mean" on a 404.

Built once per opened store (a few hundred resources; one pass over the labels and types).
"""

from __future__ import annotations

import difflib
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from pyoxigraph import Literal, NamedNode

from lanzagraph.describe import term_value
from lanzagraph.parties import normalise
from lanzagraph.store import GraphStore
from lanzagraph.vocab import RDFS, SKOS, sparql_prefixes

_NAMES = sparql_prefixes() + """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { rdf:type rdfs:label skos:prefLabel skos:notation }
  ?s ?p ?o FILTER(isIRI(?s))
}"""

_LABEL_ORDER = (RDFS + "label", SKOS + "prefLabel", SKOS + "notation")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """'III-2' before 'III-10', 'footnote/9' before 'footnote/10'."""
    parts = re.split(r"(\d+)", text.casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


@dataclass(frozen=True)
class Entry:
    """One resource under the instance base."""

    iri: str
    path: str
    label: str
    types: frozenset[str]
    notation: str | None = None

    @property
    def href(self) -> str:
        return "/id/" + self.path

    def is_a(self, type_iri: str) -> bool:
        return type_iri in self.types


@dataclass
class Listing:
    """What lies directly under a path prefix: resources, and deeper folders with their sizes."""

    prefix: str
    resources: list[Entry] = field(default_factory=list)
    folders: list[tuple[str, int]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.resources and not self.folders


class ResourceIndex:
    def __init__(self, id_base: str, entries: dict[str, Entry], labels: dict[str, str]) -> None:
        self.id_base = id_base
        self.entries = entries
        self._labels = labels
        self._paths = sorted((e.path for e in entries.values()), key=natural_key)

    @classmethod
    def load(cls, store: GraphStore, id_base: str) -> ResourceIndex:
        names: dict[str, dict[str, list[Literal]]] = {}
        types: dict[str, set[str]] = {}
        for row in store.select(_NAMES):
            subject, predicate, obj = term_value(row["s"]), term_value(row["p"]), row["o"]
            if isinstance(obj, NamedNode):
                types.setdefault(subject, set()).add(obj.value)
            elif isinstance(obj, Literal):
                names.setdefault(subject, {}).setdefault(predicate, []).append(obj)
        labels: dict[str, str] = {}
        for iri, found in names.items():
            label = _best_label(found)
            if label:
                labels[iri] = label
        entries: dict[str, Entry] = {}
        for iri in set(types) | set(names):
            if not iri.startswith(id_base) or iri == id_base:
                continue
            path = iri[len(id_base):]
            notation = names.get(iri, {}).get(SKOS + "notation")
            entries[iri] = Entry(iri, path, labels.get(iri) or path, frozenset(types.get(iri, ())),
                                 notation[0].value if notation else None)
        return cls(id_base, entries, labels)

    def label(self, iri: str) -> str | None:
        return self._labels.get(iri)

    def get(self, iri: str) -> Entry | None:
        return self.entries.get(iri)

    def of_type(self, type_iri: str) -> list[Entry]:
        return sorted((e for e in self.entries.values() if type_iri in e.types), key=lambda e: natural_key(e.label))

    def listing(self, prefix: str) -> Listing:
        """The resources and folders directly under `prefix` ('' for the root, else ending in '/')."""
        listing = Listing(prefix)
        folders: Counter[str] = Counter()
        for entry in self.entries.values():
            if not entry.path.startswith(prefix):
                continue
            rest = entry.path[len(prefix):]
            head, slash, _ = rest.partition("/")
            if not head:
                continue
            if slash:
                folders[head] += 1
            else:
                listing.resources.append(entry)
        listing.resources.sort(key=lambda e: natural_key(e.path))
        listing.folders = sorted(folders.items(), key=lambda item: natural_key(item[0]))
        return listing

    def suggest(self, path: str, limit: int = 5) -> list[Entry]:
        """Resources whose path is close to `path`, closest first."""
        close = difflib.get_close_matches(path, self._paths, n=limit, cutoff=0.6)
        if not close and "/" in path:
            stem = path.rsplit("/", 1)[0] + "/"
            close = [p for p in self._paths if p.startswith(stem)][:limit]
        return [self.entries[self.id_base + p] for p in close]

    def search(self, text: str, limit: int = 100) -> list[Entry]:
        """Resources whose label, notation or path contains every word of `text`, best first."""
        words = normalise(text).split()
        if not words:
            return []
        scored: list[tuple[int, tuple[tuple[int, int | str], ...], Entry]] = []
        for entry in self.entries.values():
            haystack = normalise(" ".join(filter(None, (entry.label, entry.notation, entry.path))))
            if all(w in haystack for w in words):
                exact = normalise(entry.notation or "") == " ".join(words) or normalise(entry.label) == " ".join(words)
                scored.append((0 if exact else 1, natural_key(entry.label), entry))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [entry for _, _, entry in scored[:limit]]


def _best_label(found: dict[str, list[Literal]]) -> str | None:
    for predicate in _LABEL_ORDER:
        values = found.get(predicate)
        if values:
            english = [v for v in values if v.language in ("en", None)]
            return sorted(v.value for v in (english or values))[0]
    return None


_CACHE: WeakKeyDictionary[GraphStore, ResourceIndex] = WeakKeyDictionary()
_LOCK = threading.Lock()


def index_for(store: GraphStore, id_base: str) -> ResourceIndex:
    """The index of an opened store, built on first use and kept as long as the store is."""
    with _LOCK:
        index = _CACHE.get(store)
        if index is None or index.id_base != id_base:
            index = ResourceIndex.load(store, id_base)
            _CACHE[store] = index
        return index
