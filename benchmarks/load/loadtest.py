"""Load test of `lanzagraph serve` (issue 8): a mixed workload at 64 clients, then a soak.

    .venv/bin/python benchmarks/load/loadtest.py                      # build, 60 s load, 10 min soak
    .venv/bin/python benchmarks/load/loadtest.py --soak 60            # a shorter soak
    .venv/bin/python benchmarks/load/loadtest.py --store /tmp/s       # reuse a store built before

1. Builds the graph into a temporary store (`lanzagraph build --store TMP/store`, ~30 s), unless
   --store names one already built.
2. Starts `lanzagraph serve` on 127.0.0.1 and a free port, with production settings
   (LANZAGRAPH_WORKERS=2, the other settings at their defaults: 2 query processes per worker,
   64 MB result cache per worker, 30 s query timeout), in a session of its own, and waits until
   /healthz and /sparql answer.
3. Load: runs workload.py as a second process, 64 concurrent clients for 60 s (routes, mix and
   error rules in workload.py), and records the memory of the server's whole process tree (VmRSS
   and PSS of the uvicorn parent, its workers, their query worker processes and multiprocessing's
   resource tracker, from /proc) before, during (every 5 s) and after.
4. Soak: the same workload at 8 clients for 10 minutes against the same server, sampling the tree's
   memory every 10 s; reports the growth (MB and %), the slope, and whether memory stayed flat.
5. Stops the server by its process id (SIGTERM, SIGKILL after 20 s, then SIGKILL to any recorded
   descendant still alive, each checked by pid and start time), even on error or interruption;
   writes benchmarks/load/results/<UTC time>-load.json (also after each phase), a Markdown
   summary next to it, and the server log's lines other than the access log.

Loopback only; every loop is bounded by a deadline.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = HERE / "results"
# Where lanzagraph, oxigraph and rdflib-endpoint are installed: beside the running Python by default.
VENV_BIN = Path(os.environ.get("LANZAGRAPH_BENCH_BIN", Path(sys.executable).parent))
PYTHON = sys.executable
HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Memory is called flat when the soak's end is within FLAT_GROWTH_PCT of its start and the second
# half of the soak grows by less than FLAT_SLOPE_PCT_PER_MIN of the start per minute.
FLAT_GROWTH_PCT = 3.0
FLAT_SLOPE_PCT_PER_MIN = 0.2
STEADY_AFTER_S = 120.0  # the soak's memory is also summarised from this point on, past the warm-up
ACCESS_LINE = re.compile(r'^INFO:\s+\S+ - "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


class Interrupted(Exception):
    pass


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(f"signal {signal.Signals(signum).name}")


# /proc ------------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(parent pid, start time, CPU ticks used) of a live process, from /proc/PID/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[19]), int(fields[11]) + int(fields[12])


def descendants(root: int) -> dict[int, tuple[int, int]]:
    """Every live process under `root` (root included): pid -> (parent pid, start time)."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[int, int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry.name))
                info[int(entry.name)] = (stat[0], stat[1])
    out: dict[int, tuple[int, int]] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in info and pid not in out:
            out[pid] = info[pid]
            todo += children.get(pid, [])
    return out


