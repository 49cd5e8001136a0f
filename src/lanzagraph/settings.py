"""Settings, from flags or the environment (prefix LANZAGRAPH_). Nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lanzagraph.vocab import DEFAULT_BASE, GRAPH_PATH, ID_PATH


def _default_root() -> Path:
    """The folder holding ontology/, shapes/, data/ and queries/: the working directory when it
    has them, else the checkout this package was installed from."""
    cwd = Path.cwd()
    if (cwd / "ontology").is_dir() and (cwd / "data").is_dir():
        return cwd
    return Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LANZAGRAPH_", extra="ignore")

    store: str = Field(".lanzagraph/store", description="Store path (embedded pyoxigraph).")
    base_uri: str = Field(DEFAULT_BASE, description="Base of instance URIs; the server maps /id/... onto it.")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64)
    query_timeout: float = Field(30.0, gt=0, description="Seconds a SPARQL query may run.")
    max_rows: int = Field(100_000, ge=1, description="Rows a SELECT returns at most.")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body accepted.")
    service_allowlist: str = Field("", description="Comma-separated endpoint IRIs SERVICE may call.")
    in_memory_max_triples: int = Field(
        2_000_000, ge=0, description="Serve from an in-memory copy of the store up to this many triples."
    )
    query_processes: int = Field(2, ge=1, le=64, description="Worker processes that run /sparql queries.")
    query_memory_mb: int = Field(4096, ge=0, description="Address-space limit of a query worker (0: none).")
    result_cache_mb: int = Field(64, ge=0, description="Memory for cached /sparql answers per worker (0: off).")
    root: Path = Field(default_factory=_default_root, description="Folder with ontology/, shapes/, data/.")

    @field_validator("base_uri")
    @classmethod
    def _ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_uri must be an http(s) IRI")
        return value if value.endswith("/") else value + "/"

    @property
    def id_base(self) -> str:
        return self.base_uri + ID_PATH

    @property
    def graph_base(self) -> str:
        return self.base_uri + GRAPH_PATH

    @property
    def allowed_services(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.service_allowlist.split(",") if s.strip())

    @property
    def store_path(self) -> Path:
        return Path(self.store).expanduser()
