"""Where `lanzagraph serve` spends its CPU under load: py-spy over the server and its query workers.

Starts `lanzagraph serve` over a store (settings from the environment, e.g.
LANZAGRAPH_RESULT_CACHE_MB=0), drives it with client.py (8 clients, one query) and records it
with `py-spy record --subprocesses` for the same time; then prints, per process kind (web
process, query worker), its share of the samples and the heaviest frames, self and inclusive.

    python benchmarks/profile_server.py --store /tmp/lanzagraph-bench/real/store --query obligations

Needs py-spy (a PyPI wheel) and permission to ptrace the server (root here).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import servers

import queries

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def drive(server: servers.Server, query: queries.BenchQuery, seconds: float) -> subprocess.Popen[str]:
    job = {"url": server.url, "query": query.text, "accept": query.accept, "warmup": 5, "n": 0,
           "latency_budget_s": 1.0, "concurrency": 8, "duration_s": seconds, "cap_s": 30.0, "grace_s": 5.0}
    client = subprocess.Popen([sys.executable, str(HERE / "client.py")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert client.stdin is not None
    client.stdin.write(json.dumps(job))
    client.stdin.close()
    return client


def record(pid: int, seconds: float, out: Path) -> None:
    py_spy = shutil.which("py-spy") or str(servers.VENV_BIN / "py-spy")
    subprocess.run([py_spy, "record", "--pid", str(pid), "--subprocesses", "--duration", str(int(seconds)),
                    "--rate", "250", "--format", "raw", "--output", str(out)],
                   check=True, capture_output=True, timeout=seconds + 60)


def kind_of(frames: list[str]) -> str:
    text = ";".join(frames)
    if "_worker_main" in text:
        return "query worker"
    if "concurrent/futures/thread.py" in text or "threading.py" in text:
        return "web process, threads"
    return "web process, event loop"


def summarise(raw: Path, top: int) -> dict[str, object]:
    """Samples per process kind; per kind, the heaviest self frames and inclusive functions."""
    kinds: Counter[str] = Counter()
    self_time: dict[str, Counter[str]] = {}
    inclusive: dict[str, Counter[str]] = {}
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        n = int(count)
        kind = kind_of(frames)
        kinds[kind] += n
        self_time.setdefault(kind, Counter())[_short(frames[-1])] += n
        for frame in {_short(f) for f in frames}:
            inclusive.setdefault(kind, Counter())[frame] += n
    total = sum(kinds.values()) or 1
    return {
        "samples": total,
        "by_process": {k: round(v / total, 3) for k, v in kinds.most_common()},
        "self": {k: [(f, round(n / total, 3)) for f, n in c.most_common(top)] for k, c in self_time.items()},
        "inclusive": {k: [(f, round(n / total, 3)) for f, n in c.most_common(top * 3)]
                      for k, c in inclusive.items()},
    }


def _short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    path, _, line = where.rpartition(":")
    parts = path.split("/")
    return f"{name} ({'/'.join(parts[-2:])}:{line})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", type=Path, required=True)
    p.add_argument("--query", default="obligations")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--top", type=int, default=12)
    p.add_argument("--out", type=Path, default=None, help="write the summary (JSON) here too")
    args = p.parse_args(argv)
    query = {q.name: q for q in queries.all_queries(ROOT)}[args.query]
    with tempfile.TemporaryDirectory() as tmp:
        server = servers.lanzagraph("profiled", args.store, args.workers, ROOT, Path(tmp))
        servers.start(server)
        try:
            servers.wait_ready(server, 300)
            assert server.process is not None
            client = drive(server, query, args.seconds + 4)
            raw = Path(tmp) / "profile.txt"
            record(server.process.pid, args.seconds, raw)
            load, _ = client.communicate(timeout=args.seconds + 60)
        finally:
            servers.stop(server)
        summary = summarise(raw, args.top)
    summary["load"] = json.loads(load).get("throughput") if load.strip() else None
    print(json.dumps(summary, indent=1))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
