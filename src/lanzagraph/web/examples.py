"""The canned queries as examples for the query page: each one's SPARQL with its example
parameters bound, ready to run in the editor (or in any other SPARQL client)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lanzagraph.binding import Binder
from lanzagraph.catalogue import CannedQuery, Catalogue
from lanzagraph.parties import PartyIndex
from lanzagraph.remote import with_values
from lanzagraph.store import GraphStore


@cache
def catalogue(folder: Path) -> Catalogue:
    """The catalogue of `folder`, read once (the service reads queries/ only when it starts)."""
    return Catalogue.load(folder)


def example_sparql(query: CannedQuery, store: GraphStore, parties: PartyIndex) -> str:
    """The query as /api/queries/{name}?<its example parameters> runs it, as text any SPARQL client
    can run: the parameters written into it the way a remote store gets them (remote.with_values)."""
    values = {p.name: p.example for p in query.params if p.example is not None}
    bound = Binder(store, parties).bind(query, values)
    lines = [f"# {query.title}", f"# The canned query /api/queries/{query.name}"]
    if values:
        given = ", ".join(f"{name} = {value}" for name, value in values.items())
        lines.append(f"# with its example parameters bound: {given}.")
    return "\n".join(lines) + "\n" + with_values(query.body, bound) + "\n"
