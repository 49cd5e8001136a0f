"""The web front over HTTP (the browser tests are in test_browser.py): the query page and its
executor path (refusals, time limit, row cap), the examples, the matrix against the obligations
answer, search in texts, static files. Against real servers, on both backends where it matters."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import ID, REPO, LiveServer, start_server, stop_server

from lanzagraph.catalogue import Catalogue
from lanzagraph.matrix import URGENCIES, Matrix, cell_items, matrix_for
from lanzagraph.obligations import obligations_for
from lanzagraph.parties import PartyIndex
from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PARTIES = """PREFIX lz: <https://w3id.org/lanzagraph/ontology#>
SELECT ?party ?code WHERE { ?party a lz:StateParty ; lz:iso3166Alpha2 ?code } ORDER BY ?code"""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Tags(HTMLParser):
    """Start tags with their attributes, and the text inside elements of interest."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def tags(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def page(server: LiveServer, path: str, **params: str) -> httpx.Response:
    return server.get(path, params=params, headers=BROWSER)


# --- the query page --------------------------------------------------------------------------------


def test_sparql_shows_the_query_page_to_browsers(live_server: LiveServer) -> None:
    r = page(live_server, "/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    found = tags(r.text)
    assert found.all("form", action="/query", method="get")
    assert found.all("textarea", name="query")
    assert "PREFIX skos: &lt;http://www.w3.org/2004/02/skos/core#&gt;" in r.text
    scripts = found.all("script")
    assert scripts and all(s.get("src", "").startswith("/static/") or s.get("type") == "application/ld+json"
                           for s in scripts), "no inline script: the CSP would block it"
    names = {q.name for q in Catalogue.load(REPO / "queries")}
    assert {a["href"] for a in found.all("a", **{"class": "example"})} == {f"/query?example={n}" for n in names}


def test_the_query_page_runs_a_query_and_links_its_iris(live_server: LiveServer) -> None:
    r = page(live_server, "/query", query=PARTIES)
    assert r.status_code == 200
    hrefs = [a["href"] for a in tags(r.text).all("a")]
    assert "/id/party/ge" in hrefs and "/id/party/md" in hrefs
    assert "Rows 1–48 of 48" in r.text
    downloads = {a["download"]: a["href"] for a in tags(r.text).all("a") if "download" in a}
    csv_url = downloads["results.csv"]
    assert parse_qs(urlsplit(csv_url).query) == {"query": [PARTIES], "format": ["csv"]}
    body = live_server.get(csv_url).text.splitlines()
    assert body[0] == "party,code" and len(body) == 49
    vocabulary = page(live_server, "/query", query="SELECT ?c WHERE { ?r a ?c } GROUP BY ?c ORDER BY ?c")
    assert "/ontology#Recommendation" in [a["href"] for a in tags(vocabulary.text).all("a")]


def test_the_query_page_pages_long_answers(live_server: LiveServer) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 130"
    first = page(live_server, "/query", query=query, rows="25")
    assert "Rows 1–25 of 130" in first.text and "Page 1 of 6" in first.text
    last = page(live_server, "/query", query=query, rows="25", page="99")
    assert "Rows 126–130 of 130" in last.text and "Page 6 of 6" in last.text
    assert len(re.findall(r'<td class="rownum">', last.text)) == 5


def test_construct_and_ask_on_the_query_page(live_server: LiveServer) -> None:
    construct = page(live_server, "/query", query=(
        "PREFIX lz: <https://w3id.org/lanzagraph/ontology#> CONSTRUCT { ?r lz:urgency ?u } "
        "WHERE { ?r a lz:Recommendation ; lz:urgency ?u }"))
    assert construct.status_code == 200 and "Rows 1–51 of 51 (triples)" in construct.text
    assert "/ontology#urgency" in construct.text and "format=turtle" in construct.text
    ask = page(live_server, "/query", query="ASK { ?s ?p ?o }")
    assert ask.status_code == 200 and "yes (true)" in ask.text


@pytest.mark.parametrize(("query", "status", "words"), [
    ("SELECT * WHERE { ?s ?p }", 400, "error at "),
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", 403, "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403, "allow-list"),
    ("   ", 400, "the query is empty"),
])
def test_the_query_page_refuses_as_sparql_does(live_server: LiveServer, query: str, status: int, words: str) -> None:
    r = page(live_server, "/query", query=query)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert words in r.text and 'role="alert"' in r.text, r.text[r.text.find("role=\"alert\""):][:600]
    assert "<textarea" in r.text and "Traceback" not in r.text
    if query.strip():
        assert ">" + query.replace("<", "&lt;").replace(">", "&gt;") + "</textarea>" in r.text, "the query is kept"


