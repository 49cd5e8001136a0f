"""Result formats: names (`--format`, `?format=`) and media types (Accept) to pyoxigraph formats."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    extension: str


RESULTS_FORMATS: dict[str, tuple[Format, QueryResultsFormat]] = {
    "json": (Format("json", "application/sparql-results+json", "srj"), QueryResultsFormat.JSON),
    "xml": (Format("xml", "application/sparql-results+xml", "srx"), QueryResultsFormat.XML),
    "csv": (Format("csv", "text/csv", "csv"), QueryResultsFormat.CSV),
    "tsv": (Format("tsv", "text/tab-separated-values", "tsv"), QueryResultsFormat.TSV),
}

GRAPH_FORMATS: dict[str, tuple[Format, RdfFormat]] = {
    "turtle": (Format("turtle", "text/turtle", "ttl"), RdfFormat.TURTLE),
    "ntriples": (Format("ntriples", "application/n-triples", "nt"), RdfFormat.N_TRIPLES),
    "jsonld": (Format("jsonld", "application/ld+json", "jsonld"), RdfFormat.JSON_LD),
    "rdfxml": (Format("rdfxml", "application/rdf+xml", "rdf"), RdfFormat.RDF_XML),
    "nquads": (Format("nquads", "application/n-quads", "nq"), RdfFormat.N_QUADS),
    "trig": (Format("trig", "application/trig", "trig"), RdfFormat.TRIG),
}

# Names people type for the same thing.
ALIASES = {
    "srj": "json", "sparql-json": "json", "srx": "xml", "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples",
    "json-ld": "jsonld", "rdf": "rdfxml", "rdf/xml": "rdfxml", "xml-rdf": "rdfxml", "nq": "nquads",
}

# Media types clients send that mean one of ours.
MEDIA_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/csv": "csv",
}


def canonical_name(name: str) -> str:
    key = name.strip().lower()
    return ALIASES.get(key, key)


def results_format(name: str) -> tuple[Format, QueryResultsFormat] | None:
    return RESULTS_FORMATS.get(canonical_name(name))


def graph_format(name: str) -> tuple[Format, RdfFormat] | None:
    return GRAPH_FORMATS.get(canonical_name(name))


def name_for_media_type(media_type: str) -> str | None:
    media_type = media_type.strip().lower()
    for table in (RESULTS_FORMATS, GRAPH_FORMATS):
        for name, (fmt, _) in table.items():
            if fmt.media_type == media_type:
                return name
    return MEDIA_ALIASES.get(media_type)


@dataclass(frozen=True)
class MediaRange:
    type: str
    quality: float
    order: int

    @property
    def specificity(self) -> int:
        if self.type == "*/*":
            return 0
        return 1 if self.type.endswith("/*") else 2


def parse_accept(header: str | None, max_ranges: int = 64) -> list[MediaRange]:
    """The media ranges of an Accept header, best first (q-value, then specificity, then order).
    Malformed parts are skipped; an absent header means */*."""
    if not header or not header.strip():
        return [MediaRange("*/*", 1.0, 0)]
    ranges: list[MediaRange] = []
    for order, part in enumerate(header.split(",")[:max_ranges]):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(media, quality, order))
    ranges.sort(key=lambda r: (-r.quality, -r.specificity, r.order))
    return ranges


def negotiate(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the Accept header prefers, or None if it accepts none of them.
    Each offered type takes the quality of the most specific range that matches it (RFC 9110);
    `offered` is in the server's order of preference, which breaks ties."""
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    choice: str | None = None
    for position, media in enumerate(offered):
        major = media.split("/")[0]
        matching: list[tuple[int, MediaRange]] = []
        for r in ranges:
            aliased = name_for_media_type(r.type)
            if r.type == media or (aliased is not None and _media_of(aliased) == media):
                matching.append((3 if r.type == media else 2, r))
            elif r.type.endswith("/*") and r.type[:-2] == major:
                matching.append((1, r))
            elif r.type == "*/*":
                matching.append((0, r))
        if not matching:
            continue
        specificity, chosen = max(matching, key=lambda m: (m[0], -m[1].order))
        if chosen.quality <= 0:
            continue
        key = (chosen.quality, specificity, -position)
        if best is None or key > best:
            best, choice = key, media
    return choice


def media_type_for(name_or_media: str) -> str | None:
    """'json', 'ttl', 'text/csv' -> the media type we serve for it, or None."""
    if "/" in name_or_media:
        name = name_for_media_type(name_or_media)
        return _media_of(name) if name else None
    return _media_of(canonical_name(name_or_media))


def _media_of(name: str) -> str | None:
    if name in RESULTS_FORMATS:
        return RESULTS_FORMATS[name][0].media_type
    if name in GRAPH_FORMATS:
        return GRAPH_FORMATS[name][0].media_type
    return None
