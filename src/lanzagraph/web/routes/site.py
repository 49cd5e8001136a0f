"""Service-level routes: health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from lanzagraph.web.deps import StoreDep

router = APIRouter(tags=["Service"])


@router.get("/healthz", summary="Liveness and the dataset version being served")
def healthz(store: StoreDep) -> dict[str, Any]:
    return {"status": "ok", "dataset": store.version.as_dict(), "in_memory": store.in_memory}
