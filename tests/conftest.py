"""Shared test setup."""

from __future__ import annotations

import sys
from pathlib import Path

# The worked examples are importable the way their docs say: with docs/examples on sys.path.
# The shared test helpers (zoo, example_project) are importable from every test package: tests
# mirror the package's layout in folders, imported with --import-mode=importlib.
TESTS = Path(__file__).resolve().parent
EXAMPLES = TESTS.parent / "docs" / "examples"
for folder in (EXAMPLES, TESTS):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
