"""The load client of the load test: a mixed workload from many concurrent asyncio clients.

Run by loadtest.py as a process of its own (so that the client's CPU is not the orchestrator's);
reads one JSON job on stdin and prints one JSON result on stdout:

    echo '{"base_url": "http://127.0.0.1:8000", "clients": 8, "duration_s": 10}' \
        | .venv/bin/python benchmarks/load/workload.py

Only loopback URLs are accepted. Before the clock starts it discovers what to ask (not counted):
the Parties' ISO codes and the resource IRIs from the graph (through /sparql), and the canned
queries from GET /api/queries. Then `clients` coroutines, each with its own connection
(httpx.AsyncClient), send requests back to back for `duration_s`, each picked at random from a
weighted mix of routes. Requests still in flight at the deadline get `grace_s` to finish; they are
then cancelled and counted as abandoned. Every loop is bounded by the deadline.

A response is an error when it is not 2xx, except a 404 to a request made to get one (an unknown
Party or identifier, a few per cent of those routes); a 2xx to such a request is an error too.
Exceptions (timeouts, refused or reset connections) are errors.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

LZ = "https://w3id.org/lanzagraph/ontology#"
PREFIXES = (
    f"PREFIX lz: <{LZ}>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
)
SELECT_ACCEPT = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_ACCEPT = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
UNKNOWN_PARTIES = ["xx", "zz", "Atlantis"]
UNKNOWN_PATHS = ["party/zz", "round/2/recommendation/XIII-99", "instrument/cets-999"]
EXPECTED_404_SHARE = 0.03
SAFE_PATH = "/:@!$&'()*+,;=-._~"
ERROR_SAMPLES = 5


@dataclass(frozen=True)
class Job:
    base_url: str
    clients: int = 64
    duration_s: float = 60.0
    grace_s: float = 15.0
    request_timeout_s: float = 65.0
    seed: int = 8
    bucket_s: float = 10.0
    label: str = "load"


@dataclass
class Request:
    route: str
    method: str
    path: str
    accept: str
    params: dict[str, str] | None = None
    data: dict[str, str] | None = None
    expect_404: bool = False
    detail: str = ""  # a finer key (accept type, canned query name) for the breakdowns


@dataclass
class RouteStats:
    requests: int = 0
    ok: int = 0
    expected_404: int = 0
    errors: int = 0
    exceptions: int = 0
    bytes: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    details: dict[str, int] = field(default_factory=dict)

    def summary(self, duration_s: float) -> dict[str, Any]:
        values = self.latencies_ms
        return {
            "requests": self.requests,
            "ok": self.ok,
            "expected_404": self.expected_404,
            "errors": self.errors,
            "exceptions": self.exceptions,
            "rps": round(self.requests / duration_s, 2) if duration_s > 0 else None,
            "p50_ms": _round(percentile(values, 50)),
            "p95_ms": _round(percentile(values, 95)),
            "p99_ms": _round(percentile(values, 99)),
            "max_ms": _round(max(values) if values else None),
            "mean_bytes": round(self.bytes / self.requests) if self.requests else None,
            "statuses": dict(sorted(self.statuses.items())),
            "details": dict(sorted(self.details.items())),
            "error_samples": self.error_samples,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


@dataclass
class Targets:
    """What the workload asks about, found in the graph before the clock starts."""

    id_base: str
    parties: list[str]  # ISO 3166-1 alpha-2 codes, lower case
    resources: list[str]  # paths under /id/
    canned: list[dict[str, Any]]  # entries of GET /api/queries
    notes: list[str] = field(default_factory=list)


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"workload: refusing a non-loopback URL: {url}")


async def discover(client: httpx.AsyncClient) -> Targets:
    notes: list[str] = []
    health = (await client.get("/healthz")).json()
    base = str(health.get("dataset", {}).get("base_uri") or "https://w3id.org/lanzagraph/")
    id_base = base + "id/"

    async def select(query: str) -> list[dict[str, Any]]:
        response = await client.get("/sparql", params={"query": PREFIXES + query},
                                    headers={"Accept": SELECT_ACCEPT["json"]})
        response.raise_for_status()
        return list(response.json()["results"]["bindings"])

    rows = await select("SELECT DISTINCT ?iso WHERE { ?p a lz:StateParty ; lz:iso3166Alpha2 ?iso } ORDER BY ?iso")
    parties = [str(r["iso"]["value"]).lower() for r in rows]
    if not parties:
        raise SystemExit("workload: the graph lists no State Party with an ISO code")
    rows = await select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{id_base}")) }}')
    resources = sorted({str(r["s"]["value"])[len(id_base):] for r in rows} - {""})
    resources = [p for p in resources if "#" not in p and "?" not in p]
    canned: list[dict[str, Any]] = []
    response = await client.get("/api/queries", headers={"Accept": "application/json"})
    if response.status_code == 200 and isinstance(response.json(), list):
        canned = [e for e in response.json() if isinstance(e, dict) and e.get("url")]
    else:
        notes.append(f"GET /api/queries answered {response.status_code}: no canned queries in the mix")
    return Targets(id_base, parties, resources, canned, notes)


class Mix:
    """Draws the next request: a weighted choice of route, then random arguments."""

    def __init__(self, targets: Targets, rng: random.Random) -> None:
        self.t = targets
        self.rng = rng
        entries: list[tuple[float, Callable[[], Request]]] = [
            (8, self.sparql_select_party),
            (6, self.sparql_select_limit),
            (5, self.sparql_ask),
            (7, self.sparql_construct),
            (5, self.sparql_select_fixed),
            (5, self.sparql_post),
            (18, self.obligations),
            (11, self.resource_html),
            (11, self.resource_turtle),
            (4, self.healthz),
        ]
        if targets.canned:
            entries += [(2, self.canned_catalogue), (18, self.canned_query)]
        self.weights = [w for w, _ in entries]
        self.makers = [m for _, m in entries]

    def next(self) -> Request:
        return self.rng.choices(self.makers, weights=self.weights)[0]()

    def party(self) -> str:
        return self.rng.choice(self.t.parties)

    def party_iri(self) -> str:
        return f"{self.t.id_base}party/{self.party()}"

    # /sparql ------------------------------------------------------------------------------------

    def _get(self, route: str, query: str, accept_name: str, accept: str) -> Request:
        return Request(route, "GET", "/sparql", accept, params={"query": PREFIXES + query}, detail=accept_name)

    def sparql_select_party(self) -> Request:
        """One of 48 texts (one per Party): soon in the result cache."""
        query = (f"SELECT ?rec ?notation ?urgency WHERE {{ {{ ?rec lz:appliesTo <{self.party_iri()}> }} "
                 f"UNION {{ ?rec lz:mayApplyTo <{self.party_iri()}> }} ?rec skos:notation ?notation "
                 "OPTIONAL { ?rec lz:urgency/skos:prefLabel ?urgency } } ORDER BY ?notation")
        return self._get("sparql SELECT by Party", query, "json", SELECT_ACCEPT["json"])

    def sparql_select_limit(self) -> Request:
        """A LIMIT and an OFFSET drawn at random: some 150,000 texts, nearly always a cache miss."""
        name = self.rng.choice(["csv", "tsv", "xml", "json"])
        query = (f"SELECT ?s ?label WHERE {{ ?s rdfs:label ?label }} ORDER BY ?s "
                 f"LIMIT {self.rng.randint(1, 1000)} OFFSET {self.rng.randint(0, 150)}")
        return self._get("sparql SELECT LIMIT/OFFSET (uncached)", query, name, SELECT_ACCEPT[name])

    def sparql_ask(self) -> Request:
        name = self.rng.choice(["json", "xml"])
        instrument = self.rng.choice(["cets-201", "ets-185", "cets-224"])
        query = f"ASK {{ <{self.party_iri()}> lz:partyTo <{self.t.id_base}instrument/{instrument}> }}"
        return self._get("sparql ASK", query, name, SELECT_ACCEPT[name])

    def sparql_construct(self) -> Request:
        name = self.rng.choice(list(GRAPH_ACCEPT))
        party = self.party_iri()
        query = (f"CONSTRUCT {{ <{party}> ?p ?o . ?rec lz:appliesTo <{party}> ; skos:notation ?n }} "
                 f"WHERE {{ {{ <{party}> ?p ?o }} UNION {{ ?rec lz:appliesTo <{party}> ; skos:notation ?n }} }}")
        return self._get("sparql CONSTRUCT", query, name, GRAPH_ACCEPT[name])

    def sparql_select_fixed(self) -> Request:
        """Always the same text: a cache hit after the first answer of each worker."""
        query = ("SELECT ?urgency (COUNT(DISTINCT ?rec) AS ?n) WHERE { ?rec lz:urgency ?u . "
                 "?u skos:prefLabel ?urgency } GROUP BY ?urgency ORDER BY DESC(?n)")
        return self._get("sparql SELECT fixed (cached)", query, "json", SELECT_ACCEPT["json"])

    def sparql_post(self) -> Request:
        """POST, form-encoded, with a Party and a LIMIT: mostly uncached."""
        query = (f"SELECT ?rec ?text WHERE {{ ?rec lz:appliesTo <{self.party_iri()}> "
                 f"OPTIONAL {{ ?rec lz:text ?text }} }} LIMIT {self.rng.randint(1, 60)}")
        return Request("sparql POST SELECT", "POST", "/sparql", SELECT_ACCEPT["json"],
                       data={"query": PREFIXES + query}, detail="json")

    # /api ---------------------------------------------------------------------------------------

    def obligations(self) -> Request:
        if self.rng.random() < EXPECTED_404_SHARE:
            party = self.rng.choice(UNKNOWN_PARTIES)
            return Request("/api/parties/{party}/obligations", "GET", f"/api/parties/{quote(party)}/obligations",
                           "application/json", expect_404=True, detail="unknown")
        party = self.party()
        party = party.upper() if self.rng.random() < 0.5 else party
        return Request("/api/parties/{party}/obligations", "GET", f"/api/parties/{party}/obligations",
                       "application/json", detail="known")

    def canned_catalogue(self) -> Request:
        return Request("/api/queries", "GET", "/api/queries", "application/json")

    def canned_query(self) -> Request:
        entry = self.rng.choice(self.t.canned)
        params: dict[str, str] = {}
        for param in entry.get("params", []):
            name, example = str(param.get("name")), param.get("example")
            if str(param.get("type", "")).lower() == "party":
                params[name] = self.party()
            elif example is not None:
                params[name] = str(example)
        fmt = self.rng.choice(["json", "json", "csv"])
        accept = "text/csv" if fmt == "csv" else "application/json"
        return Request("/api/queries/{name}", "GET", str(entry["url"]), accept, params=params or None,
                       detail=str(entry.get("name")))

    # /id and /healthz ---------------------------------------------------------------------------

    def _resource(self, route: str, accept: str) -> Request:
        if self.rng.random() < EXPECTED_404_SHARE:
            path, expect_404 = self.rng.choice(UNKNOWN_PATHS), True
        elif self.rng.random() < 0.4 or not self.t.resources:
            path, expect_404 = f"party/{self.party()}", False
        else:
            path, expect_404 = self.rng.choice(self.t.resources), False
        kind = "unknown" if expect_404 else path.split("/")[0]
        return Request(route, "GET", "/id/" + quote(path, safe=SAFE_PATH), accept, expect_404=expect_404, detail=kind)

    def resource_html(self) -> Request:
        return self._resource("/id/... HTML", "text/html")

    def resource_turtle(self) -> Request:
        return self._resource("/id/... Turtle", "text/turtle")

    def healthz(self) -> Request:
        return Request("/healthz", "GET", "/healthz", "application/json")


@dataclass
class Recorder:
    started: float
    bucket_s: float
    routes: dict[str, RouteStats] = field(default_factory=dict)
    canned: dict[str, RouteStats] = field(default_factory=dict)
    timeline: dict[int, list[int]] = field(default_factory=dict)  # bucket -> [requests, errors]
    in_flight: int = 0

    def record(self, req: Request, seconds: float, status: int | None, size: int, error: str) -> None:
        targets = [self.routes.setdefault(req.route, RouteStats())]
        if req.route == "/api/queries/{name}":
            targets.append(self.canned.setdefault(req.detail, RouteStats()))
        if status is None:
            good = False
        elif req.expect_404:
            good = status == 404
        else:
            good = 200 <= status < 300
        bucket = self.timeline.setdefault(int((time.monotonic() - self.started) // self.bucket_s), [0, 0])
        bucket[0] += 1
        bucket[1] += 0 if good else 1
        for stats in targets:
            stats.requests += 1
            stats.bytes += size
            stats.latencies_ms.append(seconds * 1000)
            stats.details[req.detail or "-"] = stats.details.get(req.detail or "-", 0) + 1
            key = "exception" if status is None else str(status)
            stats.statuses[key] = stats.statuses.get(key, 0) + 1
            if good:
                stats.ok += 0 if req.expect_404 else 1
                stats.expected_404 += 1 if req.expect_404 else 0
                continue
            stats.errors += 1
            stats.exceptions += 1 if status is None else 0
            if len(stats.error_samples) < ERROR_SAMPLES:
                where = req.path + ("?" + "&".join(f"{k}={v[:80]}" for k, v in (req.params or {}).items())
                                    if req.params else "")
                stats.error_samples.append(f"{req.method} {where[:300]} (Accept {req.accept}) -> "
                                           f"{status if status is not None else 'exception'}: {error[:300]}")


async def one_client(client: httpx.AsyncClient, mix: Mix, recorder: Recorder, deadline: float) -> None:
    while time.monotonic() < deadline:
        req = mix.next()
        started = time.monotonic()
        recorder.in_flight += 1
        status: int | None = None
        size, error = 0, ""
        try:
            response = await client.request(req.method, req.path, params=req.params, data=req.data,
                                             headers={"Accept": req.accept})
            status, size = response.status_code, len(response.content)
            if not (200 <= status < 300) and not (req.expect_404 and status == 404):
                error = response.text.replace("\n", " ")
        except httpx.HTTPError as err:
            error = f"{type(err).__name__}: {err}"
        finally:
            recorder.in_flight -= 1
        recorder.record(req, time.monotonic() - started, status, size, error)


async def run(job: Job) -> dict[str, Any]:
    check_loopback(job.base_url)
    timeout = httpx.Timeout(job.request_timeout_s, connect=10.0)
    async with httpx.AsyncClient(base_url=job.base_url, timeout=timeout) as probe:
        targets = await discover(probe)
    rng = random.Random(job.seed)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=job.base_url, timeout=timeout, limits=limits) for _ in range(job.clients)]
    cpu0, started = time.process_time(), time.monotonic()
    recorder = Recorder(started, job.bucket_s)
    deadline = started + job.duration_s
    tasks = [asyncio.create_task(one_client(c, Mix(targets, random.Random(rng.random())), recorder, deadline))
             for c in clients]
    try:
        _, pending = await asyncio.wait(tasks, timeout=job.duration_s + job.grace_s)
        abandoned = recorder.in_flight
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        failed = [repr(t.exception()) for t in tasks if not t.cancelled() and t.exception() is not None]
    finally:
        for c in clients:
            await c.aclose()
    elapsed = time.monotonic() - started
    counted_s = min(elapsed, job.duration_s) if elapsed > 0 else job.duration_s
    routes = {name: s.summary(counted_s) for name, s in sorted(recorder.routes.items())}
    total = RouteStats()
    for s in recorder.routes.values():
        total.requests += s.requests
        total.ok += s.ok
        total.expected_404 += s.expected_404
        total.errors += s.errors
        total.exceptions += s.exceptions
        total.bytes += s.bytes
        total.latencies_ms += s.latencies_ms
    overall = total.summary(counted_s)
    overall.pop("details")
    overall.pop("error_samples")
    overall.pop("statuses")
    return {
        "label": job.label,
        "job": asdict(job),
        "targets": {"parties": len(targets.parties), "resources": len(targets.resources),
                    "canned_queries": [e.get("name") for e in targets.canned], "notes": targets.notes},
        "elapsed_s": round(elapsed, 2),
        "abandoned_in_flight": abandoned,
        "client_task_failures": failed,
        "client_cpu_s": round(time.process_time() - cpu0, 2),
        "overall": overall,
        "routes": routes,
        "canned_by_name": {name: s.summary(counted_s) for name, s in sorted(recorder.canned.items())},
        "timeline": [{"t_s": round(k * job.bucket_s), "requests": v[0], "errors": v[1]}
                     for k, v in sorted(recorder.timeline.items())],
    }


def main() -> int:
    job = Job(**json.loads(sys.stdin.read()))
    result = asyncio.run(run(job))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
