"""Read-only catalog queries for what SQLAlchemy's reflection leaves out or gets wrong.

Each fix is one function per database, run after the bulk ``get_multi_*`` calls on the same
connection, changing their results in place before they become specs. Only ``SELECT`` and
``PRAGMA`` reads: reflection never writes.

- SQLite: expression-based indexes are skipped by SQLAlchemy (with a warning); generated column
  expressions come back empty when the column type has a comma (``NUMERIC(12, 2)``); a declared
  type SQLAlchemy does not know reads as its storage affinity; DESC index columns are not marked.
- PostgreSQL: types SQLAlchemy does not know (``point``, extension and user types) come back as
  ``NullType``; the catalog's own name (``format_type``) is used instead.
- MySQL and MariaDB: the same for unknown types (``column_type``); DESC index columns are not
  marked.
- MariaDB: a ``JSON`` column is a ``LONGTEXT`` with a column-level ``CHECK (json_valid(col))``;
  other column-level checks and expression defaults (``DEFAULT concat('a','b')``) are missed by
  SQLAlchemy's ``SHOW CREATE TABLE`` parser.

docs/types.md lists them with the rest of the per-dialect rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import mysql

from schemaspec.sources import sqlite_bulk
from schemaspec.sql.type_names import TypeNameError, canonical_type_name

#: Key of a column dict holding a canonical type string decided here; it wins over ``type``.
CANONICAL_TYPE = "schemaspec_type"
#: Key of a column dict holding the collation read here (SQLite); it wins over the type's.
COLLATION = "schemaspec_collation"

TableKey = tuple[str | None, str]


@dataclass
class Reflected:
    """The bulk reflection results, keyed by ``(schema, table)`` as SQLAlchemy returns them.

    Typed loosely: the fixes add keys SQLAlchemy's TypedDicts do not declare.
    """

    columns: dict[Any, Any]
    indexes: dict[Any, Any]
    checks: dict[Any, Any]
    foreign_keys: dict[Any, Any]
    #: PostgreSQL's exclusion constraints, ``(name, definition)`` per table (SQLAlchemy does
    #: not reflect them).
    excludes: dict[Any, list[tuple[str, str]]] = field(default_factory=dict)


def decided_type(column: Mapping[str, object]) -> str | None:
    """The canonical type a fix here decided for a reflected column, if any."""
    decided = column.get(CANONICAL_TYPE)
    return decided if isinstance(decided, str) else None


def collation(column: Mapping[str, object]) -> str | None:
    """The column's collation: read here (SQLite, MySQL), or the one SQLAlchemy put on its type."""
    found = column[COLLATION] if COLLATION in column else getattr(column["type"], "collation", None)
    return str(found) if found else None


def supplement(
    connection: Connection,
    schema: str | None,
    reflected: Reflected,
    sqlite: sqlite_bulk.BulkCatalog | None,
) -> None:
    """Fill in what reflection missed on this connection's database, in place.

    ``sqlite`` is the catalog reflection read in bulk on SQLite (``None`` elsewhere).
    """
    name = connection.dialect.name
    if sqlite is not None:
        _sqlite(sqlite, reflected)
    elif name == "postgresql":
        _postgresql(connection, schema, reflected)
    elif name in ("mysql", "mariadb"):
        _mysql_sorting(connection, schema, reflected)
        _mysql_unknown_types(connection, schema, reflected)
        _mysql_collations(connection, schema, reflected)
        if getattr(connection.dialect, "is_mariadb", False):
            _mariadb(connection, schema, reflected)


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite(catalog: sqlite_bulk.BulkCatalog, reflected: Reflected) -> None:
    known_types = catalog.connection.dialect.ischema_names  # type: ignore[attr-defined]
    for key, columns in reflected.columns.items():
        _sqlite_declared_types(catalog.rows("table_xinfo", key[1]), known_types, columns)
        table_sql = catalog.table_sql.get(key[1], "")
        # Parsed only when a column needs it: a COLLATE clause or an empty generated expression.
        definitions = (
            dict(_sqlite_column_definitions(table_sql)) if _COLLATE.search(table_sql) else None
        )
        for column in columns:
            computed = column.get("computed")
            if computed is not None and not computed.get("sqltext"):
                if definitions is None:
                    definitions = dict(_sqlite_column_definitions(table_sql))
                expression = _generated_expression(definitions.get(column["name"], ""))
                if expression is not None:
                    computed["sqltext"] = expression
            collate = _COLLATE.search(definitions.get(column["name"], "")) if definitions else None
            if collate is not None:
                # SQLAlchemy does not reflect a column's COLLATE clause on SQLite.
                column[COLLATION] = (collate.group(1) or collate.group(2)).replace('""', '"')
        known = {index["name"] for index in reflected.indexes.get(key, [])}
        for name, sql in catalog.index_sql.get(key[1], []):
            if name not in known:
                parsed = _sqlite_index(name, sql)
                if parsed is not None:
                    reflected.indexes.setdefault(key, []).append(parsed)
        for index in reflected.indexes.get(key, []):
            if index.get("column_names"):
                _sqlite_sorting(catalog.rows("index_xinfo", index["name"]), index)
    for key, foreign_keys in reflected.foreign_keys.items():
        _sqlite_foreign_key_actions(catalog.rows("foreign_key_list", key[1]), foreign_keys)


