"""/static/{name}: the stylesheet and the small script of the HTML pages, from the package's
web/static folder (served locally: the pages load nothing from elsewhere, CSP 'self')."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lanzagraph.web.handlers import problem

router = APIRouter(include_in_schema=False)

MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


@cache
def assets() -> dict[str, Asset]:
    """Every file of web/static with a known type, read once."""
    folder = files("lanzagraph.web") / "static"
    found: dict[str, Asset] = {}
    for item in folder.iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1] if "." in item.name else ""
        if item.is_file() and suffix in MEDIA_TYPES:
            body = item.read_bytes()
            found[item.name] = Asset(body, MEDIA_TYPES[suffix], '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
    return found


@router.api_route("/static/{name}", methods=["GET", "HEAD"])
def static(name: str, request: Request) -> Response:
    asset = assets().get(name)
    if asset is None:
        return problem(404, "Not found", f"no static file {name!r}")
    headers = {"ETag": asset.etag, "Cache-Control": "public, max-age=3600"}
    if asset.etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(asset.body))
        return Response(b"", media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)
