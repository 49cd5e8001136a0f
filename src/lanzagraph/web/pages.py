"""HTML pages rendered with Jinja2 templates (web/templates/), autoescaped."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape

from lanzagraph import __version__


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("lanzagraph.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


def render(request: Request, template: str, context: dict[str, Any]) -> str:
    services = getattr(request.app.state, "services", None)
    dataset = services.store.version if services is not None else None
    return environment().get_template(template).render(request=request, dataset=dataset, **context)