def _status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _pss_kb(pid: int) -> int | None:
    """Proportional set size (shared pages divided among their users), from smaps_rollup."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _role(pid: int, root: int, parent: int, cmd: str) -> str:
    if pid == root:
        return "uvicorn parent"
    if "resource_tracker" in cmd:
        return "resource tracker"
    if parent == root:
        return "uvicorn worker"
    return "query worker"


def _mb(kb: float | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


# the server -------------------------------------------------------------------------------------


@dataclass
class Server:
    argv: list[str]
    env: dict[str, str]
    log: Path
    url: str
    process: subprocess.Popen[bytes] | None = None
    known: dict[int, int] = field(default_factory=dict)  # pid -> start time, every process of the tree seen

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)

    def tree(self) -> dict[int, tuple[int, int]]:
        if self.process is None or self.process.poll() is not None:
            return {}
        found = descendants(self.process.pid)
        self.known.update({pid: started for pid, (_, started) in found.items()})
        return found

    def wait_ready(self, timeout_s: float) -> float:
        assert self.process is not None
        began = time.monotonic()
        deadline = began + timeout_s
        with httpx.Client(base_url=self.url, timeout=5.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log}")
                with contextlib.suppress(httpx.HTTPError):
                    health = client.get("/healthz")
                    ask = client.get("/sparql", params={"query": "ASK {}"},
                                     headers={"Accept": "application/sparql-results+json"})
                    if health.status_code == 200 and ask.status_code == 200:
                        self.tree()
                        return time.monotonic() - began
                time.sleep(0.5)
        raise TimeoutError(f"the server did not answer within {timeout_s:g} s; see {self.log}")

    def stop(self, grace_s: float = 20.0) -> list[str]:
        """SIGTERM to the server's pid, SIGKILL if it outlives the grace period, then SIGKILL to every
        recorded descendant still alive (same pid and start time). Returns what had to be killed."""
        killed: list[str] = []
        process = self.process
        if process is None:
            return killed
        if process.poll() is None:
            self.tree()
            _signal(process.pid, self.known.get(process.pid, -1), signal.SIGTERM)
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                killed.append(f"server {process.pid} (SIGKILL after {grace_s:g} s)")
                _signal(process.pid, self.known.get(process.pid, -1), signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=5)
        others = {pid: started for pid, started in self.known.items() if pid != process.pid}
        deadline = time.monotonic() + 5  # the workers and the resource tracker exit on their own, soon after
        while time.monotonic() < deadline and any(_alive(pid, st) for pid, st in others.items()):
            time.sleep(0.2)
        for pid, started in others.items():
            if _signal(pid, started, signal.SIGKILL):
                killed.append(f"descendant {pid}")
        self.process = None
        return killed


def _alive(pid: int, started: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[1] == started


def system_cpu() -> dict[str, float]:
    """Seconds of CPU the whole machine spent busy, stolen (by the hypervisor) and idle, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return {"busy_s": (user + nice + system + irq + softirq) / CLK_TCK, "steal_s": steal / CLK_TCK,
            "idle_s": (idle + iowait) / CLK_TCK}


def cpu_share(before: dict[str, float], after: dict[str, float], server_s: float, client_s: float,
              seconds: float) -> dict[str, float]:
    """Where the machine's CPU went during a phase: the server tree, the load client, everything else
    (other processes on this shared machine, and this script)."""
    busy = after["busy_s"] - before["busy_s"]
    return {"wall_s": round(seconds, 1), "machine_busy_s": round(busy, 1),
            "machine_idle_s": round(after["idle_s"] - before["idle_s"], 1),
            "steal_s": round(after["steal_s"] - before["steal_s"], 1), "server_s": round(server_s, 1),
            "client_s": round(client_s, 1), "other_s": round(busy - server_s - client_s, 1)}


def _signal(pid: int, started: int, sig: int) -> bool:
    """Signals `pid` only if it is still the process recorded (same start time)."""
    stat = _stat(pid)
    if stat is None or stat[1] != started:
        return False
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def memory(server: Server, detail: bool = False) -> dict[str, Any]:
    """The tree's memory now: totals of VmRSS (what the brief asks for; counts shared pages once per
    process) and of PSS (shared pages divided), per role, and per process when `detail`."""
    assert server.process is not None
    if server.process.poll() is not None:
        raise RuntimeError(f"the server exited with {server.process.returncode}; see its log")
    root = server.process.pid
    tree = server.tree()
    rows: list[dict[str, Any]] = []
    cpu_ticks = 0
    for pid, (parent, _) in sorted(tree.items()):
        cmd = _cmdline(pid)
        stat = _stat(pid)
        cpu_ticks += stat[2] if stat else 0
        rows.append({"pid": pid, "ppid": parent, "role": _role(pid, root, parent, cmd),
                     "rss_kb": _status_kb(pid, "VmRSS") or 0, "hwm_kb": _status_kb(pid, "VmHWM") or 0,
                     "pss_kb": _pss_kb(pid) or 0})
    roles: dict[str, dict[str, Any]] = {}
    for row in rows:
        r = roles.setdefault(row["role"], {"processes": 0, "rss_kb": 0, "pss_kb": 0})
        r["processes"] += 1
        r["rss_kb"] += row["rss_kb"]
        r["pss_kb"] += row["pss_kb"]
    out: dict[str, Any] = {
        "processes": len(rows),
        "pids": [r["pid"] for r in rows],
        "rss_mb": _mb(sum(r["rss_kb"] for r in rows)),
        "pss_mb": _mb(sum(r["pss_kb"] for r in rows)),
        "cpu_s": round(cpu_ticks / CLK_TCK, 2),
        "by_role": {name: {"processes": r["processes"], "rss_mb": _mb(r["rss_kb"]), "pss_mb": _mb(r["pss_kb"])}
                    for name, r in sorted(roles.items())},
    }
    if detail:
        out["per_process"] = [{"pid": r["pid"], "role": r["role"], "rss_mb": _mb(r["rss_kb"]),
                               "peak_rss_mb": _mb(r["hwm_kb"]), "pss_mb": _mb(r["pss_kb"])} for r in rows]
        out["sum_of_peak_rss_mb"] = _mb(sum(r["hwm_kb"] for r in rows))
    return out


