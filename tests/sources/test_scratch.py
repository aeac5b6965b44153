"""Scratch databases and their pytest fixtures, against the real servers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from schemaspec.errors import DatabaseConnectionError, SchemaspecError, SourceError
from schemaspec.sources.scratch import (
    SCRATCH_PREFIX,
    check_server,
    scratch_database,
    scratch_sqlite,
    server_url_from_env,
)

pytest_plugins = ["pytester"]


class Boom(Exception):
    pass


def table_names(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def database_exists(server_url: str, name: str) -> bool:
    engine = sa.create_engine(server_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                query = "SELECT datname FROM pg_database WHERE datname = :name"
            else:
                query = (
                    "SELECT schema_name FROM information_schema.schemata WHERE schema_name = :name"
                )
            return conn.execute(sa.text(query), {"name": name}).first() is not None
    finally:
        engine.dispose()


def server(kind: str) -> str:
    url = server_url_from_env(kind)
    try:
        check_server(url)
    except DatabaseConnectionError as exc:
        pytest.skip(str(exc))
    return url


SERVERS = [
    pytest.param("postgresql", marks=pytest.mark.postgresql),
    pytest.param("mysql", marks=pytest.mark.mysql),
]


# -- server_url_from_env ---------------------------------------------------------------------


def test_server_url_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHEMASPEC_TEST_POSTGRESQL_URL", raising=False)
    monkeypatch.delenv("SCHEMASPEC_TEST_MYSQL_URL", raising=False)
    assert server_url_from_env("postgresql") == (
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    assert server_url_from_env("mysql") == "mysql+pymysql://root@127.0.0.1:3306/test"


def test_server_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMASPEC_TEST_POSTGRESQL_URL", "postgresql+psycopg://u@db:6543/x")
    monkeypatch.setenv("SCHEMASPEC_TEST_MYSQL_URL", "mysql+pymysql://u@db:3307/y")
    assert server_url_from_env("postgresql") == "postgresql+psycopg://u@db:6543/x"
    assert server_url_from_env("mysql") == "mysql+pymysql://u@db:3307/y"


def test_server_url_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown server kind 'oracle'"):
        server_url_from_env("oracle")


# -- scratch_sqlite ------------------------------------------------------------------------


def test_scratch_sqlite_is_empty_and_removed() -> None:
    with scratch_sqlite() as url:
        path = Path(make_url(url).database or "")
        assert make_url(url).get_backend_name() == "sqlite"
        assert path.name.startswith(SCRATCH_PREFIX)
        assert table_names(url) == []
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        engine.dispose()
        assert table_names(url) == ["t"]
        assert path.exists()
    assert not path.exists()
    assert not path.parent.exists()


def test_scratch_sqlite_removed_when_body_raises() -> None:
    with pytest.raises(Boom), scratch_sqlite() as url:
        path = Path(make_url(url).database or "")
        table_names(url)
        assert path.exists()
        raise Boom
    assert not path.parent.exists()


def test_scratch_database_on_sqlite_url_is_a_scratch_file() -> None:
    with scratch_database("sqlite:///ignored.db") as url:
        path = Path(make_url(url).database or "")
        assert path.name.startswith(SCRATCH_PREFIX)
        assert table_names(url) == []
    assert not path.parent.exists()
    assert not Path("ignored.db").exists()


# -- scratch_database on servers -----------------------------------------------------------


@pytest.mark.parametrize("kind", SERVERS)
def test_scratch_database_is_empty_then_dropped(kind: str) -> None:
    server_url = server(kind)
    with scratch_database(server_url) as url:
        scratch, original = make_url(url), make_url(server_url)
        name = scratch.database or ""
        assert name.startswith(SCRATCH_PREFIX)
        assert len(name) == len(SCRATCH_PREFIX) + 16
        # Same server, driver and credentials; only the database differs.
        assert scratch.set(database=original.database) == original
        assert database_exists(server_url, name)
        assert table_names(url) == []
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        engine.dispose()
        assert table_names(url) == ["t"]
    assert not database_exists(server_url, name)


@pytest.mark.parametrize("kind", SERVERS)
def test_scratch_database_dropped_when_body_raises(kind: str) -> None:
    server_url = server(kind)
    with pytest.raises(Boom), scratch_database(server_url) as url:
        name = make_url(url).database or ""
        assert database_exists(server_url, name)
        raise Boom
    assert not database_exists(server_url, name)


@pytest.mark.postgresql
def test_scratch_postgresql_dropped_despite_open_connection() -> None:
    server_url = server("postgresql")
    with scratch_database(server_url) as url:
        name = make_url(url).database or ""
        # A connection the body never closed: DROP ... WITH (FORCE) must still drop the database.
        leaked = sa.create_engine(url).connect()
        leaked.exec_driver_sql("SELECT 1")
    assert not database_exists(server_url, name)
    leaked.invalidate()


@pytest.mark.parametrize("kind", SERVERS)
def test_scratch_databases_are_distinct(kind: str) -> None:
    server_url = server(kind)
    with scratch_database(server_url) as first, scratch_database(server_url) as second:
        assert make_url(first).database != make_url(second).database


# -- unreachable servers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/postgres",
        "mysql+pymysql://root:s3cret@127.0.0.1:1/test",
    ],
)
def test_unreachable_server_names_host_not_password(url: str) -> None:
    with pytest.raises(DatabaseConnectionError) as caught, scratch_database(url):
        pytest.fail("the body must not run")
    message = str(caught.value)
    assert "127.0.0.1:1" in message
    assert "s3cret" not in message
    assert "***" in message  # the URL is shown, password masked
    assert isinstance(caught.value, SchemaspecError)
    # No chained driver exception that a traceback would print unscrubbed.
    assert caught.value.__suppress_context__


def test_check_server_unreachable() -> None:
    with pytest.raises(DatabaseConnectionError, match=r"127\.0\.0\.1:1") as caught:
        check_server("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/postgres")
    assert "s3cret" not in str(caught.value)


@pytest.mark.postgresql
def test_refused_login_scrubs_password_from_driver_message() -> None:
    server("postgresql")
    url = make_url(server_url_from_env("postgresql")).set(
        username="schemaspec_no_such_role_s3cret", password="s3cret"
    )
    with pytest.raises(DatabaseConnectionError) as caught:
        check_server(url)
    message = str(caught.value)
    # The driver quotes the role name, which here contains the password: the driver's text is
    # masked (the URL part shows the user name, which is not a secret, and masks the password).
    assert 'role "schemaspec_no_such_role_***" does not exist' in message
    assert ":***@127.0.0.1" in message


def test_unsupported_backend() -> None:
    unsupported = "oracle://scott:tiger@127.0.0.1/orcl"
    with (
        pytest.raises(SourceError, match="cannot create a scratch database on 'oracle'"),
        scratch_database(unsupported),
    ):
        pytest.fail("the body must not run")


# -- the pytest fixtures -------------------------------------------------------------------


def test_sqlite_fixture(schemaspec_sqlite_url: str) -> None:
    assert make_url(schemaspec_sqlite_url).get_backend_name() == "sqlite"
    assert table_names(schemaspec_sqlite_url) == []


@pytest.mark.postgresql
def test_postgresql_fixture(schemaspec_postgresql_url: str) -> None:
    url = make_url(schemaspec_postgresql_url)
    assert url.get_backend_name() == "postgresql"
    assert (url.database or "").startswith(SCRATCH_PREFIX)
    assert table_names(schemaspec_postgresql_url) == []


@pytest.mark.mysql
def test_mysql_fixture(schemaspec_mysql_url: str) -> None:
    url = make_url(schemaspec_mysql_url)
    assert url.get_backend_name() == "mysql"
    assert (url.database or "").startswith(SCRATCH_PREFIX)
    assert table_names(schemaspec_mysql_url) == []


def test_database_url_fixture(schemaspec_database_url: str, request: pytest.FixtureRequest) -> None:
    kind = request.node.callspec.params["schemaspec_database_url"]
    assert make_url(schemaspec_database_url).get_backend_name() == kind
    assert table_names(schemaspec_database_url) == []


@pytest.mark.postgresql
@pytest.mark.mysql
def test_fixtures_give_distinct_databases(pytester: pytest.Pytester) -> None:
    server("postgresql")
    server("mysql")
    pytester.makepyfile(
        """
        SEEN = []

        def test_a(schemaspec_database_url):
            SEEN.append(schemaspec_database_url)

        def test_b(schemaspec_database_url):
            SEEN.append(schemaspec_database_url)

        def test_all_distinct():
            assert len(SEEN) == 6
            assert len(set(SEEN)) == 6
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(
        ["*test_a?sqlite? PASSED*", "*test_a?postgresql? PASSED*", "*test_a?mysql? PASSED*"]
    )


