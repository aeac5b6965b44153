"""Reports of a :class:`~schemaspec.diff.SchemaDiff` for people (text) and machines (JSON)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from pydantic import BaseModel

from schemaspec.diff import Change, SchemaDiff

#: Version of the JSON report structure; bump on incompatible changes.
JSON_REPORT_VERSION = 1

_PLURALS = {"index": "indexes", "check": "checks", "primary_key": "primary keys"}


def render_text(
    result: SchemaDiff, *, expected: str | None = None, actual: str | None = None
) -> str:
    """A reviewer's note: changes grouped by table, one line each, and a summary line."""
    lines = [f"note: {note}" for note in result.notes]
    between = f" between {expected} (expected) and {actual} (actual)" if expected and actual else ""
    if not result:
        lines.append(f"No schema differences{between}.")
        return "\n".join(lines) + "\n"
    lines.append(f"Schema differences{between}:")
    current: str | None = "\0"
    for change in result.changes:
        group = change.table or "(schema)"
        if group != current:
            lines.append("")
            lines.append(group)
            current = group
        lines.append(f"  {describe(change)}")
    lines.append("")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def describe(change: Change) -> str:
    """One line for one change, e.g. ``t.c: type numeric(10,2) expected, integer found``."""
    noun = change.object.replace("_", " ")
    if change.kind == "changed":
        details = "; ".join(
            f"{attribute} {_value(change.expected[attribute])} expected, "
            f"{_value(change.actual[attribute])} found"
            for attribute in sorted(change.attributes)
        )
        return f"{change.path}: {details}"
    value = change.expected if change.kind == "missing" else change.actual
    shown = _shape(change.object, value)
    suffix = f" ({shown})" if shown else ""
    if change.kind == "missing":
        return f"{change.path}: {noun} missing{suffix}"
    return f"{change.path}: unexpected {noun}{suffix}"


def summary(result: SchemaDiff) -> str:
    """``6 tables missing, 1 column changed``: counts by object and kind, largest first."""
    counts = Counter((change.object, change.kind) for change in result.changes)
    parts = []
    for (obj, kind), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        noun = obj.replace("_", " ")
        if count != 1:
            noun = _PLURALS.get(obj, noun + "s")
        parts.append(f"{count} {kind} {noun}" if kind == "unexpected" else f"{count} {noun} {kind}")
    return ", ".join(parts)


def render_json(
    result: SchemaDiff, *, expected: str | None = None, actual: str | None = None
) -> str:
    """The versioned JSON report (documented in ``docs/reports.md``)."""
    document = {
        "schemaspec_report": JSON_REPORT_VERSION,
        "expected": {"source": expected, "dialect": result.expected_dialect},
        "actual": {"source": actual, "dialect": result.actual_dialect},
        "notes": list(result.notes),
        "differences": len(result.changes),
        "summary": summary(result) if result else "",
        "changes": [change_to_json(change) for change in result.changes],
    }
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def change_to_json(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "object": change.object,
        "path": change.path,
        "attributes": sorted(change.attributes),
        "expected": _jsonable(change.expected),
        "actual": _jsonable(change.actual),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple | list):
        return "(" + ", ".join(str(item) for item in value) + ")"
    return str(value)


def _shape(obj: str, value: Any) -> str:
    """A short description of a whole object for missing/unexpected lines."""
    if value is None:
        return ""
    if obj == "column":
        parts = [value.type, "null" if value.nullable else "not null"]
        if value.default is not None:
            parts.append(f"default {value.default}")
        return ", ".join(parts)
    if obj == "foreign_key":
        return (
            f"{', '.join(value.columns)} -> {value.referred_table}"
            f"({', '.join(value.referred_columns)})"
        )
    if obj == "index":
        prefix = "unique on " if value.unique else "on "
        return prefix + ", ".join(value.columns)
    if obj == "unique":
        return ", ".join(value.columns)
    if obj == "check":
        return str(value.sqltext)
    if obj == "primary_key":
        return ", ".join(value)
    if obj == "enum":
        return ", ".join(value.values)
    if obj == "table":
        return f"{len(value.columns)} columns"
    return ""