# the client -------------------------------------------------------------------------------------


def run_workload(job: dict[str, Any], work: Path, every_s: float, sample: Callable[[float], None]) -> dict[str, Any]:
    """Runs workload.py in a process of its own with `job`, calling `sample(t)` every `every_s`
    while it runs; kills it (by pid) if it outlives its own deadline by a minute."""
    label = str(job["label"])
    out_path, err_path = work / f"{label}-client.json", work / f"{label}-client.err"
    hard_deadline_s = float(job["duration_s"]) + float(job.get("grace_s", 15)) + 90
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        client = subprocess.Popen([PYTHON, str(HERE / "workload.py")], stdin=subprocess.PIPE, stdout=out, stderr=err,
                                  cwd=ROOT, start_new_session=True)
    started_at = _stat(client.pid)
    try:
        assert client.stdin is not None
        client.stdin.write(json.dumps(job).encode())
        client.stdin.close()
        began = time.monotonic()
        next_tick = began
        while client.poll() is None and time.monotonic() - began < hard_deadline_s:
            now = time.monotonic()
            if now >= next_tick:
                sample(now - began)
                next_tick += every_s
            time.sleep(max(0.05, min(1.0, next_tick - time.monotonic())))
    finally:
        if client.poll() is None:
            if started_at is not None:
                _signal(client.pid, started_at[1], signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                client.wait(timeout=5)
    if client.returncode != 0:
        tail = err_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"the {label} client exited with {client.returncode}: {tail}")
    result: dict[str, Any] = json.loads(out_path.read_text())
    return result


# analysis ---------------------------------------------------------------------------------------


def _slope_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) points, in MB per minute."""
    if len(points) < 3:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return None if den == 0 else round(60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den, 3)


def soak_summary(series: list[dict[str, Any]], key: str) -> dict[str, Any]:
    points = [(float(s["t_s"]), float(s[key])) for s in series if s.get(key) is not None]
    if len(points) < 6:
        return {"samples": len(points), "note": "too few samples"}
    start = statistics.fmean(y for _, y in points[:3])
    end = statistics.fmean(y for _, y in points[-3:])
    half = points[len(points) // 2:]
    second_half_slope = _slope_per_min(half)
    growth_mb = end - start
    growth_pct = 100 * growth_mb / start if start else 0.0
    flat = (growth_pct <= FLAT_GROWTH_PCT and second_half_slope is not None
            and second_half_slope <= start * FLAT_SLOPE_PCT_PER_MIN / 100)
    return {
        "samples": len(points),
        "start_mb": round(start, 1),
        "end_mb": round(end, 1),
        "min_mb": round(min(y for _, y in points), 1),
        "max_mb": round(max(y for _, y in points), 1),
        "growth_mb": round(growth_mb, 1),
        "growth_pct": round(growth_pct, 2),
        "slope_mb_per_min": _slope_per_min(points),
        "second_half_slope_mb_per_min": second_half_slope,
        "flat": flat,
        "rule": f"start/end: mean of the first/last 3 samples; flat when growth <= {FLAT_GROWTH_PCT}% and the "
                f"second half's least-squares slope <= {FLAT_SLOPE_PCT_PER_MIN}% of the start per minute",
    }


def read_server_log(log: Path) -> dict[str, Any]:
    """Counts the access log's lines by status; keeps every other line (warnings, tracebacks)."""
    statuses: dict[str, int] = {}
    other: list[str] = []
    if not log.exists():
        return {"access_lines": 0, "statuses": {}, "other_lines": []}
    access = 0
    with open(log, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = ACCESS_LINE.match(line)
            if match:
                access += 1
                statuses[match["status"]] = statuses.get(match["status"], 0) + 1
            else:
                other.append(line.rstrip("\n"))
    return {"access_lines": access, "statuses": dict(sorted(statuses.items())), "other_lines": other}


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with contextlib.suppress(OSError, IndexError, ValueError):
        mem_kb = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
    versions: dict[str, str] = {}
    for name in ("lanzagraph", "uvicorn", "fastapi", "pyoxigraph", "httpx"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version
            versions[name] = version(name)
    return {
        "cpus": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)), "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release(),
        "python": platform.python_version(), "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "versions": versions,
    }