def test_unreachable_server_skips_with_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(
        "SCHEMASPEC_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/x"
    )
    pytester.makepyfile(
        """
        def test_one(schemaspec_postgresql_url):
            pass

        def test_two(schemaspec_postgresql_url):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["*postgresql server unavailable*127.0.0.1:1*"])
    assert "s3cret" not in result.stdout.str()


def test_unreachable_server_fails_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    pytester.makepyfile(
        """
        def test_one(schemaspec_mysql_url):
            pass
        """
    )
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--schemaspec-mysql-url",
        "mysql+pymysql://root:s3cret@127.0.0.1:1/t",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mysql server unavailable*127.0.0.1:1*"])
    assert "s3cret" not in result.stdout.str()


def test_reachability_checked_once_per_session(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest(
        """
        import schemaspec.sources.scratch, schemaspec.pytest_plugin as plugin

        CALLS = []
        real = plugin.check_server

        def counting(url, **kwargs):
            CALLS.append(url)
            return real(url, **kwargs)

        plugin.check_server = counting

        def pytest_sessionfinish(session):
            print(f"\\ncheck_server calls: {len(CALLS)}")
        """
    )
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_down(n, schemaspec_postgresql_url):
            pass
        """
    )
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "-s",
        "--schemaspec-postgresql-url",
        "postgresql+psycopg://postgres@127.0.0.1:1/x",
    )
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines(["check_server calls: 1"])


