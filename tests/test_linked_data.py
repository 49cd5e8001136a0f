"""Linked data against real servers: every URI dereferences, for machines (Turtle, JSON-LD, RDF/XML,
N-Triples, by content negotiation) and for people (HTML pages, reachable by links from /).

Two servers: the session's `live_server` (IRIs under https://w3id.org/lanzagraph/, served at
/id/...) and, built once for this module, a server whose store uses its own URL as base, so that
the IRIs in the data are the URLs that answer for them.
"""

from __future__ import annotations

import gzip
import http.client
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pyoxigraph
import pytest
import rdflib
from conftest import ID, LZ, REPO, LiveServer, free_port, select, settings_for, start_server, stop_server
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, XSD

from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore

LZNS = rdflib.Namespace(LZ)
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PARTY = "party/ge"
REC = "round/2/recommendation/III-16"

CRAWL_MAX_PAGES = 4000
CRAWL_SECONDS = 100.0
# A representation link (?format=...) is fetched for one resource in this many: every page names
# four of them, and fetching all would multiply the crawl by five for no new resource.
FORMAT_SAMPLE = 10


class Page(HTMLParser):
    """The links, element ids and JSON-LD blocks of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, dict[str, str]]] = []  # (tag, href, attributes)
        self.ids: set[str] = set()
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag in ("a", "link") and attributes.get("href"):
            self.links.append((tag, attributes["href"], attributes))
        if tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_jsonld = True
            self.jsonld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld[-1] += data


def parse_page(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


def parse_rdf(response: httpx.Response) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=response.content, format=RDF_TYPES[media(response)], publicID=str(response.url))
    return graph


def get(server: LiveServer, path: str, accept: str | None = None, **headers: str) -> httpx.Response:
    if accept is not None:
        headers["Accept"] = accept
    return server.get(path, headers=headers)


def raw_status(server: LiveServer, method: str, path: str) -> tuple[int, bytes]:
    """A request sent byte for byte as given (no client-side path normalisation)."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader("Accept", "text/turtle")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def canonical(response: httpx.Response) -> set[pyoxigraph.Quad]:
    """The graph in canonical form (RDFC-1.0 blank node labels), parsed by pyoxigraph: a second
    parser, and fast where rdflib's isomorphism test is slow (graphs with many blank nodes)."""
    formats = {"text/turtle": pyoxigraph.RdfFormat.TURTLE, "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
               "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
               "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES}
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(response.content, format=formats[media(response)],
                                                  base_iri=str(response.url)))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def iris_of(graph: GraphStore, cls: str) -> list[str]:
    return sorted(row["s"] for row in select(graph, f"SELECT DISTINCT ?s WHERE {{ ?s a {cls} }}"))


# --- the resource in every format ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("mt", list(RDF_TYPES))
def test_each_rdf_format_holds_the_resource_triples(live_server: LiveServer, graph: GraphStore, mt: str) -> None:
    party = rdflib.URIRef(ID + PARTY)
    r = get(live_server, "/id/" + PARTY, mt)
    assert r.status_code == 200 and media(r) == mt, (r.status_code, r.headers)
    g = parse_rdf(r)
    assert (party, LZNS.iso3166Alpha2, rdflib.Literal("GE")) in g
    assert (party, RDF.type, LZNS.StateParty) in g
    # Links in that matter: the recommendations that apply to the Party, with their labels.
    rec = rdflib.URIRef(ID + REC)
    assert (rec, LZNS.appliesTo, party) in g
    assert (rec, RDFS.label, rdflib.Literal("Recommendation III-16", lang="en")) in g

    r = get(live_server, "/id/" + REC, mt)
    g = parse_rdf(r)
    text = select(graph, f"SELECT ?t WHERE {{ <{ID + REC}> lz:text ?t }}")[0]["t"]
    assert (rec, LZNS.text, rdflib.Literal(text, lang="en")) in g
    assert (rec, LZNS.urgency, LZNS.Request) in g
    group = rdflib.URIRef(ID + REC + "/addressees")
    assert (rec, LZNS.addressedTo, group) in g
    assert (group, RDFS.label, None) in g
    # Every triple the store holds about it is in the description.
    for row in select(graph, f"SELECT DISTINCT ?p ?o WHERE {{ <{ID + REC}> ?p ?o FILTER(!isBlank(?o)) }}"):
        p = rdflib.URIRef(row["p"])
        assert (rec, p, None) in g, f"{p} missing from the {mt} description"
    assert len(list(g.triples((rec, None, None)))) == len(
        select(graph, f"SELECT DISTINCT ?p ?o WHERE {{ <{ID + REC}> ?p ?o }}"))


