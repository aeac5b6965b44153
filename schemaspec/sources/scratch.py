"""Scratch databases: empty, uniquely named databases that exist only inside a ``with`` block.

``from_alembic`` migrates one of these and reflects it, and the pytest plugin hands them to tests,
so each use starts from nothing and leaves nothing behind, even when the body raises.

    with scratch_database("postgresql+psycopg://postgres@127.0.0.1/postgres") as url:
        ...  # url names a fresh database on that server; it is dropped afterwards
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from schemaspec.errors import DatabaseConnectionError, SchemaspecError, SourceError
from schemaspec.util.redact import scrub

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "SCRATCH_PREFIX",
    "check_prefix",
    "check_server",
    "scratch_database",
    "scratch_sqlite",
    "server_url_from_env",
]

#: Every scratch database name starts with this, so a leftover one (after a killed process)
#: is recognisable and safe to drop by hand.
SCRATCH_PREFIX = "schemaspec_scratch_"

#: Seconds to wait for a server before giving up. Short, because a down server should cost a
#: test session a few seconds, not the driver's default of minutes.
DEFAULT_CONNECT_TIMEOUT = 5

#: Seconds to wait before the second and last attempt to drop a scratch database whose first
#: attempt lost its connection: long enough for a connection storm or a killed backend to pass.
DROP_RETRY_PAUSE = 1.0

#: Seconds MariaDB/MySQL may wait for a metadata lock before refusing to drop a scratch
#: database (their default is a day).
DROP_LOCK_TIMEOUT = 30

_ENV_URLS: dict[str, tuple[str, str]] = {
    "postgresql": (
        "SCHEMASPEC_TEST_POSTGRESQL_URL",
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    ),
    "mysql": ("SCHEMASPEC_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}

# Drivers known to accept a ``connect_timeout`` keyword (libpq's option for the PostgreSQL ones,
# the client library's for the MySQL ones). Others are left alone rather than sent a keyword
# they would reject.
_CONNECT_TIMEOUT_DRIVERS = frozenset({"psycopg", "psycopg2", "pymysql", "mysqldb"})

_SERVER_BACKENDS = frozenset({"postgresql", "mysql", "mariadb"})

#: A scratch name is the prefix and 16 hex digits; PostgreSQL keeps 63 bytes of a name, MySQL 64.
MAX_PREFIX_LENGTH = 40
# Lower case only: PostgreSQL folds unquoted names, MySQL on Linux compares them by case, and
# an administrator dropping leftovers by hand should not need quotes.
_PREFIX = re.compile(r"[a-z_][a-z0-9_]*")


def check_prefix(prefix: str) -> str:
    """``prefix`` if it can start a scratch database name, else ``ValueError`` saying why."""
    if not _PREFIX.fullmatch(prefix) or len(prefix) > MAX_PREFIX_LENGTH:
        raise ValueError(
            f"{prefix!r} cannot start a database name: use lower-case letters, digits and "
            f"underscores, starting with a letter or underscore, at most {MAX_PREFIX_LENGTH}"
            " characters (e.g. ci_runner_3_)"
        )
    return prefix


def server_url_from_env(kind: str) -> str:
    """The URL of the test server of ``kind`` ("postgresql" or "mysql").

    Read from ``SCHEMASPEC_TEST_POSTGRESQL_URL`` / ``SCHEMASPEC_TEST_MYSQL_URL``, defaulting to a
    server on loopback with the stock superuser.
    """
    try:
        variable, default = _ENV_URLS[kind]
    except KeyError:
        known = ", ".join(sorted(_ENV_URLS))
        raise ValueError(f"unknown server kind {kind!r}; expected one of: {known}") from None
    return os.environ.get(variable) or default


@contextmanager
def scratch_sqlite(*, prefix: str = SCRATCH_PREFIX) -> Iterator[str]:
    """Yield the URL of a new SQLite file in a private temporary directory, removed afterwards."""
    directory = tempfile.mkdtemp(prefix=check_prefix(prefix))
    try:
        path = Path(directory) / f"{prefix}{secrets.token_hex(8)}.db"
        yield URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)
    finally:
        # ignore_errors: on Windows a connection the caller forgot to close keeps the file
        # locked; failing the caller's block over a temp file would hide its real outcome.
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def scratch_database(
    server_url: str | URL,
    *,
    connect_timeout: int = DEFAULT_CONNECT_TIMEOUT,
    prefix: str = SCRATCH_PREFIX,
) -> Iterator[str]:
    """Yield the URL of a new, empty database on the server at ``server_url``; drop it afterwards.

    ``server_url`` is any URL on a PostgreSQL or MySQL/MariaDB server the user may create
    databases on; the scratch URL keeps its driver, credentials, host and query and only changes
    the database name, which is ``prefix`` (see :func:`check_prefix`) and 16 random hex digits.
    A SQLite URL yields a scratch SQLite file instead.

    Raises :class:`~schemaspec.errors.DatabaseConnectionError` when the server cannot be reached
    or refuses to create the database.
    """
    url = _parse_url(server_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        with scratch_sqlite(prefix=prefix) as sqlite_url:
            yield sqlite_url
        return
    if backend not in _SERVER_BACKENDS:
        raise SourceError(
            f"cannot create a scratch database on {backend!r}"
            f" ({_safe(url)}); supported: postgresql, mysql, mariadb, sqlite"
        )

    name = f"{check_prefix(prefix)}{secrets.token_hex(8)}"
    engine = _server_engine(url, connect_timeout)
    try:
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE {_quote(conn, name)}")
        except sa.exc.DBAPIError as exc:
            raise _connection_error(url, exc, f"could not create scratch database {name}") from None
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        except BaseException as exc:
            # The body's exception is the one the caller needs; a failed clean-up must not
            # replace it, so it rides along as a note instead.
            try:
                _drop_database(engine, url, name)
            except DatabaseConnectionError as drop_error:
                exc.add_note(str(drop_error))
                if isinstance(exc, SchemaspecError) and len(exc.args) == 1:
                    # The command line prints an error's message alone, never its notes: a
                    # database left on the server must be named there too (the server went
                    # away mid-run and was still away for the drop).
                    exc.args = (f"{exc.args[0]}; and {drop_error}",)
            raise
        else:
            _drop_database(engine, url, name)
    finally:
        engine.dispose()


def check_server(server_url: str | URL, *, connect_timeout: int = DEFAULT_CONNECT_TIMEOUT) -> None:
    """Connect to ``server_url`` once and run ``SELECT 1``.

    Raises :class:`~schemaspec.errors.DatabaseConnectionError` naming the host (never the
    password) when the server is unreachable or refuses the login.
    """
    url = _parse_url(server_url)
    engine = _server_engine(url, connect_timeout)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as exc:
        raise _connection_error(url, exc, "could not connect") from None
    finally:
        engine.dispose()


def _parse_url(server_url: str | URL) -> URL:
    try:
        return make_url(server_url)
    except sa.exc.ArgumentError as exc:
        # The text may be a URL with a password in it, so it is not echoed back.
        raise SourceError(f"not a database URL: {exc.__class__.__name__}") from None


def _server_engine(url: URL, connect_timeout: int) -> Engine:
    connect_args: dict[str, Any] = {}
    if url.get_driver_name() in _CONNECT_TIMEOUT_DRIVERS and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = connect_timeout
    # AUTOCOMMIT: CREATE/DROP DATABASE cannot run inside a transaction on PostgreSQL.
    # NullPool: no connection may stay open to the server between create and drop.
    return sa.create_engine(
        url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args=connect_args
    )


def _drop_database(engine: Engine, url: URL, name: str) -> None:
    """Drop ``name``; once more on a fresh connection when the first attempt loses its server.

    A server that went away mid-run (a restart, a failover, an administrator's
    ``pg_terminate_backend``) is often back a moment later, and a scratch database left behind
    stays until someone drops it by hand. When the second attempt fails too, the error names
    the database and the statement that removes it.
    """
    try:
        _drop_once(engine, name)
        return
    except sa.exc.DBAPIError:
        # NullPool: the next connect() is a new connection, never the dead one.
        time.sleep(DROP_RETRY_PAUSE)
    try:
        _drop_once(engine, name)
    except sa.exc.DBAPIError as exc:
        failure = _connection_error(url, exc, f"could not drop scratch database {name}")
    else:
        return
    statement = f"DROP DATABASE {_quote_name(engine, name)}"
    # Raised outside the except block: no driver exception chained (see _connection_error).
    raise DatabaseConnectionError(
        f"{failure}; it is left on the server: drop it by hand with {statement}"
    )


def _drop_once(engine: Engine, name: str) -> None:
    with engine.connect() as conn:
        quoted = _quote(conn, name)
        if conn.dialect.name == "postgresql":
            version = conn.dialect.server_version_info or (0,)
            if version >= (13,):
                # FORCE: a connection the caller leaked (a pooled engine it never disposed)
                # would otherwise make the drop fail with "being accessed by other users".
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
                return
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        else:
            _end_mysql_connections(conn, name)
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")


def _end_mysql_connections(conn: Connection, name: str) -> None:
    """End the connections still using the scratch database, as PostgreSQL's FORCE does.

    A connection the caller leaked inside a transaction holds a metadata lock on the tables it
    read, and MariaDB's DROP DATABASE then waits for it for lock_wait_timeout: a day by default,
    a hung run (found by tests/sources/test_scratch.py). The database is ours, so are they.
    """
    rows = conn.execute(
        sa.text(
            "SELECT id FROM information_schema.processlist"
            " WHERE db = :name AND id <> CONNECTION_ID()"
        ),
        {"name": name},
    ).all()
    for (thread,) in rows:
        try:
            conn.exec_driver_sql(f"KILL CONNECTION {int(thread)}")
        except sa.exc.DBAPIError as exc:
            # 1094: it ended meanwhile. 1095: another user's connection, which we may not end;
            # the lock timeout below still bounds the wait for it.
            if _mysql_error_code(exc) not in (1094, 1095):
                raise
    # A lock held from elsewhere (a query naming the database from another one) fails the
    # drop after this long instead of hanging the run.
    conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {DROP_LOCK_TIMEOUT}")


def _mysql_error_code(exc: sa.exc.DBAPIError) -> int | None:
    args = getattr(exc.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _quote_name(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote_identifier(name)


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _connection_error(url: URL, exc: sa.exc.DBAPIError, what: str) -> DatabaseConnectionError:
    # exc.orig is the driver's own message; SQLAlchemy's wrapper adds the statement and a
    # documentation link, which say nothing about why the server refused.
    driver_message = str(exc.orig if exc.orig is not None else exc).strip()
    # One line: the CLI reports a cause in one line, and libpq splits its hint over several.
    driver_message = " ".join(scrub(driver_message, url).split())
    host = url.host or "localhost"
    where = f"{host}:{url.port}" if url.port else host
    return DatabaseConnectionError(f"{what}: server {where} ({_safe(url)}): {driver_message}")
