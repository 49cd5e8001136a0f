from __future__ import annotations

import sys

from lanzagraph.cli import main

sys.exit(main())
