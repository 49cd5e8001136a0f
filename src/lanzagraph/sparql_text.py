"""Lexical checks on SPARQL text before it reaches the engine: SERVICE targets and update forms.

pyoxigraph would follow any SERVICE IRI a client names (loopback and private ranges included),
so the service refuses SERVICE unless every target is on the allow-list. The scan strips comments,
string literals and IRIs first, so neither hides nor fakes a keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r'''(?P<comment>\#[^\n\r]*)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""
                  | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
                  | "(?:[^"\\\n\r]|\\.)*"
                  | '(?:[^'\\\n\r]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<word>[A-Za-z_][\w\-]*(?::[\w\-.]*)?|:[\w\-.]*|[?$]\w+)
      | (?P<other>\S)''',
    re.VERBOSE,
)

UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(query: str) -> list[Token]:
    out: list[Token] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind != "comment":
            out.append(Token(kind, match.group()))
    return out


def where_group_start(query: str) -> int | None:
    """The offset just after the opening brace of the query's WHERE group (comments, strings and
    IRIs skipped), or None when there is none."""
    braces = [m for m in _TOKEN.finditer(query) if m.lastgroup in ("word", "other")]
    for i, match in enumerate(braces):
        if match.lastgroup == "word" and match.group().upper() == "WHERE":
            following = braces[i + 1] if i + 1 < len(braces) else None
            if following is not None and following.group() == "{":
                return following.end()
    for match in braces:  # SELECT * { ... } without the WHERE keyword
        if match.group() == "{":
            return match.end()
    return None


def _prefixes(toks: list[Token]) -> dict[str, str]:
    found: dict[str, str] = {}
    for i, tok in enumerate(toks[:-2]):
        if tok.kind == "word" and tok.text.upper() == "PREFIX" and toks[i + 2].kind == "iri":
            found[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
    return found


@dataclass(frozen=True)
class ServiceCall:
    target: str | None  # the endpoint IRI, or None when given by a variable
    raw: str


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(query: str) -> str:
    """SPARQL allows \\uXXXX escapes anywhere in a query; read the text as the engine may."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)


def service_calls(query: str) -> list[ServiceCall]:
    """Every SERVICE clause of the query with its target endpoint (escapes decoded too)."""
    calls = _service_calls(query)
    decoded = unescape_codepoints(query)
    if decoded != query:
        calls += [c for c in _service_calls(decoded) if c not in calls]
    return calls


def _service_calls(query: str) -> list[ServiceCall]:
    toks = tokens(query)
    prefixes = _prefixes(toks)
    calls: list[ServiceCall] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        if j >= len(toks):
            calls.append(ServiceCall(None, "SERVICE"))
            continue
        target = toks[j]
        if target.kind == "iri":
            calls.append(ServiceCall(target.text[1:-1], target.text))
        elif target.kind == "word" and ":" in target.text and not target.text.startswith(("?", "$")):
            prefix, _, local = target.text.partition(":")
            base = prefixes.get(prefix)
            calls.append(ServiceCall(base + local if base is not None else None, target.text))
        else:
            calls.append(ServiceCall(None, target.text))
    return calls


def looks_like_update(query: str) -> bool:
    """True when the first keyword after the prologue is an update operation."""
    toks = tokens(query)
    i = 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "PREFIX":
            i += 3
        elif word == "BASE":
            i += 2
        else:
            return word in UPDATE_KEYWORDS
    return False


def substitute(query: str, values: dict[str, str]) -> str:
    """SEP-0007 substitution done on the text, for servers that lack it: each `?name` / `$name`
    token becomes the given term (already serialised by pyoxigraph, so escaped); in a SELECT
    projection it becomes `(term AS ?name)` so the variable stays in the results, and in GROUP BY /
    ORDER BY a bracketed expression `(term)`. A subquery's projection drops the variable instead:
    the term is written wherever the subquery used it, and projecting it as well would bind it twice
    in the enclosing group. Comments, strings and IRIs are tokens of their own and are never touched."""
    out: list[str] = []
    last = 0
    mode = "pattern"
    depth = 0
    for match in _TOKEN.finditer(query):
        text, kind = match.group(), match.lastgroup
        upper = text.upper() if kind == "word" else ""
        if upper == "SELECT":
            mode = "projection" if depth == 0 else "subprojection"
        elif upper in ("GROUP", "ORDER"):
            mode = "modifier"
        elif upper == "WHERE" or text in ("{", "}"):
            mode = "pattern"
            depth += {"{": 1, "}": -1}.get(text, 0)
        if kind == "word" and text[:1] in "?$" and text[1:] in values:
            term = values[text[1:]]
            out.append(query[last:match.start()])
            out.append({"projection": f"({term} AS ?{text[1:]})", "subprojection": "",
                        "modifier": f"({term})"}.get(mode, term))
            last = match.end()
    out.append(query[last:])
    return "".join(out)
