"""/ontology: the OWL file by content negotiation (Turtle as written, with its comments; RDF/XML,
JSON-LD and N-Triples from its triples) and an HTML documentation of it, one anchor per term."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lanzagraph import ontology_doc
from lanzagraph.serialise import serialize_triples
from lanzagraph.web import conneg
from lanzagraph.web.deps import SettingsDep
from lanzagraph.web.pages import render

router = APIRouter(tags=["Ontology"])

ONTOLOGY_NAMES: list[str] = [*conneg.RDF_NAMES, conneg.HTML]


@router.api_route(
    "/ontology",
    methods=["GET", "HEAD"],
    summary="The ontology (OWL 2) and its documentation",
    description="Turtle (the file as written), RDF/XML, JSON-LD or N-Triples, or an HTML page documenting every class "
    "and property (anchors such as /ontology#Recommendation), by content negotiation or ?format=.",
    response_class=Response,
)
def ontology(request: Request, settings: SettingsDep) -> Response:
    name = conneg.choose(request, ONTOLOGY_NAMES)
    if name is None:
        return conneg.not_acceptable(request, "the ontology", ONTOLOGY_NAMES)
    loaded = ontology_doc.load(settings.root)
    found = conneg.tagged(loaded.digest, datetime.fromtimestamp(int(loaded.modified), UTC), "ontology", name)
    link = conneg.alternates(request.url.path, ONTOLOGY_NAMES)
    if conneg.not_modified(request, found):
        return conneg.respond(request, b"", name, found, link=link)
    if name == "turtle":
        body = loaded.data
    elif name == conneg.HTML:
        body = render(request, "ontology.html", {
            "title": loaded.doc.title, "doc": loaded.doc,
            "alternates": [{"name": n, "media": conneg.media_of(n), "href": f"{request.url.path}?format={n}"}
                           for n in conneg.RDF_NAMES],
        }).encode("utf-8")
    else:
        body = serialize_triples(loaded.triples, name)
    return conneg.respond(request, body, name, found, link=link)
