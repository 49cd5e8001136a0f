"""The graph on an external SPARQL 1.1 server (Oxigraph server, QLever, Virtuoso, GraphDB...),
reached through the SPARQL 1.1 Protocol (queries), SPARQL Update and the Graph Store Protocol.

Layout on the server: each build loads its files into fresh named graphs
`<graph base>build/<build id>/<file stem>`; the graph `<graph base>current` says which build is
served (its id, version and graphs). A build switches that pointer in one SPARQL Update only after
every graph is loaded and counted, so readers never see a half-loaded graph; a failed build drops
what it loaded. Every read names the current build's graphs as its dataset (default-graph-uri and
named-graph-uri), so older or partial graphs are invisible.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pyoxigraph import (
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Variable,
    parse,
    parse_query_results,
    serialize,
)

from lanzagraph import sparql_text
from lanzagraph.errors import ConfigurationError, QuerySyntaxError, QueryTimeout, StoreError, StoreNotBuilt
from lanzagraph.settings import Settings
from lanzagraph.store import DatasetVersion, QueryResult, RowTerm, Term, solution_rows
from lanzagraph.vocab import LZ

log = logging.getLogger(__name__)

SCHEMES = ("sparql+http://", "sparql+https://")


def is_remote(store: str) -> bool:
    return store.startswith(SCHEMES)


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graph_store: str
    auth: httpx.Auth | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoints:
        if not is_remote(settings.store):
            raise ConfigurationError(f"{settings.store} is not a sparql+http(s):// store URL")
        query = settings.store[len("sparql+"):]
        stem = query.rsplit("/", 1)[0]
        update = os.environ.get("LANZAGRAPH_UPDATE_URL") or stem + "/update"
        graph_store = os.environ.get("LANZAGRAPH_GRAPH_STORE_URL") or stem + "/store"
        user, password = os.environ.get("LANZAGRAPH_REMOTE_USER"), os.environ.get("LANZAGRAPH_REMOTE_PASSWORD")
        token = os.environ.get("LANZAGRAPH_REMOTE_TOKEN")
        auth: httpx.Auth | None = None
        if user and password:
            auth = httpx.BasicAuth(user, password)
        elif token:
            auth = _Bearer(token)
        return cls(query, update, graph_store, auth)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def pointer_graph(settings: Settings) -> str:
    return settings.graph_base + "current"


def build_graph(settings: Settings, build_id: str, stem: str) -> str:
    return f"{settings.graph_base}build/{build_id}/{stem}"


def union_graph(settings: Settings, build_id: str) -> str:
    """The build's whole graph in one named graph, the default graph of every read. Servers
    evaluate over one graph several times faster than over a dataset that lists a dozen."""
    return f"{settings.graph_base}build/{build_id}"


_PARSER = Store()  # empty: only used to check that rewritten text still parses


def with_values(sparql: str, substitutions: Mapping[Variable, Term] | None) -> str:
    """Binds variables for servers that lack pyoxigraph's substitutions (SEP-0007). Values are
    always terms serialised and escaped by pyoxigraph, never text from a request. First choice:
    the variable replaced by its term, token by token (the same semantics as substitution); where
    that does not parse (a grouped projection, say), a VALUES block opening the WHERE group,
    joined first."""
    if not substitutions:
        return sparql
    replaced = sparql_text.substitute(sparql, {v.value: str(t) for v, t in substitutions.items()})
    try:
        _PARSER.query(replaced)
        return replaced
    except (SyntaxError, RuntimeError, ValueError):
        pass
    names = " ".join(f"?{v.value}" for v in substitutions)
    values = " ".join(str(t) for t in substitutions.values())
    at = sparql_text.where_group_start(sparql)
    if at is None:
        return f"{sparql}\nVALUES ({names}) {{ ({values}) }}"
    return f"{sparql[:at]} VALUES ({names}) {{ ({values}) }} {sparql[at:]}"


class RemoteClient:
    """HTTP plumbing: errors become StoreError (server down: 502/503 upstream) or QueryTimeout."""

    def __init__(self, endpoints: Endpoints, timeout: float) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._http = httpx.Client(auth=endpoints.auth, timeout=httpx.Timeout(timeout, connect=5.0))

    def post(self, url: str, *, timeout: float | None = None, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.post(url, timeout=timeout or self.timeout, **kwargs)
        except httpx.TimeoutException:
            limit = timeout or self.timeout
            raise QueryTimeout(f"the SPARQL server at {url} did not answer within {limit:g} s") from None
        except httpx.HTTPError as err:
            raise StoreError(f"the SPARQL server at {url} cannot be reached: {err}") from None
        if response.status_code == 400:
            raise QuerySyntaxError(response.text.strip()[:2000] or "the SPARQL server refused the query")
        if response.status_code >= 400:
            raise StoreError(f"the SPARQL server at {url} answered {response.status_code}: {response.text[:500]}")
        return response

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.put(url, **kwargs)
        except httpx.HTTPError as err:
            raise StoreError(f"the Graph Store at {url} cannot be reached: {err}") from None
        if response.status_code >= 400:
            raise StoreError(f"the Graph Store at {url} answered {response.status_code}: {response.text[:500]}")
        return response

    def update(self, sparql: str) -> None:
        self.post(self.endpoints.update, content=sparql.encode(),
                  headers={"Content-Type": "application/sparql-update"})

    def close(self) -> None:
        self._http.close()


class RemoteStore:
    """The read view of the current build on a remote server: a store.GraphStore."""

    in_memory: bool = False
    build: Path | None = None

    def __init__(self, client: RemoteClient, version: DatasetVersion, graphs: list[str], graph_base: str,
                 union: str | None = None) -> None:
        self.graph_base = graph_base
        self.client = client
        self.version = version
        self.graphs = graphs
        self.union = union

    @classmethod
    def open(cls, settings: Settings) -> RemoteStore:
        client = RemoteClient(Endpoints.from_settings(settings), settings.query_timeout)
        pointer = read_pointer(client, settings)
        return cls(client, pointer.version, pointer.graphs, settings.graph_base, pointer.union)

    def _dataset(self, default_graph: list[NamedNode] | None,
                 named_graphs: list[NamedNode] | None) -> list[tuple[str, str]]:
        # Clients name graphs as the embedded store does (graph/<file stem>); on the server each
        # build's graphs carry its id (graph/build/<id>/<file stem>). Either name is accepted.
        by_stem = {g.rsplit("/", 1)[-1]: g for g in self.graphs}
        current = set(self.graphs)

        def physical(names: list[NamedNode]) -> list[str]:
            found = []
            for name in names:
                if name.value in current:
                    found.append(name.value)
                elif name.value.rsplit("/", 1)[0] + "/" == self.graph_base and name.value.rsplit("/", 1)[-1] in by_stem:
                    found.append(by_stem[name.value.rsplit("/", 1)[-1]])
            return found

        # By default, the union of the build's graphs (builds made before it existed list them all).
        union = [self.union] if self.union else self.graphs
        defaults = physical(default_graph) if default_graph else union
        named = physical(named_graphs) if named_graphs else self.graphs
        # A graph outside the current build gives an empty dataset, as it would on the embedded store.
        empty = self.client.endpoints.query + "#no-such-graph"
        return ([("default-graph-uri", g) for g in defaults or [empty]]
                + [("named-graph-uri", g) for g in named or [empty]])

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[Variable, Term] | None = None,
        default_graph: list[NamedNode] | None = None,
        named_graphs: list[NamedNode] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
    ) -> QueryResult | Iterator[Any]:
        text = with_values(sparql, substitutions)
        if base_iri and "BASE" not in text.upper().split("PREFIX")[0]:
            text = f"BASE <{base_iri}>\n{text}"
        response = self.client.post(
            self.client.endpoints.query,
            params=self._dataset(default_graph, named_graphs),
            content=text.encode(),
            headers={"Content-Type": "application/sparql-query",
                     "Accept": "application/sparql-results+json, application/n-triples;q=0.9"},
            timeout=timeout,
        )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/sparql-results+json":
            return parse_query_results(response.content, format=QueryResultsFormat.JSON)
        if media in ("application/n-triples", "text/plain"):
            return iter([q.triple for q in parse(response.content, format=RdfFormat.N_TRIPLES)])
        raise StoreError(f"the SPARQL server answered with an unexpected type {media!r}")

    def select(self, sparql: str, substitutions: Mapping[Variable, Term] | None = None) -> list[dict[str, RowTerm]]:
        result = self.query(sparql, substitutions=substitutions)
        if not isinstance(result, QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        return solution_rows(result)

    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        graphs = [graph.value] if graph is not None else self.graphs
        for name in graphs:
            triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
            for triple in triples:  # type: ignore[union-attr]
                yield Quad(triple.subject, triple.predicate, triple.object, NamedNode(name))

    def named_graphs(self) -> list[NamedNode]:
        return [NamedNode(g) for g in self.graphs]

    def close(self) -> None:
        self.client.close()


@dataclass(frozen=True)
class Pointer:
    """What the pointer graph says the service reads: the build, its graphs and their union."""

    version: DatasetVersion
    graphs: list[str]
    union: str | None

    def all_graphs(self) -> set[str]:
        return set(self.graphs) | ({self.union} if self.union else set())


def read_pointer(client: RemoteClient, settings: Settings) -> Pointer:
    query = f"""SELECT ?info ?graph ?union WHERE {{ GRAPH <{pointer_graph(settings)}> {{
        ?d <{LZ}buildInfo> ?info ; <{LZ}servesGraph> ?graph OPTIONAL {{ ?d <{LZ}servesUnionGraph> ?union }} }} }}"""
    response = client.post(client.endpoints.query, content=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    rows = response.json()["results"]["bindings"]
    if not rows:
        raise StoreNotBuilt(f"no lanzagraph build on {client.endpoints.query}: run `lanzagraph build --store "
                            f"{settings.store}`")
    try:
        version = DatasetVersion(**json.loads(rows[0]["info"]["value"]))
    except (ValueError, TypeError) as err:
        raise StoreError(f"the build pointer on {client.endpoints.query} is corrupt: {err}") from None
    union = rows[0].get("union", {}).get("value")
    return Pointer(version, sorted({r["graph"]["value"] for r in rows}), union)


def load_build(client: RemoteClient, settings: Settings, quads: list[Quad], version: DatasetVersion) -> Pointer:
    """Loads the quads into fresh graphs of this build, one per file and one for their union
    (Graph Store Protocol PUT per graph), and checks the server holds them all. Returns what the
    pointer is to name; drops the new graphs again on failure."""
    by_graph: dict[str, list[Quad]] = {}
    for quad in quads:
        stem = quad.graph_name.value.rsplit("/", 1)[-1]  # type: ignore[union-attr]
        by_graph.setdefault(build_graph(settings, version.build_id, stem), []).append(quad)
    union = union_graph(settings, version.build_id)
    triples = list({q.triple for q in quads})
    loaded: list[str] = []
    try:
        for graph, members in [*((g, [q.triple for q in m]) for g, m in by_graph.items()), (union, triples)]:
            loaded.append(graph)
            client.put(client.endpoints.graph_store, params={"graph": graph},
                       content=serialize(members, format=RdfFormat.N_TRIPLES),
                       headers={"Content-Type": "application/n-triples"})
        values = " ".join(f"<{g}>" for g in loaded)
        count_query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        response = client.post(client.endpoints.query, content=count_query.encode(), headers={
            "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
        held = int(response.json()["results"]["bindings"][0]["n"]["value"])
        expected = len({(q.subject, q.predicate, q.object, q.graph_name) for q in quads}) + len(triples)
        if held != expected:
            raise StoreError(f"the server holds {held} of the {expected} triples loaded; the build is abandoned")
    except BaseException:
        drop_graphs(client, loaded)
        raise
    return Pointer(version, sorted(by_graph), union)


def switch_pointer(client: RemoteClient, settings: Settings, new: Pointer) -> None:
    """One SPARQL Update replaces the pointer: readers see the old build or the new one, never a mix."""
    pointer = pointer_graph(settings)
    dataset = f"<{settings.base_uri}dataset>"
    info = json.dumps(json.dumps(new.version.as_dict()))
    served = " ; ".join([f"<{LZ}servesGraph> <{g}>" for g in new.graphs]
                        + ([f"<{LZ}servesUnionGraph> <{new.union}>"] if new.union else []))
    client.update(f"DROP SILENT GRAPH <{pointer}> ;\n"
                  f"INSERT DATA {{ GRAPH <{pointer}> {{ {dataset} <{LZ}buildInfo> {info} ; {served} . }} }}")


def prune_builds(client: RemoteClient, settings: Settings, keep: set[str]) -> None:
    """Drops graphs of builds other than those whose graphs are in `keep`."""
    prefix = settings.graph_base + "build/"
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{prefix}\")) }}"
    response = client.post(client.endpoints.query, content=query.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    old = [b["g"]["value"] for b in response.json()["results"]["bindings"] if b["g"]["value"] not in keep]
    drop_graphs(client, old)


def drop_graphs(client: RemoteClient, graphs: list[str]) -> None:
    for graph in graphs:
        try:
            client.update(f"DROP SILENT GRAPH <{graph}>")
        except (StoreError, QueryTimeout) as err:
            log.warning("could not drop %s: %s", graph, err)