def test_format_html_on_sparql_leads_to_the_query_page(live_server: LiveServer) -> None:
    r = live_server.get("/sparql", params={"query": PARTIES, "format": "html"}, headers=BROWSER)
    assert r.status_code == 303
    assert parse_qs(urlsplit(r.headers["location"]).query) == {"query": [PARTIES]}


@pytest.fixture(scope="module")
def strict_front(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with a 2 s time limit and a 5-row cap."""
    server = start_server(built_settings, tmp_path_factory.mktemp("strict-front") / "server.log", extra_env={
        "LANZAGRAPH_QUERY_TIMEOUT": "2", "LANZAGRAPH_MAX_ROWS": "5"})
    yield server
    stop_server(server.process)


def test_the_query_page_keeps_the_time_limit_and_row_cap(strict_front: LiveServer) -> None:
    capped = page(strict_front, "/query", query=PARTIES)
    assert capped.status_code == 200
    assert "Rows 1–5 of 5" in capped.text and "cut at 5 rows" in capped.text
    slow = page(strict_front, "/query", query=RUNAWAY)
    assert slow.status_code == 503 and "Query timed out" in slow.text
    assert page(strict_front, "/healthz").status_code == 200


def test_each_example_gives_the_canned_answer(live_server: LiveServer) -> None:
    """The text an example loads into the editor, run on /sparql, answers as the canned endpoint
    does with the example parameters."""
    catalogue = live_server.get("/api/queries").json()
    assert len(catalogue) >= 10
    for entry in catalogue:
        text = live_server.get(f"/query/examples/{entry['name']}")
        assert text.status_code == 200 and text.headers["content-type"].startswith("application/sparql-query")
        mine = live_server.post("/sparql", data={"query": text.text},
                                headers={"Accept": "application/sparql-results+json"})
        assert mine.status_code == 200, (entry["name"], mine.text[:500])
        separator = "&" if "?" in entry["example"] else "?"
        canned = live_server.get(entry["example"] + separator + "format=json-sparql&limit=10000")
        assert canned.status_code == 200, entry["name"]

        assert rows(mine.json()) == rows(canned.json()), entry["name"]
    assert live_server.get("/query/examples/no-such-query").status_code == 404
    assert page(live_server, "/query", example="no-such-query").status_code == 404


def rows(body: dict[str, Any]) -> list[str]:
    """The rows of SPARQL JSON results as a sorted list, with the items of a GROUP_CONCAT sorted too
    (their order is the engine's)."""
    def plain(value: dict[str, str]) -> dict[str, str]:
        if value.get("type") == "literal" and "datatype" not in value and ", " in value["value"]:
            return {**value, "value": ", ".join(sorted(value["value"].split(", ")))}
        return value

    return sorted(json.dumps({k: plain(v) for k, v in b.items()}, sort_keys=True) for b in body["results"]["bindings"])


# --- the matrix ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(graph: GraphStore) -> Matrix:
    return matrix_for(graph)


def test_matrix_covers_the_round(matrix: Matrix, graph: GraphStore) -> None:
    assert len(matrix.parties) == 43 and len(matrix.chapters) == 11
    assert [c.number for c in matrix.chapters] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI"]
    assert matrix.round_iri == ID + "round/2"
    ge = matrix.find_party("GE")
    assert ge is not None and ge.name == "Georgia"
    chapter = matrix.find_chapter("III")
    assert chapter is not None
    iii = matrix.cell(ge, chapter)
    assert iii.counts["require"]["certain"] == 3 and iii.highest == "require"


def test_matrix_agrees_with_the_obligations_answer(matrix: Matrix, graph: GraphStore) -> None:
    """Every Party's row sums to what /api/parties/{party}/obligations counts, chapter by chapter."""
    index = PartyIndex.load(graph)
    for party in matrix.parties:
        answer = obligations_for(graph, party.code, index)
        by_chapter: dict[tuple[str, str, bool], int] = {}
        for group in answer.groups:
            for item in group["recommendations"]:
                key = (item["chapter"]["number"], item["urgency"] or "unstated", item["certain"])
                by_chapter[key] = by_chapter.get(key, 0) + 1
        for cell in matrix.row(party):
            for urgency in URGENCIES:
                for certain in (True, False):
                    counted = cell.counts[urgency]["certain" if certain else "conditional"]
                    assert counted == by_chapter.get((cell.chapter.number, urgency, certain), 0), (
                        party.code, cell.chapter.number, urgency, certain)
        assert matrix.party_totals(party) == (answer.totals["certain"], answer.totals["conditional"]), party.code


def test_every_cell_lists_what_it_counts(matrix: Matrix, graph: GraphStore) -> None:
    for party in matrix.parties:
        for cell in matrix.row(party):
            items = cell_items(graph, party.iri, cell.chapter.iri)
            assert len(items) == cell.total, (party.code, cell.chapter.number)
            assert sum(1 for i in items if i.certain) == cell.certain
            ranks = [URGENCIES.index(i.urgency) for i in items]
            assert ranks == sorted(ranks), "highest urgency first"


def test_matrix_page_is_an_accessible_table(live_server: LiveServer) -> None:
    r = page(live_server, "/matrix")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    found = tags(r.text)
    assert len(found.all("th", scope="row")) == 43 + 1  # the Parties and the totals row
    assert len(found.all("th", scope="col")) == 1 + 11 + 1
    assert found.all("caption") and "Legend" in r.text
    cells = [a["href"] for a in found.all("a") if a["href"].startswith("/matrix/")]
    assert "/matrix/ge/III" in cells and len(cells) == 430
    assert re.search(r'<td class="hi-require[" ]', r.text) and 'class="hi-unstated only-conditional"' in r.text
    assert {a["type"] for a in found.all("link", rel="alternate")} == {"text/csv", "application/json"}
    assert "@media print" in live_server.get("/static/site.css").text


def test_matrix_as_csv_and_json(live_server: LiveServer) -> None:
    table = live_server.get("/matrix", params={"format": "csv"})
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == 43 * 11 * 4
    ge_iii = {r["urgency"]: (int(r["certain"]), int(r["conditional"])) for r in rows
              if r["party_code"] == "GE" and r["chapter_number"] == "III"}
    assert ge_iii["require"] == (3, 0)
    data = live_server.get("/matrix", headers={"Accept": "application/json"}).json()
    assert len(data["chapters"]) == 11 and len(data["cells"]) == len(rows) and "SELECT" in data["sparql"]
    assert live_server.get("/matrix", headers={"Accept": "image/png"}).status_code == 406


def test_matrix_cell_page(live_server: LiveServer) -> None:
    r = page(live_server, "/matrix/ge/III")
    assert r.status_code == 200
    assert re.search(r"<h1>Georgia: Chapter III", r.text)
    hrefs = [a["href"] for a in tags(r.text).all("a")]
    assert "/id/round/2/recommendation/III-12" in hrefs and "/matrix/ge/IV" in hrefs and "/matrix/ge/II" in hrefs
    assert page(live_server, "/matrix/xx/III").status_code == 404
    assert page(live_server, "/matrix/ge/XLII").status_code == 404
    assert page(live_server, "/matrix/ge/I").status_code == 200  # an empty cell says so


def test_party_page_charts_its_obligations(live_server: LiveServer) -> None:
    r = page(live_server, "/id/party/ge")
    chart = r.text[r.text.index('<table class="chart">'):]
    chart = chart[: chart.index("</table>")]
    assert chart.count("<tr>") == 1 + 10  # header and the chapters with a recommendation for Georgia
    assert 'href="/matrix/ge/III"' in chart and "seg u-require" in chart and "seg u-invite cond" in chart


# --- home, search, static ---------------------------------------------------------------------------


def test_home_counts_and_entry_points(live_server: LiveServer) -> None:
    r = page(live_server, "/")
    hrefs = {a["href"] for a in tags(r.text).all("a")}
    assert {"/matrix", "/sparql", "/docs", "/ontology", "/dumps/", "/search"} <= hrefs
    assert re.search(r'<span class="n">70</span> Recommendations', r.text)
    assert re.search(r'<span class="n">48</span> State parties', r.text)


def test_search_looks_into_texts(live_server: LiveServer) -> None:
    found = live_server.get("/search", params={"q": "front desk", "format": "json"}).json()
    assert "/id/round/2/recommendation/III-12" in {h["href"] for h in found["in_texts"]}
    assert all("front" in h["snippet"].lower() for h in found["in_texts"])
    moldova = live_server.get("/search", params={"q": "Moldova"}, headers={"Accept": "application/json"}).json()
    assert moldova["results"][0]["href"] == "/id/party/md"


def test_static_files(live_server: LiveServer) -> None:
    css = live_server.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert live_server.get("/static/site.css", headers={"If-None-Match": css.headers["etag"]}).status_code == 304
    script = live_server.get("/static/query.js")
    assert script.headers["content-type"].startswith("text/javascript")
    for bad in ("/static/nope.css", "/static/..%2Fapp.py", "/static/__init__.py"):
        assert live_server.get(bad).status_code == 404, bad