@pytest.mark.slow
def test_descriptions_carry_the_links_in_that_matter(live_server: LiveServer, graph: GraphStore) -> None:
    def described(path: str) -> rdflib.Graph:
        return parse_rdf(get(live_server, "/id/" + path, "text/turtle"))

    def subjects(query: str) -> list[rdflib.URIRef]:
        return [rdflib.URIRef(row["s"]) for row in select(graph, query)]

    bg = rdflib.URIRef(ID + "party/bg")
    g = described("party/bg")
    reservations = subjects(f"SELECT ?s WHERE {{ ?s a lz:Reservation ; lz:state <{bg}> }}")
    practices = subjects(f"SELECT ?s WHERE {{ ?s lz:practiceOf <{bg}> }}")
    statuses = subjects(f"SELECT ?s WHERE {{ ?s a lz:TreatyStatus ; lz:state <{bg}> }}")
    assert reservations and practices and statuses
    for s in reservations + statuses:
        assert (s, LZNS.state, bg) in g and (s, RDFS.label, None) in g, s
    for s in practices:
        assert (s, LZNS.practiceOf, bg) in g, s
    for s in subjects(f"SELECT ?s WHERE {{ ?s lz:mayApplyTo <{bg}> }}"):
        assert (s, LZNS.mayApplyTo, bg) in g, s

    paragraph = rdflib.URIRef(ID + "instrument/cets-201/article/38/1")
    g = described("instrument/cets-201/article/38/1")
    parts = subjects(f"SELECT ?s WHERE {{ ?s eli:is_part_of <{paragraph}> }}")
    assert len(parts) == 3
    for s in parts:
        assert (s, rdflib.URIRef("http://data.europa.eu/eli/ontology#is_part_of"), paragraph) in g
    sub = "instrument/cets-201/article/38/1/c"
    g = described(sub)
    resting = subjects(f"SELECT ?s WHERE {{ ?s lz:restsOn <{ID + sub}> }}")
    assert resting
    for s in resting:
        assert (s, LZNS.restsOn, rdflib.URIRef(ID + sub)) in g and (s, RDFS.label, None) in g

    opinion = "opinion/ict-2017/paragraph/14"
    g = described(opinion)
    for s in subjects(f"SELECT ?s WHERE {{ ?s lz:restsOn <{ID + opinion}> }}"):
        assert (s, LZNS.restsOn, rdflib.URIRef(ID + opinion)) in g
    # A materialised inverse of a link out is not repeated as a link in.
    g = described(REC)
    assert (rdflib.URIRef(ID + "party/ge"), LZNS.subjectTo, rdflib.URIRef(ID + REC)) not in g
    assert (rdflib.URIRef(ID + REC), LZNS.appliesTo, rdflib.URIRef(ID + "party/ge")) in g


