"""The pages for people that are not resource pages: the SPARQL query page (/query), the
obligations matrix (/matrix) and the static files they use (/static)."""

from __future__ import annotations

from fastapi import APIRouter

from lanzagraph.web.routes import matrix, query_page, static

router = APIRouter()
router.include_router(query_page.router)
router.include_router(matrix.router)
router.include_router(static.router)
