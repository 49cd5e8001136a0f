"""The graph against the sources: facts a legal researcher would check in the factsheets.

Expected values here are read off ../shared/sources/ by hand, independently of data/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ID, LZ, REPO, select

from lanzagraph.build import BuildResult
from lanzagraph.store import GraphStore

SOURCES = REPO.parent / "shared" / "sources"
ROUND = ID + "round/2/recommendation/"


def rec(identifier: str) -> str:
    return f"<{ROUND}{identifier}>"


def codes(graph: GraphStore, query: str, var: str = "code") -> set[str]:
    return {row[var].lower() for row in select(graph, query)}


def members(graph: GraphStore, identifier: str) -> set[str]:
    return codes(graph, f"SELECT ?code WHERE {{ {rec(identifier)} lz:addressedTo/lz:hasMember/lz:iso3166Alpha2 ?code }}")


def applies_to(graph: GraphStore, identifier: str, prop: str = "appliesTo") -> set[str]:
    return codes(graph, f"SELECT ?code WHERE {{ {rec(identifier)} lz:{prop}/lz:iso3166Alpha2 ?code }}")


def addressee_kind(graph: GraphStore, identifier: str) -> str:
    rows = select(graph, f"""SELECT ?kind WHERE {{ {rec(identifier)} lz:addressedTo ?g . ?g a ?c .
        ?c rdfs:subClassOf lz:AddresseeGroup ; skos:notation ?kind }}""")
    assert len(rows) == 1, rows
    return rows[0]["kind"]


ROUND_2 = set(
    ["al", "ad", "at", "be", "ba", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "ge", "de", "gr", "hu", "is", "it", "lv", "li", "lt", "lu", "mt", "md", "mc", "me", "nl", "mk", "no", "pl", "pt", "ro", "ru", "sm", "rs", "sk", "si", "es", "se", "ch", "tr", "ua"]
)


def test_the_round_has_the_43_parties_of_footnote_1(graph: GraphStore) -> None:
    assert len(ROUND_2) == 43
    found = codes(graph, f"SELECT ?code WHERE {{ <{ID}round/2> lz:hasParticipant/lz:iso3166Alpha2 ?code }}")
    assert found == ROUND_2


def test_footnote_1_names_resolve_to_the_round_participants(graph: GraphStore) -> None:
    """Each name in key-findings footnote 1 is a label or alternative label of a participant."""
    text = (SOURCES / "factsheet-key-findings.md").read_text()
    names = re.search(r"following 43 Parties: (.+?)\.\n", text)
    assert names is not None
    listed = [n.strip() for n in names.group(1).split(",")]
    assert len(listed) == 43
    rows = select(graph, f"""SELECT ?name ?code WHERE {{ <{ID}round/2> lz:hasParticipant ?p .
        ?p lz:iso3166Alpha2 ?code . {{ ?p rdfs:label ?name }} UNION {{ ?p skos:altLabel ?name }} }}""")
    by_name = {r["name"]: r["code"].lower() for r in rows}
    assert {by_name[n] for n in listed} == ROUND_2


def test_48_parties_and_morocco_is_a_state_invited_to_accede(graph: GraphStore) -> None:
    parties = codes(graph, "SELECT ?code WHERE { ?p a lz:StateParty ; lz:iso3166Alpha2 ?code }")
    assert len(parties) == 48
    assert parties - ROUND_2 == {"am", "az", "ie", "tn", "gb"}
    morocco = select(graph, f"""SELECT ?party ?invited WHERE {{ <{ID}state/ma> a lz:State .
        BIND(EXISTS {{ <{ID}state/ma> a lz:StateParty }} AS ?party)
        BIND(EXISTS {{ <{ID}state/ma> lz:invitedToAccedeTo <{ID}instrument/cets-201> }} AS ?invited) }}""")
    assert morocco == [{"party": "false", "invited": "true"}]


def test_council_of_europe_membership(graph: GraphStore) -> None:
    coe = codes(graph, f"SELECT ?code WHERE {{ ?p a lz:StateParty ; org:memberOf <{ID}body/coe> ; lz:iso3166Alpha2 ?code }}")
    assert len(coe) == 46 and not coe & {"ru", "tn"}


def test_reference_facts_marked_only_secondary_are_left_out(graph: GraphStore) -> None:
    """parties-facts.md is used only where it marks a fact confirmed: EU membership (from secondary
    lists), ETS 185 status known from a secondary list, and dates from secondary sources stay out."""
    assert not select(graph, f"SELECT ?p WHERE {{ ?p org:memberOf|lz:formerMemberOf <{ID}body/eu> }}")
    budapest = codes(graph, f"SELECT ?code WHERE {{ ?p lz:partyTo <{ID}instrument/ets-185> ; lz:iso3166Alpha2 ?code }}")
    secondary = set(["lv", "lt", "lu", "mt", "md", "me", "nl", "mk", "no", "pt", "ro", "si", "sk", "es", "ch", "tr", "ua", "gb", "tn"])
    assert not budapest & secondary and not budapest & {"ie", "ru", "mc"}
    assert len(budapest) == 48 - len(secondary) - 3
    dates = select(graph, f"""SELECT ?code ?p WHERE {{ ?s a lz:TreatyStatus ; lz:treaty <{ID}instrument/cets-201> ;
        lz:state/lz:iso3166Alpha2 ?code ; ?p ?d . FILTER(?p IN (lz:signed, lz:ratified, lz:entryIntoForce)) }}""")
    held = {(r["code"].lower(), r["p"].rsplit("#", 1)[1]) for r in dates}
    assert not {c for c, _ in held} & {"de", "ch", "sm"}
    assert ("gr", "entryIntoForce") in held and ("gr", "ratified") not in held
    assert ("al", "ratified") in held and ("al", "signed") not in held and ("gb", "signed") not in held
    # Each fact the reference gives carries its citation and confidence on the resource.
    uncited = select(graph, f"""SELECT ?s WHERE {{ ?s dcterms:source <{ID}source/reference-parties-facts> ;
        a ?type . FILTER(?type IN (lz:StateParty, lz:TreatyStatus))
        FILTER NOT EXISTS {{ ?s dcterms:bibliographicCitation ?c ; lz:confidence ?k }} }}""")
    assert not uncited, uncited


EXPECTED_PER_CHAPTER = {"II": 8, "III": 32, "IV": 3, "V": 19, "VI": 2, "VII": 1, "VIII": 1, "IX": 2, "X": 1, "XI": 1}


def test_recommendations_per_chapter(graph: GraphStore) -> None:
    rows = select(graph, """SELECT ?chapter (COUNT(?r) AS ?n) WHERE {
        ?r a lz:Recommendation ; lz:chapter/lz:chapterNumber ?chapter } GROUP BY ?chapter""")
    assert {r["chapter"]: int(r["n"]) for r in rows} == EXPECTED_PER_CHAPTER


def test_recommendations_per_chapter_and_urgency(graph: GraphStore) -> None:
    rows = select(graph, """SELECT ?chapter ?urgency (COUNT(?r) AS ?n) WHERE {
        ?r a lz:Recommendation ; lz:chapter/lz:chapterNumber ?chapter .
        OPTIONAL { ?r lz:urgency/skos:notation ?u } BIND(COALESCE(?u, "unstated") AS ?urgency)
    } GROUP BY ?chapter ?urgency""")
    table = {(r["chapter"], r["urgency"]): int(r["n"]) for r in rows}
    assert table[("III", "require")] == 5 and table[("III", "request")] == 7 and table[("III", "invite")] == 20
    assert table[("V", "require")] == 2 and table[("V", "request")] == 1 and table[("V", "invite")] == 16
    unstated = {c for (c, u) in table if u == "unstated"}
    assert unstated == {"II", "IV", "VI", "VII", "VIII", "IX", "X", "XI"}
    assert sum(n for (c, u), n in table.items() if u == "unstated") == 19


@pytest.mark.parametrize(
    ("identifier", "urgency"),
    [("III-1", "request"), ("III-2", "invite"), ("III-12", "require"), ("III-15", "require"), ("III-16", "request"),
     ("III-22", "require"), ("III-23", "require"), ("III-28", "request"), ("III-30", "require"), ("V-1", "invite"),
     ("V-3", "request"), ("V-17", "require"), ("V-18", "require"), ("V-19", "invite")],
)
def test_urgency(graph: GraphStore, identifier: str, urgency: str) -> None:
    rows = select(graph, f"SELECT ?u WHERE {{ {rec(identifier)} lz:urgency/skos:notation ?u }}")
    assert [r["u"] for r in rows] == [urgency]


NAMED = {
    "III-1": "li sm", "III-2": "ba", "III-6": "lt mc ua", "III-8": "bg cz dk ee mc me nl ro ch ua",
    "III-12": "ge li mk rs ua", "III-13": "ge li mk sm rs ua", "III-22": "me sm", "III-23": "ba ge lu mk rs",
    "III-26": "al mk", "III-27": "ba gr lv li me sm", "V-1": "bg hu mc ru", "V-2": "bg ru",
    "V-17": "ad ba ge li mc me mk no sm tr ua", "V-18": "be hr cy dk ee it lt mt pl ro se",
}


@pytest.mark.parametrize("identifier", sorted(NAMED))
def test_named_addressees(graph: GraphStore, identifier: str) -> None:
    assert addressee_kind(graph, identifier) == "named"
    assert members(graph, identifier) == set(NAMED[identifier].split())
    assert applies_to(graph, identifier) == set(NAMED[identifier].split())


# Footnote lists of "those Parties that are not already doing so" (investigations factsheet).
LISTED = {
    "III-15": (16, "al cy gr lu mc sm ua"),
    "III-16": (19, "al ad be cy ee ge gr lv li lt lu mt md mc me nl mk no ro sm sk si ch tr ua"),
    "III-18": (22, "al ad be ba bg hr cy dk ee ge gr it lv li lt lu mt md mc me nl mk no ro sm rs sk si es ch tr ua"),
    "III-28": (37, "al ad be ba dk ee ge de gr it lv li lt lu mt mc me nl mk no sm rs sk es tr ua"),
}


@pytest.mark.parametrize("identifier", sorted(LISTED))
def test_footnote_listed_addressees(graph: GraphStore, identifier: str) -> None:
    footnote, expected = LISTED[identifier]
    assert addressee_kind(graph, identifier) == "listed_in_footnote"
    assert members(graph, identifier) == set(expected.split())
    rows = select(graph, f"SELECT ?n WHERE {{ {rec(identifier)} lz:addressedTo/lz:listedIn/lz:footnoteNumber ?n }}")
    assert [int(r["n"]) for r in rows] == [footnote]


def test_iii_28_lists_26_parties_where_the_key_findings_say_27(graph: GraphStore) -> None:
    assert len(LISTED["III-28"][1].split()) == 26
    assert len(members(graph, "III-28")) == 26
    rows = select(graph, f"""SELECT ?count ?kind WHERE {{ ?s lz:summarises {rec('III-28')} ;
        lz:statedAddressees ?g . ?g lz:statedCount ?count ; a ?c . ?c skos:notation ?kind }}""")
    assert rows == [{"count": "27", "kind": "unnamed_subset"}]


def test_the_build_warns_about_the_iii_28_count(build_result: BuildResult) -> None:
    assert [(w.severity, w.shape.rsplit("#", 1)[-1], w.focus.rsplit("/", 1)[-1], w.value)
            for w in build_result.warnings] == [("Warning", "RecommendationSummaryCount", "key-findings-15", "27")]


@pytest.mark.parametrize("identifier", ["III-4", "III-30", "V-3", "V-19"])
def test_all_parties_reach_the_43(graph: GraphStore, identifier: str) -> None:
    assert addressee_kind(graph, identifier) == "all"
    assert applies_to(graph, identifier) == ROUND_2


@pytest.mark.parametrize("identifier", ["III-3", "III-7", "III-11", "III-14", "III-17", "III-20", "III-21"])
def test_not_already_doing_so_without_a_list_reaches_every_party_conditionally(graph: GraphStore, identifier: str) -> None:
    assert addressee_kind(graph, identifier) == "not_already_doing_so"
    assert applies_to(graph, identifier) == set()
    assert applies_to(graph, identifier, "mayApplyTo") == ROUND_2


@pytest.mark.parametrize(("identifier", "count"), [("IV-5", 23), ("IV-6", 12)])
def test_bare_counts_name_no_party(graph: GraphStore, identifier: str, count: int) -> None:
    assert addressee_kind(graph, identifier) == "unnamed_subset"
    rows = select(graph, f"SELECT ?n WHERE {{ {rec(identifier)} lz:addressedTo/lz:statedCount ?n }}")
    assert [int(r["n"]) for r in rows] == [count]
    assert applies_to(graph, identifier) == set()


def test_key_findings_only_recommendations_have_no_urgency_and_a_paraphrase(graph: GraphStore) -> None:
    rows = select(graph, """SELECT ?id ?verb WHERE { ?r a lz:Recommendation ; skos:notation ?id ;
        lz:summarisedIn/lz:operativeVerb ?verb . FILTER NOT EXISTS { ?r lz:text ?t } FILTER NOT EXISTS { ?r lz:urgency ?u } }""")
    verbs = {r["id"]: r["verb"] for r in rows}
    assert len(verbs) == 19
    assert verbs["II-6"] == "asks" and verbs["II-1"] == "encourages" and verbs["IV-5"] == "asks" and verbs["XI-1"] == "encourages"


def test_v_18_scope_is_kept_apart_from_its_addressees(graph: GraphStore) -> None:
    rows = select(graph, f"""SELECT ?outside ?provision ?text WHERE {{ {rec('V-18')} lz:scope ?s .
        ?s lz:concernsPartiesOutside ?outside ; lz:scopeProvision ?provision ; lz:text ?text }}""")
    assert len(rows) == 1
    assert rows[0]["outside"] == ID + "body/eu"
    assert rows[0]["provision"] == ID + "instrument/cets-201/article/43/3"
    assert "not members of the European Union" in rows[0]["text"]
    assert members(graph, "V-18") == set(NAMED["V-18"].split())


@pytest.mark.parametrize(("identifier", "footnote", "field"), [("III-16", 21, "prosecutors"), ("III-18", 24, "judges")])
def test_moldova_found_in_line_after_adoption(graph: GraphStore, identifier: str, footnote: int, field: str) -> None:
    rows = select(graph, f"""SELECT ?party ?status ?n ?text WHERE {{ {rec(identifier)} lz:statusNote ?note .
        ?note lz:concernsParty/lz:iso3166Alpha2 ?party ; lz:status ?status ; lz:footnote/lz:footnoteNumber ?n ; lz:text ?text }}""")
    assert len(rows) == 1
    row = rows[0]
    assert (row["party"], row["status"], int(row["n"])) == ("MD", LZ + "FoundInLine", footnote)
    assert f"Indeed, {field} receive regular trainings" in row["text"]
    assert "md" in applies_to(graph, identifier), "the source still lists Moldova in the footnote"


def test_footnotes_that_identify_recommendations(graph: GraphStore) -> None:
    rows = select(graph, """SELECT ?id ?n ?doc WHERE { ?r a lz:Recommendation ; skos:notation ?id ;
        lz:footnote ?f . ?f lz:footnoteNumber ?n ; dcterms:isPartOf/lz:sourceFile ?doc }""")
    by_id = {r["id"]: (int(r["n"]), r["doc"]) for r in rows}
    assert by_id["III-1"] == (3, "factsheet-investigations-and-prosecution.md")
    assert by_id["III-2"] == (5, "factsheet-investigations-and-prosecution.md")
    assert by_id["III-16"] == (20, "factsheet-investigations-and-prosecution.md")
    assert by_id["III-28"] == (38, "factsheet-investigations-and-prosecution.md")
    assert by_id["V-18"] == (24, "factsheet-international-cooperation.md")
    assert by_id["II-6"] == (3, "factsheet-key-findings.md")
    assert by_id["XI-1"] == (27, "factsheet-key-findings.md")


RECOMMENDATION_ID = re.compile(r"\b(?:XI|X|IX|VIII|VII|VI|IV|V|III|II|I)-\d+\b")


def test_every_recommendation_id_in_the_sources_is_in_the_graph(graph: GraphStore) -> None:
    in_sources: set[str] = set()
    for path in SOURCES.glob("*.md"):
        for line in path.read_text().splitlines():
            if "Recommendation" in line:
                in_sources |= set(RECOMMENDATION_ID.findall(line))
    in_graph = {r["id"] for r in select(graph, "SELECT ?id WHERE { ?r a lz:Recommendation ; skos:notation ?id }")}
    assert len(in_sources) == 70
    assert in_graph == in_sources


def _normalise(text: str) -> str:
    text = re.sub(r"<sup>\d+</sup>|\^\{[\d ]+\}|[\u00b9\u00b2\u00b3\u2070-\u2079]+", "", text)
    text = re.sub(r"\*\*|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", text)
    return " ".join(text.replace("\u25aa", " ").split())


def test_recommendation_and_provision_texts_are_verbatim(graph: GraphStore) -> None:
    """Every lz:text of a recommendation, footnote, status note or provision occurs in its source."""
    rows = select(graph, """SELECT ?s ?text ?file WHERE {
        ?s lz:text ?text ; dcterms:source/lz:sourceFile ?file .
        { ?s a lz:Recommendation } UNION { ?s a lz:Footnote } UNION { ?s a lz:StatusNote }
        UNION { ?s a lz:Provision } UNION { ?s a lz:RecommendationSummary } }""")
    assert len(rows) > 150
    sources = {p.name: _normalise(p.read_text()) for p in SOURCES.glob("*.md")}
    found: dict[str, bool] = {}
    for r in rows:  # a text must occur in at least one of the sources its resource names
        text = _normalise(r["text"])
        source = sources[r["file"]]
        ok = text.replace(" (...)", "") in source.replace(" (...)", "") or _in_parts(text, source)
        found[r["s"]] = found.get(r["s"], False) or ok
    missing = sorted(s for s, ok in found.items() if not ok)
    assert missing == [], missing


def _in_parts(text: str, source: str, min_piece: int = 20) -> bool:
    """True when the text is the source's words in order, interrupted only by page furniture
    (footnote blocks, bullet markers, elisions): it splits into long pieces found one after another."""
    position, rest = 0, text.replace("(...)", " ").strip()
    while rest:
        low, high = 0, len(rest)  # longest prefix of `rest` that occurs after `position`
        while low < high:
            mid = (low + high + 1) // 2
            if source.find(rest[:mid], position) >= 0:
                low = mid
            else:
                high = mid - 1
        if low < min(min_piece, len(rest)):
            return False
        position = source.find(rest[:low], position) + low
        rest = rest[low:].strip()
    return True


def test_chapter_iii_rests_on_the_articles_its_sections_cite(graph: GraphStore) -> None:
    rows = select(graph, """SELECT DISTINCT ?label WHERE { ?r a lz:Recommendation ; lz:chapter/lz:chapterNumber "III" ;
        lz:restsOn ?p . ?p a lz:Provision ; eli:is_part_of* <https://w3id.org/lanzagraph/id/instrument/cets-201> ;
        rdfs:label ?label }""")
    labels = {r["label"].split(" of the")[0] for r in rows}
    assert {"Article 30(3)", "Article 30(5)", "Article 34(1)", "Article 36(1)"} <= labels
    cited = select(graph, f"SELECT ?p WHERE {{ {rec('III-22')} lz:citesProvision ?p }}")
    assert {r["p"] for r in cited} == {ID + "instrument/cets-201/article/20"}
    # III-28 takes up the words of Article 30(5) ("in conformity with the fundamental principles of
    # their internal law ... covert operations"); its section recalls opinion paragraphs 13 and 14.
    basis = select(graph, f"SELECT ?p WHERE {{ {rec('III-28')} lz:restsOn ?p }}")
    assert {r["p"] for r in basis} == {ID + "instrument/cets-201/article/30/5", ID + "opinion/ict-2017/paragraph/13",
                                       ID + "opinion/ict-2017/paragraph/14"}


def test_a_practice_is_credited_to_the_states_the_source_credits(graph: GraphStore) -> None:
    """"Romania reports European projects with Bulgaria, Italy and Spain": Romania's practice, with
    partners; the VIDTF names Australia and the USA in brackets, beside EUROPOL and INTERPOL."""
    def credited(slug: str, prop: str) -> set[str]:
        rows = select(graph, f"SELECT ?s WHERE {{ <{ID}round/2/practice/{slug}> {prop} ?s . ?s a lz:State }}")
        return {r["s"].rsplit("/", 1)[1] for r in rows}

    manuals = "v-ro-bg-it-es-good-practice-manuals"
    assert credited(manuals, "lz:practiceOf") == {"ro"} and credited(manuals, "lz:involves") == {"bg", "it", "es"}
    vidtf = "iii-dk-fr-de-nl-es-se-gb-au-us-vidtf"
    assert credited(vidtf, "lz:practiceOf") == {"dk", "fr", "de", "nl", "es", "se", "gb"}
    assert credited(vidtf, "lz:involves") == {"au", "us"}


def test_article_texts_quoted_by_the_factsheets(graph: GraphStore) -> None:
    rows = select(graph, f"""SELECT ?text WHERE {{ <{ID}instrument/cets-201/article/38/2> lz:text ?text }}""")
    assert rows[0]["text"].startswith("Each Party shall take the necessary legislative or other measures to ensure that victims")
    rows = select(graph, f"""SELECT ?text WHERE {{ <{ID}instrument/cets-201/article/30/3> lz:text ?text }}""")
    assert rows[0]["text"] == ("Each Party shall ensure that the investigations and criminal proceedings are treated "
                               "as priority and carried out without any unjustified delay.")


COMMITTEE_RESERVATIONS = {("bg", "20/4"), ("hu", "20/4"), ("mc", "20/4"), ("ru", "20/4"), ("bg", "21/2"), ("ru", "21/2")}
TREATY_OFFICE_RESERVATIONS = {("ru", "20/3"), ("ru", "20/4"), ("ru", "21/2"), ("ru", "24/3"), ("mc", "24/3"),
                              ("ad", "24/3"), ("dk", "20/3")}


def _reservations(graph: GraphStore, body: str) -> set[tuple[str, str]]:
    rows = select(graph, f"""SELECT ?code ?under WHERE {{ ?r a lz:Reservation ; lz:reportedBy <{ID}body/{body}> ;
        lz:state/lz:iso3166Alpha2 ?code ; lz:madeUnder ?under }}""")
    return {(r["code"].lower(), r["under"].split("/article/")[1]) for r in rows}


def test_reservations_as_the_committee_reports_them(graph: GraphStore) -> None:
    assert _reservations(graph, "lanzarote-committee") == COMMITTEE_RESERVATIONS


def test_reservations_as_the_treaty_office_records_them(graph: GraphStore) -> None:
    assert _reservations(graph, "treaty-office") == TREATY_OFFICE_RESERVATIONS


def test_monaco_keeps_both_records_each_with_its_source(graph: GraphStore) -> None:
    rows = select(graph, f"""SELECT ?under ?file WHERE {{ ?r a lz:Reservation ; lz:state <{ID}party/mc> ;
        lz:madeUnder ?under ; dcterms:source/lz:sourceFile ?file }}""")
    by_article: dict[str, set[str]] = {}
    for r in rows:
        by_article.setdefault(r["under"].split("/article/")[1], set()).add(r["file"])
    assert "factsheet-international-cooperation.md" in by_article["20/4"]
    assert by_article["24/3"] == {"parties-facts.md"}


def test_withdrawal_invitations(graph: GraphStore) -> None:
    rows = select(graph, """SELECT ?id ?code ?under WHERE { ?rec lz:invitesWithdrawalOf ?r ; skos:notation ?id .
        ?r lz:state/lz:iso3166Alpha2 ?code ; lz:madeUnder ?under }""")
    pairs = {(r["id"], r["code"].lower(), r["under"].split("/article/")[1]) for r in rows}
    assert pairs == {("V-1", c, "20/4") for c in ("bg", "hu", "mc", "ru")} | {("V-2", c, "21/2") for c in ("bg", "ru")}
    inverse = select(graph, f"SELECT ?rec WHERE {{ <{ID}reservation/hu/cets-201/article/20/4> lz:withdrawalInvitedBy ?rec }}")
    assert [r["rec"] for r in inverse] == [ROUND + "V-1"]


def test_opinions_with_dates_and_quoted_paragraphs(graph: GraphStore) -> None:
    rows = select(graph, """SELECT ?o ?date WHERE { ?o a lz:Opinion ; lz:adoptedOn ?date }""")
    dates = {r["o"].rsplit("/", 1)[-1]: r["date"] for r in rows}
    assert dates == {"ict-2017": "2017-05-12", "csgsiv-2019": "2019-06-06", "grooming-2015": "2015-06-17"}
    paragraphs = select(graph, f"SELECT ?n WHERE {{ ?p eli:is_part_of <{ID}opinion/ict-2017> ; eli:number ?n ; lz:text ?t }}")
    assert {r["n"] for r in paragraphs} == {"3", "7", "13", "14"}


def test_trabajo_rueda_v_spain(graph: GraphStore) -> None:
    rows = select(graph, f"""SELECT ?court ?state ?violated WHERE {{ <{ID}case/trabajo-rueda-v-spain> a lz:CourtCase ;
        lz:decidedBy ?court ; lz:respondentState ?state ; lz:violationFound ?violated }}""")
    assert rows == [{"court": ID + "body/ecthr", "state": ID + "party/es", "violated": ID + "instrument/ets-005/article/8"}]


def test_reported_figure_40_of_43_specialised_units(graph: GraphStore) -> None:
    rows = select(graph, """SELECT ?value ?total WHERE { ?f a lz:ReportedFigure ; lz:value ?value ; lz:outOf ?total ;
        lz:text ?text FILTER(CONTAINS(?text, "specialised units")) }""")
    assert [(float(r["value"]), float(r["total"])) for r in rows] == [(40.0, 43.0)]


def test_related_instruments(graph: GraphStore) -> None:
    rows = select(graph, f"SELECT ?other WHERE {{ <{ID}instrument/cets-201> lz:relatedInstrument ?other }}")
    related = {r["other"].split("/instrument/")[1] for r in rows}
    assert {"ets-185", "cets-224", "eu/directive/2012-29", "eu/directive/2014-41", "eu/framework-decision/2002-584",
            "eu/framework-decision/2008-909"} <= related
    rows = select(graph, f"SELECT ?p WHERE {{ <{ID}instrument/cets-224> lz:supplements ?p }}")
    assert [r["p"] for r in rows] == [ID + "instrument/ets-185"]


def test_every_source_document_is_in_the_graph(graph: GraphStore) -> None:
    files = {r["f"] for r in select(graph, "SELECT ?f WHERE { ?d a lz:SourceDocument ; lz:sourceFile ?f }")}
    assert {p.name for p in SOURCES.glob("*.md") if p.name != "README.md"} <= files


def test_sources_folder_is_where_the_tests_expect(tmp_path: Path) -> None:
    assert (SOURCES / "README.md").is_file(), "../shared/sources must sit beside the repository"
