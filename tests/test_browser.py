"""The web front in a real browser: Debian's headless Chromium (/usr/bin/chromium) driven by
Playwright for Python, against a real server over the session's build.

Where Chromium or Playwright is missing these tests fail, saying what to install: a browser test
that silently passes tests nothing. Screenshots of every step are saved under
test-output/screenshots/ (git-ignored); the path is printed at the end of the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import REPO, LiveServer, start_server, stop_server

from lanzagraph.settings import Settings

CHROMIUM = Path(os.environ.get("LANZAGRAPH_CHROMIUM", "/usr/bin/chromium"))  # another build of Chromium
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
SHOTS = REPO / "test-output" / "screenshots"
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    running = start_server(built_settings, tmp_path_factory.mktemp("browser-server") / "server.log")
    yield running
    stop_server(running.process)


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Debian's Chromium at {CHROMIUM}: install it with "
                    "`apt-get install chromium` (CI does, in .ci/run)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright for Python: pip install -e '.[test]'", pytrace=False)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nbrowser screenshots: {SHOTS}")


class Tab:
    """A page, the console errors it logged, and screenshots named after the test."""

    def __init__(self, page: Any, server: LiveServer, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.set_default_timeout(TIMEOUT_MS)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.server.url + path)

    def shot(self, step: str) -> Path:
        path = SHOTS / f"{self.name}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def blocked(self) -> list[str]:
        """Console errors other than failed loads: script errors and CSP refusals."""
        return [e for e in self.errors if not e.startswith("Failed to load resource")]


@pytest.fixture
def tab(browser: Any, server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Tab(context.new_page(), server, request.node.name.removeprefix("test_"))
    context.close()


@pytest.fixture
def tab_without_js(browser: Any, server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    yield Tab(context.new_page(), server, request.node.name.removeprefix("test_"))
    context.close()


PARTIES_QUERY = """PREFIX lz: <https://w3id.org/lanzagraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?party ?name WHERE { ?party a lz:StateParty ; rdfs:label ?name } ORDER BY ?name"""


def _run(tab: Tab, query: str) -> Any:
    """Types the query into the editor and presses Run; the navigation's response."""
    editor = tab.page.get_by_label("Query", exact=True)
    editor.fill(query)
    with tab.page.expect_navigation() as navigation:
        tab.page.get_by_role("button", name="Run").click()
    return navigation.value


def test_type_a_query_run_it_and_open_a_resource(tab: Tab) -> None:
    tab.goto("/sparql")
    editor = tab.page.get_by_label("Query", exact=True)
    assert "PREFIX lz: <https://w3id.org/lanzagraph/ontology#>" in editor.input_value(), "prefilled PREFIXes"
    tab.shot("1-editor")
    response = _run(tab, PARTIES_QUERY)
    assert response.status == 200
    sent = parse_qs(urlsplit(tab.page.url).query)["query"][0]
    assert tab.path() == "/query" and sent.replace("\r\n", "\n") == PARTIES_QUERY, "the URL holds the query"
    rows = tab.page.locator("table.results tbody tr")
    assert rows.count() == 48
    assert "Rows 1–48 of 48" in tab.page.locator("#results").inner_text()
    georgia = rows.filter(has_text="Georgia").first
    link = georgia.get_by_role("link", name="Georgia")
    assert link.get_attribute("href") == "/id/party/ge"
    tab.shot("2-results")
    link.click()
    tab.page.wait_for_url("**/id/party/ge")
    assert tab.page.locator("h1").inner_text() == "Georgia"
    assert tab.page.locator("table.chart tbody tr").count() >= 5, "the Party page charts its obligations"
    tab.shot("3-resource")
    # Back on the results: the query is still in the editor (the URL holds it).
    tab.page.go_back()
    assert tab.page.get_by_label("Query", exact=True).input_value() == PARTIES_QUERY
    assert not tab.blocked(), tab.errors


def test_the_query_page_works_without_javascript(tab_without_js: Tab) -> None:
    tab = tab_without_js
    tab.goto("/sparql")
    tab.page.get_by_role("link", name="Compare two Parties").click()
    tab.page.wait_for_url("**/query?example=compare-parties")
    text = tab.page.get_by_label("Query", exact=True).input_value()
    assert "<https://w3id.org/lanzagraph/id/party/ge>" in text, "the example's parameters are bound"
    response = _run(tab, text)
    assert response.status == 200
    assert tab.page.locator("table.results tbody tr").count() > 0
    tab.shot("results")


def test_examples_load_without_leaving_the_page_and_ctrl_enter_runs(tab: Tab) -> None:
    from playwright.sync_api import expect

    tab.goto("/query")
    tab.page.evaluate("window.__marker = 'same page'")
    tab.page.get_by_role("link", name="What a Party is asked to do").click()
    editor = tab.page.get_by_label("Query", exact=True)
    # Polled from Python: a predicate string would be eval'ed in the page, which its CSP forbids.
    expect(editor).to_have_value(re.compile(re.escape("/api/queries/party-obligations")))
    assert tab.page.evaluate("window.__marker") == "same page", "loaded by the script, not by navigating"
    assert tab.page.url.endswith("/query?example=party-obligations")
    editor.focus()
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Control+Enter")
    assert tab.path() == "/query"
    assert tab.page.locator("table.results tbody tr").count() == 59  # Georgia, the example Party
    tab.shot("ctrl-enter")
    assert not tab.blocked(), tab.errors


