"""The flagship answer: what a Party is asked to do, grouped by urgency, each item with why it applies.
Shared by `lanzagraph obligations` and `GET /api/parties/{party}/obligations`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode, Variable

from lanzagraph.parties import Party, PartyIndex
from lanzagraph.store import GraphStore, Term, value_of
from lanzagraph.vocab import LZ, RDF, sparql_prefixes

RECOMMENDATIONS = sparql_prefixes() + """
SELECT ?party ?rec ?id ?reach ?text ?urgency ?urgencyLabel ?rank ?verb ?leadIn ?chapter ?chapterNumber ?chapterLabel
       ?group ?groupClass ?route ?wording ?listFootnote ?listNumber ?round ?source ?sourceLabel ?sourceFile
       ?footnote ?footnoteNumber
WHERE {
  { ?rec lz:appliesTo ?party . BIND("certain" AS ?reach) }
  UNION
  { ?rec lz:mayApplyTo ?party . BIND("conditional" AS ?reach) }
  ?rec skos:notation ?id ; lz:addressedTo ?group ; lz:chapter ?chapter ; dcterms:source ?source .
  ?chapter lz:chapterNumber ?chapterNumber ; rdfs:label ?chapterLabel .
  ?group a ?groupClass . ?groupClass rdfs:subClassOf lz:AddresseeGroup ; skos:notation ?route .
  ?source rdfs:label ?sourceLabel .
  OPTIONAL { ?source lz:sourceFile ?sourceFile }
  OPTIONAL { ?group lz:wording ?wording }
  OPTIONAL { ?group lz:coversRound|lz:drawnFromRound ?round }
  OPTIONAL { ?group lz:listedIn ?listFootnote . ?listFootnote lz:footnoteNumber ?listNumber }
  OPTIONAL { ?rec lz:footnote ?footnote . ?footnote lz:footnoteNumber ?footnoteNumber }
  OPTIONAL { ?rec lz:text ?text }
  OPTIONAL { ?rec lz:urgency ?urgency . ?urgency skos:prefLabel ?urgencyLabel ; lz:rank ?rank }
  OPTIONAL { ?rec lz:operativeVerb ?verb }
  OPTIONAL { ?rec lz:leadIn ?leadIn }
}"""

DETAILS = sparql_prefixes() + """
SELECT ?party ?rec ?kind ?node ?label ?text ?extra ?number WHERE {
  { ?rec lz:appliesTo ?party } UNION { ?rec lz:mayApplyTo ?party }
  {
    ?rec lz:theme ?node . ?node skos:prefLabel ?label . BIND("theme" AS ?kind)
  } UNION {
    ?rec lz:restsOn ?node . ?node rdfs:label ?label .
    OPTIONAL { ?node lz:text ?text }
    BIND(IF(EXISTS { ?rec lz:citesProvision ?node }, "cited", "section") AS ?extra)
    BIND(IF(EXISTS { ?node a lz:Opinion } || EXISTS { ?node eli:is_part_of ?o . ?o a lz:Opinion },
            "opinion", "provision") AS ?kind)
  } UNION {
    ?rec lz:statusNote ?node . ?node lz:concernsParty ?party ; lz:text ?text ; lz:status ?status .
    ?status skos:prefLabel ?label ; skos:notation ?extra .
    OPTIONAL { ?node lz:footnote/lz:footnoteNumber ?number }
    BIND("status" AS ?kind)
  } UNION {
    ?rec lz:summarisedIn ?node . ?node lz:text ?text ; lz:operativeVerb ?extra .
    OPTIONAL { ?node lz:footnote/lz:footnoteNumber ?number }
    ?node dcterms:source/rdfs:label ?label .
    BIND("summary" AS ?kind)
  } UNION {
    ?rec lz:scope ?node . ?node rdfs:label ?label . OPTIONAL { ?node lz:text ?text }
    BIND("scope" AS ?kind)
  }
}"""

RESERVATIONS = sparql_prefixes() + """
SELECT ?party ?res ?label ?madeUnder ?madeUnderLabel ?limits ?limitsLabel ?reporter ?reporterLabel ?source ?sourceLabel
       ?inPlace ?withdrawn ?rec ?recId ?note