@pytest.mark.slow
@pytest.mark.parametrize("path", [PARTY, REC, "instrument/cets-201/article/38/1", "opinion/ict-2017/paragraph/14"])
def test_all_representations_hold_one_graph(live_server: LiveServer, path: str) -> None:
    graphs = {mt: parse_rdf(get(live_server, "/id/" + path, mt)) for mt in RDF_TYPES}
    reference = graphs["text/turtle"]
    assert len(reference) > 10
    for mt, g in graphs.items():
        assert isomorphic(g, reference), f"{mt} differs from Turtle ({len(g)} vs {len(reference)} triples)"
    page = parse_page(get(live_server, "/id/" + path, "text/html").text)
    assert len(page.jsonld) == 1, "the page embeds its own RDF once"
    embedded = rdflib.Graph().parse(data=page.jsonld[0], format="json-ld")
    assert isomorphic(embedded, reference), "the JSON-LD in the page is not the resource's description"


@pytest.mark.slow
def test_jsonld_is_compacted_with_a_context(live_server: LiveServer) -> None:
    doc = get(live_server, "/id/" + REC, "application/ld+json").json()
    context = doc["@context"]
    for prefix in ("lz", "eli", "skos", "dcterms", "rdfs", "org"):
        assert prefix in context
    node = next(n for n in doc["@graph"] if n["@id"] == ID + REC)
    assert "lz:Recommendation" in node["@type"]
    assert node["lz:urgency"] == [{"@id": "lz:Request"}]
    assert node["skos:notation"] == [{"@value": "III-16"}]


# --- negotiation and HTTP semantics ---------------------------------------------------------------


@pytest.mark.slow
def test_negotiation_honours_q_values_format_and_browsers(live_server: LiveServer) -> None:
    path = "/id/" + PARTY
    assert media(get(live_server, path, "text/turtle;q=0.5, application/rdf+xml")) == "application/rdf+xml"
    assert media(get(live_server, path, "application/rdf+xml;q=0.2, text/turtle;q=0.9")) == "text/turtle"
    assert media(get(live_server, path, BROWSER)) == "text/html"
    assert media(get(live_server, path, "*/*")) == "text/turtle"
    assert media(live_server.get(path)) in RDF_TYPES
    assert media(get(live_server, path, "application/json")) == "application/ld+json"
    assert media(get(live_server, path, "text/plain")) == "application/n-triples"
    assert media(get(live_server, path + "?format=jsonld", BROWSER)) == "application/ld+json"
    assert media(get(live_server, path + "?format=html", "text/turtle")) == "text/html"
    assert media(get(live_server, path + "?format=ttl")) == "text/turtle"


