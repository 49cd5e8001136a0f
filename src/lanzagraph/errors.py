"""The exceptions lanzagraph raises. Each names the file, IRI, shape or argument at fault.

    LanzagraphError
    ├── ConfigurationError         a setting that cannot work (bad store path, bad URL)
    │   └── CatalogueError         a queries/*.rq file whose header or SPARQL is invalid (file, reason)
    ├── BuildError                 the build stopped; the previous store is untouched
    │   ├── DataSyntaxError        a file of ontology/, shapes/ or data/ does not parse (file, line)
    │   ├── InconsistentOntology   the reasoner found the ontology and data inconsistent
    │   ├── ValidationFailed       SHACL violations (list of Violation)
    │   └── BuildInProgress        another build holds the lock
    ├── StoreError                 the store is missing, corrupt or unreachable
    │   └── StoreNotBuilt          no build has been made yet
    ├── QueryError                 a query cannot be run as asked
    │   ├── QuerySyntaxError       the SPARQL parser refused it (its message is kept)
    │   ├── QueryRefused           valid SPARQL that this service does not run (update, SERVICE)
    │   └── QueryTimeout           the query ran past the configured time limit
    ├── UnknownParty               no Party matches; carries the closest names
    ├── UnknownQuery               no canned query of that name
    └── InvalidParameter           a canned-query parameter is not a valid term of its type
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class LanzagraphError(Exception):
    """Base class of every error lanzagraph raises on purpose."""


class ConfigurationError(LanzagraphError):
    pass


class CatalogueError(ConfigurationError):
    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class BuildError(LanzagraphError):
    pass


class DataSyntaxError(BuildError):
    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


class InconsistentOntology(BuildError):
    pass


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node broke which shape, and where the node was defined."""

    focus: str
    path: str | None
    shape: str
    message: str
    severity: str
    value: str | None = None
    graph: str | None = None

    def __str__(self) -> str:
        where = f" [{self.graph}]" if self.graph else ""
        path = f" {self.path}" if self.path else ""
        value = f" = {self.value}" if self.value else ""
        return f"{self.severity}: <{self.focus}>{path}{value}{where}: {self.message} (shape {self.shape})"


class ValidationFailed(BuildError):
    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = list(violations)
        lines = "\n".join(f"  - {v}" for v in self.violations[:50])
        more = f"\n  ... and {len(self.violations) - 50} more" if len(self.violations) > 50 else ""
        super().__init__(f"{len(self.violations)} SHACL violation(s):\n{lines}{more}")


class BuildInProgress(BuildError):
    pass


class StoreError(LanzagraphError):
    pass


class StoreNotBuilt(StoreError):
    pass


class QueryError(LanzagraphError):
    pass


class QuerySyntaxError(QueryError):
    pass


class QueryRefused(QueryError):
    pass


class QueryTimeout(QueryError):
    pass


class UnknownParty(LanzagraphError):
    def __init__(self, given: str, suggestions: Sequence[str]) -> None:
        self.given = given
        self.suggestions = list(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"No Party matches {given!r}.{hint}")


class UnknownQuery(LanzagraphError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = list(known)
        super().__init__(f"No canned query named {name!r}. Known: {', '.join(self.known)}")


class InvalidParameter(LanzagraphError):
    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"Parameter {name!r}: {reason}")
