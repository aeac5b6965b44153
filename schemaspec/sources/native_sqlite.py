"""SQLite's catalog to a spec directly: no SQLAlchemy Inspector, a fixed handful of queries.

One read of ``sqlite_master`` lists the tables and gives each one's ``CREATE`` statement; one
statement then joins the wanted tables to the table-valued pragma functions
(``pragma_table_xinfo``, ``pragma_foreign_key_list``, ``pragma_index_list`` with
``pragma_index_xinfo``) for every column, foreign key and index row at once. What SQLite keeps
only in the DDL (constraint names, checks, collations, generated expressions, deferrable keys) is
parsed from each table's statement once (:mod:`schemaspec.sources.sqlite_ddl`). Views and
triggers come from :mod:`schemaspec.sources.objects`, as for the other reader.

SQLAlchemy's reflection stays the reference: ``SCHEMASPEC_READER=sqlalchemy`` selects it, and
tests/sources/test_native_sqlite.py and tests/generative/test_native_sqlite_reader.py assert
both give the same spec (docs/types.md lists where SQLAlchemy misreads the DDL). Types still go
through SQLAlchemy's own affinity rules and schemaspec's canonical names, once per distinct
declared type, so a type reads the same whichever reader read it.
"""

from __future__ import annotations

import re
import sqlite3
import warnings
from collections.abc import Callable, Collection, Mapping
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from schemaspec.errors import SourceError
from schemaspec.sources import objects, sqlite_ddl
from schemaspec.sources.models import check_key
from schemaspec.sources.reader_choice import chosen_reader
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
    UniqueSpec,
)
from schemaspec.sql.constraints import canonical_deferrable
from schemaspec.sql.text import canonical_action
from schemaspec.sql.type_names import TypeNameError, canonical_type_name
from schemaspec.sql.types import canonical_type
from schemaspec.util.interning import column_spec
from schemaspec.util.redact import describe_url

#: ``pragma_table_xinfo`` reports generated columns as hidden 2 and 3 from SQLite 3.31 on.
MINIMUM_SQLITE = (3, 31)
#: The SQLAlchemy dialect method that maps a declared type to a type object by SQLite's
#: affinity rules: the same mapping the other reader uses. Without it, that reader is used.
_AFFINITY_METHOD = "_resolve_type_affinity"

#: Table names per statement at most; each name is one parameter, and the connection's limit of
#: parameters per statement (999 before SQLite 3.32) may be lower.
_NAMES_PER_QUERY = 30_000

#: Maps a foreign key's ``(referred schema, referred table)`` to the referred table's spec key.
ReferenceKey = Callable[[str | None, str], str]


def available(connection: Connection) -> bool:
    """Whether this reader reads ``connection``'s database."""
    dialect = connection.dialect
    if dialect.name != "sqlite" or chosen_reader() != "native":
        return False
    version = dialect.server_version_info or (0,)
    return tuple(version) >= MINIMUM_SQLITE and hasattr(dialect, _AFFINITY_METHOD)