_COLLATE = re.compile(r'\bCOLLATE\s+(?:"((?:[^"]|"")*)"|(\w+))', re.IGNORECASE)


def _sqlite_declared_types(
    table_xinfo: sqlite_bulk.Rows, known_types: Mapping[str, object], columns: list[dict[str, Any]]
) -> None:
    """Keep a declared type SQLite does not know as written (``POINT`` is ``point``).

    SQLite accepts any type name and SQLAlchemy maps one it does not know to its storage
    affinity (``POINT`` reads as ``INTEGER``), which would compare as a different type.
    """
    # (cid, name, type, notnull, dflt_value, pk, hidden)
    declared = {row[1]: row[2] for row in table_xinfo}
    for column in columns:
        type_name = declared.get(column["name"]) or ""
        base = re.match(r"\s*(\w+)", type_name)
        if base is not None and base.group(1).upper() not in known_types:
            column[CANONICAL_TYPE] = _squeeze(type_name)


def _sqlite_foreign_key_actions(
    foreign_key_list: sqlite_bulk.Rows, foreign_keys: list[dict[str, Any]]
) -> None:
    """Fill ON DELETE/ON UPDATE from ``PRAGMA foreign_key_list``.

    SQLAlchemy finds the actions by parsing the table's DDL and misses them on inline column
    constraints (``member_id INTEGER REFERENCES members (id) ON DELETE CASCADE``); the pragma
    reports them for every form.
    """
    # (id, seq, table, from, to, on_update, on_delete, match)
    actions: dict[int, tuple[list[str], str, str]] = {}
    for row in foreign_key_list:
        actions.setdefault(row[0], ([], row[5], row[6]))[0].append(row[3])
    by_columns = {tuple(cols): (update, delete) for cols, update, delete in actions.values()}
    for fk in foreign_keys:
        found = by_columns.get(tuple(fk["constrained_columns"]))
        if found is None:
            continue
        options = fk.setdefault("options", {})
        for key, value in zip(("onupdate", "ondelete"), found, strict=True):
            if value and value.upper() != "NO ACTION":
                options.setdefault(key, value)


def _sqlite_sorting(index_xinfo: sqlite_bulk.Rows, index: dict[str, Any]) -> None:
    """Mark the DESC columns of an index, which SQLAlchemy does not reflect on SQLite."""
    # (seqno, cid, name, desc, collation, key); cid -2 is an expression, -1 the rowid.
    descending = {row[2]: ("desc",) for row in index_xinfo if row[5] and row[3] and row[1] >= 0}
    if descending:
        index["column_sorting"] = descending


def _sqlite_column_definitions(sql: str) -> Iterator[tuple[str, str]]:
    """``(column name, its definition)`` for each column of a ``CREATE TABLE`` statement."""
    start = sql.find("(")
    body = _group(sql, start) if start >= 0 else None
    for part in split_top_level(body or ""):
        name, rest = _leading_identifier(part.strip())
        if name is not None:
            yield name, rest


def _generated_expression(definition: str) -> str | None:
    match = re.search(r"\bAS\s*\(", definition, re.IGNORECASE)
    if match is None:
        return None
    return _group(definition, match.end() - 1)


def _sqlite_index(name: str, sql: str) -> dict[str, Any] | None:
    """An index dict, as SQLAlchemy's would be, from its ``CREATE INDEX`` text."""
    on = re.search(r"\bON\s+(?:\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|\w+)\s*\(", sql, re.I)
    if on is None:
        return None
    body = _group(sql, on.end() - 1)
    if body is None:
        return None
    rest = sql[on.end() + len(body) + 1 :]
    where = re.match(r"\s*WHERE\s+(.*)$", rest, re.IGNORECASE | re.DOTALL)
    elements = []
    for element in split_top_level(body):
        # ASC is the default and goes; DESC stays part of the element ("email desc").
        element = re.sub(r"\s+ASC\s*$", "", element.strip(), flags=re.IGNORECASE)
        identifier, remainder = _leading_identifier(element)
        elements.append(identifier if identifier is not None and not remainder else element)
    return {
        "name": name,
        "column_names": [],
        "expressions": elements,
        "unique": bool(re.match(r"\s*CREATE\s+UNIQUE\b", sql, re.IGNORECASE)),
        "dialect_options": {"sqlite_where": where.group(1).strip()} if where else {},
    }


