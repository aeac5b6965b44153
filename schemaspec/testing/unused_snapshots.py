"""Snapshots no test used: found after a whole-suite run, removed only when that is safe.

Only files the ``schema_snapshot`` fixture could have written are candidates: ``.toml``/``.json``
files under the snapshot directory that are schemaspec snapshots. Contract files, the snapshot
``[tool.schemaspec]`` names for ``schemaspec check``, and any other file there (a README, a
JSON Schema) are never candidates, so sharing ``specs/`` with them is safe.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest

from schemaspec.sources.snapshot import SUFFIXES, VERSION_KEY

__all__ = ["default_files", "default_stem", "find_unused", "remove"]

_UNSAFE = re.compile(r"[^\w.\-]+")


def find_unused(directory: Path, used: set[Path], keep: Iterable[Path]) -> list[Path]:
    """The snapshots under ``directory`` that are neither in ``used`` nor in ``keep``, sorted."""
    if not directory.is_dir():
        return []
    kept = {path.resolve() for path in keep} | {path.resolve() for path in used}
    found = [
        path
        for path in directory.rglob("*")
        if path.suffix.lower() in SUFFIXES
        and path.is_file()
        and path.resolve() not in kept
        and _is_snapshot(path)
    ]
    return sorted(found)


def default_files(directory: Path, item: pytest.Item, candidates: Iterable[Path]) -> set[Path]:
    """Which of ``candidates`` ``item`` would use by default (``<stem>.toml``, ``<stem>-2.toml``).

    For tests that failed or were skipped: they may not have reached their assertion.
    """
    folder = (directory / item.path.stem).resolve()
    stem = default_stem(item)
    found: set[Path] = set()
    for path in candidates:
        if path.parent.resolve() != folder or path.suffix != ".toml":
            continue
        name = path.stem
        rest = name[len(stem) :]
        if name.startswith(stem) and (not rest or (rest[0] == "-" and rest[1:].isdigit())):
            found.add(path)
    return found


def default_stem(item: pytest.Item) -> str:
    """``tests/test_schema.py::TestA::test_b[sqlite]`` -> ``TestA.test_b-sqlite``."""
    parts = item.nodeid.split("::")[1:] or [item.name]
    return _UNSAFE.sub("-", ".".join(parts)).strip("-")


def remove(paths: Iterable[Path], directory: Path) -> None:
    """Delete ``paths``, then the folders under ``directory`` they leave empty."""
    root = directory.resolve()
    for path in paths:
        path.unlink(missing_ok=True)
        folder = path.parent.resolve()
        while folder != root and root in folder.parents and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _is_snapshot(path: Path) -> bool:
    """A schemaspec snapshot file (not a contract, not anything else)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        # Unreadable or not TOML/JSON: not a file this fixture wrote, so never ours to remove.
        return False
    return isinstance(data, dict) and VERSION_KEY in data and data.get("mode") != "contract"
