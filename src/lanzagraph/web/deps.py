"""FastAPI dependencies: the shared services, as Annotated types routes can ask for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from lanzagraph.backends import Executor
from lanzagraph.parties import PartyIndex
from lanzagraph.settings import Settings
from lanzagraph.store import GraphStore

if TYPE_CHECKING:
    from lanzagraph.web.app import Services


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def _settings(request: Request) -> Settings:
    return services(request).settings


def _store(request: Request) -> GraphStore:
    return services(request).store


def _parties(request: Request) -> PartyIndex:
    return services(request).parties


def _executor(request: Request) -> Executor:
    return services(request).executor


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[GraphStore, Depends(_store)]
PartiesDep = Annotated[PartyIndex, Depends(_parties)]
ExecutorDep = Annotated[Executor, Depends(_executor)]
