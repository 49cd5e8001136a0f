"""The benchmark's queries, taken from the project's own code and canned queries where it has them.

A parameter is put into the query text as a constant IRI (not a VALUES or BIND), so that every
server sees the same fully bound query, as a client that fills in a template would send it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lanzagraph.obligations import RECOMMENDATIONS
from lanzagraph.vocab import DEFAULT_BASE, sparql_prefixes

ID = DEFAULT_BASE + "id/"
PARTY = ID + "party/ge"
ARTICLE = ID + "instrument/cets-201/article/38"
RECOMMENDATION = ID + "round/2/recommendation/III-16"
SELECT_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class BenchQuery:
    name: str
    what: str
    text: str
    accept: str


def bind_constant(query: str, variable: str, iri: str) -> str:
    """Replaces ?variable by <iri> in the WHERE clause and drops it from the SELECT list."""
    head, sep, body = query.partition("WHERE")
    if not sep:
        raise ValueError("query has no WHERE")
    pattern = re.compile(r"\?" + re.escape(variable) + r"\b")
    return pattern.sub("", head) + sep + pattern.sub(f"<{iri}>", body)


def canned(root: Path, name: str) -> str:
    """A canned query's text without its #+ catalogue header."""
    text = (root / "queries" / f"{name}.rq").read_text()
    return "\n".join(line for line in text.splitlines() if not line.startswith("#+"))


CHAPTER_URGENCY = sparql_prefixes() + """
SELECT ?chapter ?urgency (COUNT(?rec) AS ?recommendations) WHERE {
  ?rec a lz:Recommendation ; lz:chapter ?chapter .
  OPTIONAL { ?rec lz:urgency ?urgency }
}
GROUP BY ?chapter ?urgency
ORDER BY ?chapter ?urgency"""

TEXT_SEARCH = sparql_prefixes() + """
SELECT ?rec ?id ?urgency ?text WHERE {
  ?rec a lz:Recommendation ; skos:notation ?id ; lz:text ?text .
  OPTIONAL { ?rec lz:urgency ?urgency }
  FILTER(CONTAINS(LCASE(STR(?text)), "prosecut") || REGEX(STR(?text), "covert|undercover|training", "i"))
}"""


def all_queries(root: Path) -> list[BenchQuery]:
    return [
        BenchQuery("ask", "ASK {} (per-request overhead: HTTP, protocol, dispatch)", "ASK { }", SELECT_JSON),
        BenchQuery("obligations", "queries/party-obligations.rq for Georgia (flat, ORDER BY)",
                   bind_constant(canned(root, "party-obligations"), "party", PARTY), SELECT_JSON),
        BenchQuery("obligations_api", "obligations.RECOMMENDATIONS for Georgia (the API's flat query)",
                   bind_constant(RECOMMENDATIONS, "party", PARTY), SELECT_JSON),
        BenchQuery("chapter_urgency", "GROUP BY chapter and urgency, COUNT", CHAPTER_URGENCY, SELECT_JSON),
        BenchQuery("article_path", "queries/article-recommendations.rq for Article 38 (path-first eli:is_part_of*)",
                   bind_constant(canned(root, "article-recommendations"), "article", ARTICLE), SELECT_JSON),
        BenchQuery("describe", "DESCRIBE recommendation III-16 (N-Triples)", f"DESCRIBE <{RECOMMENDATION}>", NTRIPLES),
        BenchQuery("text_search", "recommendations whose text matches CONTAINS/REGEX", TEXT_SEARCH, SELECT_JSON),
    ]