@pytest.mark.slow
def test_headers_vary_link_validators_and_304(live_server: LiveServer) -> None:
    path = "/id/" + REC
    tags = {}
    for mt in [*RDF_TYPES, "text/html"]:
        r = get(live_server, path, mt)
        assert r.status_code == 200
        assert media(r) == mt
        if mt.startswith("text/"):
            assert "charset=utf-8" in r.headers["content-type"]
        assert "accept" in {v.strip().lower() for v in r.headers["vary"].split(",")}
        link = r.headers["link"]
        for alt in [*RDF_TYPES, "text/html"]:
            assert f'rel="alternate"; type="{alt}"' in link, link
        assert r.headers["last-modified"].endswith("GMT")
        etag = r.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"')
        tags[mt] = etag
        again = get(live_server, path, mt, **{"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert get(live_server, path, mt, **{"If-None-Match": "W/" + etag}).status_code == 304
        assert get(live_server, path, mt, **{"If-None-Match": '"other", ' + etag}).status_code == 304
        assert get(live_server, path, mt, **{"If-None-Match": '"stale"'}).status_code == 200
        since = get(live_server, path, mt, **{"If-Modified-Since": r.headers["last-modified"]})
        assert since.status_code == 304
    assert len(set(tags.values())) == len(tags), "each representation has its own ETag"
    assert get(live_server, "/id/" + PARTY, "text/turtle").headers["etag"] != tags["text/turtle"]
    # The Link header's alternates resolve to the representation they announce.
    for alt in [*RDF_TYPES, "text/html"]:
        target = next(part for part in get(live_server, path, "text/turtle").headers["link"].split(", ")
                      if f'type="{alt}"' in part).split(">")[0].lstrip("<")
        assert media(live_server.get(target)) == alt


@pytest.mark.slow
def test_head_answers_like_get_without_a_body(live_server: LiveServer) -> None:
    for mt in ("text/turtle", "text/html"):
        got = get(live_server, "/id/" + PARTY, mt)
        head = httpx.head(live_server.url + "/id/" + PARTY, headers={"Accept": mt}, timeout=30)
        assert head.status_code == 200 and head.content == b""
        assert media(head) == media(got)
        assert head.headers["etag"] == got.headers["etag"]
        assert int(head.headers["content-length"]) == len(got.content)
    assert httpx.head(live_server.url + "/id/party/zz", timeout=30).status_code == 404


@pytest.mark.slow
def test_unknown_resources_404_with_help(live_server: LiveServer) -> None:
    for mt in ("text/turtle", "text/html", "application/ld+json"):
        assert get(live_server, "/id/party/zz-no-such-party", mt).status_code == 404
    html = get(live_server, "/id/party/gee", BROWSER)
    assert html.status_code == 404 and media(html) == "text/html"
    page = parse_page(html.text)
    hrefs = {href for _, href, _ in page.links}
    assert "/id/party/ge" in hrefs, "a close identifier is suggested"
    assert 'action="/search"' in html.text, "a search form is offered"
    problem = get(live_server, "/id/party/gee", "application/json")
    assert problem.status_code == 404 and media(problem) == "application/problem+json"
    assert "/id/party/ge" in problem.json()["suggestions"]
    search = get(live_server, "/search?q=III-16", "application/json").json()
    assert search["results"][0]["href"] == "/id/" + REC


@pytest.mark.slow
def test_not_acceptable(live_server: LiveServer) -> None:
    r = get(live_server, "/id/" + PARTY, "application/x-no-such-format")
    assert r.status_code == 406 and media(r) == "application/problem+json"
    assert get(live_server, "/id/" + PARTY + "?format=docx").status_code == 406
    assert get(live_server, "/id/" + PARTY, "text/turtle;q=0, text/html;q=0").status_code == 406


@pytest.mark.slow
@pytest.mark.parametrize("path", [
    "/id/../healthz", "/id/party/../party/ge", "/id/./party/ge", "/id/party%2Fge", "/id/party%2fge",
    "/id/%2e%2e/%2e%2e/etc/passwd", "/id/party/ge%00", "/id/party/ge%5C..%5Cx", "/id/party//ge",
    "/id/party/ge%3Fformat=turtle", "/id/party/g%20e", "/dumps/..%2Fbuild.json", "/dumps/../healthz",
    "/dumps/%2e%2e/build.json", "/dumps/lanzagraph.ttl.gz%00",
])
def test_traversal_and_encoded_separators_are_refused(live_server: LiveServer, path: str) -> None:
    for method in ("GET", "HEAD"):
        status, body = raw_status(live_server, method, path)
        assert status in (400, 404), (method, path, status, body[:300])
        assert b"status" not in body or b'"ok"' not in body, "a route outside /id/ answered"
        assert b"@prefix" not in body


# --- a server whose IRIs are its own URLs ---------------------------------------------------------


@dataclass
class OwnBuild:
    settings: Settings
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="session", autouse=True)
def own_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnBuild]:
    """Starts building the own-base store in a subprocess before the session's store is built (autouse
    session fixtures come first), so the two builds overlap instead of adding up."""
    port = free_port()
    folder = tmp_path_factory.mktemp("own")
    settings = settings_for(folder / "store", base_uri=f"http://127.0.0.1:{port}/")
    log = folder / "build.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "lanzagraph", "build", "--store", str(settings.store_path),
             "--base-uri", settings.base_uri], cwd=REPO, stdout=handle, stderr=subprocess.STDOUT)
    yield OwnBuild(settings, port, process, log)
    if process.poll() is None:
        stop_server(process)


