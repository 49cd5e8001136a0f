"""What the home page counts: resources by class, each count linked to where they can be browsed."""

from __future__ import annotations

import os
from dataclasses import dataclass

from lanzagraph.directory import ResourceIndex
from lanzagraph.vocab import LZ

# The classes a reader looks for first, in the order the page shows them.
HOME_CLASSES: tuple[str, ...] = (
    "StateParty", "Recommendation", "RecommendationSummary", "ReportChapter", "Article", "Paragraph", "SubParagraph",
    "Opinion", "LegalInstrument", "Reservation", "TreatyStatus", "PromisingPractice", "ReportedFigure", "StatusNote",
    "SourceDocument", "Footnote", "Body",
)


@dataclass(frozen=True)
class ClassCount:
    name: str
    label: str
    count: int
    href: str  # a listing of them when they share a folder, else the class's documentation

    @property
    def noun(self) -> str:
        """'State parties', 'Opinion' (one), 'Treaty statuses'."""
        return self.label if self.count == 1 else plural(self.label)


def plural(label: str) -> str:
    if label.endswith("y") and label[-2:-1] not in "aeiou":
        return label[:-1] + "ies"
    if label.endswith(("s", "x", "ch", "sh")):
        return label + "es"
    return label + "s"


def class_counts(index: ResourceIndex) -> list[ClassCount]:
    counts: list[ClassCount] = []
    for name in HOME_CLASSES:
        entries = index.of_type(LZ + name)
        if not entries:
            continue
        folder = os.path.commonprefix([e.path for e in entries])
        folder = folder[: folder.rfind("/") + 1]
        href = "/id/" + folder if folder else "/ontology#" + name
        label = index.label(LZ + name) or name
        counts.append(ClassCount(name, label[:1].upper() + label[1:], len(entries), href))
    return counts
