"""/api: the flagship obligations answer (and, from the catalogue, the canned queries)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from lanzagraph.obligations import obligations_for
from lanzagraph.web.deps import PartiesDep, StoreDep

router = APIRouter(prefix="/api", tags=["Obligations"])


@router.get(
    "/parties/{party}/obligations",
    summary="What a Party is asked to do",
    description="Every recommendation that applies (or may apply) to the Party, grouped by urgency in rank order "
    "(require, request, invite, then unstated), each with its verbatim text, chapter, themes, the provisions and "
    "opinion paragraphs it rests on, how it reaches the Party (named, listed_in_footnote, all, "
    "not_already_doing_so, unnamed_subset, unspecified) and the triples behind that, status notes, source and "
    "footnote; then the Party's reservations with the recommendations inviting their withdrawal; totals; and the "
    "dataset version and SPARQL that produced the answer.",
)
def party_obligations(
    party: Annotated[str, Path(description="ISO 3166-1 code or name: GE, ge, Georgia, Moldova", examples=["ge"])],
    store: StoreDep,
    parties: PartiesDep,
) -> dict[str, Any]:
    return obligations_for(store, party, parties).as_dict()