def read(
    connection: Connection,
    schema: str | None,
    wanted: Callable[[str], bool],
    references: ReferenceKey | None = None,
    tables: Collection[str] | None = None,
) -> SchemaSpec | None:
    """The spec of ``schema`` (``None``: ``main``), before normalising, as the SQLAlchemy reader
    builds it: tables ``wanted`` by name (and in ``tables`` when given), every other kind of
    object whole but filtered by ``wanted``.

    ``None`` when a pragma function fails on some table (a virtual table whose module is not
    loaded): the caller then reads through SQLAlchemy, which reports such a table as it always
    has.
    """
    quote = connection.dialect.identifier_preparer.quote_identifier
    database = schema if schema is not None else "main"
    if schema is not None:
        attached = {row[1] for row in connection.exec_driver_sql("PRAGMA database_list")}
        if schema not in attached or schema == "temp":
            where = describe_url(connection.engine.url)
            raise SourceError(f"{where} has no schema {schema!r}")
    rows = connection.exec_driver_sql(master_statement(quote(database))).all()
    table_sql: dict[str, str] = {}
    index_sql: dict[str, str] = {}
    for kind, name, _, sql in rows:
        if kind == "table":
            if wanted(name) and (tables is None or name in tables):
                table_sql[name] = sql or ""
        elif sql:
            index_sql[name] = sql
    names = sorted(table_sql) if tables is None or tables else []
    found = objects.read_objects(connection, schema)
    spec = SchemaSpec(
        dialect="sqlite",
        views={name: view for name, view in found.views.items() if wanted(name)},
        sequences={name: s for name, s in found.sequences.items() if wanted(name)},
        triggers={key: t for key, t in found.triggers.items() if wanted(t.table)},
        routines={key: r for key, r in found.routines.items() if wanted(key.split("(")[0])},
        extensions=found.extensions,
    )
    if not names:
        return spec
    try:
        catalog = _Catalog(connection, database, names)
    except sa_exc.DBAPIError:
        return None
    builder = _Builder(
        connection, catalog, index_sql, schema, references or (lambda referred, table: table)
    )
    with warnings.catch_warnings():
        # SQLAlchemy warns about a declared type it cannot instantiate (as the other reader's
        # reflection does); the type still reads the same.
        warnings.simplefilter("ignore", sa_exc.SAWarning)
        built = {name: builder.table(name, table_sql[name]) for name in names}
    return spec.model_copy(update={"tables": built})


#: Row layouts of the bulk statement (the kind of row and the table name come first).
#: Columns: name, declared type, notnull, default, pk, hidden.
_C_NAME, _C_TYPE, _C_NOTNULL, _C_DEFAULT, _C_PK, _C_HIDDEN = range(2, 8)
#: Foreign keys, a row per column: id, referred table, column, referred column, on update,
#: on delete.
_F_ID, _F_TABLE, _F_FROM, _F_TO, _F_UPDATE, _F_DELETE = range(2, 8)
#: Indexes, a row per key column: index name, unique, origin, partial, cid, column, desc.
_I_NAME, _I_UNIQUE, _I_ORIGIN, _I_PARTIAL, _I_CID, _I_COLUMN, _I_DESC = range(2, 9)

Row = tuple[Any, ...]
_PK_OF, _HIDDEN_OF = itemgetter(_C_PK), itemgetter(_C_HIDDEN)


def master_statement(database: str) -> str:
    """The tables SQLAlchemy lists (its own ``sqlite_`` tables left out), and every index, with
    their DDL, from ``database``'s ``sqlite_master`` (``database`` quoted)."""
    return (
        f"SELECT type, name, tbl_name, sql FROM {database}.sqlite_master WHERE (type = 'table'"
        " AND name NOT LIKE 'sqlite~_%' ESCAPE '~') OR type = 'index'"
    )


def catalog_statement(tables: int) -> str:
    """The one statement reading every column, foreign key and index row of ``tables`` tables:
    their names, then the database's name four times, as its parameters."""
    # Within a table each pragma's rows come in the pragma's own order: the function runs once
    # per table, as the inner loop of the join.
    return (
        f"WITH t(name) AS (VALUES {', '.join(['(?)'] * tables)})"
        " SELECT 'c', t.name, p.name, p.type, p.[notnull], p.dflt_value, p.pk,"
        " p.hidden, NULL, NULL FROM t JOIN pragma_table_xinfo(t.name, ?) AS p"
        " UNION ALL"
        " SELECT 'f', t.name, p.id, p.[table], p.[from], p.[to], p.on_update,"
        " p.on_delete, NULL, NULL FROM t JOIN pragma_foreign_key_list(t.name, ?) AS p"
        " UNION ALL"
        " SELECT 'i', t.name, l.name, l.[unique], l.origin, l.partial, x.cid, x.name,"
        " x.[desc], NULL FROM t JOIN pragma_index_list(t.name, ?) AS l"
        " JOIN pragma_index_xinfo(l.name, ?) AS x WHERE x.key"
    )