# -- PostgreSQL -----------------------------------------------------------------------------


def _postgresql(connection: Connection, schema: str | None, reflected: Reflected) -> None:
    _postgresql_exclusions(connection, schema, reflected)
    unknown = _unknown_type_columns(reflected)
    if not unknown:
        return
    rows = connection.execute(
        text(
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)"
            " FROM pg_catalog.pg_attribute a"
            " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = coalesce(:schema, current_schema())"
            " AND c.relname = ANY(:tables) AND a.attnum > 0 AND NOT a.attisdropped"
        ),
        {"schema": schema, "tables": sorted({key[1] for key, _ in unknown})},
    ).all()
    _name_unknown_types(unknown, rows)


def _postgresql_exclusions(
    connection: Connection, schema: str | None, reflected: Reflected
) -> None:
    """Exclusion constraints, as ``pg_get_constraintdef`` gives them."""
    rows = connection.execute(
        text(
            "SELECT c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid)"
            " FROM pg_catalog.pg_constraint k"
            " JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE k.contype = 'x' AND n.nspname = coalesce(:schema, current_schema())"
        ),
        {"schema": schema},
    ).all()
    keys = {key[1]: key for key in reflected.columns}
    for table, name, definition in rows:
        if table in keys:
            reflected.excludes.setdefault(keys[table], []).append((name, definition))


def _unknown_type_columns(reflected: Reflected) -> list[tuple[Any, Any]]:
    """``(table key, column)`` of every column SQLAlchemy reflected as ``NullType``."""
    return [
        (key, column)
        for key, columns in reflected.columns.items()
        for column in columns
        if isinstance(column["type"], sqltypes.NullType)
    ]


def _name_unknown_types(unknown: list[tuple[Any, Any]], rows: Any) -> None:
    """Give each unknown column the type name the catalog has for it (rows: table, column, type)."""
    names = {(table, column): type_name for table, column, type_name in rows}
    for key, column in unknown:
        type_name = names.get((key[1], column["name"]))
        if type_name is not None:
            column[CANONICAL_TYPE] = _squeeze(type_name)


def _squeeze(type_name: str) -> str:
    # format_type quotes names that need it ("MyType") and may qualify them with a schema.
    squeezed = re.sub(r"\s+", " ", type_name.replace('"', "").strip().lower())
    try:
        # The canonical name a hand-written snapshot would give it (SQLite's INT8 is bigint).
        return canonical_type_name(squeezed)
    except TypeNameError:
        # A user type named one letter off a built-in one is still that user's type.
        return squeezed


# -- MySQL and MariaDB ---------------------------------------------------------------------


def _mysql_sorting(connection: Connection, schema: str | None, reflected: Reflected) -> None:
    """Mark DESC index columns (MySQL 8, MariaDB 10.8+), which SQLAlchemy does not reflect."""
    rows = connection.execute(
        text(
            "SELECT table_name, index_name, column_name FROM information_schema.statistics"
            " WHERE table_schema = coalesce(:schema, database()) AND collation = 'D'"
        ),
        {"schema": schema},
    ).all()
    descending: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    for table, index, column in rows:
        descending.setdefault((table, index), {})[column] = ("desc",)
    for key, indexes in reflected.indexes.items():
        for index in indexes:
            sorting = descending.get((key[1], index["name"]))
            if sorting:
                index["column_sorting"] = sorting


def _mysql_unknown_types(connection: Connection, schema: str | None, reflected: Reflected) -> None:
    """Types SQLAlchemy does not know (``POINT``) get the catalog's own name."""
    unknown = _unknown_type_columns(reflected)
    if not unknown:
        return
    rows = connection.execute(
        text(
            "SELECT table_name, column_name, column_type FROM information_schema.columns"
            " WHERE table_schema = coalesce(:schema, database())"
        ),
        {"schema": schema},
    ).all()
    _name_unknown_types(unknown, rows)


