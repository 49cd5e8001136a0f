"""The Party page's chart: its obligations by chapter and urgency, as data for CSS bars (a table
whose rows carry proportional segments, so that it reads as a table too, and prints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lanzagraph.matrix import URGENCIES, chapter_key, short_title


@dataclass(frozen=True)
class Segment:
    urgency: str
    certain: bool
    count: int
    percent: float

    @property
    def words(self) -> str:
        urgency = "urgency not stated" if self.urgency == "unstated" else self.urgency
        return f"{self.count} {urgency}, {'applies' if self.certain else 'may apply'}"


@dataclass(frozen=True)
class ChartRow:
    number: str
    label: str
    title: str
    href: str
    certain: int
    conditional: int
    segments: tuple[Segment, ...]

    @property
    def words(self) -> str:
        return "; ".join(s.words for s in self.segments)


def obligations_chart(obligations: dict[str, Any], code: str) -> list[ChartRow]:
    """One row per chapter with a recommendation reaching the Party, in the report's order; each
    segment is one urgency (highest first), certain before conditional, as a share of the longest row."""
    counts: dict[str, dict[tuple[str, bool], int]] = {}
    labels: dict[str, str] = {}
    for group in obligations.get("groups", []):
        for item in group["recommendations"]:
            number = item["chapter"]["number"] or "?"
            labels[number] = item["chapter"]["label"] or number
            key = (item["urgency"] or "unstated", bool(item["certain"]))
            counts.setdefault(number, {})
            counts[number][key] = counts[number].get(key, 0) + 1
    longest = max((sum(c.values()) for c in counts.values()), default=0)
    rows: list[ChartRow] = []
    for number in sorted(counts, key=chapter_key):
        found = counts[number]
        segments = tuple(
            Segment(u, certain, found[(u, certain)], round(100 * found[(u, certain)] / longest, 2))
            for u in URGENCIES for certain in (True, False) if found.get((u, certain)))
        rows.append(ChartRow(number, labels[number], short_title(labels[number]),
                             f"/matrix/{code.lower()}/{number}",
                             sum(n for (_, c), n in found.items() if c), sum(n for (_, c), n in found.items() if not c),
                             segments))
    return rows