class _Catalog:
    """Every column, foreign key and index row of the tables ``names``, by table."""

    def __init__(self, connection: Connection, database: str, names: list[str]) -> None:
        self.connection = connection
        self.database = database
        self.columns: dict[str, list[Row]] = {}
        self.foreign_keys: dict[str, list[Row]] = {}
        self.indexes: dict[str, list[Row]] = {}
        by_kind = {"c": self.columns, "f": self.foreign_keys, "i": self.indexes}
        per_query = max(1, min(_NAMES_PER_QUERY, _parameter_limit(connection) - 4))
        for start in range(0, len(names), per_query):
            chunk = names[start : start + per_query]
            rows = _fetch(connection, catalog_statement(len(chunk)), (*chunk, *[database] * 4))
            for (kind, table), group in groupby(rows, key=itemgetter(0, 1)):
                by_kind[kind].setdefault(table, []).extend(group)

    def primary_key(self, table: str) -> tuple[str, ...]:
        """The primary key columns of ``table``, read here or, for a table not read, asked for."""
        rows = self.columns.get(table)
        if rows is None:
            rows = _fetch(
                self.connection,
                "SELECT 'c', ?, name, type, [notnull], dflt_value, pk, hidden"
                " FROM pragma_table_xinfo(?, ?)",
                (table, table, self.database),
            )
        return tuple(row[_C_NAME] for row in sorted(rows, key=itemgetter(_C_PK)) if row[_C_PK])


def _fetch(connection: Connection, statement: str, parameters: tuple[Any, ...]) -> list[Row]:
    """The rows of ``statement``, through SQLAlchemy so that its events see it (a listener
    logging what is sent, tests/sources/test_database_filters.py)."""
    rows: list[Row] = connection.exec_driver_sql(statement, parameters).all()  # type: ignore[assignment]
    return rows


def _parameter_limit(connection: Connection) -> int:
    getlimit = getattr(connection.connection.dbapi_connection, "getlimit", None)
    if getlimit is not None:  # Python 3.11's sqlite3
        limit: int = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return limit
    version = connection.dialect.server_version_info or (0,)
    return 32_766 if tuple(version) >= (3, 32) else 999


