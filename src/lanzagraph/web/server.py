"""Runs the app under uvicorn. With several workers uvicorn imports the app by name, so the settings
travel through the environment (the LANZAGRAPH_ variables Settings reads)."""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from lanzagraph.settings import Settings
from lanzagraph.web.app import create_app


def app_from_environment() -> FastAPI:
    return create_app(Settings())


def serve(settings: Settings) -> None:
    for name, value in settings.model_dump().items():
        os.environ[f"LANZAGRAPH_{name.upper()}"] = str(value)
    uvicorn.run(
        "lanzagraph.web.server:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=30,
        h11_max_incomplete_event_size=64 * 1024,
        log_level="info",
    )
