"""Bulk reads of the SQLite catalog, and an inspector that answers from them.

SQLAlchemy has no bulk reflection for SQLite: its ``get_multi_*`` calls reflect table by table.
For each table it sends ``PRAGMA table_xinfo``, ``index_list``, ``index_info`` (per index) and
``foreign_key_list``, each twice (``main.`` and ``temp.``) when no schema is named, and looks
the ``CREATE TABLE`` text up with ``SELECT sql FROM sqlite_master WHERE name = ?`` several times.
``sqlite_master`` has no index on ``name``, so every lookup scans the whole catalog: reflection
grew with the square of the table count (18 s at 3,000 tables, 12 s of it those lookups), and
the tens of thousands of small statements cost SQLAlchemy's statement overhead each.

:class:`BulkCatalog` reads each of those at once for every table, with one query over
``sqlite_master`` joined to SQLite's table-valued pragma functions (``pragma_table_xinfo(name)``,
SQLite 3.16+), and :func:`read_through` hands SQLAlchemy's own reflection those rows. The parsing
stays SQLAlchemy's, so what it reflects is the same; only the way the rows arrive changes.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Inspector

#: Pragmas read per table (their argument is a table name) and per index.
_TABLE_PRAGMAS = frozenset({"table_info", "table_xinfo", "index_list", "foreign_key_list"})
_INDEX_PRAGMAS = frozenset({"index_info", "index_xinfo"})

#: The private SQLite dialect methods SQLAlchemy's reflection reads the catalog through. If a
#: release renames them, the overrides are simply never called: reflection is slower, not wrong.
_TABLE_SQL_METHOD = "_get_table_sql"
_PRAGMA_METHOD = "_get_table_pragma"

Rows = list[tuple[Any, ...]]


#: Table names per ``IN (...)`` list at most. Each list is one more scan of ``sqlite_master``, so
#: the fewer lists the better; the connection's own limit of parameters per statement (999 in
#: builds before SQLite 3.32) lowers it.
_NAMES_PER_QUERY = 32_000
#: Parameters of a bulk query besides the names (the schema and the kind of object).
_OTHER_PARAMETERS = 2


class BulkCatalog:
    """The catalog of the tables ``names`` of one SQLite database (``main`` or ``schema``).

    Each kind of row is read on first use, for all those tables at once, and kept: reflection
    runs in one read transaction, so the catalog cannot change in between. Only the tables
    named are queried, like the filtered bulk reflection of the other databases.
    """

    def __init__(self, connection: Connection, schema: str | None, names: Sequence[str]) -> None:
        self.connection = connection
        self.schema = schema
        quote = connection.dialect.identifier_preparer.quote_identifier
        # Always a named database: an unqualified pragma looks in ``temp`` first, where a
        # temporary table or index of the same name would stand in for the real one.
        self._database = schema if schema is not None else "main"
        self._master = f"{quote(self._database)}.sqlite_master"
        self._names = sorted(set(names))
        limit = _parameter_limit(connection) - _OTHER_PARAMETERS
        self._names_per_query = max(1, min(_NAMES_PER_QUERY, limit))
        self._pragmas: dict[str, dict[str, Rows] | None] = {}
        #: Names of temporary tables and indexes. With no schema named, SQLAlchemy asks ``main``
        #: and then ``temp`` for them; such names are left to SQLAlchemy's own methods.
        self.temporary: frozenset[str] = frozenset()
        if schema is None:
            temporary = connection.exec_driver_sql("SELECT name FROM sqlite_temp_master")
            self.temporary = frozenset(name for (name,) in temporary)
        rows = self._select("SELECT type, name, tbl_name, sql FROM {master} AS m WHERE", ())
        #: ``{table or view name: its CREATE statement}``
        self.table_sql: dict[str, str] = {
            name: sql for kind, name, _, sql in rows if kind in ("table", "view") and sql
        }
        self.tables = frozenset(name for kind, name, _, _ in rows if kind == "table")
        self.indexes = frozenset(name for kind, name, _, _ in rows if kind == "index")
        #: ``{table: [(index name, its CREATE INDEX statement)]}``, automatic indexes left out.
        self.index_sql: dict[str, list[tuple[str, str]]] = {}
        for kind, name, table, sql in rows:
            if kind == "index" and sql:
                self.index_sql.setdefault(table, []).append((name, sql))

    def pragma(self, pragma: str, name: str) -> Rows | None:
        """``PRAGMA <pragma>(name)``'s rows; ``None`` when not read in bulk (ask SQLite)."""
        if pragma in _TABLE_PRAGMAS:
            known = self.tables
        elif pragma in _INDEX_PRAGMAS:
            known = self.indexes
        else:
            return None
        if name not in known or name in self.temporary:
            return None
        if pragma not in self._pragmas:
            self._pragmas[pragma] = self._read_pragma(
                pragma, "table" if known is self.tables else "index"
            )
        by_name = self._pragmas[pragma]
        return None if by_name is None else by_name.get(name, [])

    def rows(self, pragma: str, name: str) -> Rows:
        """``PRAGMA <pragma>(name)``'s rows, from the bulk read where there is one."""
        found = self.pragma(pragma, name)
        if found is not None:
            return found
        quote = self.connection.dialect.identifier_preparer.quote_identifier
        statement = f"PRAGMA {quote(self._database)}.{pragma}({quote(name)})"
        return [tuple(row) for row in self.connection.exec_driver_sql(statement)]

    def _read_pragma(self, pragma: str, kind: str) -> dict[str, Rows] | None:
        # The pragma function's rows come in the pragma's own order for each catalog row,
        # because the function needs m.name and so runs inside the scan of sqlite_master.
        query = (
            "SELECT m.name, p.* FROM {master} AS m"
            f" JOIN pragma_{pragma}(m.name, ?) AS p WHERE m.type = ? AND"
        )
        try:
            rows = self._select(query, (self._database, kind))
        except sa_exc.DBAPIError:
            # A SQLite too old for table-valued pragma functions (3.16), or a table the pragma
            # fails on (a virtual table whose module is not loaded): SQLAlchemy's per-table
            # PRAGMAs then, which give the same rows or raise the same error as ever.
            return None
        by_name: dict[str, Rows] = {}
        for row in rows:
            by_name.setdefault(row[0], []).append(tuple(row[1:]))
        return by_name

    def _select(self, query: str, parameters: tuple[Any, ...]) -> Rows:
        """Run ``query`` (ending in ``WHERE ... AND`` or ``WHERE``) for the wanted tables."""
        rows: Rows = []
        for start in range(0, len(self._names), self._names_per_query):
            chunk = self._names[start : start + self._names_per_query]
            marks = ", ".join("?" * len(chunk))
            statement = f"{query.format(master=self._master)} m.tbl_name IN ({marks})"
            result = self.connection.exec_driver_sql(statement, (*parameters, *chunk))
            rows.extend(tuple(row) for row in result)
        return rows