class _Builder:
    """Builds the table specs of one read, sharing equal plain columns between tables."""

    def __init__(
        self,
        connection: Connection,
        catalog: _Catalog,
        index_sql: Mapping[str, str],
        schema: str | None,
        key_of: ReferenceKey,
    ) -> None:
        self.dialect: Any = connection.dialect
        self.catalog = catalog
        self.index_sql = index_sql
        self.schema = schema
        self.key_of = key_of
        #: (declared type, notnull, default) -> the spec of a plain column so declared.
        self.plain: dict[tuple[Any, ...], ColumnSpec] = {}
        #: Equal index specs are one object (an index on parent_id in every table).
        self.shared_indexes: dict[tuple[Any, ...], IndexSpec] = {}

    def table(self, name: str, sql: str) -> TableSpec:
        rows = self.catalog.columns.get(name, ())
        keys = sorted(filter(_PK_OF, rows), key=_PK_OF)
        primary_key = tuple(row[_C_NAME] for row in keys)
        index_rows = self.catalog.indexes.get(name, ())
        hidden = set(map(_HIDDEN_OF, rows))
        ddl = sqlite_ddl.parse_table(
            sql,
            generated=2 in hidden or 3 in hidden,
            # SQLite keeps no index for a UNIQUE clause on the primary key's columns, or one
            # indistinguishable from the key's own: only the DDL tells whether there is one.
            uniques=_automatic_on_primary_key(index_rows, primary_key),
        )
        collations = ddl.collations
        columns: dict[str, ColumnSpec] = {}
        for row in rows:
            column, hidden = row[_C_NAME], row[_C_HIDDEN]
            if hidden or column in collations:
                if hidden == 1:
                    continue  # a virtual table's hidden column
                columns[column] = self.column(row, ddl)
            else:
                key = row[_C_TYPE:_C_PK]
                spec = self.plain.get(key)
                if spec is None:
                    spec = self.plain[key] = self.column(row, ddl)
                columns[column] = spec
        indexes, uniques = _indexes_and_uniques(
            index_rows, ddl, primary_key, self.index_sql, self.shared_indexes
        )
        return TableSpec(
            columns=columns,
            primary_key=primary_key,
            primary_key_name=ddl.primary_key_name if primary_key else None,
            foreign_keys=self.foreign_keys(name, ddl),
            indexes=indexes,
            unique=uniques,
            checks=_checks(ddl),
        )

    def column(self, row: Row, ddl: sqlite_ddl.TableDDL) -> ColumnSpec:
        name, default = row[_C_NAME], row[_C_DEFAULT]
        generated = row[_C_HIDDEN] in (2, 3)
        return column_spec(
            type=_type(self.dialect, row[_C_TYPE] or "", generated),
            nullable=not row[_C_NOTNULL],
            default=None if default is None else str(default),
            autoincrement=False,
            computed=ddl.generated.get(name, "") if generated else None,
            comment=None,
            collation=ddl.collations.get(name),
        )

    def foreign_keys(self, table: str, ddl: sqlite_ddl.TableDDL) -> dict[str, ForeignKeySpec]:
        rows = self.catalog.foreign_keys.get(table)
        if not rows:
            return {}
        grouped: dict[int, list[Row]] = {}
        for row in rows:
            grouped.setdefault(row[_F_ID], []).append(row)
        # Names and deferrability are in the DDL only; found by columns and referred table.
        written = {
            (tuple(c.lower() for c in key.columns), key.referred_table.lower()): key
            for key in ddl.foreign_keys
        }
        result = {}
        for key_rows in grouped.values():
            first = key_rows[0]
            referred_table = first[_F_TABLE]
            columns = tuple(row[_F_FROM] for row in key_rows)
            if all(row[_F_TO] is None for row in key_rows):
                # REFERENCES parent with no columns: the parent's primary key.
                referred_columns = self.catalog.primary_key(referred_table)
            else:
                referred_columns = tuple(row[_F_TO] for row in key_rows)
            found = (
                written.get((tuple(c.lower() for c in columns), referred_table.lower()))
                if written
                else None
            )
            result[",".join(columns)] = ForeignKeySpec(
                columns=columns,
                referred_table=self.key_of(self.schema, referred_table),
                referred_columns=referred_columns,
                name=found.name if found is not None else None,
                on_delete=canonical_action(first[_F_DELETE]),
                on_update=canonical_action(first[_F_UPDATE]),
                deferrable=canonical_deferrable(found.deferrable, found.initially)
                if found is not None
                else None,
            )
        return result


def _automatic_on_primary_key(rows: Collection[Row], primary_key: tuple[str, ...]) -> bool:
    """Whether an automatic index of these index rows is on exactly the primary key's columns."""
    if not primary_key:
        return False
    by_index: dict[str, list[str]] = {}
    for row in rows:
        if row[_I_NAME].startswith("sqlite_autoindex"):
            by_index.setdefault(row[_I_NAME], []).append(row[_I_COLUMN])
    return any(tuple(columns) == primary_key for columns in by_index.values())


