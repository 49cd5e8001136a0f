"""A synthetic graph shaped like lanzagraph's, made by cloning the real build with new IRIs.

The real build (asserted + inferred triples, every named graph) is read from a lanzagraph store.
Clone 0 is the real graph itself, unchanged, so real IRIs (party/ge, article/38, III-16) stay
valid for the benchmark's queries. Each further clone c is another monitoring round:

- round-scoped resources (`id/round/...`, `id/source/...`: the round, its report and chapters,
  its recommendations with their addressee groups, summaries, status notes, footnotes, practices,
  figures) get new IRIs `id/r<c>/...`: a new set of recommendations with lz:urgency, lz:text,
  skos:notation, rdfs:label, lz:chapter, lz:addressedTo groups with lz:hasMember, and the
  materialised lz:appliesTo / lz:mayApplyTo / lz:subjectTo links;
- world-scoped resources (Parties, States, reservations, instruments and their provisions with
  their eli:is_part_of chains, opinions, bodies, themes, documents) are shared by a block of
  `rounds_per_world` consecutive clones, and get new IRIs `id/w<b>/...` per block b = c // G
  (block 0 keeps the real IRIs). So the number of Parties and provisions grows with the size too
  (48 Parties per block), and each Party and provision is reached by G rounds' recommendations:
  the obligations of one Party and the recommendations on one article are G times the real ones.

The ontology graph is written once; the real `graph/meta` graph is left out (the loader writes
its own). Inferred triples are cloned with the IRIs they were inferred from: the renaming is
consistent within a clone, so they are what the reasoner would derive for it. Nothing is
re-reasoned or SHACL-validated.

    python benchmarks/synthetic.py --triples 500000 --out /tmp/lanzagraph-bench/500k/data.nq
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from pyoxigraph import BlankNode, NamedNode, Quad, Store

from lanzagraph.store import current_build
from lanzagraph.vocab import DEFAULT_BASE, LZ, RDF

ID = DEFAULT_BASE + "id/"
GRAPHS = DEFAULT_BASE + "graph/"
WORLD_KINDS = frozenset({"party", "state", "reservation", "instrument", "opinion", "body", "database", "case",
                         "theme", "document"})
ONCE_GRAPHS = frozenset({GRAPHS + "lanzagraph"})
SKIPPED_GRAPHS = frozenset({GRAPHS + "meta"})
TYPE_REC = f"<{RDF}type> <{LZ}Recommendation>"
TYPE_PARTY = f"<{RDF}type> <{LZ}StateParty>"
MAX_CLONES = 10_000


@dataclass(frozen=True)
class TermTemplate:
    """How one term of the real graph is written in clone c of world block b."""

    text: str  # the term as written in clone 0 (N-Triples syntax)
    scope: str  # "fixed", "world", "round" or "blank"
    rest: str = ""  # for IRIs under id/: the part after id/

    def render(self, clone: int, world: int) -> str:
        if self.scope == "round" and clone:
            return f"<{ID}r{clone}/{self.rest}>"
        if self.scope == "world" and world:
            return f"<{ID}w{world}/{self.rest}>"
        if self.scope == "blank" and clone:
            return f"_:c{clone}x{self.text[2:]}"
        return self.text


@dataclass(frozen=True)
class QuadTemplate:
    terms: tuple[TermTemplate, TermTemplate, TermTemplate, TermTemplate]
    graph: str

    @property
    def per_round(self) -> bool:
        """True when the quad differs between clones of one world block (else it is shared)."""
        return any(t.scope in ("round", "blank") for t in self.terms)

    def render(self, clone: int, world: int) -> str:
        s, p, o, g = (t.render(clone, world) for t in self.terms)
        return f"{s} {p} {o} {g} .\n"


@dataclass
class Summary:
    source_triples: int
    target_triples: int
    triples: int
    clones: int
    rounds_per_world: int
    world_blocks: int
    recommendations: int
    parties: int
    out: str


def template_of(term: object) -> TermTemplate:
    if isinstance(term, NamedNode) and term.value.startswith(ID):
        rest = term.value[len(ID):]
        kind = rest.split("/", 1)[0]
        return TermTemplate(str(term), "world" if kind in WORLD_KINDS else "round", rest)
    if isinstance(term, BlankNode):
        return TermTemplate(str(term), "blank")
    return TermTemplate(str(term), "fixed")


def read_templates(store_path: Path) -> list[QuadTemplate]:
    """The real build's quads, as templates (graph/meta left out)."""
    store = Store.read_only(str(current_build(store_path) / "oxigraph"))
    cache: dict[str, TermTemplate] = {}
    out: list[QuadTemplate] = []
    for quad in store.quads_for_pattern(None, None, None, None):
        assert isinstance(quad, Quad)
        graph = quad.graph_name
        graph_iri = graph.value if isinstance(graph, NamedNode) else ""
        if graph_iri in SKIPPED_GRAPHS:
            continue
        terms = []
        for term in (quad.subject, quad.predicate, quad.object, graph):
            key = str(term)
            if key not in cache:
                cache[key] = template_of(term)
            terms.append(cache[key])
        out.append(QuadTemplate((terms[0], terms[1], terms[2], terms[3]), graph_iri))
    return out


def clone_lines(templates: list[QuadTemplate], clone: int, world: int, first_of_world: bool) -> Iterator[str]:
    """The quads of one clone: its round-scoped quads, plus the shared ones when it opens a block."""
    for template in templates:
        if clone and template.graph in ONCE_GRAPHS:
            continue
        if template.per_round or first_of_world:
            yield template.render(clone, world)


def default_rounds_per_world(clones: int) -> int:
    return max(1, round(math.sqrt(clones)))


def generate(store_path: Path, target: int, out: Path, rounds_per_world: int | None = None) -> Summary:
    templates = read_templates(store_path)
    per_clone = sum(1 for t in templates if t.graph not in ONCE_GRAPHS)
    clones = max(1, min(MAX_CLONES, math.ceil(target / max(1, per_clone))))
    group = rounds_per_world or default_rounds_per_world(clones)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = recs = parties = made = 0
    tmp = out.with_suffix(out.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for clone in range(MAX_CLONES):
            if written >= target and clone > 0:
                break
            made += 1
            world = clone // group
            for line in clone_lines(templates, clone, world, clone % group == 0):
                handle.write(line)
                written += 1
                recs += TYPE_REC in line
                parties += TYPE_PARTY in line
    os.replace(tmp, out)
    summary = Summary(len(templates), target, written, made, group, math.ceil(made / group), recs, parties, str(out))
    out.with_suffix(".json").write_text(json.dumps(asdict(summary), indent=2))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=Path(".lanzagraph/store"), help="lanzagraph store to clone")
    parser.add_argument("--triples", type=int, required=True, help="target size (at least this many quads)")
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--rounds-per-world", type=int, default=None,
                        help="clones sharing one block of Parties and provisions (default: sqrt of the clone count)")
    args = parser.parse_args(argv)
    summary = generate(args.source, args.triples, args.out, args.rounds_per_world)
    json.dump(asdict(summary), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
