"""Domain errors -> HTTP status codes, in one place. No stack trace ever reaches a client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from lanzagraph.errors import (
    InvalidParameter,
    LanzagraphError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    UnknownParty,
    UnknownQuery,
)

log = logging.getLogger(__name__)


def problem(status: int, title: str, detail: str, **extra: object) -> JSONResponse:
    """An RFC 9457 problem document."""
    body: dict[str, object] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _domain_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, UnknownParty):
        return problem(404, "Unknown Party", str(exc), suggestions=exc.suggestions)
    if isinstance(exc, UnknownQuery):
        return problem(404, "Unknown query", str(exc), known=exc.known)
    if isinstance(exc, InvalidParameter):
        return problem(422, "Invalid parameter", str(exc), parameter=exc.name)
    if isinstance(exc, QuerySyntaxError):
        return problem(400, "Malformed query", str(exc))
    if isinstance(exc, QueryRefused):
        return problem(403, "Query refused", str(exc))
    if isinstance(exc, QueryTimeout):
        return problem(503, "Query timed out", str(exc))
    if isinstance(exc, StoreError):
        log.error("store error: %s", exc)
        return problem(503, "Store unavailable", str(exc))
    log.error("unexpected domain error: %s", exc)
    return problem(500, "Internal error", "the request could not be completed")


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return problem(422, "Invalid parameter", details)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, exc.detail if isinstance(exc.detail, str) else "Error", str(exc.detail),
                   ) if exc.status_code != 304 else Response(status_code=304, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "Internal error", "the request could not be completed")


def install(app: FastAPI) -> None:
    app.add_exception_handler(LanzagraphError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