# -- a server lost while the scratch database is dropped -----------------------------------


def backend_id(conn: sa.Connection) -> int:
    """The server's id for this connection: what pg_terminate_backend and KILL take."""
    dbapi = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        return int(dbapi.info.backend_pid)  # type: ignore[union-attr]
    return int(dbapi.thread_id())  # type: ignore[union-attr]


def end_connection(server_url: str, ident: int) -> None:
    """End one connection of this test from a second one (a real fault, as a server restart or
    an administrator gives), and wait until the server has let it go."""
    engine = sa.create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_terminate_backend(:id)"), {"id": ident})
                alive = "SELECT 1 FROM pg_stat_activity WHERE pid = :id"
            else:
                conn.exec_driver_sql(f"KILL CONNECTION {ident}")
                alive = "SELECT 1 FROM information_schema.processlist WHERE id = :id"
            deadline = time.monotonic() + 10
            while conn.execute(sa.text(alive), {"id": ident}).first() is not None:
                assert time.monotonic() < deadline, f"connection {ident} did not end"
                time.sleep(0.01)
    finally:
        engine.dispose()


@contextmanager
def drops_lose_their_connection(server_url: str, times: int) -> Iterator[list[str]]:
    """The first ``times`` DROP DATABASE statements meet a connection the server has ended."""
    ended: list[str] = []

    def hook(conn: sa.Connection, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("DROP DATABASE") and len(ended) < times:
            ended.append(statement)
            end_connection(server_url, backend_id(conn))

    sa.event.listen(sa.Engine, "before_cursor_execute", hook)
    try:
        yield ended
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", hook)


LOST = {
    "postgresql": "terminating connection due to administrator command",
    "mysql": "(2013, 'Lost connection to MySQL server during query')",
}


def left_behind(server_url: str, name: str) -> str:
    """The exact error for a scratch database that two drops could not remove."""
    url = make_url(server_url)
    quote = "`" if url.get_backend_name() == "mysql" else '"'
    return (
        f"could not drop scratch database {name}: server {url.host}:{url.port}"
        f" ({url.render_as_string(hide_password=True)}): {LOST[url.get_backend_name()]};"
        f" it is left on the server: drop it by hand with DROP DATABASE {quote}{name}{quote}"
    )


def drop_by_hand(server_url: str, name: str) -> None:
    if not name:
        return  # the test failed before it had a database
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(name)
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted}")
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", SERVERS)
def test_a_drop_that_loses_its_connection_is_tried_once_more(kind: str) -> None:
    server_url = server(kind)
    with drops_lose_their_connection(server_url, 1) as ended:
        with scratch_database(server_url) as url:
            name = make_url(url).database or ""
        # The first drop met a dead connection; the second, on a new one, dropped it.
        assert len(ended) == 1
    assert not database_exists(server_url, name)


