"""Where a table or column of a source is written down: the model's source line, the snapshot's.

CI annotations (``--format github``, SARIF) and JUnit test cases point at a file and line, so a
reviewer lands on the model class or the snapshot section a change is about. Only sources that
are files have lines: models (the mapped class, found with :mod:`inspect`; the column's
attribute inside it) and snapshot files (the ``[tables.<name>]`` header, the column's line in
it). A database or an Alembic revision has none; a table declared with ``Table(...)`` rather
than a class has none either. Nothing here ever fails a report: what cannot be found is
reported without a file.
"""

from __future__ import annotations

import inspect
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemaspec.sources.resolve import Source


@dataclass(frozen=True)
class Location:
    """``file`` relative to the working directory when inside it (what CI systems expect)."""

    file: str
    line: int | None = None


#: ``locate(path)``: the location of a change path (``members`` or ``members.phone``).
Locator = Callable[[str], Location | None]


def locator_for(source: Source) -> Locator:
    """A locator for ``source``; for sources without files one that finds nothing."""
    try:
        if source.kind == "models":
            return _models_locator(source.text)
        if source.kind == "snapshot":
            return _snapshot_locator(Path(source.text))
    except Exception:  # a location is a nicety; the report must still be written
        pass
    return _nowhere


def first_found(*locators: Locator) -> Locator:
    """The first locator's answer that is not ``None``."""

    def locate(path: str) -> Location | None:
        for locator in locators:
            found = locator(path)
            if found is not None:
                return found
        return None

    return locate


def _nowhere(path: str) -> Location | None:
    return None


def relative(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the working directory if it is inside it, else absolute."""
    absolute = Path(path).resolve()
    try:
        return absolute.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


# --- models ------------------------------------------------------------------------------------


def _models_locator(target: str) -> Locator:
    from schemaspec.sources.importing import import_object

    base = import_object(target)
    registry = getattr(base, "registry", None)
    classes: dict[str, tuple[type[Any], dict[str, str]]] = {}
    for mapper in getattr(registry, "mappers", ()):
        table = mapper.local_table
        key = getattr(table, "key", None)
        if key is None or key in classes:
            continue
        # Column name -> attribute name: mapped_column("db_name") differs from the attribute.
        attributes = {column.name: name for name, column in mapper.columns.items()}
        classes[key] = (mapper.class_, attributes)
    found: dict[str, Location | None] = {}

    def locate(path: str) -> Location | None:
        if path not in found:
            found[path] = _class_location(classes, path)
        return found[path]

    return locate


def _class_location(
    classes: dict[str, tuple[type[Any], dict[str, str]]], path: str
) -> Location | None:
    table, column = _split(path, classes)
    if table is None:
        return None
    cls, attributes = classes[table]
    try:
        file = inspect.getsourcefile(cls)
        lines, start = inspect.getsourcelines(cls)
    except (OSError, TypeError):
        return None
    if file is None:
        return None
    line = start
    if column is not None and column in attributes:
        pattern = re.compile(rf"^\s+{re.escape(attributes[column])}\s*[:=]")
        for offset, text in enumerate(lines):
            if pattern.match(text):
                line = start + offset
                break
    return Location(relative(file), line)


def _split(path: str, tables: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(table, rest)`` of a change path; table names may themselves hold a dot (audit.events)."""
    if path in tables:
        return path, None
    head, _, rest = path.rpartition(".")
    while head:
        if head in tables:
            return head, rest.split(".", 1)[0] or None
        head, _, more = head.rpartition(".")
        rest = f"{more}.{rest}"
    return None, None


# --- snapshots ---------------------------------------------------------------------------------

_TOML_KEY = r'"(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+'
_TOML_HEADER = re.compile(rf"^\[tables\.(?P<table>{_TOML_KEY})(?:\.(?P<rest>.*))?\]\s*$")
_TOML_COLUMN = re.compile(rf"^columns\.(?P<column>{_TOML_KEY})\s*=")
_JSON_TABLE = re.compile(r'^    (?P<table>"(?:[^"\\]|\\.)*"): \{')
_JSON_COLUMN = re.compile(r'^      "columns": \{')


def _key(text: str) -> str:
    return str(json.loads(text)) if text.startswith('"') else text


def _snapshot_locator(path: Path) -> Locator:
    lines = path.read_text(encoding="utf-8").splitlines()
    file = relative(path)
    index = _json_index(lines) if path.suffix.lower() == ".json" else _toml_index(lines)

    def locate(change_path: str) -> Location | None:
        table, column = _split(change_path, index)
        if table is None:
            return None
        table_line, columns = index[table]
        return Location(file, columns.get(column, table_line) if column else table_line)

    return locate


def _toml_index(lines: list[str]) -> dict[str, tuple[int, dict[str, int]]]:
    """Table -> (line of its first header, column -> line), from the snapshot's own layout."""
    index: dict[str, tuple[int, dict[str, int]]] = {}
    current: str | None = None
    for number, text in enumerate(lines, start=1):
        header = _TOML_HEADER.match(text)
        if header:
            current = _key(header["table"])
            entry = index.setdefault(current, (number, {}))
            rest = header["rest"] or ""
            column = re.match(rf"^columns\.({_TOML_KEY})$", rest)
            if column:
                entry[1].setdefault(_key(column[1]), number)
            continue
        if text.startswith("["):
            current = None
            continue
        match = _TOML_COLUMN.match(text) if current is not None else None
        if match and current is not None:
            index[current][1].setdefault(_key(match["column"]), number)
    return index


def _json_index(lines: list[str]) -> dict[str, tuple[int, dict[str, int]]]:
    """The same for a JSON snapshot as ``dump`` writes it (two-space indent, keys sorted)."""
    index: dict[str, tuple[int, dict[str, int]]] = {}
    in_tables = False
    current: str | None = None
    in_columns = False
    for number, text in enumerate(lines, start=1):
        if text.startswith("  ") and not text.startswith("   "):
            in_tables = text.startswith('  "tables": {')
            current = None
            continue
        if not in_tables:
            continue
        table = _JSON_TABLE.match(text)
        if table:
            current, in_columns = _key(table["table"]), False
            index[current] = (number, {})
            continue
        if current is None:
            continue
        if _JSON_COLUMN.match(text):
            in_columns = True
        elif text.startswith("      ") and not text.startswith("       "):
            in_columns = False
        elif in_columns:
            column = re.match(r'^        ("(?:[^"\\]|\\.)*"): ', text)
            if column:
                index[current][1].setdefault(_key(column[1]), number)
    return index