@pytest.fixture(scope="module")
def own_server(own_build: OwnBuild, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on the port its store's base URI names: the IRIs in the data are its own URLs."""
    assert own_build.process.wait(timeout=300) == 0, own_build.log.read_text()[-3000:]
    server = start_server(own_build.settings, tmp_path_factory.mktemp("own-server") / "server.log",
                          port=own_build.port)
    yield server
    stop_server(server.process)


@pytest.mark.slow
def test_own_base_iris_dereference(own_server: LiveServer) -> None:
    url = own_server.url + "/id/" + REC
    g = parse_rdf(get(own_server, "/id/" + REC, "text/turtle"))
    subject = rdflib.URIRef(url)
    assert (subject, LZNS.urgency, LZNS.Request) in g
    linked = {str(o) for o in g.objects(subject, None) if isinstance(o, rdflib.URIRef)
              and str(o).startswith(own_server.url + "/id/")}
    assert len(linked) > 20
    with httpx.Client(timeout=30) as client:
        for iri in sorted(linked):
            r = client.get(iri, headers={"Accept": "text/turtle"})
            assert r.status_code == 200, iri
            assert (rdflib.URIRef(iri), None, None) in parse_rdf(r), iri
    page = parse_page(get(own_server, "/id/" + REC, "text/html").text)
    embedded = rdflib.Graph().parse(data=page.jsonld[0], format="json-ld")
    assert isomorphic(embedded, g)


@pytest.mark.slow
def test_crawl_from_home_reaches_every_resource(own_server: LiveServer) -> None:
    """Follow every same-origin link from / (a sample of the ?format= ones): no 4xx or 5xx, and every
    recommendation, Party and provision of the graph is reached (in fact every resource)."""
    origin = own_server.url
    seen: set[str] = {origin + "/"}
    frontier = [origin + "/"]
    failures: list[str] = []
    visited_html: set[str] = set()
    formats_sampled = 0
    started = time.monotonic()

    def fetch(url: str) -> tuple[str, int, str, str]:
        r = client.get(url, headers={"Accept": BROWSER})
        return url, r.status_code, media(r), r.text if media(r) == "text/html" else ""

    with httpx.Client(timeout=60, follow_redirects=True) as client, ThreadPoolExecutor(8) as pool:
        while frontier:
            assert time.monotonic() - started < CRAWL_SECONDS, f"crawl over budget with {len(seen)} URLs"
            assert len(seen) <= CRAWL_MAX_PAGES, "crawl found more pages than expected"
            batch, frontier = frontier, []
            for url, status, mt, text in pool.map(fetch, batch):
                if status >= 400:
                    failures.append(f"{status} {url}")
                    continue
                if mt != "text/html":
                    continue
                visited_html.add(urlsplit(url).path)
                for tag, href, attributes in parse_page(text).links:
                    if tag == "link" and attributes.get("rel") == "alternate":
                        continue  # the same URLs appear as <a> links on the page
                    target, _ = urldefrag(urljoin(url, href))
                    if not target.startswith(origin + "/") or target in seen:
                        continue
                    if "format=" in urlsplit(target).query and "/id/" in target:
                        formats_sampled += 1
                        if formats_sampled % FORMAT_SAMPLE:
                            continue
                    seen.add(target)
                    frontier.append(target)
    assert not failures, "\n".join(failures[:50])
    base = origin + "/id/"
    rows = own_server.post("/sparql", data={"query": (
        "SELECT DISTINCT ?s ?c WHERE { ?s a ?c FILTER(STRSTARTS(STR(?s), STR(<" + base + ">))) "
        f"VALUES ?c {{ <{LZ}Recommendation> <{LZ}StateParty> <{LZ}Provision> }} }}")},
        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    wanted = {row["s"]["value"] for row in rows}
    assert len(wanted) > 150
    missed = sorted(iri for iri in wanted if urlsplit(iri).path not in visited_html)
    assert not missed, f"{len(missed)} not reached, e.g. {missed[:10]}"
    everything = own_server.post("/sparql", data={"query": (
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), STR(<" + base + ">))) }")},
        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    unreached = sorted(r["s"]["value"] for r in everything if urlsplit(r["s"]["value"]).path not in visited_html)
    assert not unreached, f"{len(unreached)} resources not linked from any page, e.g. {unreached[:10]}"
    assert formats_sampled > 0


# --- dataset description, dumps, ontology --------------------------------------------------------


@pytest.fixture(scope="module")
def void_graph(live_server: LiveServer) -> rdflib.Graph:
    r = get(live_server, "/.well-known/void", "text/turtle")
    assert r.status_code == 200 and media(r) == "text/turtle"
    assert "accept" in r.headers["vary"].lower()
    return parse_rdf(r)


def _distinct_triples(graph: GraphStore) -> int:
    return int(select(graph, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")[0]["n"])


@pytest.mark.slow
def test_void_describes_the_dataset(live_server: LiveServer, void_graph: rdflib.Graph, graph: GraphStore) -> None:
    g = void_graph
    datasets = list(g.subjects(RDF.type, VOID.Dataset))
    assert len(datasets) == 1
    ds = datasets[0]
    assert int(g.value(ds, VOID.triples)) == _distinct_triples(graph)
    assert (ds, DCTERMS.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert str(g.value(ds, VOID.uriSpace)) == ID
    assert g.value(ds, VOID.sparqlEndpoint) == rdflib.URIRef(live_server.url + "/sparql")
    sources = set(g.objects(ds, DCTERMS.source))
    assert sources == {rdflib.URIRef(s) for s in iris_of(graph, "lz:SourceDocument")}
    partitions = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities)) for p in g.objects(ds, VOID.classPartition)}
    assert partitions[LZNS.Recommendation] == len(iris_of(graph, "lz:Recommendation"))
    assert partitions[LZNS.StateParty] == len(iris_of(graph, "lz:StateParty"))
    properties = {g.value(p, VOID.property): int(g.value(p, VOID.triples))
                  for p in g.objects(ds, VOID.propertyPartition)}
    assert sum(properties.values()) == int(g.value(ds, VOID.triples))
    dumps = sorted(str(d) for d in g.objects(ds, VOID.dataDump))
    assert len(dumps) == 3
    for dump in dumps:
        assert httpx.head(dump, timeout=60).status_code == 200, dump
    reference = canonical(get(live_server, "/.well-known/void", "text/turtle"))
    assert len(reference) == len(g)
    for mt in ("application/ld+json", "application/rdf+xml", "application/n-triples"):
        assert canonical(get(live_server, "/.well-known/void", mt)) == reference, mt
    html = get(live_server, "/.well-known/void", BROWSER)
    assert media(html) == "text/html"
    assert {"/dumps/", "/sparql", "/ontology#Recommendation"} <= {href for _, href, _ in parse_page(html.text).links}


@pytest.mark.slow
def test_dumps_decompress_and_parse_with_the_right_counts(live_server: LiveServer, void_graph: rdflib.Graph,
                                                          graph: GraphStore) -> None:
    listing = get(live_server, "/dumps/", "application/json").json()
    names = {d["name"]: d for d in listing["dumps"]}
    assert set(names) == {"lanzagraph.ttl.gz", "lanzagraph.nq.gz", "lanzagraph.jsonld.gz"}
    triples = int(next(void_graph.objects(None, VOID.triples)))
    quads = int(select(graph, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])
    formats = {"lanzagraph.ttl.gz": pyoxigraph.RdfFormat.TURTLE, "lanzagraph.nq.gz": pyoxigraph.RdfFormat.N_QUADS,
               "lanzagraph.jsonld.gz": pyoxigraph.RdfFormat.JSON_LD}
    for name, fmt in formats.items():
        r = live_server.get(f"/dumps/{name}")
        assert r.status_code == 200
        assert media(r) == "application/gzip"
        assert f'filename="{name}"' in r.headers["content-disposition"]
        data = gzip.decompress(r.content)
        parsed = list(pyoxigraph.parse(data, format=fmt))
        expected = quads if name.endswith(".nq.gz") else triples
        assert len(set(parsed)) == expected, name
        assert names[name]["statements"] == expected
        assert live_server.get(f"/dumps/{name}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    turtle = rdflib.Graph().parse(data=gzip.decompress(live_server.get("/dumps/lanzagraph.ttl.gz").content),
                                  format="turtle")
    assert len(turtle) == triples
    assert (rdflib.URIRef(ID + PARTY), LZNS.iso3166Alpha2, rdflib.Literal("GE")) in turtle
    assert live_server.get("/dumps/lanzagraph.rdf.gz").status_code == 404
    assert live_server.get("/dumps/build.json").status_code == 404
    assert media(get(live_server, "/dumps/", BROWSER)) == "text/html"


@pytest.mark.slow
def test_ontology_by_negotiation_and_documented(live_server: LiveServer) -> None:
    r = get(live_server, "/ontology", "text/turtle")
    assert r.status_code == 200 and media(r) == "text/turtle"
    g = parse_rdf(r)
    assert (LZNS.Recommendation, RDF.type, OWL.Class) in g
    assert (LZNS.urgency, RDFS.range, SKOS.Concept) in g or (LZNS.urgency, RDF.type, OWL.ObjectProperty) in g
    reference = canonical(r)
    assert len(reference) == len(g)
    for mt in ("application/rdf+xml", "application/ld+json", "application/n-triples"):
        assert canonical(get(live_server, "/ontology", mt)) == reference, mt
    html = get(live_server, "/ontology", BROWSER)
    assert media(html) == "text/html"
    page = parse_page(html.text)
    classes = {str(c)[len(LZ):] for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(LZ)}
    properties = {str(p)[len(LZ):] for t in (OWL.ObjectProperty, OWL.DatatypeProperty)
                  for p in g.subjects(RDF.type, t) if str(p).startswith(LZ)}
    assert len(classes) > 30
    assert not classes - page.ids, f"classes without an anchor: {sorted(classes - page.ids)}"
    assert not properties - page.ids, f"properties without an anchor: {sorted(properties - page.ids)}"
    assert "Recommendation" in page.ids
    again = get(live_server, "/ontology", "text/turtle", **{"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert (LZNS.openedForSignature, RDFS.range, XSD.date) in g


@pytest.mark.slow
def test_home_lists_the_entry_points(live_server: LiveServer, graph: GraphStore) -> None:
    r = get(live_server, "/", BROWSER)
    assert r.status_code == 200 and media(r) == "text/html"
    hrefs = {href for _, href, _ in parse_page(r.text).links}
    for entry in ("/sparql", "/docs", "/ontology", "/dumps/", "/.well-known/void", "/id/"):
        assert entry in hrefs, entry
    for party in iris_of(graph, "lz:StateParty"):
        assert "/id/" + party[len(ID):] in hrefs
    for chapter in iris_of(graph, "lz:ReportChapter"):
        assert "/id/" + chapter[len(ID):] in hrefs
    listing = get(live_server, "/id/round/2/", "application/json").json()
    folder = next(f for f in listing["folders"] if f["name"] == "recommendation")
    assert folder["href"] == "/id/round/2/recommendation/" and folder["resources"] >= 70
    parties = json.loads(get(live_server, "/id/party/", "application/json").text)["resources"]
    assert {p["href"] for p in parties} >= {"/id/" + i[len(ID):] for i in iris_of(graph, "lz:StateParty")}
