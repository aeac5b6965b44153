"""Mermaid ``erDiagram`` pictures of a spec, and of the tables a diff touches.

A table is an entity with its key columns (primary, foreign and unique keys) and every other
column; a foreign key is a relationship whose ends say what the schema allows: the parent end
is "exactly one" when the key's columns are all NOT NULL and "zero or one" otherwise; the child
end is "zero or one" when the key's columns are unique (a primary key or a unique constraint or
index on exactly them) and "zero or more" otherwise. The line is solid (identifying) when the key
is part of the child's primary key.

Mermaid's erDiagram grammar (mermaid 11) takes few names raw, so every name is made safe:

- an entity is written as a plain identifier (``[A-Za-z_][A-Za-z0-9_]*``, never one of the
  lexer's keywords such as ``end``, ``one``, ``to`` or ``class``) with the real name as its
  quoted alias: ``audit_events["audit.events"]``;
- a column's type and name use the grammar's attribute word characters (letters, digits,
  ``_ - ( ) [ ] . , *``), so ``numeric(10,2)`` stays as it is, and a name Mermaid would read as
  a key marker (``pk``, ``fk``, ``uk``) or with other characters is adjusted, the real name then
  going into the attribute's comment;
- quoted text (aliases, comments, relationship labels) loses the characters the grammar ends it
  on (``"``, and ``%`` and ``\\`` in aliases and labels).

``tests/reports/test_diagram.py`` runs the diagrams through the real Mermaid parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from schemaspec.compare.change import Change
from schemaspec.compare.diff import SchemaDiff
from schemaspec.spec import ColumnSpec, ForeignKeySpec, SchemaSpec, TableSpec

__all__ = ["Mark", "diff_diagram", "render_diagram"]

#: Words the erDiagram lexer reads as keywords wherever they stand (it is case-insensitive).
_KEYWORDS = frozenset(
    {
        "end",
        "one",
        "many",
        "only",
        "to",
        "optionally",
        "zero",
        "u",
        "style",
        "class",
        "classdef",
        "subgraph",
        "direction",
        "erdiagram",
        "acctitle",
        "accdescr",
        "title",
        "pk",
        "fk",
        "uk",
    }
)
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")
#: Characters outside the attribute word class of the grammar's block lexer.
_NOT_ATTRIBUTE_WORD = re.compile(r"[^A-Za-z0-9_\-()\[\].,*\u00C0-\uFFFF]+")
#: "direction TB" anywhere on a line is a direction statement to the lexer, even in quotes.
_DIRECTION = re.compile(r"(direction)(\s+)(tb|bt|rl|lr)", re.IGNORECASE)
#: How changed objects are drawn: a class per kind of change (entities) and a comment word.
_STYLES = {
    "missing": "fill:#fde2e1,stroke:#c0392b",
    "unexpected": "fill:#e3f4e1,stroke:#2e7d32",
    "changed": "fill:#fff4ce,stroke:#b7791f",
}


@dataclass(frozen=True)
class Mark:
    """How a table is marked in a diff diagram: the table itself, and per column."""

    table: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)


def render_diagram(
    spec: SchemaSpec,
    *,
    tables: Iterable[str] | None = None,
    marks: Mapping[str, Mark] | None = None,
    neighbours: Iterable[str] = (),
    keys_only: bool = False,
) -> str:
    """The spec (or only ``tables`` of it) as a Mermaid ``erDiagram``, one line per element.

    ``marks`` (from :func:`diff_diagram`) style changed tables and note changed columns;
    ``keys_only`` leaves out the columns that are neither a key nor marked. ``neighbours`` are
    drawn as boxes with their name alone, for context. A foreign key is drawn when both of its
    tables are drawn and one of them is in ``tables``.
    """
    names = sorted(spec.tables) if tables is None else [t for t in tables if t in spec.tables]
    context = sorted((set(neighbours) - set(names)) & set(spec.tables))
    marks = marks or {}
    ids = _entity_ids([*names, *context])
    lines = ["erDiagram"]
    for name in names:
        mark = marks.get(name)
        # A table added or dropped whole is all change: every column of it is shown.
        whole = mark is not None and mark.table in ("missing", "unexpected")
        lines.extend(_entity(ids[name], name, spec.tables[name], mark, keys_only and not whole))
    lines.extend(f'  {ids[name]}["{_quoted(name, label=True) or ids[name]}"]' for name in context)
    main = set(names)
    for name in [*names, *context]:
        table = spec.tables[name]
        for key in sorted(table.foreign_keys):
            foreign_key = table.foreign_keys[key]
            parent = _referred(foreign_key, name, spec)
            if parent is not None and parent in ids and (name in main or parent in main):
                lines.append(_relationship(ids[name], ids[parent], table, foreign_key))
    used = sorted({mark.table for mark in marks.values() if mark.table})
    for kind in used:
        lines.append(f"  classDef {kind} {_STYLES[kind]}")
    for name in names:
        mark = marks.get(name)
        if mark is not None and mark.table is not None:
            lines.append(f"  class {ids[name]} {mark.table}")
    return "\n".join(lines) + "\n"


def diff_diagram(result: SchemaDiff, expected: SchemaSpec, actual: SchemaSpec) -> str | None:
    """A diagram of the tables ``result`` touches and their foreign-key neighbours, drawn as
    the actual side has them plus what is missing from it, changes marked; ``None`` when the
    diff touches no table.

    A missing table is drawn from the expected side; a missing column is added back to its
    table so the picture shows it, marked ``missing``. Changed tables show their key columns and
    the changed ones; neighbours show their name.
    """
    merged = dict(actual.tables)
    for name, table in expected.tables.items():
        merged.setdefault(name, table)
    marks: dict[str, Mark] = {}
    for change in result.changes:
        _mark(change, merged, expected, marks)
    if not marks:
        return None
    touched = set(marks)
    neighbours = set()
    for name, table in merged.items():
        for foreign_key in table.foreign_keys.values():
            parent = _referred(foreign_key, name, actual) or foreign_key.referred_table
            if name in touched and parent in merged:
                neighbours.add(parent)
            if parent in touched:
                neighbours.add(name)
    picture = actual.model_copy(update={"tables": merged})
    # Key columns and the changed ones: the picture is of what changed, next to what it joins.
    return render_diagram(
        picture, tables=sorted(touched), marks=marks, neighbours=neighbours, keys_only=True
    )


def _mark(
    change: Change, merged: dict[str, TableSpec], expected: SchemaSpec, marks: dict[str, Mark]
) -> None:
    table = _table_of(change.path, merged)
    if table is None:
        return
    mark = marks.get(table, Mark())
    if change.object == "table":
        marks[table] = Mark(table=change.kind, columns=mark.columns)
        return
    column = change.path[len(table) + 1 :] if change.object == "column" else None
    if column is not None and change.kind == "missing":
        # Drawn, so the picture shows where it should be.
        wanted = expected.tables[table].columns[column]
        drawn = {**merged[table].columns, column: wanted}
        merged[table] = merged[table].model_copy(update={"columns": drawn})
    notes = dict(mark.columns)
    if column is not None:
        what = change.kind if change.kind != "changed" else "changed " + _words(change.attributes)
        notes[column] = what
    marks[table] = Mark(table=mark.table or "changed", columns=notes)


def _table_of(path: str, tables: Mapping[str, TableSpec]) -> str | None:
    """The table a change path belongs to: the longest table name it starts with (a
    schema-qualified table's name has dots of its own)."""
    found = None
    for name in tables:
        if (path == name or path.startswith(name + ".")) and len(name) > len(found or ""):
            found = name
    return found


def _words(attributes: Iterable[str]) -> str:
    return " ".join(sorted(attributes))


def _referred(foreign_key: ForeignKeySpec, table: str, spec: SchemaSpec) -> str | None:
    """The key of the referred table in ``spec``: as written, or qualified like the child when
    the child is in another schema and names its parent bare."""
    if foreign_key.referred_table in spec.tables:
        return foreign_key.referred_table
    schema, dot, _ = table.rpartition(".")
    qualified = f"{schema}.{foreign_key.referred_table}" if dot else None
    return qualified if qualified in spec.tables else None


def _entity(
    entity_id: str, name: str, table: TableSpec, mark: Mark | None, keys_only: bool = False
) -> Iterable[str]:
    keys = _keys(table)
    notes = mark.columns if mark is not None else {}
    yield f'  {entity_id}["{_quoted(name, label=True) or entity_id}"] {{'
    used: set[str] = set()
    for column_name, column in table.columns.items():
        if keys_only and not keys.get(column_name) and column_name not in notes:
            continue
        shown = _unique(_attribute_name(column_name), used)
        comment = []
        if shown != column_name:
            comment.append(column_name)
        if column_name in notes:
            comment.append(notes[column_name])
        line = f"    {_attribute_type(column)} {shown}"
        if keys.get(column_name):
            line += " " + ", ".join(keys[column_name])
        if comment:
            line += f' "{_quoted(": ".join(comment))}"'
        yield line
    yield "  }"


def _keys(table: TableSpec) -> dict[str, list[str]]:
    """PK / FK / UK per column, in that order."""
    keys: dict[str, list[str]] = {}
    for column in table.primary_key:
        keys.setdefault(column, []).append("PK")
    for foreign_key in table.foreign_keys.values():
        for column in foreign_key.columns:
            if "FK" not in keys.setdefault(column, []):
                keys[column].append("FK")
    for columns in _unique_sets(table):
        for column in columns:
            if "UK" not in keys.setdefault(column, []):
                keys[column].append("UK")
    return keys


def _unique_sets(table: TableSpec) -> list[tuple[str, ...]]:
    found = [unique.columns for unique in table.unique.values()]
    # A partial unique index is unique only where its condition holds.
    found += [
        index.columns for index in table.indexes.values() if index.unique and index.where is None
    ]
    return [columns for columns in found if columns]


def _relationship(
    child_id: str, parent_id: str, table: TableSpec, foreign_key: ForeignKeySpec
) -> str:
    columns = foreign_key.columns
    required = all(not _column(table, name).nullable for name in columns)
    unique = set(columns) == set(table.primary_key) or any(
        set(columns) == set(each) for each in _unique_sets(table)
    )
    parent_end = "||" if required else "o|"
    child_end = "|o" if unique else "}o"
    line = "--" if table.primary_key and set(columns) <= set(table.primary_key) else ".."
    label = _quoted(", ".join(columns), label=True) or "fk"
    return f'  {child_id} {child_end}{line}{parent_end} {parent_id} : "{label}"'


def _column(table: TableSpec, name: str) -> ColumnSpec:
    # A key naming a column the table lacks (a broken spec) draws as nullable.
    return table.columns.get(name) or ColumnSpec(type="unknown")


def _entity_ids(names: Iterable[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = _NOT_IDENTIFIER.sub("_", name).strip("_") or "table"
        if base[0].isdigit() or base.lower() in _KEYWORDS:
            base = "t_" + base
        ids[name] = _unique(base, used)
    return ids


def _unique(base: str, used: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``...: two names made safe alike stay two entities.
    Compared without case, as the lexer reads keywords; ids themselves are case-sensitive,
    but a reader would not tell ``Users`` from ``users`` apart either."""
    candidate, number = base, 1
    while candidate.lower() in used:
        number += 1
        candidate = f"{base}_{number}"
    used.add(candidate.lower())
    return candidate


def _attribute_name(name: str) -> str:
    safe = _NOT_ATTRIBUTE_WORD.sub("_", name) or "_"
    if not (safe[0].isalpha() or safe[0] in "_*") or safe.lower() in ("pk", "fk", "uk"):
        safe = "_" + safe
    return safe


def _attribute_type(column: ColumnSpec) -> str:
    text = column.type
    if text.startswith("enum("):
        # enum(member_status: active,inactive): the name says enough in a picture.
        inner = text[5:].split(":", 1)[0].rstrip(")")
        text = f"enum({inner})" if inner and not inner.startswith("'") else "enum"
    safe = _NOT_ATTRIBUTE_WORD.sub("_", text).strip("_") or "unknown"
    return safe if safe[0].isalpha() or safe[0] in "_*" else "_" + safe


def _quoted(text: str, *, label: bool = False) -> str:
    """Text for inside double quotes: the grammar has no escape for a quote, so it goes."""
    cleaned = text.replace('"', "'").replace("\n", " ")
    if label:
        cleaned = cleaned.replace("%", "").replace("\\", "/")
    # A zero-width joiner keeps "direction TB" from reading as a direction statement.
    return _DIRECTION.sub("\\1\u200d\\2\\3", cleaned)
