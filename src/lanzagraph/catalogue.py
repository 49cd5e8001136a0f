"""The catalogue of canned queries: `queries/*.rq`, one question per file, each with a grlc-style
header of `#+ ` comment lines (YAML) that is its catalogue entry:

    #+ title: Parties to which a recommendation applies, and how
    #+ description: One row per Party ...
    #+ params:
    #+   recommendation: {type: Recommendation, required: true, example: III-28, description: ...}
    #+ columns:
    #+   recommendation: {type: resource, description: the recommendation}
    #+   party: {type: resource, description: ...}
    #+   reach: {type: string, description: ...}

The SPARQL under the header runs unchanged in any client. A parameter is a plain variable that the
query projects and that `binding.bind` binds from outside as an RDF term; a `resource` column `x`
is projected as `?x` and `?x_label`. `columns` may also be a plain list of names, a name being a
resource column when `?<name>_label` is projected. Everything is checked at load time, so a broken
file stops the service from starting with a CatalogueError that names the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import QuerySolutions, Store

from lanzagraph import sparql_text
from lanzagraph.errors import CatalogueError, UnknownQuery

PARAM_TYPES = ("Party", "Article", "Recommendation", "urgency", "chapter", "theme", "string", "integer")
COLUMN_TYPES = ("resource", "string", "integer", "number", "boolean", "date")
URGENCIES = ("require", "request", "invite")
# Names the HTTP layer gives to every canned query, so no parameter may take them.
RESERVED = frozenset({"limit", "offset", "format", "request", "store", "parties"})
LABEL_SUFFIX = "_label"
STRING_MAX = 200

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER_KEYS = {"title", "description", "params", "columns"}
_PARAM_KEYS = {"type", "required", "default", "example", "description", "max_length", "minimum", "maximum"}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | int | None
    example: str | int | None
    description: str
    max_length: int = STRING_MAX
    minimum: int | None = None
    maximum: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "default": self.default,
            "example": self.example,
            "description": self.description,
        }
        if self.type == "string":
            out["max_length"] = self.max_length
        if self.type == "integer":
            out.update(minimum=self.minimum, maximum=self.maximum)
        return out


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str

    @property
    def variables(self) -> tuple[str, ...]:
        """The projected variables behind the column: a resource column has its label next to it."""
        return (self.name, self.name + LABEL_SUFFIX) if self.type == "resource" else (self.name,)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "description": self.description}


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    sparql: str
    path: Path

    @property
    def variables(self) -> list[str]:
        return [v for column in self.columns for v in column.variables]

    @property
    def body(self) -> str:
        """The SPARQL without its header lines."""
        return "\n".join(line for line in self.sparql.splitlines() if not line.lstrip().startswith("#+")).strip()

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class Catalogue:
    """The canned queries of one folder, by name."""

    def __init__(self, queries: list[CannedQuery]) -> None:
        self._queries = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    @classmethod
    def load(cls, folder: Path) -> Catalogue:
        if not folder.is_dir():
            raise CatalogueError(str(folder), "no such folder of canned queries")
        return cls([read_query(path) for path in sorted(folder.glob("*.rq"))])

    def __iter__(self) -> Iterator[CannedQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def names(self) -> list[str]:
        return list(self._queries)

    def get(self, name: str) -> CannedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQuery(name, self.names()) from None


def read_query(path: Path) -> CannedQuery:
    """One .rq file as a CannedQuery; CatalogueError naming the file (and line) when anything is off."""
    where = str(path)
    if not _NAME.match(path.stem):
        raise CatalogueError(
            where, "the file name must be lower-case words joined by hyphens, like party-obligations.rq"
        )
    try:
        sparql = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CatalogueError(where, f"cannot read the file: {err}") from None
    header, first_line = _header(sparql, where)
    for key in header:
        if key not in _HEADER_KEYS:
            raise CatalogueError(where, f"unknown header key {key!r} (known: {', '.join(sorted(_HEADER_KEYS))})")
    title = _text(header.get("title"), "title", where)
    description = _text(header.get("description"), "description", where)
    projected = _projected(sparql, where)
    params = _params(header.get("params"), projected, where)
    columns = _columns(header.get("columns"), projected, where)
    query = CannedQuery(path.stem, title, description, params, columns, sparql, path)
    if query.variables != projected:
        raise CatalogueError(
            where,
            f"the columns declare the variables {query.variables} but the query projects {projected} "
            f"(a resource column x is projected as ?x ?x{LABEL_SUFFIX}, in the order of the columns)",
            first_line,
        )
    return query


def _header(sparql: str, where: str) -> tuple[dict[str, Any], int]:
    """The YAML of the `#+` lines before the query, and the file line it starts on."""
    lines: list[str] = []
    first = 0
    for number, line in enumerate(sparql.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#+"):
            first = first or number
            body = stripped[2:]
            lines.append(body[1:] if body.startswith(" ") else body)
        elif stripped and not stripped.startswith("#"):
            break
    if not lines:
        raise CatalogueError(where, "no header: start the file with '#+ title: ...' lines")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at: int = first + int(mark.line) if mark is not None else first
        raise CatalogueError(where, f"the header is not valid YAML: {getattr(err, 'problem', err)}", at) from None
    if not isinstance(header, dict):
        raise CatalogueError(where, "the header must be a YAML mapping (title, description, params, columns)", first)
    return header, first


def _text(value: object, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(where, f"the header needs a non-empty '{key}'")
    return " ".join(value.split())


def _projected(sparql: str, where: str) -> list[str]:
    """The variables the query projects, from pyoxigraph's own parser (run on an empty store)."""
    if sparql_text.service_calls(sparql):
        raise CatalogueError(where, "a canned query may not call SERVICE")
    try:
        result = Store().query(sparql)
    except SyntaxError as err:
        raise CatalogueError(where, f"the SPARQL does not parse: {err}") from None
    if not isinstance(result, QuerySolutions):
        raise CatalogueError(where, "a canned query must be a SELECT query")
    return [v.value for v in result.variables]


