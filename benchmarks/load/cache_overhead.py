"""How much memory the /sparql result cache really holds per entry, against what it accounts for.

    .venv/bin/python benchmarks/load/cache_overhead.py [--entries 20000] [--body 120]

ResultCache (src/lanzagraph/result_cache.py) is bounded by the sum of the answer bodies it holds
(`len(outcome.body)`, routes/sparql.py); the key (the dataset hash and the QueryJob with the query
text) and the objects around each body are not counted. This fills a cache, in this process, with
`entries` distinct ASK-sized answers and compares the bytes it accounts for with what tracemalloc
sees. No server, no network.
"""

from __future__ import annotations

import argparse
import tracemalloc

from lanzagraph.executor import Outcome, QueryJob
from lanzagraph.result_cache import ResultCache

DATASET = "722ff39a495974322a8a61a6a4f404a84023eb89b8a78b458eadb495adb82d14"
QUERY = ("PREFIX lz: <https://w3id.org/lanzagraph/ontology#>\n"
         "ASK { <https://w3id.org/lanzagraph/id/party/ge> lz:partyTo <https://w3id.org/lanzagraph/id/instrument/"
         "cets-201> } # {n}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--entries", type=int, default=20_000)
    p.add_argument("--body", type=int, default=120, help="bytes of each answer body")
    p.add_argument("--budget-mb", type=int, default=64, help="the cache's budget (LANZAGRAPH_RESULT_CACHE_MB)")
    args = p.parse_args()
    budget = args.budget_mb * 1024 * 1024
    tracemalloc.start()
    cache: ResultCache[Outcome] = ResultCache(budget)
    for n in range(min(args.entries, 1_000_000)):
        job = QueryJob(query=QUERY.replace("{n}", str(n)), accept="application/sparql-results+json",
                       base_iri="http://127.0.0.1:8000/sparql")
        body = (b'{"head":{},"boolean":true} ' + str(n).encode()).ljust(args.body)
        outcome = Outcome("ok", media_type="application/sparql-results+json", body=body, kind="ASK", rows=1)
        cache.put((DATASET, job), outcome, len(body))
    real, _ = tracemalloc.get_traced_memory()
    per_entry = real / max(1, len(cache))
    print(f"{len(cache)} entries: the cache accounts for {cache._bytes / 1e6:.2f} MB, holds {real / 1e6:.2f} MB "
          f"({per_entry:.0f} bytes an entry for {args.body} accounted).")
    print(f"At a budget of {args.budget_mb} MB filled with such answers: {budget // args.body:,} entries, "
          f"about {budget // args.body * per_entry / 1e6:,.0f} MB per uvicorn worker.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
