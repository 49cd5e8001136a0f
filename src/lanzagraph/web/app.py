"""The HTTP service: `create_app(settings)` builds a FastAPI app; the lifespan opens the store."""

from __future__ import annotations

import re
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from lanzagraph import __version__
from lanzagraph.backends import Executor, make_executor, open_store
from lanzagraph.parties import PartyIndex
from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore
from lanzagraph.web import handlers
from lanzagraph.web.limits import LimitsMiddleware
from lanzagraph.web.routes import api, dataset, front, ontology, queries, resources, site, sparql


@dataclass
class Services:
    """What the routes share, opened once per process by the lifespan."""

    settings: Settings
    store: GraphStore
    parties: PartyIndex
    executor: Executor


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings)
        executor = make_executor(settings, store)
        await executor.start()
        app.state.services = Services(settings, store, PartyIndex.load(store), executor)
        try:
            yield
        finally:
            executor.close()
            store.close()

    app = FastAPI(
        title="lanzagraph",
        version=__version__,
        summary="The Lanzarote Convention, its Committee's recommendations and what each Party is asked to do.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    handlers.install(app)
    app.include_router(sparql.router)
    app.include_router(api.router)
    app.include_router(queries.build_router(settings))
    app.include_router(site.router)
    app.include_router(front.router)
    app.include_router(resources.router)
    app.include_router(dataset.router)
    app.include_router(ontology.router)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=["Link", "ETag", "X-Lanzagraph-Truncated", "X-Lanzagraph-Dataset"],
        max_age=86400,
    )
    app.add_middleware(LimitsMiddleware, max_body_bytes=settings.max_body_bytes)
    _unique_operation_ids(app)
    return app


def _unique_operation_ids(app: FastAPI) -> None:
    """Routes that answer several methods (GET, HEAD, POST) share one FastAPI id; the OpenAPI
    document gets one id per operation instead: <route id>_<method>."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Duplicate Operation ID")
                schema = get_openapi(title=app.title, version=app.version, summary=app.summary,
                                     description=app.description, routes=app.routes)
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    base = re.sub(r"_(get|head|post|put|delete|options)$", "", operation.get("operationId", path))
                    operation["operationId"] = f"{base}_{method}"
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