WHERE {
  ?res a lz:Reservation ; lz:state ?party ; rdfs:label ?label ; lz:madeUnder ?madeUnder .
  ?madeUnder rdfs:label ?madeUnderLabel .
  OPTIONAL { ?res lz:limits ?limits . ?limits rdfs:label ?limitsLabel }
  OPTIONAL { ?res lz:reportedBy ?reporter . ?reporter rdfs:label ?reporterLabel }
  OPTIONAL { ?res dcterms:source ?source . ?source rdfs:label ?sourceLabel }
  OPTIONAL { ?res lz:inPlaceAsOf ?inPlace }
  OPTIONAL { ?res lz:withdrawnOn ?withdrawn }
  OPTIONAL { ?res lz:withdrawalInvitedBy ?rec . ?rec skos:notation ?recId }
  OPTIONAL { ?res skos:scopeNote ?note }
}"""

# How a recommendation reaches a Party, strongest first (the route names are the group classes' notations).
ROUTE_ORDER = ["named", "listed_in_footnote", "all", "not_already_doing_so", "unnamed_subset", "unspecified"]
UNSTATED = "unstated"


def _id_key(identifier: str) -> tuple[int, int]:
    numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    chapter, _, number = identifier.partition("-")
    return (numerals.index(chapter) if chapter in numerals else 99, int(number) if number.isdigit() else 0)


@dataclass
class Obligations:
    party: Party
    groups: list[dict[str, Any]]
    reservations: list[dict[str, Any]]
    totals: dict[str, Any]
    dataset: dict[str, Any]
    queries: dict[str, str] = field(default_factory=lambda: {
        "recommendations": RECOMMENDATIONS, "details": DETAILS, "reservations": RESERVATIONS})

    def as_dict(self) -> dict[str, Any]:
        return {
            "party": {"uri": self.party.iri, "code": self.party.code, "name": self.party.name},
            "dataset": self.dataset,
            "totals": self.totals,
            "groups": self.groups,
            "reservations": self.reservations,
            "sparql": self.queries,
        }


def _why(item: dict[str, Any], party_iri: str, group_class: str, round_iri: str | None) -> list[list[str]]:
    rec, group = item["uri"], item["addressees"]["uri"]
    triples = [[rec, LZ + "addressedTo", group], [group, RDF + "type", group_class]]
    route = item["reach"]
    if route in ("named", "listed_in_footnote"):
        triples.append([group, LZ + "hasMember", party_iri])
        if item["addressees"].get("listed_in"):
            triples.append([group, LZ + "listedIn", item["addressees"]["listed_in"]["uri"]])
    elif round_iri is not None:
        link = "coversRound" if route == "all" else "drawnFromRound"
        triples += [[group, LZ + link, round_iri], [round_iri, LZ + "hasParticipant", party_iri]]
    prop = "appliesTo" if item["certain"] else "mayApplyTo"
    triples.append([rec, LZ + prop, party_iri])
    return triples


def obligations_for(store: GraphStore, party_text: str, index: PartyIndex | None = None) -> Obligations:
    """Every recommendation that applies or may apply to the Party, grouped by urgency."""
    party = (index or PartyIndex.load(store)).resolve(party_text)
    bind: dict[Variable, Term] = {Variable("party"): NamedNode(party.iri)}
    items: dict[str, dict[str, Any]] = {}
    for row in store.select(RECOMMENDATIONS, bind):
        uri = row["rec"].value
        if uri in items:
            continue
        route = value_of(row, "route") or "unspecified"
        list_fn = value_of(row, "listFootnote")
        item: dict[str, Any] = {
            "id": value_of(row, "id"),
            "uri": uri,
            "text": value_of(row, "text"),
            "lead_in": value_of(row, "leadIn"),
            "urgency": (value_of(row, "urgencyLabel") or None),
            "urgency_rank": int(row["rank"].value) if "rank" in row else None,
            "operative_verb": value_of(row, "verb"),
            "chapter": {"uri": value_of(row, "chapter"), "number": value_of(row, "chapterNumber"),
                        "label": value_of(row, "chapterLabel")},
            "reach": route,
            "certain": value_of(row, "reach") == "certain",
            "addressees": {
                "uri": value_of(row, "group"),
                "wording": value_of(row, "wording"),
                "listed_in": {"uri": list_fn, "number": int(row["listNumber"].value)} if list_fn else None,
            },
            "source": {"uri": value_of(row, "source"), "label": value_of(row, "sourceLabel"),
                       "file": value_of(row, "sourceFile")},
            "footnote": {"uri": value_of(row, "footnote"), "number": int(row["footnoteNumber"].value)}
            if "footnoteNumber" in row else None,
            "themes": [], "provisions": [], "opinions": [], "status_notes": [], "summaries": [], "scope": [],
        }
        item["why"] = _why(item, party.iri, row["groupClass"].value, value_of(row, "round"))
        items[uri] = item

    seen: set[tuple[str, str, str]] = set()
    for row in store.select(DETAILS, bind):
        rec, kind, node = row["rec"].value, row["kind"].value, row["node"].value
        if rec not in items or (rec, kind, node) in seen:
            continue
        seen.add((rec, kind, node))
        entry: dict[str, Any] = {"uri": node, "label": value_of(row, "label")}
        if kind in ("provision", "opinion"):
            entry.update(text=value_of(row, "text"), cited_in_wording=value_of(row, "extra") == "cited")
            items[rec]["provisions" if kind == "provision" else "opinions"].append(entry)
        elif kind == "theme":
            items[rec]["themes"].append(entry)
        elif kind == "status":
            entry.update(status=value_of(row, "extra"), text=value_of(row, "text"),
                         footnote=int(row["number"].value) if "number" in row else None)
            items[rec]["status_notes"].append(entry)
        elif kind == "summary":
            entry.update(text=value_of(row, "text"), verb=value_of(row, "extra"), source=entry.pop("label"),
                         footnote=int(row["number"].value) if "number" in row else None)
            items[rec]["summaries"].append(entry)
        elif kind == "scope":
            entry.update(text=value_of(row, "text"))
            items[rec]["scope"].append(entry)
    for item in items.values():
        for key in ("themes", "provisions", "opinions"):
            item[key].sort(key=lambda e: e["uri"])

    by_urgency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ranks: dict[str, int] = {}
    for item in sorted(items.values(), key=lambda i: (ROUTE_ORDER.index(i["reach"]), _id_key(i["id"]))):
        key = item["urgency"] or UNSTATED
        by_urgency[key].append(item)
        ranks[key] = item["urgency_rank"] if item["urgency_rank"] is not None else 10_000
    groups = [
        {"urgency": None if key == UNSTATED else key, "rank": ranks[key] if key != UNSTATED else None,
         "count": len(by_urgency[key]), "recommendations": by_urgency[key]}
        for key in sorted(by_urgency, key=lambda k: ranks[k])
    ]
    reservations = _reservations(store, bind)
    totals = {
        "recommendations": len(items),
        "certain": sum(1 for i in items.values() if i["certain"]),
        "conditional": sum(1 for i in items.values() if not i["certain"]),
        "by_urgency": {g["urgency"] or UNSTATED: g["count"] for g in groups},
        "by_reach": {r: n for r in ROUTE_ORDER if (n := sum(1 for i in items.values() if i["reach"] == r))},
        "reservations": len(reservations),
    }
    return Obligations(party, groups, reservations, totals, store.version.as_dict())


def _reservations(store: GraphStore, bind: dict[Variable, Term]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for row in store.select(RESERVATIONS, bind):
        uri = row["res"].value
        res = found.setdefault(uri, {
            "uri": uri, "label": value_of(row, "label"),
            "made_under": {"uri": value_of(row, "madeUnder"), "label": value_of(row, "madeUnderLabel")},
            "limits": [], "reported_by": [], "sources": [], "withdrawal_invited_by": [],
            "in_place_as_of": value_of(row, "inPlace"), "withdrawn_on": value_of(row, "withdrawn"), "notes": [],
        })
        for key, uri_key, label_key in (("limits", "limits", "limitsLabel"),
                                        ("reported_by", "reporter", "reporterLabel"),
                                        ("sources", "source", "sourceLabel"),
                                        ("withdrawal_invited_by", "rec", "recId")):
            if uri_key in row:
                entry = {"uri": value_of(row, uri_key), "label": value_of(row, label_key)}
                if entry not in res[key]:
                    res[key].append(entry)
        note = value_of(row, "note")
        if note and note not in res["notes"]:
            res["notes"].append(note)
    return sorted(found.values(), key=lambda r: r["uri"])


def format_text(result: Obligations) -> str:
    """The answer for a terminal: grouped by urgency, one paragraph per recommendation."""
    out: list[str] = []
    t = result.totals
    out.append(f"{result.party.name} ({result.party.code}): {t['recommendations']} recommendations "
               f"({t['certain']} certain, {t['conditional']} conditional), {t['reservations']} reservation(s)")
    out.append(f"dataset {result.dataset['built_at']} ({result.dataset['content_hash'][:12]})")
    reach_words = {
        "named": "named in the recommendation",
        "listed_in_footnote": "listed in footnote {n} among the Parties not already doing so",
        "all": "addressed to all Parties of the round",
        "not_already_doing_so": ("addressed to the Parties not already doing so"
                                 " (no list: applies if not already doing so)"),
        "unnamed_subset": "addressed to an unnamed number of Parties (may include this Party)",
        "unspecified": "addressed to 'Parties' in a summary (scope not stated)",
    }
    for group in result.groups:
        title = (group["urgency"] or "urgency not stated").upper()
        out.append("")
        out.append(f"== {title} ({group['count']}) ==")
        for item in group["recommendations"]:
            listed = item["addressees"]["listed_in"]
            why = reach_words[item["reach"]].format(n=listed["number"] if listed else "?")
            fn = item["footnote"]
            where = f"{item['source']['label']}" + (f", footnote {fn['number']}" if fn else "")
            out.append("")
            out.append(f"{item['id']}  [{item['chapter']['label']}]  why: {why}")
            text = item["text"] or (f"(summary) {item['summaries'][0]['text']}" if item["summaries"] else "")
            out.append(f"  {text}")
            provisions = [p["label"] for p in item["provisions"] + item["opinions"]]
            if provisions:
                out.append(f"  rests on: {'; '.join(provisions)}")
            for note in item["status_notes"]:
                out.append(f"  status: {note['label']}: {note['text']}")
            for scope in item["scope"]:
                out.append(f"  scope: {scope['text'] or scope['label']}")
            out.append(f"  source: {where}")
    if result.reservations:
        out.append("")
        out.append(f"== RESERVATIONS ({len(result.reservations)}) ==")
        for res in result.reservations:
            invited = ", ".join(r["label"] for r in res["withdrawal_invited_by"] if r["label"])
            by = ", ".join(r["label"] for r in res["reported_by"] if r["label"])
            out.append(f"- {res['label']} (recorded by {by or 'unknown'})"
                       + (f"; withdrawal invited by {invited}" if invited else ""))
    return "\n".join(out)