def _indexes_and_uniques(
    rows: Collection[Row],
    ddl: sqlite_ddl.TableDDL,
    primary_key: tuple[str, ...],
    index_sql: Mapping[str, str],
    shared: dict[tuple[Any, ...], IndexSpec],
) -> tuple[dict[str, IndexSpec], dict[str, UniqueSpec]]:
    by_index: dict[str, list[Row]] = {}
    for row in rows:
        by_index.setdefault(row[_I_NAME], []).append(row)
    indexes: dict[str, IndexSpec] = {}
    automatic: dict[tuple[str, ...], tuple[str, ...]] = {}
    for index_name, index_rows in by_index.items():
        names = tuple(row[_I_COLUMN] for row in index_rows)
        if index_name.startswith("sqlite_autoindex"):
            # The index SQLite made for a UNIQUE or PRIMARY KEY clause.
            automatic.setdefault(tuple(n.lower() for n in names), names)
            continue
        spec = _index(index_rows, names, index_sql.get(index_name), shared)
        if spec is not None:
            indexes[index_name] = spec
    # A unique constraint is an automatic index; its name, if any, is in the DDL.
    uniques: dict[str, UniqueSpec] = {}
    for constraint_name, constraint_columns in ddl.uniques:
        columns = automatic.pop(tuple(c.lower() for c in constraint_columns), None)
        if columns is not None:
            uniques[",".join(columns)] = UniqueSpec(columns=columns, name=constraint_name)
    for columns in automatic.values():
        if columns != primary_key:
            uniques[",".join(columns)] = UniqueSpec(columns=columns)
    return indexes, uniques


def _index(
    rows: list[Row],
    names: tuple[str | None, ...],
    sql: str | None,
    shared: dict[tuple[Any, ...], IndexSpec],
) -> IndexSpec | None:
    unique, partial = bool(rows[0][_I_UNIQUE]), bool(rows[0][_I_PARTIAL])
    parsed = sqlite_ddl.parse_index(sql) if sql and (partial or None in names) else None
    if None in names:
        # An expression (or the rowid) among the elements: the DDL has them as written.
        if parsed is None:
            return None
        key: tuple[Any, ...] = (parsed.elements, unique, parsed.where)
    else:
        # DESC belongs to the element, as it does in the models.
        elements = tuple(
            f"{row[_I_COLUMN]} desc" if row[_I_DESC] else row[_I_COLUMN] for row in rows
        )
        key = (elements, unique, parsed.where if parsed is not None else None)
    spec = shared.get(key)
    if spec is None:
        spec = shared[key] = IndexSpec(columns=key[0], unique=key[1], where=key[2])
    return spec


def _checks(ddl: sqlite_ddl.TableDDL) -> dict[str, CheckSpec]:
    result: dict[str, CheckSpec] = {}
    # Named first, by name, then unnamed in the order written (numbered by check_key).
    ordered = sorted(ddl.checks, key=lambda check: (check[0] is None, check[0] or ""))
    for name, expression in ordered:
        spec = CheckSpec(sqltext=expression, name=name)
        result[check_key(result, spec)] = spec
    return result


_types: dict[tuple[str, bool], str] = {}


def _type(dialect: Any, declared: str, generated: bool) -> str:
    """The canonical type of a column declared ``declared``, as the other reader decides it."""
    cached = _types.get((declared, generated))
    if cached is not None:
        return cached
    base = re.match(r"\s*(\w+)", declared)
    if base is not None and base.group(1).upper() not in dialect.ischema_names:
        # A type SQLite does not know (POINT) is kept as written, not read as its affinity.
        result = _squeeze(declared)
    else:
        type_name = declared.upper()
        if generated:
            # SQLite reports "INTEGER GENERATED ALWAYS" as the type of a generated column.
            type_name = re.sub("generated", "", type_name, flags=re.IGNORECASE)
            type_name = re.sub("always", "", type_name, flags=re.IGNORECASE).strip()
        result = canonical_type(getattr(dialect, _AFFINITY_METHOD)(type_name), dialect)
    if len(_types) > 4096:
        _types.clear()
    _types[(declared, generated)] = result
    return result


def _squeeze(type_name: str) -> str:
    squeezed = re.sub(r"\s+", " ", type_name.replace('"', "").strip().lower())
    try:
        # The canonical name a hand-written snapshot would give it (SQLite's INT8 is bigint).
        return canonical_type_name(squeezed)
    except TypeNameError:
        return squeezed