def _params(spec: object, projected: list[str], where: str) -> tuple[Param, ...]:
    if spec is None:
        return ()
    if not isinstance(spec, dict):
        raise CatalogueError(where, "'params' must map each parameter name to {type: ..., ...}")
    params: list[Param] = []
    for name, body in spec.items():
        params.append(_param(str(name), body, projected, f"{where}: parameter {name!r}"))
    return tuple(params)


def _param(name: str, body: object, projected: list[str], where: str) -> Param:
    if not _IDENTIFIER.match(name) or name in RESERVED:
        raise CatalogueError(
            where, "a parameter name is a lower-case identifier other than " + ", ".join(sorted(RESERVED))
        )
    if name not in projected:
        raise CatalogueError(where, f"?{name} must be projected by the SELECT, so that its value can be bound")
    if not isinstance(body, dict):
        raise CatalogueError(where, "must be a mapping such as {type: Party, required: true}")
    unknown = set(body) - _PARAM_KEYS
    if unknown:
        raise CatalogueError(where, f"unknown keys {sorted(unknown)} (known: {', '.join(sorted(_PARAM_KEYS))})")
    kind = body.get("type")
    if kind not in PARAM_TYPES:
        raise CatalogueError(where, f"type {kind!r} is not one of {', '.join(PARAM_TYPES)}")
    required = body.get("required", False)
    if not isinstance(required, bool):
        raise CatalogueError(where, "'required' must be true or false")
    if required and body.get("default") is not None:
        raise CatalogueError(where, "a required parameter cannot have a default")
    limits = {key: body[key] for key in ("max_length", "minimum", "maximum") if body.get(key) is not None}
    for key, value in limits.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise CatalogueError(where, f"'{key}' must be an integer")
    if ("max_length" in limits and kind != "string") or ({"minimum", "maximum"} & set(limits) and kind != "integer"):
        raise CatalogueError(where, "max_length applies to strings, minimum and maximum to integers")
    draft = Param(
        name,
        str(kind),
        required,
        None,
        None,
        _text(body.get("description"), "description", where),
        limits.get("max_length", STRING_MAX),
        limits.get("minimum"),
        limits.get("maximum"),
    )
    example = _lexical(draft, body.get("example"), "example", where)
    if example is None:
        raise CatalogueError(where, "needs an 'example', which the documentation and the tests use")
    return replace(draft, default=_lexical(draft, body.get("default"), "default", where), example=example)


def _lexical(param: Param, value: object, key: str, where: str) -> str | int | None:
    """A default or example, checked as far as it can be without the graph."""
    if value is None:
        return None
    if param.type == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise CatalogueError(where, f"the {key} must be an integer")
        if (param.minimum is not None and value < param.minimum) or (
            param.maximum is not None and value > param.maximum
        ):
            raise CatalogueError(where, f"the {key} {value} is out of range")
        return value
    text = str(value)
    if not text.strip() or len(text) > param.max_length:
        raise CatalogueError(where, f"the {key} must be a non-empty string of at most {param.max_length} characters")
    if param.type == "urgency" and text not in URGENCIES:
        raise CatalogueError(where, f"the {key} must be one of {', '.join(URGENCIES)}")
    return text


def _columns(spec: object, projected: list[str], where: str) -> tuple[Column, ...]:
    if isinstance(spec, list) and spec and all(isinstance(c, str) for c in spec):
        return tuple(Column(c, "resource" if c + LABEL_SUFFIX in projected else "string", "") for c in spec)
    if not isinstance(spec, dict) or not spec:
        raise CatalogueError(where, "'columns' must list the columns, or map each to {type: ..., description: ...}")
    columns: list[Column] = []
    for name, body in spec.items():
        kind, description = (
            (body, "")
            if isinstance(body, str)
            else ((body.get("type"), body.get("description", "")) if isinstance(body, dict) else (None, ""))
        )
        if kind not in COLUMN_TYPES:
            raise CatalogueError(where, f"column {name!r}: type {kind!r} is not one of {', '.join(COLUMN_TYPES)}")
        if not isinstance(description, str):
            raise CatalogueError(where, f"column {name!r}: the description must be a string")
        columns.append(Column(str(name), kind, " ".join(description.split())))
    return tuple(columns)