def _parameter_limit(connection: Connection) -> int:
    """The most parameters one statement may have on this connection."""
    dbapi_connection = connection.connection.dbapi_connection
    getlimit = getattr(dbapi_connection, "getlimit", None)  # Python 3.11's sqlite3
    if getlimit is not None:
        limit: int = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return limit
    version = connection.dialect.server_version_info or (0,)
    return 32_766 if version >= (3, 32) else 999


def read_through(inspector: Inspector, bulk: BulkCatalog) -> None:
    """Make ``inspector``'s SQLite reflection read the catalog from ``bulk``."""
    dialect = inspector.dialect
    if not (hasattr(dialect, _TABLE_SQL_METHOD) and hasattr(dialect, _PRAGMA_METHOD)):
        return
    # A copy of the dialect, so the engine's own (perhaps the caller's, shared with other
    # threads) is never changed; inside SQLAlchemy's reflection methods ``self`` is this copy,
    # so they call the overrides. Anything not read in bulk goes to the original methods.
    copied = copy.copy(dialect)
    read_table_sql = getattr(dialect, _TABLE_SQL_METHOD)
    read_pragma = getattr(dialect, _PRAGMA_METHOD)

    # Same signatures as SQLAlchemy's methods, which pass ``schema=`` by keyword.
    def table_sql(
        connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        found = table_name in bulk.table_sql and table_name not in bulk.temporary
        if schema == bulk.schema and found:
            return bulk.table_sql[table_name]
        return read_table_sql(connection, table_name, schema, **kw)

    def table_pragma(
        connection: Connection, pragma: str, table_name: str, schema: str | None = None
    ) -> Any:
        rows = bulk.pragma(pragma, table_name) if schema == bulk.schema else None
        if rows is None:
            return read_pragma(connection, pragma, table_name, schema)
        return rows

    setattr(copied, _TABLE_SQL_METHOD, table_sql)
    setattr(copied, _PRAGMA_METHOD, table_pragma)
    inspector.dialect = copied
