"""Parse the ontology and data files, one named graph per file. Errors name the file and line."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from lanzagraph.errors import DataSyntaxError
from lanzagraph.vocab import DEFAULT_BASE

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class SourceFile:
    """A Turtle file and the named graph it is loaded into."""

    path: Path
    graph: NamedNode

    @property
    def name(self) -> str:
        return self.path.name


def discover(root: Path, graph_base: str) -> list[SourceFile]:
    """ontology/*.ttl then data/*.ttl, sorted, each with its graph IRI (graph/<stem>)."""
    files: list[SourceFile] = []
    for folder in ("ontology", "data"):
        for path in sorted((root / folder).glob("*.ttl")):
            files.append(SourceFile(path, NamedNode(f"{graph_base}{path.stem}")))
    if not files:
        raise DataSyntaxError(str(root), "no ontology/*.ttl or data/*.ttl files found")
    return files


def shape_files(root: Path) -> list[Path]:
    return sorted((root / "shapes").glob("*.ttl"))


class _Rebase:
    """Rewrites IRIs under the default base onto the configured one (for URIs served on localhost)."""

    def __init__(self, base_uri: str) -> None:
        self.base_uri = base_uri
        self.active = base_uri != DEFAULT_BASE

    def term(self, term: Term) -> Term:
        if self.active and isinstance(term, NamedNode) and term.value.startswith(DEFAULT_BASE + "id/"):
            return NamedNode(self.base_uri + term.value[len(DEFAULT_BASE) :])
        return term

    def quad(self, quad: Quad, graph: NamedNode) -> Quad:
        s, p, o = quad.subject, quad.predicate, quad.object
        return Quad(self.term(s), p, self.term(o), graph)  # type: ignore[arg-type]


def parse_file(source: SourceFile, base_uri: str = DEFAULT_BASE) -> list[Quad]:
    """All triples of one file as quads in its graph; DataSyntaxError with the line on failure."""
    rebase = _Rebase(base_uri)
    try:
        return [
            rebase.quad(q, source.graph)
            for q in parse(path=str(source.path), format=RdfFormat.TURTLE, base_iri=base_uri + "id/")
        ]
    except SyntaxError as err:
        raise DataSyntaxError(str(source.path), err.msg, err.lineno) from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataSyntaxError(str(source.path), str(err)) from None


def parse_all(sources: Iterable[SourceFile], base_uri: str = DEFAULT_BASE) -> Iterator[tuple[SourceFile, list[Quad]]]:
    for source in sources:
        yield source, parse_file(source, base_uri)


def content_hash(paths: Iterable[Path]) -> str:
    """SHA-256 over the names and bytes of the given files: the dataset's content version."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
