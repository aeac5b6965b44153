"""The fleet tests' models module is importable by name (``fleet_models``), as the command
line imports models (``fleet_models:metadata``)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