@pytest.mark.parametrize("kind", SERVERS)
def test_a_drop_that_fails_twice_names_the_database_to_drop_by_hand(kind: str) -> None:
    server_url = server(kind)
    name = ""
    try:
        with drops_lose_their_connection(server_url, 2) as ended:
            with (
                pytest.raises(DatabaseConnectionError) as raised,
                scratch_database(server_url) as url,
            ):
                name = make_url(url).database or ""
            assert len(ended) == 2
        assert str(raised.value) == left_behind(server_url, name)
        assert raised.value.__cause__ is None and raised.value.__context__ is None
        assert database_exists(server_url, name)
    finally:
        drop_by_hand(server_url, name)


@pytest.mark.parametrize("kind", SERVERS)
def test_a_failed_body_and_a_failed_drop_both_reach_the_one_line_message(kind: str) -> None:
    server_url = server(kind)
    name = second = ""
    try:
        with drops_lose_their_connection(server_url, 4):
            # A SchemaspecError is what the command line prints, one line and no notes: the
            # database left behind is named in that line.
            with (
                pytest.raises(DatabaseConnectionError) as raised,
                scratch_database(server_url) as url,
            ):
                name = make_url(url).database or ""
                raise DatabaseConnectionError("reading the schema failed: server gone")
            assert str(raised.value) == (
                f"reading the schema failed: server gone; and {left_behind(server_url, name)}"
            )
            # Any other exception is the caller's own: unchanged, the drop failure a note.
            with pytest.raises(Boom) as other, scratch_database(server_url) as url:
                second = make_url(url).database or ""
                raise Boom("body")
        assert str(other.value) == "body"
        assert other.value.__notes__ == [left_behind(server_url, second)]
    finally:
        drop_by_hand(server_url, name)
        drop_by_hand(server_url, second)


@pytest.mark.mysql
def test_a_leaked_mysql_connection_holding_a_lock_does_not_hang_the_drop() -> None:
    server_url = server("mysql")
    started = time.monotonic()
    with scratch_database(server_url) as url:
        name = make_url(url).database or ""
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        # Inside a transaction: a metadata lock on t that MariaDB's DROP DATABASE waits for
        # (a day by default), as PostgreSQL's would without WITH (FORCE).
        leaked = engine.connect()
        leaked.exec_driver_sql("SELECT * FROM t").all()
    assert time.monotonic() - started < 10
    assert not database_exists(server_url, name)
    leaked.invalidate()
    engine.dispose()
