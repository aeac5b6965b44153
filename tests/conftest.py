"""Shared test setup."""

from __future__ import annotations

import sys
from pathlib import Path

# The worked examples are importable the way their docs say: with docs/examples on sys.path.
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