# report -----------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def route_table(client: dict[str, Any]) -> list[str]:
    lines = ["| route | requests | req/s | errors | expected 404 | p50 ms | p95 ms | p99 ms | max ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in list(client["routes"].items()) + [("**all**", client["overall"])]:
        lines.append(f"| {name} | {r['requests']} | {_fmt(r['rps'])} | {r['errors']} | {r['expected_404']} | "
                     f"{_fmt(r['p50_ms'])} | {_fmt(r['p95_ms'])} | {_fmt(r['p99_ms'])} | {_fmt(r['max_ms'])} |")
    return lines


def markdown(result: dict[str, Any]) -> str:
    out = [f"# Load test {result['started']}", ""]
    load = result.get("load")
    if load:
        c = load["client"]
        out += [f"## Load: {c['job']['clients']} clients, {c['job']['duration_s']:g} s", ""]
        out += route_table(c)
        mb, ma = load["memory_before"], load["memory_after"]
        out += ["", f"Client CPU {c['client_cpu_s']} s; in flight at the deadline: {c['abandoned_in_flight']}; "
                f"server CPU {round(ma['cpu_s'] - mb['cpu_s'], 1)} s.",
                f"Server memory (sum of VmRSS, {mb['processes']} processes): before {mb['rss_mb']} MB, "
                f"peak sample {load['peak_rss_mb']} MB, after {ma['rss_mb']} MB, 10 s later "
                f"{load['memory_settled']['rss_mb']} MB (PSS {mb['pss_mb']} → {ma['pss_mb']} MB).",
                f"Machine CPU during the phase: {load['cpu']}."]
    soak = result.get("soak")
    if soak:
        c = soak["client"]
        s = soak["rss"]
        out += ["", f"## Soak: {c['job']['clients']} clients, {c['job']['duration_s']:g} s", ""]
        out += route_table(c)
        out += ["", f"RSS: {s.get('start_mb')} → {s.get('end_mb')} MB (growth {s.get('growth_mb')} MB, "
                f"{s.get('growth_pct')} %), min {s.get('min_mb')}, max {s.get('max_mb')}, slope "
                f"{s.get('slope_mb_per_min')} MB/min (second half {s.get('second_half_slope_mb_per_min')}), "
                f"flat: {s.get('flat')}. PSS growth {soak['pss'].get('growth_mb')} MB "
                f"({soak['pss'].get('growth_pct')} %).",
                f"From t = {STEADY_AFTER_S:g} s on: {soak['rss_after_warmup']}.",
                f"Machine CPU during the soak: {soak['cpu']}."]
    if result.get("error"):
        out += ["", f"**Run failed:** {result['error']}"]
    return "\n".join(out) + "\n"


# main -------------------------------------------------------------------------------------------


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def build_store(store: Path, log: Path, timeout_s: float) -> float:
    began = time.monotonic()
    with open(log, "wb") as out:
        build = subprocess.Popen([str(VENV_BIN / "lanzagraph"), "build", "--store", str(store)], cwd=ROOT,
                                 stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
    started_at = _stat(build.pid)
    tree: dict[int, int] = {}
    try:
        while build.poll() is None and time.monotonic() - began < timeout_s:
            tree.update({pid: st for pid, (_, st) in descendants(build.pid).items()})
            time.sleep(0.5)
    finally:
        if build.poll() is None:
            tree.update({pid: st for pid, (_, st) in descendants(build.pid).items()})
            if started_at is not None:
                _signal(build.pid, started_at[1], signal.SIGKILL)
            for pid, st in tree.items():
                _signal(pid, st, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                build.wait(timeout=5)
    if build.returncode != 0:
        raise RuntimeError(f"the build failed ({build.returncode}): {log.read_text(errors='replace')[-2000:]}")
    return time.monotonic() - began


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", type=Path, help="a store already built (default: build one into a temporary folder)")
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of the load phase")
    p.add_argument("--soak-clients", type=int, default=8)
    p.add_argument("--soak", type=float, default=600.0, help="seconds of the soak (0: no soak)")
    p.add_argument("--sample", type=float, default=10.0, help="seconds between memory samples in the soak")
    p.add_argument("--workers", type=int, default=2, help="LANZAGRAPH_WORKERS")
    p.add_argument("--query-processes", type=int, default=2, help="LANZAGRAPH_QUERY_PROCESSES")
    p.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                   help="another server setting, e.g. RESULT_CACHE_MB=0 (becomes LANZAGRAPH_RESULT_CACHE_MB)")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (store, full server log)")
    args = p.parse_args(argv)
    if not (1 <= args.clients <= 256 and 1 <= args.soak_clients <= 256):
        p.error("clients must be between 1 and 256")
    if any("=" not in item for item in args.setting):
        p.error("--setting takes NAME=VALUE")
    if not (0 < args.duration <= 600 and 0 <= args.soak <= 3600 and 1 <= args.sample <= 600):
        p.error("duration at most 600 s, soak at most 3600 s, sample between 1 and 600 s")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_json = RESULTS / f"{stamp}-load.json"
    work = Path(tempfile.mkdtemp(prefix="lanzagraph-load-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANZAGRAPH_")}
    settings = {"LANZAGRAPH_WORKERS": str(args.workers), "LANZAGRAPH_QUERY_PROCESSES": str(args.query_processes),
                "LANZAGRAPH_HOST": HOST, "LANZAGRAPH_PORT": str(port)}
    for item in args.setting:
        name, value = item.split("=", 1)
        name = name.strip().upper().removeprefix("LANZAGRAPH_")
        if name not in ("HOST", "PORT"):  # loopback only, on the port chosen here
            settings[f"LANZAGRAPH_{name}"] = value
    store = args.store.absolute() if args.store else work / "store"
    server = Server([str(VENV_BIN / "lanzagraph"), "serve", "--store", str(store), "--host", HOST, "--port", str(port)],
                    {**env, **settings}, work / "server.log", f"http://{HOST}:{port}")
    result: dict[str, Any] = {"started": stamp, "machine": machine(), "settings": settings,
                              "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                              "status": "running"}

    def save() -> None:
        tmp = out_json.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(result, indent=1, ensure_ascii=False))
        tmp.replace(out_json)

    def say(message: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    with signals_raise():
        try:
            if args.store is None:
                say(f"building the store into {store} ...")
                result["build_s"] = round(build_store(store, work / "build.log", 600), 1)
                say(f"built in {result['build_s']} s")
            server.start()
            assert server.process is not None
            say(f"server pid {server.process.pid} on {server.url}, waiting for it ...")
            result["startup_s"] = round(server.wait_ready(180), 1)
            time.sleep(2)  # let the workers settle after their first requests
            before = memory(server, detail=True)
            say(f"ready in {result['startup_s']} s; {before['processes']} processes, RSS {before['rss_mb']} MB")

            load_samples: list[dict[str, Any]] = []

            def load_tick(t: float) -> None:
                m = memory(server)
                load_samples.append({"t_s": round(t, 1), "rss_mb": m["rss_mb"], "pss_mb": m["pss_mb"],
                                     "processes": m["processes"]})

            say(f"load: {args.clients} clients for {args.duration:g} s ...")
            job = {"base_url": server.url, "clients": args.clients, "duration_s": args.duration, "seed": args.seed,
                   "label": "load"}
            cpu0, t0 = system_cpu(), time.monotonic()
            client = run_workload(job, work, 5.0, load_tick)
            after = memory(server, detail=True)
            load_cpu = cpu_share(cpu0, system_cpu(), after["cpu_s"] - before["cpu_s"], client["client_cpu_s"],
                                 time.monotonic() - t0)
            time.sleep(10)
            settled = memory(server)
            result["load"] = {"client": client, "memory_before": before, "memory_after": after,
                              "memory_settled": settled, "samples": load_samples, "cpu": load_cpu,
                              "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
                              "peak_rss_mb": max([s["rss_mb"] for s in load_samples] + [after["rss_mb"]])}
            save()
            o = client["overall"]
            say(f"load done: {o['requests']} requests, {o['errors']} errors, p50 {o['p50_ms']} ms, "
                f"p99 {o['p99_ms']} ms; RSS {before['rss_mb']} -> {after['rss_mb']} MB")

            if args.soak > 0:
                series: list[dict[str, Any]] = []
                first_pids = set(settled["pids"])

                def soak_tick(t: float) -> None:
                    m = memory(server)
                    series.append({"t_s": round(t, 1), "rss_mb": m["rss_mb"], "pss_mb": m["pss_mb"],
                                   "processes": m["processes"], "new_pids": sorted(set(m["pids"]) - first_pids),
                                   "by_role_rss_mb": {k: v["rss_mb"] for k, v in m["by_role"].items()}})
                    if len(series) % 6 == 1:
                        say(f"soak t={t:.0f} s: RSS {m['rss_mb']} MB, PSS {m['pss_mb']} MB, {m['processes']} processes")

                say(f"soak: {args.soak_clients} clients for {args.soak:g} s, sampling every {args.sample:g} s ...")
                job = {"base_url": server.url, "clients": args.soak_clients, "duration_s": args.soak,
                       "seed": args.seed + 1, "label": "soak"}
                cpu0, t0 = system_cpu(), time.monotonic()
                soak_client = run_workload(job, work, args.sample, soak_tick)
                soak_tick(time.monotonic() - t0)
                end = memory(server, detail=True)
                soak_cpu = cpu_share(cpu0, system_cpu(), end["cpu_s"] - settled["cpu_s"],
                                     soak_client["client_cpu_s"], time.monotonic() - t0)
                steady = [p for p in series if p["t_s"] >= STEADY_AFTER_S]
                result["soak"] = {"client": soak_client, "series": series, "rss": soak_summary(series, "rss_mb"),
                                  "pss": soak_summary(series, "pss_mb"),
                                  "rss_after_warmup": soak_summary(steady, "rss_mb"),
                                  "memory_end": end, "cpu": soak_cpu,
                                  "loadavg_after": Path("/proc/loadavg").read_text().split()[:3]}
                save()
                s = result["soak"]["rss"]
                say(f"soak done: {soak_client['overall']['requests']} requests, "
                    f"{soak_client['overall']['errors']} errors; RSS {s.get('start_mb')} -> {s.get('end_mb')} MB "
                    f"({s.get('growth_pct')} %), flat: {s.get('flat')}")
            result["status"] = "complete"
        except (Exception, Interrupted) as err:
            result["status"] = "failed"
            result["error"] = f"{type(err).__name__}: {err}"
            say(f"failed: {result['error']}")
        finally:
            result["stopped"] = server.stop()
            log = read_server_log(server.log)
            (RESULTS / f"{stamp}-server-log.txt").write_text(
                "\n".join(log["other_lines"][:5000]) + "\n", encoding="utf-8")
            result["server_log"] = {"access_lines": log["access_lines"], "statuses": log["statuses"],
                                    "other_lines": len(log["other_lines"]),
                                    "warnings_and_errors": [line for line in log["other_lines"]
                                                            if not line.startswith("INFO:")][:200]}
            save()
            (RESULTS / f"{stamp}-summary.md").write_text(markdown(result), encoding="utf-8")
            if args.keep:
                say(f"kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    print(markdown(result))
    say(f"results: {out_json}")
    return 0 if result["status"] == "complete" else 1


if __name__ == "__main__":
    raise SystemExit(main())
