"""SHACL validation with pyshacl: a list of Violation, each naming focus node, path, shape and graph."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import rdflib
from pyoxigraph import Quad, RdfFormat, Triple, serialize
from rdflib.namespace import SH

from lanzagraph.errors import DataSyntaxError, Violation
from lanzagraph.vocab import DEFAULT_BASE


def load_shapes(paths: Iterable[Path], base_uri: str = DEFAULT_BASE) -> rdflib.Graph:
    """The shapes, with instance IRIs they name (sh:hasValue <.../id/instrument/cets-201>) moved
    onto `base_uri` as the data is (loading._Rebase), so a store built for another base validates."""
    shapes = rdflib.Graph()
    for path in paths:
        try:
            shapes.parse(path, format="turtle")
        except Exception as err:  # rdflib raises several unrelated types for bad Turtle
            raise DataSyntaxError(str(path), str(err)) from None
    if base_uri == DEFAULT_BASE:
        return shapes
    old, new = DEFAULT_BASE + "id/", base_uri + "id/"

    def move(term: rdflib.term.Node) -> rdflib.term.Node:
        if isinstance(term, rdflib.URIRef) and term.startswith(old):
            return rdflib.URIRef(new + term[len(old):])
        return term

    rebased = rdflib.Graph()
    for s, p, o in shapes:
        rebased.add((move(s), p, move(o)))
    return rebased


def to_rdflib(quads: Iterable[Quad]) -> rdflib.Graph:
    """The union of the quads' graphs as one rdflib graph (through N-Triples, which both parse fast)."""
    data = serialize((q.triple for q in quads), format=RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    return graph


def _graph_of(quads: Iterable[Quad]) -> dict[str, str]:
    """Subject IRI -> the graph (file) that asserts its type, to say where a violating node lives."""
    where: dict[str, str] = {}
    for q in quads:
        graph = getattr(q.graph_name, "value", None)
        if graph and q.predicate.value.endswith("#type") and not graph.endswith("/inferred"):
            where.setdefault(str(q.subject) if isinstance(q.subject, Triple) else q.subject.value, graph)
    return where


def validate(quads: list[Quad], shapes: rdflib.Graph) -> list[Violation]:
    """Every SHACL result (violations and warnings), sorted: violations first."""
    from pyshacl import validate as shacl_validate

    data = to_rdflib(quads)
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if not isinstance(report, rdflib.Graph):  # pyshacl returns a ValidationFailure when a shape is broken
        raise DataSyntaxError("shapes/", f"SHACL validation could not run: {report}")
    located = _graph_of(quads)
    results: list[Violation] = []
    # Top-level results only: nested sh:detail results (from sh:node) would repeat the same problem.
    for result in report.objects(None, SH.result):
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        results.append(
            Violation(
                focus=focus,
                path=str(path) if path is not None else None,
                shape=str(report.value(result, SH.sourceShape)),
                message=str(report.value(result, SH.resultMessage) or "constraint not met"),
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
                value=str(value) if value is not None else None,
                graph=located.get(focus),
            )
        )
    results.sort(key=lambda v: (v.severity != "Violation", v.shape, v.focus))
    return results


def violations_only(results: Iterable[Violation]) -> list[Violation]:
    return [r for r in results if r.severity == "Violation"]
