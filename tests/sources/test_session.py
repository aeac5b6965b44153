"""The reflection session: read-only, one consistent snapshot, bounded in time (session.py).

Run against every database (``schemaspec_database_url``): a write inside the reflection
connection is refused by the database itself, reflection leaves the database unchanged, a
schema change committed mid-reflection does not leak into the spec on PostgreSQL, and a server
that accepts connections but never answers fails within the connect timeout.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from schemaspec import DatabaseConnectionError, from_database
from schemaspec.cli import main
from schemaspec.sources.database import _connection

WRITES = [
    "CREATE TABLE intruder (id INTEGER)",
    "INSERT INTO members (id, name) VALUES (2, 'b')",
    "DROP TABLE members",
]

REFUSALS = {
    "sqlite": "attempt to write a readonly database",
    "postgresql": "in a read-only transaction",
    "mysql": "Cannot execute statement in a READ ONLY transaction",
}


@pytest.fixture
def populated(schemaspec_database_url: str) -> Iterator[tuple[str, sa.Engine]]:
    engine = sa.create_engine(schemaspec_database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL)"
        )
        connection.exec_driver_sql("INSERT INTO members (id, name) VALUES (1, 'a')")
    yield schemaspec_database_url, engine
    engine.dispose()


def state(engine: sa.Engine) -> tuple[Any, ...]:
    """What a write would change: the tables and the rows."""
    with engine.connect() as connection:
        tables = sorted(sa.inspect(connection).get_table_names())
        rows = connection.exec_driver_sql("SELECT id, name FROM members ORDER BY id").all()
    return tuple(tables), tuple(map(tuple, rows))


@pytest.mark.parametrize("statement", WRITES)
def test_a_write_inside_the_reflection_session_is_refused(
    populated: tuple[str, sa.Engine], statement: str
) -> None:
    url, engine = populated
    before = state(engine)
    with pytest.raises(sa.exc.DBAPIError) as raised, _connection(url) as connection:
        connection.exec_driver_sql(statement)
    assert REFUSALS[engine.dialect.name] in str(raised.value.orig)
    assert state(engine) == before


def test_reflection_writes_nothing_and_leaves_a_pooled_connection_writable(
    populated: tuple[str, sa.Engine],
) -> None:
    _, engine = populated
    before = state(engine)
    spec = from_database(engine)
    assert sorted(spec.tables) == ["members"]
    assert state(engine) == before
    # The user's engine gets its connection back as it lent it: read-write.
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO members (id, name) VALUES (3, 'c')")
    assert state(engine)[1] == ((1, "a"), (3, "c"))


def test_an_autocommit_engine_is_read_only_too_and_gets_autocommit_back(
    populated: tuple[str, sa.Engine],
) -> None:
    url, engine = populated
    autocommit = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    # Without a transaction PostgreSQL ignores SET TRANSACTION READ ONLY (it only warns).
    with pytest.raises(sa.exc.DBAPIError) as raised, _connection(autocommit) as connection:
        connection.exec_driver_sql(WRITES[0])
    assert REFUSALS[engine.dialect.name] in str(raised.value.orig)
    # Autocommit is back on the pooled connection: a write without commit() stays.
    with autocommit.connect() as connection:
        connection.exec_driver_sql("INSERT INTO members (id, name) VALUES (4, 'd')")
    assert state(engine)[1] == ((1, "a"), (4, "d"))
    autocommit.dispose()


def test_a_schema_change_during_reflection_is_not_seen_on_postgresql(
    schemaspec_postgresql_url: str,
) -> None:
    engine = sa.create_engine(schemaspec_postgresql_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE members (id INTEGER PRIMARY KEY)")
    other = sa.create_engine(schemaspec_postgresql_url)
    altered: list[str] = []

    # Right after reflection's first catalog query, another session adds a column and a table
    # and commits. A spec read statement by statement would show the new column (or the new
    # table without it); one snapshot shows the schema as it was when reflection began.
    @sa.event.listens_for(engine, "after_cursor_execute")
    def alter_once(*args: object) -> None:
        statement = str(args[2])
        if not altered and "pg_catalog" in statement:
            altered.append(statement)
            with other.begin() as connection:
                connection.exec_driver_sql("ALTER TABLE members ADD COLUMN added INTEGER")
                connection.exec_driver_sql("CREATE TABLE added (id INTEGER)")

    spec = from_database(engine)
    assert altered
    assert sorted(spec.tables) == ["members"]
    assert sorted(spec.tables["members"].columns) == ["id"]
    sa.event.remove(engine, "after_cursor_execute", alter_once)
    after = from_database(engine)
    assert sorted(after.tables) == ["added", "members"]
    assert sorted(after.tables["members"].columns) == ["added", "id"]
    engine.dispose()
    other.dispose()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never sends a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.parametrize(
    ("driver", "waited"),
    [
        ("postgresql+psycopg", "connection timeout expired"),
        ("mysql+pymysql", "(2013, 'Lost connection to MySQL server during query (timed out)')"),
    ],
    ids=["postgresql", "mysql"],
)
def test_a_hung_server_fails_within_the_connect_timeout(
    silent_server: int, driver: str, waited: str
) -> None:
    url = f"{driver}://app:hunter2@127.0.0.1:{silent_server}/app"
    started = time.monotonic()
    with pytest.raises(DatabaseConnectionError) as raised:
        from_database(url, connect_timeout=2)
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 6, elapsed
    message = str(raised.value)
    backend = driver.split("+")[0]
    assert message == (
        f"cannot connect to {backend} database 'app' at 127.0.0.1:{silent_server}: {waited}"
    )
    assert "hunter2" not in message


def test_cli_connect_timeout_flag(silent_server: int, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"mysql+pymysql://app:hunter2@127.0.0.1:{silent_server}/app"
    started = time.monotonic()
    assert main(["snapshot", url, "--connect-timeout", "1"]) == 2
    assert time.monotonic() - started < 4
    err = capsys.readouterr().err
    assert err.startswith(
        f"schemaspec: error: cannot connect to mysql database 'app' at 127.0.0.1:{silent_server}: "
    )
    assert err.count("\n") == 1
    assert "hunter2" not in err


@pytest.mark.parametrize(
    ("fixture", "sleep", "timed_out"),
    [
        (
            "schemaspec_postgresql_url",
            "SELECT pg_sleep(5)",
            "canceling statement due to statement timeout",
        ),
        ("schemaspec_mysql_url", "SELECT SLEEP(5)", "Lost connection to MySQL server during query"),
    ],
    ids=["postgresql", "mysql"],
)
def test_a_statement_over_the_statement_timeout_is_stopped(
    request: pytest.FixtureRequest, fixture: str, sleep: str, timed_out: str
) -> None:
    url = request.getfixturevalue(fixture)
    started = time.monotonic()
    with pytest.raises(sa.exc.DBAPIError) as raised, _connection(url, 5, 1) as connection:
        connection.exec_driver_sql(sleep)
    assert time.monotonic() - started < 4
    assert timed_out in str(raised.value.orig)


def test_a_timeout_during_reflection_is_a_connection_error(
    schemaspec_postgresql_url: str,
) -> None:
    engine = sa.create_engine(schemaspec_postgresql_url)

    # A catalog query that takes too long, as on a server under a lock storm.
    @sa.event.listens_for(engine, "before_cursor_execute", retval=True)
    def slow(conn: Any, cursor: Any, statement: str, *rest: Any) -> tuple[str, Any]:
        if "pg_catalog.pg_class" in statement and "pg_sleep" not in statement:
            cursor.execute("SELECT pg_sleep(3)")
        return statement, rest[0]

    database = sa.engine.make_url(schemaspec_postgresql_url).database
    with pytest.raises(DatabaseConnectionError) as raised:
        from_database(engine, statement_timeout=0.5)
    assert str(raised.value) == (
        f"reading the schema of postgresql database {database!r} at 127.0.0.1:5432 failed: "
        "canceling statement due to statement timeout"
    )
    assert raised.value.__context__ is None
    assert raised.value.__cause__ is None
    engine.dispose()


def test_a_schema_change_during_reflection_is_reread_on_mariadb(
    schemaspec_mysql_url: str,
) -> None:
    engine = sa.create_engine(schemaspec_mysql_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("CREATE TABLE b (id INTEGER PRIMARY KEY)")
    other = sa.create_engine(schemaspec_mysql_url)
    altered: list[str] = []

    # MariaDB's catalog has no snapshot: SQLAlchemy reads table a, then another session alters
    # both tables, then SQLAlchemy reads table b. Without a second look that is a spec with the
    # old a and the new b; the catalog fingerprint differs, so reflection runs again.
    @sa.event.listens_for(engine, "after_cursor_execute")
    def alter_once(*args: object) -> None:
        statement = str(args[2])
        if not altered and statement.startswith("SHOW CREATE TABLE `a`"):
            altered.append(statement)
            with other.begin() as connection:
                connection.exec_driver_sql("ALTER TABLE a ADD COLUMN added INTEGER")
                connection.exec_driver_sql("ALTER TABLE b ADD COLUMN added INTEGER")

    spec = from_database(engine)
    assert altered
    assert {name: sorted(table.columns) for name, table in spec.tables.items()} == {
        "a": ["added", "id"],
        "b": ["added", "id"],
    }
    engine.dispose()
    other.dispose()


def test_a_schema_that_never_settles_is_an_error_on_mariadb(schemaspec_mysql_url: str) -> None:
    engine = sa.create_engine(schemaspec_mysql_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY)")
    other = sa.create_engine(schemaspec_mysql_url)
    added = iter(range(100))

    @sa.event.listens_for(engine, "after_cursor_execute")
    def alter_always(*args: object) -> None:
        if str(args[2]).startswith("SHOW CREATE TABLE `a`"):
            with other.begin() as connection:
                connection.exec_driver_sql(f"ALTER TABLE a ADD COLUMN c{next(added)} INTEGER")

    with pytest.raises(DatabaseConnectionError) as raised:
        from_database(engine)
    assert str(raised.value) == (
        "the schema changed during each of 3 reflections (a migration running?); "
        "try again when it is done"
    )
    engine.dispose()
    other.dispose()
