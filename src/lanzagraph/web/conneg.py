"""Content negotiation, validators and conditional requests for the linked-data routes.

A representation is chosen from `?format=` when given (an explicit choice wins), else from the
Accept header with q-values (lanzagraph.formats.negotiate). Every negotiated answer carries
`Vary: Accept`, a `Link` header naming each alternate, an `ETag` made from the build's content
hash, the resource and the representation, and `Last-Modified` (the build time), so that
`If-None-Match` / `If-Modified-Since` give 304 Not Modified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from lanzagraph import __version__, formats
from lanzagraph.serialise import RDF_FORMAT_NAMES, media_type
from lanzagraph.web.handlers import problem

HTML = "html"
JSON = "json"
HTML_MEDIA = "text/html"
JSON_MEDIA = "application/json"

# Names people may give to ?format= for the HTML page.
_HTML_NAMES = {"html", "htm", "text/html"}


def media_of(name: str) -> str:
    if name == HTML:
        return HTML_MEDIA
    if name == JSON:
        return JSON_MEDIA
    return media_type(name)


def content_type(name: str) -> str:
    """The Content-Type header value: text types say their charset."""
    media = media_of(name)
    return media + "; charset=utf-8" if media.startswith("text/") else media


def choose(request: Request, offered: Sequence[str]) -> str | None:
    """The representation name to send (from `offered`, in the server's order of preference),
    or None when neither ?format= nor Accept allows any of them."""
    asked = request.query_params.get("format")
    if asked is not None:
        key = asked.strip().lower()
        name = HTML if key in _HTML_NAMES else formats.canonical_name(key)
        if name == JSON and JSON not in offered and "jsonld" in offered:
            name = "jsonld"
        if name in offered:
            return name
        by_media = formats.name_for_media_type(key) if "/" in key else None
        return by_media if by_media in offered else None
    medias = [media_of(n) for n in offered]
    # A client asking for plain JSON gets JSON-LD, which is JSON.
    extra = [JSON_MEDIA] if "jsonld" in offered and JSON not in offered else []
    chosen = formats.negotiate(request.headers.get("accept"), medias + extra)
    if chosen is None:
        return None
    if chosen == JSON_MEDIA and extra:
        return "jsonld"
    return offered[medias.index(chosen)]


@dataclass(frozen=True)
class Validators:
    etag: str
    modified: datetime

    @property
    def last_modified(self) -> str:
        return format_datetime(self.modified, usegmt=True)


def validators(content_hash: str, built_at: str, *parts: str) -> Validators:
    """A strong ETag for one representation of one thing in one build (and one code version,
    since the HTML changes with the templates); Last-Modified is the build time."""
    return tagged(content_hash, parse_built_at(built_at), *parts)


def tagged(version: str, modified: datetime, *parts: str) -> Validators:
    """Validators from a content version (a hash), its time, and what identifies the representation."""
    digest = hashlib.sha256("\0".join((__version__, *parts)).encode("utf-8")).hexdigest()[:16]
    return Validators(f'"{version[:16]}-{digest}"', modified)


def parse_built_at(built_at: str) -> datetime:
    try:
        return datetime.strptime(built_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


def not_modified(request: Request, found: Validators) -> bool:
    """RFC 9110 §13.1.2 and §13.1.3: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        mine = found.etag.removeprefix("W/")
        return any(t == "*" or t.removeprefix("W/") == mine for t in tags)
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since and request.method in ("GET", "HEAD"):
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return found.modified.replace(microsecond=0) <= since
    return False


def alternates(path: str, names: Sequence[str]) -> str:
    """A Link header value naming each representation of the thing at `path`."""
    links = [f'<{quote(path)}?format={n}>; rel="alternate"; type="{media_of(n)}"' for n in names]
    return ", ".join(links)


def respond(
    request: Request,
    body: bytes,
    name: str,
    found: Validators,
    *,
    link: str | None = None,
    extra: Mapping[str, str] | None = None,
    negotiated: bool = True,
) -> Response:
    """200 with the body (no body for HEAD), or 304 when the client's copy is current."""
    headers = {
        "ETag": found.etag,
        "Last-Modified": found.last_modified,
        "Cache-Control": "no-cache",
    }
    if negotiated:
        headers["Vary"] = "Accept"
    if link:
        headers["Link"] = link
    headers.update(extra or {})
    if not_modified(request, found):
        return Response(status_code=304, headers=headers)
    return send(request, body, content_type(name) if "/" not in name else name, headers)


def send(request: Request, body: bytes, media: str, headers: dict[str, str], status: int = 200) -> Response:
    """The response, with an empty body but the real Content-Length for HEAD."""
    if request.method == "HEAD":
        return Response(b"", status_code=status, media_type=media,
                        headers={**headers, "Content-Length": str(len(body))})
    return Response(body, status_code=status, media_type=media, headers=headers)


def not_acceptable(request: Request, what: str, offered: Sequence[str]) -> Response:
    """406 with the representations there are, each with the URL that gets it."""
    response = problem(406, "Not acceptable", f"{what} is available as " + ", ".join(media_of(n) for n in offered),
                       alternates={media_of(n): f"{request.url.path}?format={n}" for n in offered})
    response.headers["Vary"] = "Accept"
    return response


RDF_NAMES: tuple[str, ...] = RDF_FORMAT_NAMES