def test_a_syntax_error_is_shown_next_to_the_query(tab: Tab) -> None:
    tab.goto("/query")
    bad = "SELECT * WHERE {\n  ?s ?p\n}"
    response = _run(tab, bad)
    assert response.status == 400
    alert = tab.page.get_by_role("alert")
    assert "error at 3:" in alert.inner_text()
    assert tab.page.get_by_label("Query", exact=True).input_value() == bad
    assert tab.page.get_by_label("Query", exact=True).get_attribute("aria-invalid") == "true"
    # The script put the caret on the line the parser stopped at.
    start = tab.page.evaluate("document.getElementById('query').selectionStart")
    assert bad[:start].count("\n") == 2
    tab.shot("error")
    assert not tab.blocked(), tab.errors


def test_long_results_are_paged(tab: Tab) -> None:
    tab.goto("/query")
    _run(tab, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 250")
    results = tab.page.locator("#results")
    assert "Rows 1–100 of 250" in results.inner_text()
    first = tab.page.locator("table.results tbody tr").first.inner_text()
    tab.page.get_by_role("navigation", name="Result pages").get_by_role("link", name="Next").click()
    tab.page.wait_for_url(re.compile(r"page=2"))
    assert "Rows 101–200 of 250" in tab.page.locator("#results").inner_text()
    assert tab.page.locator("table.results tbody tr").first.inner_text() != first
    assert tab.page.locator("table.results tbody tr td.rownum").first.inner_text() == "101"
    tab.shot("page-2")
    downloads = {a.inner_text(): a.get_attribute("href") for a in tab.page.locator(".alternates a[download]").all()}
    assert set(downloads) >= {"CSV", "SPARQL JSON"}
    csv = tab.page.request.get(tab.server.url + downloads["CSV"])
    assert csv.ok and len(csv.text().strip().splitlines()) == 251


def test_open_the_matrix_click_a_cell_and_see_the_list(tab: Tab) -> None:
    tab.goto("/matrix")
    rows = tab.page.locator("table.matrix tbody tr")
    assert rows.count() == 43
    headers = tab.page.locator("table.matrix thead th[scope=col]")
    assert headers.count() == 1 + 11 + 1  # Party, the chapters, the totals
    tab.shot("1-matrix")
    cell = tab.page.locator("tr#party-ge a[href='/matrix/ge/III']")
    words = cell.locator(".sr-only").text_content() or ""
    assert words.startswith("Georgia, Chapter III")
    expected = sum(int(n) for n in re.findall(r"(\d+) (?:certain|conditional)", words))
    cell.click()
    tab.page.wait_for_url("**/matrix/ge/III")
    assert tab.page.locator("h1").inner_text().startswith("Georgia: Chapter III")
    items = tab.page.locator("ol.list-items > li")
    assert items.count() == expected > 0
    assert tab.page.get_by_role("link", name="III-12").count() == 1
    tab.shot("2-cell")
    tab.page.get_by_role("link", name="III-12").click()
    tab.page.wait_for_url("**/id/round/2/recommendation/III-12")
    assert not tab.blocked(), tab.errors


def test_matrix_cells_are_reachable_by_keyboard(tab: Tab) -> None:
    tab.goto("/matrix")
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content", "the first tab stop skips the navigation"
    tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("document.activeElement.id") == "main"
    link = tab.page.locator("tr#party-al a[href='/matrix/al/III']")
    link.focus()
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url("**/matrix/al/III")


def test_search_a_party_by_name_and_open_its_page(tab: Tab) -> None:
    tab.goto("/")
    box = tab.page.get_by_role("searchbox", name=re.compile("Find a Party"))
    box.fill("Moldova")
    box.press("Enter")
    tab.page.wait_for_url("**/search?q=Moldova")
    tab.shot("1-results")
    names = tab.page.locator("#main table").first
    assert names.locator("tbody tr").first.get_by_role("link").inner_text() == "Republic of Moldova", "the Party first"
    names.get_by_role("link", name="Republic of Moldova", exact=True).click()
    tab.page.wait_for_url("**/id/party/md")
    assert tab.page.locator("h1").inner_text() == "Republic of Moldova"
    chart = tab.page.locator("table.chart")
    assert chart.locator("tbody tr").count() >= 5
    tab.shot("2-party")
    assert not tab.blocked(), tab.errors


def test_search_finds_words_of_recommendation_texts(tab: Tab) -> None:
    tab.goto("/search?q=front+desk+officers")
    texts = tab.page.locator("section[aria-labelledby=texts-h]")
    assert texts.get_by_role("link", name="III-12").count() == 1
    assert "front" in texts.locator("mark").first.inner_text().lower()


@pytest.mark.parametrize("path", ["/", "/sparql", "/matrix", "/matrix/ge/III", "/id/party/ge", "/search?q=ge"])
def test_pages_are_accessible_basics(tab: Tab, path: str) -> None:
    """lang, a skip link to main, one h1, a label for every form control, headers on every table,
    and no console error (a CSP refusal would show there)."""
    response = tab.goto(path)
    assert response.status == 200
    page = tab.page
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("a.skip[href='#main']").count() == 1 and page.locator("main#main").count() == 1
    assert page.locator("h1").count() == 1
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML)""")
    assert not unlabelled, unlabelled
    headless = page.evaluate("""() => [...document.querySelectorAll('table')]
        .filter(t => !t.querySelector('th')).map(t => t.outerHTML.slice(0, 120))""")
    assert not headless, headless
    assert page.locator("link[rel=alternate]").count() >= 1, "the machine-readable alternatives are linked"
    assert not tab.blocked(), tab.errors
