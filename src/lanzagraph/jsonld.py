"""JSON-LD in compacted form with a @context of the graph's prefixes.

pyoxigraph writes JSON-LD in expanded form only (full IRIs as keys); a reader wants `lz:text`,
`skos:notation`, `dcterms:source`. The writer below is a plain flattening: one node object per
subject in `@graph`, vocabulary IRIs compacted to `prefix:local` (keys, `@type`, datatypes and
object IRIs that fall in a vocabulary namespace), instance IRIs kept whole, every value an explicit
value or node object, so the document expands back to exactly the triples it was made from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from lanzagraph.vocab import RDF, XSD

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_STRING = XSD + "string"
_LANG_STRING = RDF + "langString"


class Compactor:
    """Turns IRIs into `prefix:local` where a prefix fits and the local part is a plain name."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so a more specific prefix wins.
        self._prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def __call__(self, iri: str) -> str:
        for prefix, namespace in self._prefixes:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if _LOCAL.match(local):
                    return f"{prefix}:{local}"
        return iri


def _subject_id(term: NamedNode | BlankNode, compact: Compactor) -> str:
    return f"_:{term.value}" if isinstance(term, BlankNode) else compact(term.value)


def _value(term: Any, compact: Compactor) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"@id": compact(term.value)}
    if isinstance(term, BlankNode):
        return {"@id": f"_:{term.value}"}
    if isinstance(term, Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype in (_STRING, _LANG_STRING):
            return {"@value": term.value}
        return {"@value": term.value, "@type": compact(datatype)}
    raise TypeError(f"JSON-LD cannot hold {term!r}")


def document(triples: Iterable[Triple], prefixes: Mapping[str, str]) -> dict[str, Any]:
    """A compacted JSON-LD document (`@context` + `@graph`) holding exactly `triples`."""
    compact = Compactor(prefixes)
    nodes: dict[str, dict[str, Any]] = {}
    rdf_type = RDF + "type"
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, NamedNode | BlankNode):
            raise TypeError(f"JSON-LD cannot hold a triple term as subject: {triple}")
        key = _subject_id(subject, compact)
        node = nodes.setdefault(key, {"@id": key})
        predicate, obj = triple.predicate.value, triple.object
        if predicate == rdf_type and isinstance(obj, NamedNode):
            node.setdefault("@type", []).append(compact(obj.value))
        else:
            node.setdefault(compact(predicate), []).append(_value(obj, compact))
    context = {prefix: namespace for prefix, namespace in prefixes.items()}
    return {"@context": context, "@graph": list(nodes.values())}


def dumps(triples: Iterable[Triple], prefixes: Mapping[str, str], *, indent: int | None = 2) -> bytes:
    return json.dumps(document(triples, prefixes), ensure_ascii=False, indent=indent).encode("utf-8")


def script_block(triples: Iterable[Triple], prefixes: Mapping[str, str]) -> str:
    """The document as text safe to put inside <script type="application/ld+json"> (no `<`, `>`
    or `&` can close the element or start a comment)."""
    text = json.dumps(document(triples, prefixes), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