def _mysql_collations(connection: Connection, schema: str | None, reflected: Reflected) -> None:
    """A column whose collation is its character set's default reads as the character set's
    name (``latin1``), as a model declares it (``VARCHAR(20, charset="latin1")``).

    SQLAlchemy reads a column's collation from ``SHOW CREATE TABLE``, which shows it where it is
    not the table's default; which collation is a set's default comes from the small
    ``information_schema.collations`` (the per-column views would open every table).
    """
    defaults: dict[str, str] = dict(
        connection.execute(
            text(
                "SELECT collation_name, character_set_name FROM information_schema.collations"
                " WHERE is_default = 'Yes'"
            )
        ).all()
    )
    for columns in reflected.columns.values():
        for column in columns:
            collation_name = getattr(column["type"], "collation", None)
            if collation_name in defaults:
                column[COLLATION] = defaults[collation_name]


# -- MariaDB --------------------------------------------------------------------------------


def _mariadb(connection: Connection, schema: str | None, reflected: Reflected) -> None:
    params = {"schema": schema}
    where_schema = "= coalesce(:schema, database())"
    checks = connection.execute(
        text(
            "SELECT table_name, constraint_name, check_clause"
            " FROM information_schema.check_constraints"
            f" WHERE constraint_schema {where_schema} AND level = 'Column'"
        ),
        params,
    ).all()
    defaults = connection.execute(
        text(
            "SELECT table_name, column_name, column_default, column_comment"
            " FROM information_schema.columns"
            f" WHERE table_schema {where_schema}"
            " AND (column_default IS NOT NULL OR column_comment <> '')"
        ),
        params,
    ).all()
    keys = {key[1]: key for key in reflected.columns}
    column_defaults = {(table, column): default for table, column, default, _ in defaults}
    comments = {(table, column): comment for table, column, _, comment in defaults if comment}
    for table, name, clause in checks:
        key = keys.get(table)
        if key is None:
            continue
        columns = {column["name"]: column for column in reflected.columns[key]}
        json_of = re.fullmatch(r"json_valid\(`((?:[^`]|``)+)`\)", clause.strip())
        column = columns.get(json_of.group(1).replace("``", "`")) if json_of else None
        if column is not None and isinstance(column["type"], (sqltypes.Text, mysql.LONGTEXT)):
            # MariaDB's JSON is an alias: LONGTEXT plus this check, named after the column.
            column[CANONICAL_TYPE] = "json"
            reflected.checks[key] = [
                check for check in reflected.checks.get(key, []) if check.get("name") != name
            ]
            continue
        if not any(check.get("name") == name for check in reflected.checks.get(key, [])):
            reflected.checks.setdefault(key, []).append({"name": name, "sqltext": clause})
    for key, columns in reflected.columns.items():
        for column in columns:
            found = column_defaults.get((key[1], column["name"]))
            if column.get("default") is None and found is not None and found != "NULL":
                # An expression default SQLAlchemy's SHOW CREATE TABLE parser could not read;
                # MariaDB's information_schema gives it as written (literals quoted).
                column["default"] = found
            comment = comments.get((key[1], column["name"]))
            if not column.get("comment") and comment:
                # The same parser skips the whole column line when a TEXT default holds an
                # escaped quote (DEFAULT 'it\'s'), losing the comment with it.
                column["comment"] = comment


# -- SQL text helpers -----------------------------------------------------------------------

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|[(),]|[^'\"`\[(),]+")


def _group(sql: str, start: int) -> str | None:
    """The text inside the parentheses opening at ``sql[start]``, or ``None`` if unbalanced."""
    depth = 0
    position = start
    for token in _TOKEN.finditer(sql, start):
        position = token.start()
        if token.group() == "(":
            depth += 1
        elif token.group() == ")":
            depth -= 1
            if depth == 0:
                return sql[start + 1 : position]
    return None


def split_top_level(sql: str) -> list[str]:
    """Split ``sql`` at the commas outside parentheses and quotes."""
    parts: list[str] = []
    depth = 0
    current = ""
    for token in _TOKEN.finditer(sql):
        value = token.group()
        if value == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(value, 0)
        current += value
    if current.strip():
        parts.append(current)
    return parts


def _leading_identifier(text_: str) -> tuple[str | None, str]:
    """The identifier ``text_`` starts with (unquoted) and what follows it."""
    match = re.match(r'"((?:[^"]|"")*)"|`([^`]*)`|\[([^\]]*)\]|([A-Za-z_]\w*)', text_)
    if match is None:
        return None, text_
    if match.group(1) is not None:
        name = match.group(1).replace('""', '"')
    else:
        name = match.group(2) or match.group(3) or match.group(4)
    return name, text_[match.end() :].strip()
