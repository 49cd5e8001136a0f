"""CPU accounting from /proc, to tell how much of the machine a measurement had to itself.

The benchmark machine may be shared (other sessions' tests and servers). Before each
measurement the benchmark waits, for a bounded time, until the machine is quiet; during it, it
records the CPU time used by the server under test, by the client and by everything else
("foreign"), so that a number taken under interference can be recognised as such.
"""

from __future__ import annotations

import os
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")
CPUS = os.cpu_count() or 1


def system_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all CPUs)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def process_cpu_s(pids: list[int]) -> float:
    """utime + stime of the given live processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + own.ru_utime + own.ru_stime


def busy_share(seconds: float = 1.0) -> float:
    """Share of the machine's CPU capacity in use over the next `seconds`."""
    before, started = system_busy_s(), time.monotonic()
    time.sleep(seconds)
    return (system_busy_s() - before) / ((time.monotonic() - started) * CPUS)


def wait_quiet(threshold: float, max_wait_s: float) -> tuple[float, float]:
    """Waits until less than `threshold` of the CPU capacity is busy (our servers are idle then, so
    that is other people's load), at most `max_wait_s`. Returns (seconds waited, last busy share)."""
    started = time.monotonic()
    share = busy_share(0.5)
    while share > threshold and time.monotonic() - started < max_wait_s:
        share = busy_share(1.0)
    return time.monotonic() - started, share


@dataclass
class Snapshot:
    at: float
    system: float
    server: float
    ours: float


def snapshot(server_pids: list[int]) -> Snapshot:
    return Snapshot(time.monotonic(), system_busy_s(), process_cpu_s(server_pids), children_cpu_s())


@dataclass
class Usage:
    elapsed_s: float
    server_cpu_s: float
    client_cpu_s: float
    foreign_cpu_s: float
    foreign_share: float  # of the machine's capacity over the measurement

    def as_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) for k, v in asdict(self).items()}


def usage(before: Snapshot, after: Snapshot) -> Usage:
    elapsed = after.at - before.at
    server = after.server - before.server
    client = after.ours - before.ours
    foreign = max(0.0, (after.system - before.system) - server - client)
    return Usage(elapsed, server, client, foreign, foreign / max(1e-9, elapsed * CPUS))
