"""The session reflection runs in: read-only, one consistent snapshot, bounded in time.

Reflection must never write to the user's database, and a schema change that lands while the
catalog is being read must not produce a spec that is half old, half new. Each database offers
something different, so each gets the strongest setting it has:

- PostgreSQL: ``REPEATABLE READ, READ ONLY``. Every catalog query of the transaction sees the
  one snapshot taken by its first query, and any write, DDL included, is refused. The statement
  timeout is ``SET LOCAL``, so it ends with the transaction.
- MySQL/MariaDB: ``SET SESSION TRANSACTION READ ONLY`` (a transaction-level ``READ ONLY`` alone
  does not stop DDL there: DDL commits the transaction implicitly and then runs outside it), then
  ``START TRANSACTION WITH CONSISTENT SNAPSHOT``. The data dictionary itself is not versioned
  on these servers, so DDL committed mid-reflection is seen by the queries after it; instead a
  :func:`fingerprint` of the catalog is taken before and after, and reflection is repeated when
  they differ. The statement timeout is PyMySQL's read timeout: it also catches a server that
  went silent.
- SQLite: ``PRAGMA query_only`` refuses every write; an explicit ``BEGIN`` holds one read
  transaction (a shared lock, or a WAL snapshot) across all the reflection queries.

Session-level settings are undone in :func:`end`, so a pooled connection of an ``Engine`` the
user handed in goes back to the pool as it came.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL

#: Seconds to wait for a server to accept a connection and answer its handshake.
DEFAULT_CONNECT_TIMEOUT: float = 10
#: Seconds one reflection query may take. Bulk reflection of a few thousand tables takes a few
#: seconds per query; a minute means something is stuck (a lock, a dead server).
DEFAULT_STATEMENT_TIMEOUT: float = 60

_PYMYSQL_READ_TIMEOUT = "_read_timeout"

#: Reflections tried on MySQL/MariaDB before giving up on a schema that keeps changing.
ATTEMPTS = 3
KEPT_CHANGING = (
    f"the schema changed during each of {ATTEMPTS} reflections (a migration running?); "
    "try again when it is done"
)

# One order-independent checksum per catalog view, over every column reflection reads from it
# (SHOW CREATE TABLE shows the same facts). CHECK_CONSTRAINTS needs MariaDB 10.2 / MySQL 8.0.16.
# TABLE_CONSTRAINTS is left out: every constraint it names is in STATISTICS (primary keys and
# uniques are indexes there), REFERENTIAL_CONSTRAINTS or CHECK_CONSTRAINTS, and each view costs
# about 0.1 s per call at 3,000 tables. So is CREATE_TIME: a rebuilt table shows its changes in
# the other views, and reading it makes MariaDB open every table (3x the cost of the view).
_MYSQL_CATALOG = {
    "TABLES": "TABLE_NAME, TABLE_COMMENT",
    "COLUMNS": "TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, "
    "COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION",
    "STATISTICS": "TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART",
    "KEY_COLUMN_USAGE": "TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, "
    "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME",
    "REFERENTIAL_CONSTRAINTS": "TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE",
    "CHECK_CONSTRAINTS": "TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE",
}
# The column naming the database ("schema" in MySQL's words) differs in two views.
_SCHEMA_COLUMN = {
    "REFERENTIAL_CONSTRAINTS": "CONSTRAINT_SCHEMA",
    "CHECK_CONSTRAINTS": "CONSTRAINT_SCHEMA",
}


def connect_args(url: URL, connect_timeout: float | None) -> dict[str, Any]:
    """Driver arguments that bound the time to connect to a hung or unreachable server."""
    if connect_timeout is None or "connect_timeout" in url.query:
        # A timeout written in the URL is the user's explicit choice.
        return {}
    driver = url.get_driver_name()
    if driver in ("psycopg", "psycopg2"):
        # libpq takes whole seconds and treats anything below 2 as 2.
        return {"connect_timeout": max(2, math.ceil(connect_timeout))}
    if driver == "pymysql":
        # connect_timeout covers only the TCP connect; a server that accepts and then never
        # answers its handshake is caught by the read timeout, raised to the statement timeout
        # once connected (see begin()).
        return {"connect_timeout": connect_timeout, "read_timeout": connect_timeout}
    if driver == "mysqldb":
        return {"connect_timeout": max(1, math.ceil(connect_timeout))}
    return {}


def begin(connection: Connection, statement_timeout: float | None) -> None:
    """Start the read-only, consistent transaction reflection runs in."""
    backend = connection.dialect.name
    if backend == "postgresql":
        # On an AUTOCOMMIT engine there is no transaction for SET TRANSACTION to apply to (the
        # server only warns), so writes would go through: leave autocommit for this checkout.
        # SQLAlchemy restores the engine's isolation level when the connection goes back.
        connection.execution_options(isolation_level="REPEATABLE READ")
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if statement_timeout is not None:
            milliseconds = max(1, math.ceil(statement_timeout * 1000))
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
    elif backend in ("mysql", "mariadb"):
        _set_pymysql_read_timeout(connection, statement_timeout)
        connection.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        connection.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
    elif backend == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
        connection.exec_driver_sql("BEGIN")


def fingerprint(connection: Connection, schema: str | None) -> tuple[Any, ...] | None:
    """A checksum of the catalog where reflection cannot read one snapshot (MySQL/MariaDB).

    ``None`` elsewhere: PostgreSQL and SQLite reflect from one snapshot already.
    """
    if connection.dialect.name not in ("mysql", "mariadb"):
        return None
    parts = []
    for view, columns in _MYSQL_CATALOG.items():
        # CONCAT_WS skips NULLs; IFNULL keeps "NULL" and "" apart.
        values = ", ".join(f"IFNULL({column}, '\\0')" for column in columns.split(", "))
        parts.append(
            f"SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', {values}))), 0)"
            f" FROM information_schema.{view}"
            f" WHERE {_SCHEMA_COLUMN.get(view, 'TABLE_SCHEMA')} = COALESCE(%s, DATABASE())"
        )
    query = " UNION ALL ".join(parts)
    rows = connection.exec_driver_sql(query, (schema,) * len(parts)).all()
    return tuple(tuple(row) for row in rows)


def end(connection: Connection) -> None:
    """Roll back and undo the session settings of :func:`begin`."""
    backend = connection.dialect.name
    try:
        connection.rollback()
        if backend in ("mysql", "mariadb"):
            connection.exec_driver_sql("SET SESSION TRANSACTION READ WRITE")
            connection.rollback()
            _set_pymysql_read_timeout(connection, None, restore=True)
        elif backend == "sqlite":
            connection.exec_driver_sql("PRAGMA query_only = OFF")
            connection.rollback()
    except sa_exc.DBAPIError:
        # The connection died (a timeout, a server gone): it must not go back to a pool with
        # our session settings on it.
        connection.invalidate()


def _set_pymysql_read_timeout(
    connection: Connection, seconds: float | None, *, restore: bool = False
) -> None:
    # PyMySQL reads its private _read_timeout before every read, and has no public way to
    # change it on an open connection. Only touched when present, so another driver or a future
    # PyMySQL simply keeps its own timeout.
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or not hasattr(dbapi_connection, _PYMYSQL_READ_TIMEOUT):
        return
    info = connection.connection.info
    if restore:
        if "schemaspec_read_timeout" in info:
            setattr(dbapi_connection, _PYMYSQL_READ_TIMEOUT, info.pop("schemaspec_read_timeout"))
        return
    info["schemaspec_read_timeout"] = getattr(dbapi_connection, _PYMYSQL_READ_TIMEOUT)
    setattr(dbapi_connection, _PYMYSQL_READ_TIMEOUT, seconds)
