"""Tables, ratios to Oxigraph server and the targets, from a results document of sparql_bench.py."""

from __future__ import annotations

from typing import Any

REFERENCE = "oxigraph"
RDFLIB = "rdflib-endpoint"
OBLIGATIONS = ("obligations", "obligations_api")
EVALUATION_DOMINATES = 10.0  # a query whose Oxigraph median is >= 10x Oxigraph's ASK median


def _run_median(run: dict[str, Any]) -> float | None:
    value = (run.get("latency") or {}).get("median_ms")
    return None if value is None or run.get("status") != "ok" else float(value)


def _run_rps(run: dict[str, Any]) -> float | None:
    """Closed-loop throughput (every answer / time to the last one) where the client measured it;
    else (older results) the answers back within the window / its duration."""
    load = run.get("throughput")
    if run.get("status") != "ok" or not load:
        return None
    return float(load["rps_closed"]) if "rps_closed" in load else float(load["rps"])


def _run_errors(run: dict[str, Any]) -> int:
    load = run.get("throughput") or {}
    lat = run.get("latency") or {}
    return int(load.get("errors", 0)) + int(load.get("timeouts", 0)) + int(lat.get("errors", 0))


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The best of the rounds: the lowest median latency (with that round's p95) and the highest
    throughput; errors added up over every round; the foreign CPU share of each round."""
    ok = [r for r in runs if r.get("status") == "ok"]
    if not ok:
        status = "timeout" if any(r.get("status") == "timeout" for r in runs) else "error"
        errors = [str(r.get("error", "")) for r in runs if r.get("error")]
        return {"status": status, "error": errors[0] if errors else "", "rounds": len(runs)}
    by_latency = [r for r in ok if _run_median(r) is not None]
    fastest = min(by_latency, key=lambda r: _run_median(r) or 0.0) if by_latency else ok[0]
    busiest = max(ok, key=lambda r: _run_rps(r) or 0.0)
    medians = [m for m in (_run_median(r) for r in ok) if m is not None]
    throughputs = [t for t in (_run_rps(r) for r in ok) if t is not None]
    return {
        "status": "ok",
        "rows": fastest.get("rows"),
        "median_ms": _run_median(fastest),
        "p95_ms": (fastest.get("latency") or {}).get("p95_ms"),
        "latency_n": (fastest.get("latency") or {}).get("n"),
        "rps": _run_rps(busiest),
        "rps_median_ms": (busiest.get("throughput") or {}).get("median_ms"),
        "rps_p95_ms": (busiest.get("throughput") or {}).get("p95_ms"),
        "client_cpu_s": (busiest.get("throughput") or {}).get("client_cpu_s"),
        "all_medians_ms": medians,
        "all_rps": throughputs,
        "errors": sum(_run_errors(r) for r in runs),
        "foreign_share": [(r.get("cpu") or {}).get("foreign_share") for r in runs],
        "rounds": len(runs),
    }


def median(result: dict[str, Any]) -> float | None:
    value = result.get("median_ms")
    return None if value is None or result.get("status") != "ok" else float(value)


def p95(result: dict[str, Any]) -> float | None:
    value = result.get("p95_ms")
    return None if value is None or result.get("status") != "ok" else float(value)


def rps(result: dict[str, Any]) -> float | None:
    value = result.get("rps")
    return None if value is None or result.get("status") != "ok" else float(value)


def errors(result: dict[str, Any]) -> int:
    return int(result.get("errors", 0))


def one_line(result: dict[str, Any]) -> str:
    if result.get("status") != "ok":
        return f"{result.get('status')}: {str(result.get('error', ''))[:120]}"
    load = result["throughput"]
    foreign = (result.get("cpu") or {}).get("foreign_share")
    return (f"rows {result.get('rows')}  median {_ms(_run_median(result))}  "
            f"p95 {_ms((result.get('latency') or {}).get('p95_ms'))}  foreign cpu {foreign}  "
            f"{_run_rps(result) or 0:.1f} req/s @{load['clients']} (window {load['rps']:.1f}; "
            f"errors {load['errors']}, timeouts {load['timeouts']}, "
            f"abandoned {load['abandoned']}, client cpu {load['client_cpu_s']:.1f} s)")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def _cell(result: dict[str, Any] | None, kind: str) -> str:
    if result is None:
        return "-"
    if result.get("status") == "timeout":
        return "timeout"
    if result.get("status") != "ok":
        return "error"
    if kind == "errors":
        return str(errors(result))
    if kind == "foreign":
        shares = [f"{x:.0%}" for x in result.get("foreign_share", []) if x is not None]
        return "/".join(shares) or "-"
    value = {"median": median(result), "p95": p95(result), "rps": rps(result)}[kind]
    if value is None:
        return "-"
    return f"{value:.1f}" if kind == "rps" else f"{value:.2f}"


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def server_names(doc: dict[str, Any]) -> list[str]:
    return [n for n, info in doc["servers"].items() if info.get("status") != "failed to start"]


def table(doc: dict[str, Any], kind: str, title: str) -> str:
    names = server_names(doc)
    lines = [title, "| query | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for query, by_server in doc["results"].items():
        cells = [_cell(by_server.get(name), kind) for name in names]
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rows_table(doc: dict[str, Any]) -> str:
    names = server_names(doc)
    lines = ["Rows (or triples) answered, a sanity check that the servers agree",
             "| query | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for query, by_server in doc["results"].items():
        lines.append(f"| {query} | " + " | ".join(str(by_server.get(n, {}).get("rows", "-")) for n in names) + " |")
    return "\n".join(lines)


def ratio_table(doc: dict[str, Any]) -> str:
    names = [n for n in server_names(doc) if n != REFERENCE]
    header = " | ".join(f"{n} thr | {n} lat" for n in names)
    lines = ["Ratios to Oxigraph server: thr = throughput at 8 clients / Oxigraph's (higher is better); "
             "lat = median latency at 1 client / Oxigraph's (lower is better)",
             f"| query | {header} |", "|---" * (2 * len(names) + 1) + "|"]
    for query, by_server in doc["results"].items():
        ref = by_server.get(REFERENCE, {})
        cells = []
        for name in names:
            result = by_server.get(name, {})
            cells.append(_fmt_ratio(ratio(rps(result), rps(ref))))
            cells.append(_fmt_ratio(ratio(median(result), median(ref))))
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def added(doc: dict[str, Any], reference: str = REFERENCE) -> dict[str, dict[str, dict[str, Any]]]:
    """Per query and server: the median latency it adds to the reference's (ms), the ratio of the
    medians, and whether both answered the same number of rows."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for query, by_server in doc["results"].items():
        ref = by_server.get(reference, {})
        out[query] = {}
        for name in server_names(doc):
            if name == reference or name not in by_server:
                continue
            mine, theirs = median(by_server[name]), median(ref)
            out[query][name] = {
                "added_ms": None if mine is None or theirs is None else mine - theirs,
                "ratio": ratio(mine, theirs),
                "same_rows": by_server[name].get("rows") is not None and by_server[name].get("rows") == ref.get("rows"),
            }
    return out


def added_table(doc: dict[str, Any], reference: str = REFERENCE) -> str:
    """The reference's median, p95 and throughput, then each other server's with the latency it adds."""
    names = [n for n in server_names(doc) if n != reference]
    gains = added(doc, reference)
    head = [f"{reference} median", "p95", "req/s"]
    for name in names:
        head += [f"{name} median", "p95", "req/s", "added ms", "ratio"]
    lines = [f"Added latency over {reference} (median at 1 client, ms; req/s at {doc['params']['concurrency']} "
             "clients; added = median minus the reference's; ratio = median / the reference's)",
             "| query | " + " | ".join(head) + " | rows |", "|---" * (len(head) + 2) + "|"]
    for query, by_server in doc["results"].items():
        cells = [_cell(by_server.get(reference), k) for k in ("median", "p95", "rps")]
        for name in names:
            cells += [_cell(by_server.get(name), k) for k in ("median", "p95", "rps")]
            gain = gains[query].get(name, {})
            cells += ["-" if gain.get("added_ms") is None else f"{gain['added_ms']:+.2f}",
                      _fmt_ratio(gain.get("ratio"))]
        rows = {n: by_server.get(n, {}).get("rows") for n in [reference, *names]}
        same = all(g.get("same_rows") for g in gains[query].values())
        differ = "DIFFER " + ", ".join(f"{n} {r}" for n, r in rows.items())
        cells.append(f"{rows[reference]} (same)" if same else differ)
        lines.append(f"| {query} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def memory_table(doc: dict[str, Any]) -> str:
    lines = ["Memory (VmRSS at the end of the run, VmHWM peak), per process",
             "| server | pid | process | RSS MB | peak MB |", "|---|---|---|---|---|"]
    for name, info in doc["servers"].items():
        for proc in info.get("memory_at_end") or info.get("memory_at_start") or []:
            lines.append(f"| {name} | {proc['pid']} | {_short(proc['cmd'])} | {proc['rss_mb']} | {proc['hwm_mb']} |")
    return "\n".join(lines)


def _short(cmd: str) -> str:
    if "multiprocessing" in cmd and "resource_tracker" in cmd:
        return "multiprocessing resource tracker"
    if "multiprocessing" in cmd or "spawn_main" in cmd:
        return "spawned child (uvicorn worker or query worker)"
    return cmd.split("/")[-1][:60]


def _evaluation_dominated(doc: dict[str, Any], query: str) -> bool:
    ref_ask = median(doc["results"].get("ask", {}).get(REFERENCE, {}))
    ref = median(doc["results"][query].get(REFERENCE, {}))
    return ref is not None and ref_ask is not None and ref >= EVALUATION_DOMINATES * ref_ask


def targets(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, judged for each lanzagraph configuration measured."""
    results = doc.get("results") or {}
    lanzagraphs = [n for n in server_names(doc) if n.startswith("lanzagraph")]
    out: list[dict[str, Any]] = []
    for name in lanzagraphs:
        def thr_ratio(query: str, other: str, name: str = name) -> float | None:
            return ratio(rps(results[query].get(name, {})), rps(results[query].get(other, {})))

        if doc["size"] == "real":
            for query in OBLIGATIONS:
                if query in results:
                    out.append(_target(name, f"{query}: throughput >= 2x Oxigraph", thr_ratio(query, REFERENCE), 2.0))
                    lat = median(results[query].get(name, {}))
                    out.append({"server": name, "target": f"{query}: median latency <= 2 ms at 1 client",
                                "value": lat, "met": lat is not None and lat <= 2.0})
            for query in results:
                if query == "ask":
                    continue
                out.append(_target(name, f"{query}: throughput >= 1x Oxigraph", thr_ratio(query, REFERENCE), 1.0))
                if RDFLIB in results[query]:
                    ref = results[query][RDFLIB]
                    value = thr_ratio(query, RDFLIB)
                    met = value is not None and value >= 20.0
                    if ref.get("status") == "timeout" or (rps(ref) == 0 and rps(results[query].get(name, {}))):
                        value, met = float("inf"), True
                    out.append({"server": name, "target": f"{query}: throughput >= 20x rdflib-endpoint",
                                "value": value, "met": met})
        else:
            for query in results:
                if query != "ask" and _evaluation_dominated(doc, query):
                    out.append(_target(name, f"{query} (evaluation dominates): throughput >= 1x Oxigraph",
                                       thr_ratio(query, REFERENCE), 1.0))
    return out


def _target(server: str, text: str, value: float | None, needed: float) -> dict[str, Any]:
    return {"server": server, "target": text, "value": value, "met": value is not None and value >= needed}


def targets_table(doc: dict[str, Any]) -> str:
    lines = ["Targets", "| server | target | value | met |", "|---|---|---|---|"]
    for t in doc.get("targets", []):
        value = t["value"]
        shown = "-" if value is None else ("inf" if value == float("inf") else f"{value:.2f}")
        lines.append(f"| {t['server']} | {t['target']} | {shown} | {'yes' if t['met'] else 'NO'} |")
    return "\n".join(lines)


def failures(doc: dict[str, Any]) -> str:
    failed = {n: i for n, i in doc["servers"].items() if i.get("status") == "failed to start"}
    if not failed:
        return "Every server started."
    return "\n".join(f"FAILED TO START: {n}: {i.get('error')}" for n, i in failed.items())


def tables(doc: dict[str, Any]) -> str:
    return "\n\n".join([
        failures(doc),
        table(doc, "median", "Median latency at 1 client, ms"),
        table(doc, "p95", "p95 latency at 1 client, ms"),
        table(doc, "rps", f"Throughput at {doc['params']['concurrency']} clients, req/s "
                          f"({doc['params']['duration']:g} s)"),
        table(doc, "errors", "Errors and timeouts (all rounds, both phases)"),
        table(doc, "foreign", "CPU used by other processes on the machine during each round's measurement "
                              "(share of the 2 CPUs; high values mean the number was taken under interference)"),
        ratio_table(doc),
        rows_table(doc),
        memory_table(doc),
        targets_table(doc),
    ])


def refresh(doc: dict[str, Any]) -> dict[str, Any]:
    """Recomputes the summaries and targets from the raw rounds, with this module's rules."""
    if "runs" in doc:
        doc["results"] = {q: {n: summarise(rs) for n, rs in by.items()} for q, by in doc["runs"].items()}
        doc["targets"] = targets(doc)
    return doc


def main(argv: list[str]) -> int:
    """report.py RESULTS.json [--rewrite]: print the tables; --rewrite also stores the refreshed
    summaries back into the file."""
    import json
    from pathlib import Path

    path = Path(argv[0])
    doc = refresh(json.loads(path.read_text()))
    print(tables(doc))
    if "--rewrite" in argv[1:]:
        path.write_text(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
