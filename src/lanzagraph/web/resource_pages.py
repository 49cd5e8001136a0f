"""The HTML page of a resource: which template, and what it is given.

A page starts from the resource's bounded description (the same triples its RDF representations
serve, embedded in the page as JSON-LD) and adds the outgoing triples of the resources it links to
(the text of the provisions a recommendation rests on, the number of a footnote...). Links whose
fan-out is large and whose far ends a page shows by name only (the Parties a recommendation
applies to, everything drawn from a source document or done in a round) are not followed, and
the properties of that kind are left out of what is fetched; names come from the resource index.
A Party's page also carries lanzagraph.obligations' answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode, Triple, Variable

from lanzagraph import jsonld
from lanzagraph.describe import Description, term_value
from lanzagraph.directory import Entry, ResourceIndex, natural_key
from lanzagraph.errors import UnknownParty
from lanzagraph.obligations import obligations_for
from lanzagraph.parties import PartyIndex
from lanzagraph.serialise import SERVED_PREFIXES
from lanzagraph.store import GraphStore
from lanzagraph.vocab import DCTERMS, ELI, LZ, ORG, RDF, XSD, sparql_prefixes
from lanzagraph.web.charts import obligations_chart
from lanzagraph.web.views import GraphView, Linker, LiteralView, NodeView

# Links not followed to fetch the far end's properties, and properties not fetched: large fan-out,
# and the pages show what lies at their far end by name only.
_NOT_FOLLOWED_OUT = frozenset(LZ + p for p in (
    "subjectTo", "potentiallySubjectTo", "appliesTo", "mayApplyTo", "hasMember", "hasPotentialMember",
    "hasParticipant", "monitoredIn")) | {RDF + "type"}
_NOT_FOLLOWED_IN = frozenset(LZ + p for p in (
    "round", "theme", "appliesTo", "mayApplyTo", "hasMember", "hasPotentialMember", "hasParticipant",
    "subjectTo", "potentiallySubjectTo", "monitoredIn")) | {DCTERMS + "source", ORG + "memberOf"}

_PROPERTIES = sparql_prefixes() + """
SELECT DISTINCT ?x ?p ?o WHERE {
  ?x ?p ?o
  FILTER(?p NOT IN (lz:subjectTo, lz:potentiallySubjectTo, lz:hasParticipant, lz:monitoredIn,
                    lz:hasMember, lz:hasPotentialMember, lz:appliesTo, lz:mayApplyTo))
}"""

_CITATION = sparql_prefixes() + """
SELECT ?r ?notation ?report ?reportLabel ?adopted ?body ?sourceLabel ?footnote WHERE {
  ?r skos:notation ?notation .
  OPTIONAL { ?r lz:round/lz:report ?report .
             OPTIONAL { ?report rdfs:label ?reportLabel }
             OPTIONAL { ?report lz:adoptedOn ?adopted }
             OPTIONAL { ?report lz:adoptedBy/rdfs:label ?body } }
  OPTIONAL { ?r dcterms:source/rdfs:label ?sourceLabel }
  OPTIONAL { ?r lz:footnote/lz:footnoteNumber ?footnote }
}"""

_RESTING_ON_PARTS = sparql_prefixes() + """
SELECT DISTINCT ?r ?part ?rec ?notation ?urgency WHERE {
  ?part eli:is_part_of+ ?r .
  ?rec lz:restsOn ?part ; skos:notation ?notation .
  OPTIONAL { ?rec lz:urgency/skos:prefLabel ?urgency }
}"""

# Which template shows a resource: the first class it has, in this order.
TEMPLATES: list[tuple[str, str]] = [
    (LZ + "State", "resource_party.html"),
    (LZ + "Recommendation", "resource_recommendation.html"),
    (LZ + "Reservation", "resource_reservation.html"),
    (LZ + "Provision", "resource_provision.html"),
    (LZ + "Opinion", "resource_opinion.html"),
    (LZ + "ReportChapter", "resource_chapter.html"),
    (LZ + "Footnote", "resource_footnote.html"),
    (LZ + "SourceDocument", "resource_source.html"),
    (LZ + "PromisingPractice", "resource_practice.html"),
    (LZ + "ReportedFigure", "resource_figure.html"),
    (ORG + "Organization", "resource_body.html"),
    (ELI + "LegalResource", "resource_instrument.html"),
]
GENERIC = "resource_generic.html"

# The kind of thing a resource is, in words, for lists that mix kinds: the first class it has.
KINDS: list[str] = [
    "Recommendation", "RecommendationSummary", "StatusNote", "PromisingPractice", "ReportedFigure",
    "Footnote", "Reservation", "TreatyStatus", "ScopeCondition", "AddresseeGroup", "Article", "Paragraph",
    "SubParagraph", "Rule", "Opinion", "ImplementationReport", "ReportChapter", "MonitoringRound",
    "SourceDocument", "Convention", "Protocol", "Treaty", "Directive", "FrameworkDecision", "Regulation",
    "Guidelines", "ExplanatoryReport", "RulesOfProcedure", "AdoptedDocument", "PolicyDocument", "LegalInstrument",
    "StateParty",
    "State", "CourtCase", "Court", "Committee", "Agency", "Network", "NonGovernmentalOrganisation",
    "IntergovernmentalOrganisation", "Database", "Body",
]

# How an addressee group reaches the Parties, as a lawyer would say it (keyed by the group's class).
ADDRESSEE_WAYS: dict[str, str] = {
    "NamedParties": "Named in the recommendation: it applies to each Party listed.",
    "AllParties": "Addressed to all Parties of the monitoring round: it applies to each of them.",
    "PartiesListedInFootnote": "Addressed to the Parties that are not already doing so, and a footnote lists "
                               "them: it applies to each Party listed there.",
    "PartiesNotAlreadyDoingSo": "Addressed to the Parties that are not already doing so, without a list: it may "
                                "apply to any Party of the round, on that condition.",
    "UnnamedSubset": "Addressed to a stated number of Parties whose names the source does not give: it may apply "
                     "to any Party of the round.",
    "UnspecifiedParties": "Addressed to \u2018Parties\u2019 without saying which: it may apply to any Party of "
                          "the round.",
}

REACH_WORDS: dict[str, str] = {
    "named": "named in the recommendation",
    "listed_in_footnote": "listed in footnote {n} among the Parties not already doing so",
    "all": "addressed to all Parties of the round",
    "not_already_doing_so": "addressed to the Parties not already doing so (no list: applies if not already doing so)",
    "unnamed_subset": "addressed to an unnamed number of Parties (may include this Party)",
    "unspecified": "addressed to \u2018Parties\u2019 in a summary (scope not stated)",
}


@dataclass
class Page:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def template_for(node: NodeView) -> str:
    for cls, template in TEMPLATES:
        if node.is_a(cls):
            return template
    return GENERIC


def kind_of(entry: Entry | None, index: ResourceIndex | None = None) -> str:
    """What the resource is, in words ('recommendation', 'sub-paragraph'): the label of the first
    class of KINDS it has (the class's local name without an index to label it)."""
    if entry is None:
        return "resource"
    for name in KINDS:
        if entry.is_a(LZ + name):
            return (index.label(LZ + name) if index is not None else None) or name
    return "resource"


def build_page(
    store: GraphStore,
    index: ResourceIndex,
    linker: Linker,
    parties: PartyIndex,
    description: Description,
    alternates: list[dict[str, str]],
) -> Page:
    """The template and context that show `description` to a reader."""
    iri = description.iri
    neighbours = _neighbours(store, description)
    view = GraphView([*description.triples, *neighbours], linker)
    node = view.node(iri)
    template = template_for(node)
    context: dict[str, Any] = {
        "r": node,
        "title": node.label,
        "kinds": {e: kind_of(index.get(e), index) for e in _linked(view, node)},
        "breadcrumb": _breadcrumb(index, iri),
        "jsonld": jsonld.script_block(description.triples, SERVED_PREFIXES),
        "alternates": alternates,
        "iri": iri,
        "truncated": description.truncated,
        "addressee_ways": ADDRESSEE_WAYS,
        "reach_words": REACH_WORDS,
        "href": linker.href,
    }
    if template == "resource_party.html":
        context["obligations"] = _obligations(store, parties, node)
        if context["obligations"] is not None:
            context["chart"] = obligations_chart(context["obligations"], context["obligations"]["party"]["code"])
    if template == "resource_recommendation.html":
        context["citation"] = citation(store, iri)
    if template in ("resource_provision.html", "resource_instrument.html", "resource_opinion.html"):
        context["resting_on_parts"] = resting_on_parts(store, linker, iri)
    return Page(template, context)


def _neighbours(store: GraphStore, description: Description) -> list[Triple]:
    """The properties of the resources the description links to (or that link to it)."""
    node = NamedNode(description.iri)
    far: set[NamedNode] = set()
    for t in description.triples:
        if t.subject == node and isinstance(t.object, NamedNode) and t.predicate.value not in _NOT_FOLLOWED_OUT:
            far.add(t.object)
        elif t.object == node and isinstance(t.subject, NamedNode) and t.predicate.value not in _NOT_FOLLOWED_IN:
            far.add(t.subject)
    far.discard(node)
    triples: list[Triple] = []
    for subject in sorted(far, key=lambda n: n.value):
        for row in store.select(_PROPERTIES, {Variable("x"): subject}):
            predicate, obj = row["p"], row["o"]
            assert isinstance(predicate, NamedNode) and not isinstance(obj, Triple)
            triples.append(Triple(subject, predicate, obj))
    return triples


def _linked(view: GraphView, node: NodeView) -> list[str]:
    found: set[str] = set()
    for values in view.out.get(node.term, {}).values():
        found.update(v.value for v in values if isinstance(v, NamedNode))
    for subjects in view.inc.get(node.term, {}).values():
        found.update(s.value for s in subjects if isinstance(s, NamedNode))
    return sorted(found)


def _breadcrumb(index: ResourceIndex, iri: str) -> list[Entry]:
    """The resources whose paths are prefixes of this one (instrument > article > paragraph)."""
    path = iri[len(index.id_base):]
    parts = path.split("/")
    crumbs: list[Entry] = []
    for end in range(1, len(parts)):
        entry = index.get(index.id_base + "/".join(parts[:end]))
        if entry is not None:
            crumbs.append(entry)
    return crumbs


def _obligations(store: GraphStore, parties: PartyIndex, node: NodeView) -> dict[str, Any] | None:
    code = node.text("lz:iso3166Alpha2")
    if code is None or not node.is_a("lz:StateParty"):
        return None
    try:
        return obligations_for(store, code, parties).as_dict()
    except UnknownParty:
        return None


def resting_on_parts(store: GraphStore, linker: Linker, iri: str) -> list[dict[str, Any]]:
    """The recommendations that rest on a subdivision (at any depth) of the resource, by subdivision."""
    rows = []
    for row in store.select(_RESTING_ON_PARTS, {Variable("r"): NamedNode(iri)}):
        part, rec = term_value(row["part"]), term_value(row["rec"])
        rows.append({
            "part": {"href": linker.href(part), "label": linker.label(part)},
            "rec": {"href": linker.href(rec), "label": term_value(row["notation"])},
            "urgency": term_value(row["urgency"]) if "urgency" in row else None,
        })
    return sorted(rows, key=lambda r: (natural_key(r["part"]["label"]), natural_key(r["rec"]["label"])))


def citation(store: GraphStore, iri: str) -> str | None:
    """'Lanzarote Committee, 2nd monitoring round implementation report (adopted 10 March 2022),
    recommendation III-16, as quoted in Factsheet – Investigations and prosecution, footnote 20'."""
    rows = store.select(_CITATION, {Variable("r"): NamedNode(iri)})
    if not rows:
        return None
    row = {key: term_value(term) for key, term in rows[0].items()}
    parts: list[str] = []
    if "body" in row:
        parts.append(row["body"])
    if "reportLabel" in row:
        report = row["reportLabel"]
        if "adopted" in row:
            report += f" (adopted {LiteralView(row['adopted'], None, XSD + 'date').long_date})"
        parts.append(report)
    parts.append(f"recommendation {row['notation']}")
    if "sourceLabel" in row:
        quoted = _has_text(store, iri)
        parts.append(f"{'as quoted in' if quoted else 'as cited in'} {row['sourceLabel']}")
    if "footnote" in row:
        parts.append(f"footnote {row['footnote']}")
    return ", ".join(parts)


def _has_text(store: GraphStore, iri: str) -> bool:
    return bool(store.query(sparql_prefixes() + "ASK { ?r lz:text ?t }", substitutions={Variable("r"): NamedNode(iri)}))
