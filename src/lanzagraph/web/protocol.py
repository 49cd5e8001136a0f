"""Reading a SPARQL 1.1 Protocol request: where the query is, which graphs, which format.

Bad input is refused here with the status the Protocol gives: 400 for a missing, repeated or
undecodable query, 415 for a body type the Protocol does not define, 403 for an update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request

from lanzagraph.errors import QueryRefused, QuerySyntaxError

BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class UnsupportedBody(Exception):
    def __init__(self, content_type: str) -> None:
        super().__init__(
            f"cannot read a body of type {content_type or '(none)'}: send application/sparql-query "
            "or application/x-www-form-urlencoded"
        )


@dataclass(frozen=True)
class ProtocolRequest:
    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format_name: str | None


def _decode_pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    if BAD_PERCENT.search(raw):
        raise QuerySyntaxError(f"malformed percent-encoding in the {where}")
    try:
        text = raw.decode("ascii")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise QuerySyntaxError(f"the {where} is not valid UTF-8") from None
    except ValueError as err:
        raise QuerySyntaxError(f"malformed {where}: {err}") from None


def _one(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in pairs if k == name]
    if len(values) > 1:
        raise QuerySyntaxError(f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _check_no_update(pairs: list[tuple[str, str]]) -> None:
    if any(k in ("update", "using-graph-uri", "using-named-graph-uri") for k, _ in pairs):
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")


async def read(request: Request) -> ProtocolRequest:
    url_pairs = _decode_pairs(request.scope.get("query_string", b""), "query string")
    _check_no_update(url_pairs)
    body_pairs: list[tuple[str, str]] = []
    query: str | None = None
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if content_type == "application/x-www-form-urlencoded":
            body_pairs = _decode_pairs(body, "form body")
            _check_no_update(body_pairs)
            if _one(url_pairs, "query") is not None:
                raise QuerySyntaxError("send the query either in the URL or in the form body, not both")
            query = _one(body_pairs, "query")
        elif content_type == "application/sparql-query":
            if _one(url_pairs, "query") is not None:
                raise QuerySyntaxError("send the query either in the URL or in the body, not both")
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError:
                raise QuerySyntaxError("the request body is not valid UTF-8") from None
        elif content_type == "application/sparql-update":
            raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
        else:
            raise UnsupportedBody(content_type)
    else:
        query = _one(url_pairs, "query")
    pairs = url_pairs + body_pairs
    if query is not None and "\x00" in query:
        raise QuerySyntaxError("the query contains a NUL character")
    return ProtocolRequest(
        query=query,
        default_graphs=tuple(v for k, v in pairs if k == "default-graph-uri"),
        named_graphs=tuple(v for k, v in pairs if k == "named-graph-uri"),
        format_name=next((v for k, v in pairs if k in ("format", "output") and v), None),
    )
