"""Canned queries: queries/*.rq, the catalogue, parameters bound as terms, and /api/queries on a real server.

Answers are checked against the source documents (shared/sources), not only against the data.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import rdflib
from conftest import ID, LZ, REPO, LiveServer
from fastapi.routing import APIRoute
from pyoxigraph import Literal, NamedNode, RdfFormat, serialize
from rdflib.plugins.sparql import prepareQuery

from lanzagraph.binding import Binder
from lanzagraph.canned import literal_value
from lanzagraph.catalogue import Catalogue, read_query
from lanzagraph.errors import CatalogueError, InvalidParameter, UnknownParty
from lanzagraph.obligations import obligations_for
from lanzagraph.parties import PartyIndex
from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore
from lanzagraph.web.routes.queries import build_router

API = "/api/queries"
SOURCES = REPO.parent / "shared" / "sources"
if not SOURCES.is_dir():  # a checkout outside the shared workspace
    SOURCES = Path("/work/shared/sources")
QUESTIONS = {
    "party-obligations",
    "recommendation-parties",
    "article-recommendations",
    "article-38-urgency",
    "reservations-in-force",
    "practices",
    "compare-parties",
    "chapter-urgency-counts",
    "recommendations-naming-no-party",
    "opinion-recommendations",
    "related-instruments",
    "search-recommendations",
    "status-notes",
    "figures",
    "recommendations-by-urgency",
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(REPO / "queries")


@pytest.fixture(scope="module")
def index(graph: GraphStore) -> PartyIndex:
    return PartyIndex.load(graph)


@pytest.fixture(scope="module")
def binder(graph: GraphStore, index: PartyIndex) -> Binder:
    return Binder(graph, index)


def answer(server: LiveServer, name: str, **params: object) -> list[dict[str, Any]]:
    response = server.get(f"{API}/{name}", params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def labels(rows: list[dict[str, Any]], column: str = "recommendation") -> list[str]:
    return [row[column]["label"] for row in rows]


def codes(rows: list[dict[str, Any]], column: str = "party") -> set[str]:
    return {row[column]["uri"].removeprefix(ID + "party/") for row in rows}


def source(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def section_38_2() -> str:
    """Section VII of the factsheet on international co-operation: the recommendations under Article 38(2)."""
    text = source("factsheet-international-cooperation.md")
    return text[text.index("(Article 38(2))**") : text.index("**VIII.")]


def named_in_source(text: str, index: PartyIndex) -> set[str]:
    """ISO codes of a list of Party names as a source writes it: 'A, B and C', 'A, B, and the C'."""
    found: set[str] = set()
    for piece in " ".join(text.split()).rstrip(".").split(","):
        name = re.sub(r"^(?:and\s+)?(?:the\s+)?", "", piece.strip())
        try:
            found.add(index.resolve(name).code.lower())
        except UnknownParty:  # 'Bulgaria and the Russian Federation', not 'Bosnia and Herzegovina'
            found |= {index.resolve(re.sub(r"^the\s+", "", n)).code.lower() for n in name.split(" and ")}
    return found


# --- The catalogue ---------------------------------------------------------------------------


def test_the_catalogue_holds_the_questions(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 12
    assert set(catalogue.names()) >= QUESTIONS
    for query in catalogue:
        assert query.title and query.description and query.columns, query.name
        assert all(p.example is not None and p.description for p in query.params), query.name


def test_every_query_is_plain_sparql_another_parser_reads(catalogue: Catalogue) -> None:
    for query in catalogue:
        prepareQuery(query.path.read_text(encoding="utf-8"))  # rdflib, unchanged text


GOOD = """#+ title: t
#+ description: d
#+ params:
#+   party: {type: Party, required: true, example: ge, description: a Party}
#+ columns: [party, n]
SELECT ?party ?party_label ?n WHERE { ?party ?p ?party_label BIND(1 AS ?n) }
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "no header"),
        (GOOD.replace("#+ title: t", "#+ title: [unclosed"), "not valid YAML"),
        (GOOD.replace("#+ params:", "#+ param:"), "unknown header key 'param'"),
        (GOOD.replace("type: Party", "type: Country"), "type 'Country' is not one of"),
        (GOOD.replace("SELECT ?party ?party_label ?n", "SELECT ?party_label ?n"), "?party must be projected"),
        (GOOD.replace("[party, n]", "[party]"), "the columns declare the variables"),
        (GOOD.replace("WHERE {", "WHERE {{"), "the SPARQL does not parse"),
        (GOOD.replace("required: true", "required: true, default: ge"), "cannot have a default"),
        (GOOD.replace("example: ge, ", ""), "needs an 'example'"),
        (
            GOOD.replace("party:", "limit:").replace("?party", "?limit").replace("[party", "[limit"),
            "lower-case identifier",
        ),
        (
            GOOD.replace(
                "{ ?party ?p ?party_label", "{ SERVICE <http://example.org/sparql> { ?party ?p ?party_label }"
            ),
            "may not call SERVICE",
        ),
        ("#+ title: t\n#+ description: d\n#+ columns: [x]\nASK { ?x ?p ?o }", "must be a SELECT"),
    ],
)
def test_a_broken_file_is_an_error_naming_it(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken-question.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        read_query(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_the_yaml_error_gives_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("# a comment\n" + GOOD.replace("#+ columns: [party, n]", "#+ columns: [party, n"))
    with pytest.raises(CatalogueError) as caught:
        read_query(path)
    assert caught.value.line is not None and caught.value.line >= 6


def test_a_new_rq_file_is_a_new_endpoint(tmp_path: Path, built_settings: Settings) -> None:
    (tmp_path / "queries").mkdir()
    shutil.copy(REPO / "queries" / "figures.rq", tmp_path / "queries")
    (tmp_path / "queries" / "party-names.rq").write_text(GOOD, encoding="utf-8")
    router = build_router(built_settings.model_copy(update={"root": tmp_path}))
    routes = {r.path: r for r in router.routes if isinstance(r, APIRoute)}
    assert f"{API}/party-names" in routes and f"{API}/figures" in routes
    assert f"{API}/party-obligations" not in routes
    assert {p.name for p in routes[f"{API}/party-names"].dependant.query_params} == {
        "party",
        "limit",
        "offset",
        "format",
    }


# --- Binding: values become terms or errors --------------------------------------------------


def test_article_forms(catalogue: Catalogue, binder: Binder) -> None:
    param = catalogue.get("article-recommendations").params[0]
    base = ID + "instrument/cets-201/article/"
    for text, path in [
        ("38", "38"),
        ("38(1)", "38/1"),
        ("38(1)(c)", "38/1/c"),
        ("38.1.c", "38/1/c"),
        ("Article 38(1)(c)", "38/1/c"),
        (" 38 (1) (C) ", "38/1/c"),
        ("art. 43.3", "43/3"),
    ]:
        assert binder.term(param, text) == NamedNode(base + path), text
    for text in ["38(5)", "99", "38(1)(z)", "38) } UNION { ?s ?p ?o", "<x>", "thirty-eight"]:
        with pytest.raises(InvalidParameter):
            binder.term(param, text)


def test_recommendation_chapter_urgency_theme(catalogue: Catalogue, binder: Binder) -> None:
    rec = catalogue.get("recommendation-parties").param("recommendation")
    chapter = catalogue.get("recommendations-by-urgency").param("chapter")
    urgency = catalogue.get("recommendations-by-urgency").param("urgency")
    theme = catalogue.get("practices").param("theme")
    assert rec and chapter and urgency and theme
    assert binder.term(rec, "iii-16") == NamedNode(ID + "round/2/recommendation/III-16")
    assert binder.term(chapter, "3") == binder.term(chapter, "iii") == NamedNode(ID + "round/2/chapter/III")
    assert binder.term(urgency, "require") == NamedNode(LZ + "Require")
    assert binder.term(theme, "training of professionals") == NamedNode(ID + "theme/training-of-professionals")
    for param, text in [
        (rec, "III-99"),
        (rec, "III-16> } #"),
        (chapter, "XX"),
        (chapter, "III } UNION {"),
        (urgency, "must"),
        (theme, 'x" } UNION {'),
    ]:
        with pytest.raises(InvalidParameter):
            binder.term(param, text)


def test_strings_and_integers_are_literals(catalogue: Catalogue, binder: Binder) -> None:
    search = catalogue.get("search-recommendations")
    q, words = search.param("q"), search.param("min_words")
    assert q and words
    hostile = "\"} UNION { ?s ?p ?o } #'"
    assert binder.term(q, hostile) == Literal(hostile)
    assert binder.term(words, "2") == Literal("2", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    for param, text in [(q, "x" * 201), (words, "1.5"), (words, "1 OR 1"), (words, "9")]:
        with pytest.raises(InvalidParameter):
            binder.term(param, text)
    with pytest.raises(InvalidParameter, match="required"):
        binder.bind(search, {})


def test_an_unknown_party_suggests_the_closest(catalogue: Catalogue, binder: Binder) -> None:
    param = catalogue.get("party-obligations").params[0]
    assert binder.term(param, "Moldova") == NamedNode(ID + "party/md")
    with pytest.raises(UnknownParty) as caught:
        binder.term(param, "Georgai")
    assert "Georgia (GE)" in caught.value.suggestions


def test_another_engine_gives_the_same_answers(graph: GraphStore, catalogue: Catalogue, binder: Binder) -> None:
    """rdflib runs each .rq unchanged, its parameters given as initBindings, on the same triples."""
    data = rdflib.Graph()
    data.parse(data=serialize([q.triple for q in graph.quads()], format=RdfFormat.N_TRIPLES), format="nt")

    def rdflib_term(term: Any) -> rdflib.term.Identifier:
        if isinstance(term, NamedNode):
            return rdflib.URIRef(term.value)
        return rdflib.Literal(term.value, datatype=term.datatype.value)

    def norm(value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value)).normalize()
        return tuple(sorted(re.split(r"[;,] ", str(value))))  # GROUP_CONCAT order is the engine's

    for query in catalogue:
        every = {p.name: p.example for p in query.params}
        required = {p.name: p.example for p in query.params if p.required or p.default is not None}
        for values in [every] + ([required] if required != every else []):
            bound = binder.bind(query, values)
            ours = sorted(
                tuple(
                    norm(literal_value(t) if isinstance(t, Literal) else str(t.value) if t else None)  # type: ignore[union-attr]
                    for t in (row.get(v) for v in query.variables)
                )
                for row in graph.select(query.sparql, bound)
            )
            theirs_result = data.query(query.sparql, initBindings={k.value: rdflib_term(v) for k, v in bound.items()})
            theirs = sorted(
                tuple(
                    norm(t.toPython() if isinstance(t, rdflib.Literal) else str(t) if t else None)
                    for t in (row[v] for v in query.variables)  # type: ignore[index, call-overload]
                )
                for row in theirs_result
            )
            assert ours == theirs, (query.name, values)


# --- Answers, against the sources ------------------------------------------------------------


def test_every_example_answers(live_server: LiveServer, catalogue: Catalogue) -> None:
    dataset = live_server.get("/healthz").json()["dataset"]["content_hash"][:16]
    entries = live_server.get(API).json()
    assert [e["name"] for e in entries] == catalogue.names()
    for entry in entries:
        response = live_server.get(entry["example"])
        assert response.status_code == 200, (entry["name"], response.text)
        assert response.headers["X-Lanzagraph-Dataset"] == dataset
        rows = response.json()
        assert rows, entry["name"]
        columns = {c["name"]: c["type"] for c in entry["columns"]}
        for row in rows:
            assert list(row) == list(columns)
            for name, kind in columns.items():
                if kind == "resource" and row[name] is not None:
                    assert row[name]["uri"].startswith("http") and "label" in row[name], (entry["name"], name)


def test_article_recommendations(live_server: LiveServer) -> None:
    # The factsheet's section on Article 38(2): its footnotes give the recommendations, all 'requires'.
    text, section = source("factsheet-international-cooperation.md"), section_38_2()
    expected = [
        re.search(rf"<sup>{n}</sup> Recommendation (V-\d+)", text).group(1)  # type: ignore[union-attr]
        for n in re.findall(r"<sup>(\d+)</sup>", section)
    ]
    assert expected == ["V-17", "V-18"] and "The Committee **requires**:" in section
    rows = answer(live_server, "article-recommendations", article="38(2)")
    assert labels(rows) == expected
    assert {r["urgency"]["label"] for r in rows} == {"require"}
    whole = answer(live_server, "article-recommendations", article="38")
    assert set(labels(whole)) == {"III-25", "III-26", "III-27"} | {f"V-{n}" for n in range(1, 20)}
    assert labels(answer(live_server, "article-recommendations", article="38.1.c")) == ["V-14", "V-15", "V-16"]
    cited = answer(live_server, "article-recommendations", article="20")
    assert {(r["recommendation"]["label"], r["cited"]) for r in cited} >= {("III-22", True), ("V-1", True)}


def test_recommendation_parties_follows_the_footnote(live_server: LiveServer, index: PartyIndex) -> None:
    text = source("factsheet-investigations-and-prosecution.md")
    footnote = text[text.index("³⁷ Albania") + 2 : text.index("³⁸ Recommendation III-28")]
    listed = named_in_source(footnote, index)
    assert len(listed) == 26
    rows = answer(live_server, "recommendation-parties", recommendation="III-28")
    assert codes(rows) == listed
    assert {(r["reach"], r["certain"], r["listed_in_footnote"]) for r in rows} == {("listed_in_footnote", True, 37)}
    unnamed = answer(live_server, "recommendation-parties", recommendation="IV-5")
    assert len(unnamed) == 43 and {(r["reach"], r["certain"], r["stated_count"]) for r in unnamed} == {
        ("unnamed_subset", False, 23)
    }
    conditional = answer(live_server, "recommendation-parties", recommendation="iii-3")
    assert len(conditional) == 43 and {r["reach"] for r in conditional} == {"not_already_doing_so"}


def test_reservations_in_force(live_server: LiveServer, index: PartyIndex) -> None:
    text = source("factsheet-international-cooperation.md")
    invited = {
        (article, frozenset(named_in_source(names, index)))
        for names, article in re.findall(
            r"- (.+?) to withdraw the reservation they made in accordance with Article (\d+\(\d+\))", text
        )
    }
    assert {a for a, _ in invited} == {"20(4)", "21(2)"}
    rows = answer(live_server, "reservations-in-force")
    assert len(rows) == 11 and all(r["reservation"]["uri"].startswith(ID + "reservation/") for r in rows)
    for article, parties in invited:
        found = {
            r["party"]["uri"].rsplit("/", 1)[-1]
            for r in rows
            if r["made_under"]["label"].startswith(f"Article {article}") and r["withdrawal_invited_by"]
        }
        assert found == parties, article
    bulgaria = [r for r in rows if r["reservation"]["uri"] == ID + "reservation/bg/cets-201/article/20/4"]
    assert bulgaria and bulgaria[0]["withdrawal_invited_by"]["label"] == "V-1"
    assert bulgaria[0]["invitation_urgency"]["label"] == "invite"
    assert len(answer(live_server, "reservations-in-force", party="Russia")) == 4


def test_chapter_urgency_counts(live_server: LiveServer) -> None:
    table = {
        r["chapter"]["uri"].rsplit("/", 1)[-1]: (r["require"], r["request"], r["invite"], r["unstated"], r["total"])
        for r in answer(live_server, "chapter-urgency-counts")
    }
    assert table["III"] == (5, 7, 20, 0, 32)
    assert table["V"] == (2, 1, 16, 0, 19)
    assert table["II"] == (0, 0, 0, 8, 8) and table["I"] == (0, 0, 0, 0, 0)
    assert list(table) == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI"]
    # Chapter III's factsheet: one identifier footnote per recommendation, III-1 to III-32.
    ids = set(re.findall(r"Recommendation (III-\d+)\.", source("factsheet-investigations-and-prosecution.md")))
    assert len(ids) == table["III"][4]


def test_compare_georgia_and_moldova(live_server: LiveServer) -> None:
    rows = answer(live_server, "compare-parties", party="GE", other="Republic of Moldova")
    by = {r["recommendation"]["label"]: r for r in rows}
    only_ge = {k for k, r in by.items() if r["shared"] == "party"}
    assert only_ge == {"III-12", "III-13", "III-23", "III-28", "V-17"}
    assert not [k for k, r in by.items() if r["shared"] == "other"]
    for rec in ("III-16", "III-18"):  # footnotes 19 and 22 list both; footnotes 21 and 24: Moldova in line
        assert (by[rec]["shared"], by[rec]["reach"], by[rec]["other_status"], by[rec]["party_status"]) == (
            "both",
            "listed_in_footnote",
            "found_in_line",
            None,
        )
    assert by["III-3"]["for_party"] == by["III-3"]["for_other"] == "conditional"
    order = [r["shared"] for r in rows]
    assert order == sorted(order, key=["both", "party", "other"].index)
    swapped = answer(live_server, "compare-parties", party="md", other="ge")
    assert {r["recommendation"]["label"] for r in swapped if r["shared"] == "other"} == only_ge


def test_party_obligations_agree_with_the_flagship_answer(
    live_server: LiveServer, graph: GraphStore, index: PartyIndex
) -> None:
    rows = answer(live_server, "party-obligations", party="Georgia")
    flagship = obligations_for(graph, "ge", index)
    items = {i["id"]: i for g in flagship.groups for i in g["recommendations"]}
    assert {r["recommendation"]["label"]: (r["reach"], r["certain"]) for r in rows} == {
        k: (i["reach"], i["certain"]) for k, i in items.items()
    }
    ranks = [{"require": 1, "request": 2, "invite": 3}.get((r["urgency"] or {}).get("label", ""), 99) for r in rows]
    assert ranks == sorted(ranks)
    assert rows[0]["party"] == {"uri": ID + "party/ge", "label": "Georgia"}
    moldova = {r["recommendation"]["label"]: r["status"] for r in answer(live_server, "party-obligations", party="md")}
    assert moldova["III-16"] == moldova["III-18"] == "found_in_line"


def test_who_must_act_under_article_38(live_server: LiveServer, index: PartyIndex) -> None:
    required: set[str] = set()
    for line in re.findall(r"▪ (.+?) to ensure", section_38_2()):
        required |= named_in_source(line, index)
    assert len(required) == 22
    rows = answer(live_server, "article-38-urgency")
    assert len(rows) == 43
    by_urgency = {r["party"]["uri"].rsplit("/", 1)[-1]: r["urgency"]["label"] for r in rows}
    assert {p for p, u in by_urgency.items() if u == "require"} == required
    assert {u for p, u in by_urgency.items() if p not in required} == {"request"}  # V-3 requests all Parties
    first = [r["urgency"]["label"] for r in rows]
    assert first == sorted(first, key=["require", "request", "invite"].index)
    georgia = next(r for r in rows if r["party"]["uri"] == ID + "party/ge")
    assert georgia["require"] == 1 and "V-17" in georgia["recommendations"].split(", ")


def test_search(live_server: LiveServer) -> None:
    rows = answer(live_server, "search-recommendations", q="covert operations")
    assert labels(rows) == ["III-28"] and rows[0]["score"] == 2
    training = answer(live_server, "search-recommendations", q="Training, PROSECUTORS!")
    scores = [r["score"] for r in training]
    assert scores == sorted(scores, reverse=True) and {"III-16", "III-18"} <= set(labels(training)[:6])
    strict = answer(live_server, "search-recommendations", q="training prosecutors", min_words=2)
    assert strict and {r["score"] for r in strict} == {2}
    summary_only = answer(live_server, "search-recommendations", q="grooming")
    assert "II-10" in labels(summary_only)  # known only from the key findings' summary


def test_status_notes_practices_and_figures(live_server: LiveServer) -> None:
    notes = answer(live_server, "status-notes")
    assert [(r["party"]["label"], r["recommendation"]["label"], r["footnote"]) for r in notes] == [
        ("Republic of Moldova", "III-16", 21),
        ("Republic of Moldova", "III-18", 24),
    ]
    assert answer(live_server, "status-notes", party="ge") == []
    denmark = answer(live_server, "practices", party="dk")
    assert len(denmark) == 4 and {r["theme"] for r in denmark} == {None}
    under = answer(live_server, "practices", theme="investigations-and-prosecution")
    assert {r["theme"]["label"] for r in under} == {"investigations and prosecution"}
    assert {r["practice_theme"]["uri"].rsplit("/", 1)[-1] for r in under} == {
        "specialised-units",
        "training-of-professionals",
        "victim-identification",
    }
    figures = answer(live_server, "figures")
    units = [r for r in figures if r["figure"]["uri"].endswith("iii-specialised-law-enforcement-units")]
    assert (units[0]["value"], units[0]["out_of"], units[0]["unit"]) == (40, 43, "Parties")
    assert "40 Parties out of 43 have specialised units" in source("factsheet-investigations-and-prosecution.md")


def test_recommendations_without_names_opinions_instruments_urgency(live_server: LiveServer) -> None:
    unnamed = answer(live_server, "recommendations-naming-no-party")
    assert not {r["reach"] for r in unnamed} & {"named", "listed_in_footnote"}
    found = {r["recommendation"]["label"]: r for r in unnamed}
    assert {"III-3", "IV-5", "V-3"} <= set(found) and not {"III-16", "V-17"} & set(found)
    assert found["IV-5"]["stated_count"] == 23 and found["V-3"]["certain"] is True
    assert labels(answer(live_server, "recommendations-naming-no-party", chapter="4")) == ["IV-1", "IV-5", "IV-6"]
    opinions = answer(live_server, "opinion-recommendations")
    on_13 = {r["recommendation"]["label"] for r in opinions if r["provision"]["uri"].endswith("ict-2017/paragraph/13")}
    assert on_13 == {"III-28", "III-29", "III-30", "III-31", "III-32"}
    related = answer(live_server, "related-instruments", article="43")
    assert {r["related"]["label"] for r in related} == {
        "Directive 2012/29/EU",
        "Directive 2014/41/EU",
        "Council Framework Decision 2002/584/JHA",
        "Council Framework Decision 2008/909/JHA",
    }
    assert {r["article"]["label"] for r in related} == {"Article 43 of the Lanzarote Convention"}
    assert all(r["article"] is None for r in answer(live_server, "related-instruments"))
    assert labels(answer(live_server, "recommendations-by-urgency", urgency="require", chapter="V")) == ["V-17", "V-18"]
    assert len(answer(live_server, "recommendations-by-urgency", urgency="require")) == 7


# --- Injection: a value is a term or an error, never query text ------------------------------


@pytest.mark.parametrize(
    ("name", "params", "status"),
    [
        ("party-obligations", {"party": 'ge" } UNION { ?s ?p ?o'}, 404),
        ("party-obligations", {"party": "}"}, 404),
        ("party-obligations", {"party": "'"}, 404),
        ("party-obligations", {"party": "<https://w3id.org/lanzagraph/id/party/ge>"}, 404),
        ("compare-parties", {"party": "ge", "other": "md' } UNION { ?s ?p ?o } #"}, 404),
        ("recommendation-parties", {"recommendation": "III-16> } #"}, 422),
        ("recommendation-parties", {"recommendation": 'III-16" } UNION { ?s ?p ?o'}, 422),
        ("article-recommendations", {"article": "38) } UNION { ?s ?p ?o"}, 422),
        ("recommendations-naming-no-party", {"chapter": 'III" } #'}, 422),
        ("practices", {"theme": "x } UNION { ?s ?p ?o"}, 422),
        ("recommendations-by-urgency", {"urgency": "require } UNION {"}, 422),
        ("search-recommendations", {"q": "x", "min_words": "1 } UNION {"}, 422),
    ],
)
def test_hostile_values_are_refused(live_server: LiveServer, name: str, params: dict[str, str], status: int) -> None:
    response = live_server.get(f"{API}/{name}", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_hostile_search_string_is_only_words(live_server: LiveServer) -> None:
    hostile = answer(live_server, "search-recommendations", q='"} UNION { ?s ?p ?o } #')
    plain = answer(live_server, "search-recommendations", q="union")  # the only word of three letters or more
    assert [r["recommendation"] for r in hostile] == [r["recommendation"] for r in plain] and len(plain) < 70
    assert {r["q"] for r in hostile} == {'"} UNION { ?s ?p ?o } #'}


# --- Formats, paging, errors, documentation --------------------------------------------------


def flatten(row: dict[str, Any], columns: list[dict[str, str]]) -> list[str]:
    out: list[str] = []
    for column in columns:
        value = row[column["name"]]
        if column["type"] == "resource":
            out += [value["uri"], value["label"] or ""] if value else ["", ""]
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        else:
            out.append("" if value is None else str(value))
    return out


def test_csv_and_sparql_json_hold_the_json_rows(live_server: LiveServer) -> None:
    for entry in live_server.get(API).json():
        json_rows = live_server.get(entry["example"]).json()
        by_format = live_server.get(entry["example"] + ("&" if "?" in entry["example"] else "?") + "format=csv")
        by_accept = live_server.get(entry["example"], headers={"Accept": "text/csv"})
        assert by_format.status_code == by_accept.status_code == 200
        assert by_format.headers["content-type"].startswith("text/csv")
        assert by_format.headers["content-disposition"] == f'attachment; filename="{entry["name"]}.csv"'
        table = list(csv.reader(io.StringIO(by_format.text)))
        assert table == list(csv.reader(io.StringIO(by_accept.text)))
        header = [
            v
            for c in entry["columns"]
            for v in ([c["name"], c["name"] + "_label"] if c["type"] == "resource" else [c["name"]])
        ]
        assert table[0] == header
        assert table[1:] == [flatten(r, entry["columns"]) for r in json_rows], entry["name"]
        sparql = live_server.get(entry["example"], headers={"Accept": "application/sparql-results+json"})
        assert sparql.headers["content-type"].startswith("application/sparql-results+json")
        assert sparql.json()["head"]["vars"] == header
        assert len(sparql.json()["results"]["bindings"]) == len(json_rows)


def links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', header)}


def test_paging_with_link_headers(live_server: LiveServer) -> None:
    everything = answer(live_server, "recommendation-parties", recommendation="III-28")
    url: str | None = f"{API}/recommendation-parties?recommendation=III-28&limit=10"
    pages: list[list[dict[str, Any]]] = []
    while url:
        response = live_server.get(url)
        assert response.status_code == 200
        pages.append(response.json())
        found = links(response.headers["Link"])
        assert found["describedby"] == f"{API}/recommendation-parties/about"
        assert dict(parse_qsl(urlsplit(found["first"]).query)) == {
            "recommendation": "III-28",
            "limit": "10",
            "offset": "0",
        }
        if len(pages) > 1:
            assert "prev" in found
        url = found.get("next")
    assert [len(p) for p in pages] == [10, 10, 6]
    assert [r for p in pages for r in p] == everything
    beyond = live_server.get(f"{API}/recommendation-parties", params={"recommendation": "III-28", "offset": 100})
    assert beyond.json() == [] and "next" not in links(beyond.headers["Link"])
    about = live_server.get(links(beyond.headers["Link"])["describedby"]).json()
    assert about["sparql"] == (REPO / "queries" / "recommendation-parties.rq").read_text(encoding="utf-8")
    assert about["query_page"].startswith("/sparql?query=PREFIX") or about["query_page"].startswith("/sparql?query=%23")


def test_errors_and_conditional_requests(live_server: LiveServer, catalogue: Catalogue) -> None:
    unknown = live_server.get(f"{API}/no-such-question")
    assert unknown.status_code == 404 and unknown.json()["known"] == catalogue.names()
    assert live_server.get(f"{API}/no-such-question/about").status_code == 404
    for params in [
        {},
        {"party": "ge", "pary": "x"},
        {"party": "ge", "limit": 0},
        {"party": "ge", "limit": 10**6},
        {"party": "ge", "format": "xml"},
    ]:
        assert live_server.get(f"{API}/party-obligations", params=params).status_code == 422, params
    repeated = live_server.get(f"{API}/party-obligations?party=ge&party=md")
    assert repeated.status_code == 422
    assert live_server.get(f"{API}/figures", headers={"Accept": "image/png"}).status_code == 406
    first = live_server.get(f"{API}/figures")
    again = live_server.get(f"{API}/figures", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["X-Lanzagraph-Dataset"] == first.headers["X-Lanzagraph-Dataset"]


def test_openapi_documents_every_query(live_server: LiveServer, catalogue: Catalogue) -> None:
    spec = live_server.get("/openapi.json").json()
    for query in catalogue:
        operation = spec["paths"][f"{API}/{query.name}"]["get"]
        assert operation["summary"] == query.title and query.description[:60] in operation["description"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert set(params) == {p.name for p in query.params} | {"limit", "offset", "format"}
        for param in query.params:
            documented = params[param.name]
            assert documented["required"] == param.required and param.description in documented["description"]
            assert documented["examples"]["example"]["value"] == param.example
        rows = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert list(rows["items"]["properties"]) == [c.name for c in query.columns]
        assert "text/csv" in operation["responses"]["200"]["content"]
    assert f"{API}" in spec["paths"] and f"{API}/{{name}}/about" in spec["paths"]


def test_no_server_error_under_schemathesis(live_server: LiveServer) -> None:
    if importlib.util.find_spec("schemathesis") is None:
        pytest.skip("schemathesis is not installed (pip install 'lanzagraph[test]')")
    cli = Path(sys.executable).with_name("st")
    command = [
        str(cli),
        "--no-color",
        "run",
        f"{live_server.url}/openapi.json",
        "--url",
        live_server.url,
        "--include-path-regex",
        f"^{API}",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "15",
        "--phases",
        "examples,coverage,fuzzing",
        "--generation-deterministic",
        "--request-timeout",
        "30",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    log = live_server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
