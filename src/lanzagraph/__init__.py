"""lanzagraph: a knowledge graph of the Lanzarote Convention and of what its Committee asks each Party to do."""

from __future__ import annotations

from lanzagraph.errors import LanzagraphError
from lanzagraph.settings import Settings

__version__ = "1.0.0"
__all__ = ["LanzagraphError", "Settings", "__version__"]
