"""Real faults, no mocks of the database: a server lost mid-run, many runs at once, a full disk.

"Never silently wrong": each fault ends in a one-line error naming the host (never a password),
exit 2 on the command line, and leaves no scratch database and no half-written snapshot.

A lost server is simulated for real and at a deterministic point: a SQLAlchemy
``before_cursor_execute`` hook, on the N-th statement of a connection to the test's own
database, terminates that database's backends from a second connection (PostgreSQL:
``pg_terminate_backend``; MariaDB: ``KILL``) and waits until they are gone, then lets the
statement go to the dead connection. Only connections on databases this test created are ended:
other people run tests on the same servers.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import schemaspec
from schemaspec import DatabaseConnectionError, SchemaSpec
from schemaspec.pytest_plugin import _require_server
from schemaspec.sources.alembic import AlembicProject
from schemaspec.sources.scratch import SCRATCH_PREFIX, scratch_database

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
INI = EXAMPLES / "unioncore" / "alembic.ini"

SERVERS = [
    pytest.param("postgresql", marks=pytest.mark.postgresql),
    pytest.param("mysql", marks=pytest.mark.mysql),
]

#: What each driver says when its connection was ended under it, first line only.
LOST = {
    "postgresql": "terminating connection due to administrator command",
    "mysql": "(2013, 'Lost connection to MySQL server during query')",
}

#: The first query of a reflection that every reader sends, whole or incremental (the
#: migration review reads only what changed): the views query of sources/objects.py.
READ_STARTS = {
    "postgresql": "pg_catalog.pg_get_viewdef(c.oid)",
    "mysql": "FROM information_schema.views",
}

# Shared with the child processes below (the command line under test), which cannot import
# this module: the hook that ends the connections of one database on its N-th statement.
KILLER = '''
import time
import sqlalchemy as sa
from sqlalchemy.pool import NullPool


def end_connections(server_url, wanted):
    """End every connection on a database ``wanted(name)`` accepts; wait until they are gone."""
    engine = sa.create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            postgresql = conn.dialect.name == "postgresql"
            if postgresql:
                query = "SELECT pid, datname FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
            else:
                query = (
                    "SELECT id, db FROM information_schema.processlist"
                    " WHERE id <> CONNECTION_ID()"
                )
            ids = [row[0] for row in conn.exec_driver_sql(query) if row[1] and wanted(row[1])]
            for ident in ids:
                if postgresql:
                    conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(ident)})")
                else:
                    conn.exec_driver_sql(f"KILL CONNECTION {int(ident)}")
            # The next statement must meet a dead connection, not race its ending.
            deadline = time.monotonic() + 10
            while any(row[0] in ids for row in conn.exec_driver_sql(query)):
                if time.monotonic() > deadline:
                    raise AssertionError(f"connections {ids} did not end")
                time.sleep(0.01)
            return ids
    finally:
        engine.dispose()


class Killer:
    """Count statements on databases ``wanted(name)`` accepts, from the first one that contains
    ``after`` on; on the ``at``-th, end their connections."""

    def __init__(self, server_url, wanted, at, after=None):
        self.server_url, self.wanted, self.at, self.after = server_url, wanted, at, after
        self.statements = []
        self.killed = None

    def hook(self, conn, cursor, statement, parameters, context, executemany):
        database = conn.engine.url.database
        if not database or not self.wanted(database) or self.killed is not None:
            return
        if self.after is not None and not self.statements and self.after not in statement:
            return
        self.statements.append(statement)
        if len(self.statements) == self.at:
            self.killed = statement
            end_connections(self.server_url, self.wanted)

    def __enter__(self):
        sa.event.listen(sa.Engine, "before_cursor_execute", self.hook)
        return self

    def __exit__(self, *exc_info):
        sa.event.remove(sa.Engine, "before_cursor_execute", self.hook)
'''
namespace: dict[str, Any] = {}
exec(KILLER, namespace)
Killer: Callable[..., Any] = namespace["Killer"]

# A command-line run with the killer installed: argv[1] the server, argv[2] the database
# (``scratch`` for any scratch database but the test's own, argv[3]), then the CLI arguments.
RUN_KILLED = (
    KILLER
    + """
import json, sys
from schemaspec.cli.main import main

server_url, target, at, after, own, created = sys.argv[1:7]
if target == "scratch":
    def wanted(name):
        return name.startswith("schemaspec_scratch_") and name != own
else:
    def wanted(name):
        return name == target


def record(conn, cursor, statement, *args):
    # Which scratch databases this run created, to check none is left behind.
    if statement.startswith("CREATE DATABASE"):
        with open(created, "a") as out:
            out.write(statement.split()[2].strip('`"') + "\\n")


sa.event.listen(sa.Engine, "before_cursor_execute", record)
with Killer(server_url, wanted, int(at), after or None):
    code = main(sys.argv[7:])
sys.exit(code)
"""
)


def on(database: str | None) -> Callable[[str], bool]:
    """The databases a Killer ends connections on: this one alone."""
    return lambda name: name == database


def server(request: pytest.FixtureRequest, kind: str) -> str:
    return _require_server(request.config, kind)


def scratch_names(server_url: str) -> set[str]:
    engine = sa.create_engine(server_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                rows = conn.exec_driver_sql("SELECT datname FROM pg_database")
            else:
                rows = conn.exec_driver_sql("SHOW DATABASES")
            return {row[0] for row in rows if row[0].startswith(SCRATCH_PREFIX)}
    finally:
        engine.dispose()


def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(EXAMPLES), *kwargs.pop("path", [])])}
    return subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120, env=env, **kwargs
    )


def run_killed(
    server_url: str,
    target: str,
    at: int,
    cli: list[str],
    created: Path,
    *,
    after: str = "",
    own: str = "",
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-c", RUN_KILLED, server_url, target, str(at), after, own]
    return run([*argv, str(created), *cli])


def created_names(created: Path) -> list[str]:
    return created.read_text().split() if created.exists() else []


def where(url: str) -> str:
    parsed = make_url(url)
    return (
        f"{parsed.get_backend_name()} database '{parsed.database}' at {parsed.host}:{parsed.port}"
    )


@pytest.fixture(params=SERVERS)
def populated(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, str]]:
    """(kind, server URL, URL of a scratch database with a few related tables)."""
    kind: str = request.param
    server_url = server(request, kind)
    with scratch_database(server_url) as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE members (id INTEGER PRIMARY KEY, name VARCHAR(20))")
            conn.exec_driver_sql(
                "CREATE TABLE dues (id INTEGER PRIMARY KEY,"
                " member_id INTEGER NOT NULL REFERENCES members (id), amount INTEGER)"
            )
            conn.exec_driver_sql("CREATE INDEX ix_dues_member ON dues (member_id)")
        engine.dispose()
        yield kind, server_url, url
    assert make_url(url).database not in scratch_names(server_url)


# -- 1. the server goes away mid-reflection ----------------------------------------------------


def test_a_server_lost_at_any_statement_of_reflection_is_one_connection_error(
    populated: tuple[str, str, str],
) -> None:
    kind, server_url, url = populated
    database = make_url(url).database
    reference = schemaspec.from_database(url)
    with Killer(server_url, on(database), 10**9) as counting:
        schemaspec.from_database(url)
    total = len(counting.statements)
    assert total >= 10  # every catalog query below gets its own kill

    expected = f"reading the schema of {where(url)} failed: {LOST[kind]}"
    outcomes: dict[str, list[int]] = {"error": [], "spec": []}
    for at in range(1, total + 1):
        spec: SchemaSpec | None = None
        with Killer(server_url, on(database), at) as killer:
            try:
                spec = schemaspec.from_database(url)
            except DatabaseConnectionError as error:
                assert str(error) == expected, (at, killer.killed)
                assert error.__cause__ is None and error.__context__ is None
        assert killer.killed is not None
        if spec is None:
            outcomes["error"].append(at)
            continue
        # Ended while undoing the session settings (MariaDB's SET SESSION ... READ WRITE):
        # the schema was read whole before, so the spec is right, and the connection is
        # thrown away rather than pooled.
        assert killer.killed == "SET SESSION TRANSACTION READ WRITE", (at, killer.killed)
        assert spec == reference
        outcomes["spec"].append(at)
    assert outcomes["error"] == list(range(1, len(outcomes["error"]) + 1))
    assert len(outcomes["spec"]) == (1 if kind == "mysql" else 0)


def test_the_command_line_says_so_in_one_line_and_exits_2(
    populated: tuple[str, str, str], tmp_path: Path
) -> None:
    kind, server_url, url = populated
    database = make_url(url).database or ""
    if kind == "postgresql":
        # The test server trusts loopback logins, so a password is accepted and ignored: it
        # must still never be printed.
        url = make_url(url).set(password="s3cret-pw").render_as_string(hide_password=False)
    output = tmp_path / "schema.toml"
    completed = run_killed(
        server_url, database, 5, ["snapshot", url, "-o", str(output)], tmp_path / "created"
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    assert completed.stderr == (
        f"schemaspec: error: reading the schema of {where(url)} failed: {LOST[kind]}\n"
    )
    assert "s3cret" not in completed.stderr
    assert not output.exists()
    assert sorted(tmp_path.iterdir()) == []


MODELS = """
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(20)),
    sa.Column("email", sa.String(80)),
)
sa.Table(
    "dues",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
    sa.Column("amount", sa.Integer),
)
"""


@pytest.fixture
def models(tmp_path: Path) -> Path:
    """A directory holding ``fault_models.py``, for PYTHONPATH."""
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "fault_models.py").write_text(MODELS)
    return folder


def test_a_shadow_database_lost_mid_reflection_is_dropped_all_the_same(
    populated: tuple[str, str, str], models: Path, tmp_path: Path
) -> None:
    kind, server_url, url = populated
    own = make_url(url).database or ""
    created = tmp_path / "created"
    # Ended on the 3rd statement of reflection, counted from its first catalog query (the
    # shadow is read on the connection that built it, so no session of its own starts it).
    start = READ_STARTS[kind]
    argv = [sys.executable, "-c", RUN_KILLED, server_url, "scratch", "3", start, own]
    completed = run(
        [*argv, str(created), "diff", "fault_models:metadata", url, "--shadow", server_url],
        path=[str(models)],
    )
    (shadow,) = created_names(created)
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    shadow_url = make_url(server_url).set(database=shadow).render_as_string()
    assert completed.stderr == (
        f"schemaspec: error: reading the schema of {where(shadow_url)} failed: {LOST[kind]}\n"
    )
    assert shadow not in scratch_names(server_url)


# -- 1. the server goes away mid-migrations ----------------------------------------------------


def test_a_server_lost_while_migrations_read_the_schema_is_one_error(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    for kind in ("postgresql", "mysql"):
        server_url = server(request, kind)
        with scratch_database(server_url) as url:
            database = make_url(url).database
            # The 3rd statement of the first reflection of a migrated schema (after the first
            # revision's upgrade), then the same from the command line.
            start = READ_STARTS[kind]
            killer = Killer(server_url, on(database), 3, after=start)
            with killer, pytest.raises(DatabaseConnectionError) as raised:
                schemaspec.check_migrations(INI, url=url)
            assert str(raised.value) == f"reading the schema of {where(url)} failed: {LOST[kind]}"
            completed = run_killed(
                server_url,
                database or "",
                3,
                ["migrations", str(INI), "--url", url],
                tmp_path / "created",
                after=start,
            )
            assert completed.returncode == 2, completed.stderr
            assert completed.stdout == ""
            assert completed.stderr == (
                f"schemaspec: error: reading the schema of {where(url)} failed: {LOST[kind]}\n"
            )
        assert database not in scratch_names(server_url)


def test_a_server_lost_during_a_migration_step_is_an_error_not_a_finding(
    request: pytest.FixtureRequest,
) -> None:
    """A lost connection is no fault of a revision: it must never read as ``upgrade_failed``
    (exit 1, "your migration is broken") nor surface as a raw driver exception."""
    for kind in ("postgresql", "mysql"):
        server_url = server(request, kind)
        with scratch_database(server_url) as url:
            database = make_url(url).database
            with Killer(server_url, on(database), 10**9) as counting:
                reference = schemaspec.check_migrations(INI, url=url)
            total = len(counting.statements)
            wrong: list[tuple[int, str, str]] = []
            for at in range(1, total + 1, 29):
                with Killer(server_url, on(database), at) as killer:
                    try:
                        report = schemaspec.check_migrations(INI, url=url)
                    except DatabaseConnectionError as error:
                        assert where(url) in str(error)
                        assert LOST[kind] in str(error)
                        assert error.__cause__ is None and error.__context__ is None
                    except Exception as error:
                        wrong.append((at, killer.killed[:40], f"{type(error).__name__}"))
                    else:
                        # Only a kill while the database is emptied at the very end, after
                        # every measurement, lets a run finish: the emptying is tried again
                        # on a fresh connection, and the report is the one without a kill.
                        if report != reference:
                            wrong.append((at, killer.killed[:40], f"report: {report.findings}"))
                # Emptied afterwards whatever the kill interrupted, also the emptying itself.
                left = _leftovers(url)
                if left:
                    wrong.append((at, killer.killed[:40], f"left behind: {left}"))
                _empty_again(url)
            assert wrong == [], kind


def _leftovers(url: str, *, enums: bool = True) -> list[str]:
    """The tables and (PostgreSQL) enum types in the database at ``url``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            found = sa.inspect(conn).get_table_names()
            if enums and conn.dialect.name == "postgresql":
                found += [enum["name"] for enum in sa.inspect(conn).get_enums()]
            return sorted(found)
    finally:
        engine.dispose()


def _empty_again(url: str) -> None:
    """Start over even after a run that left something behind (a failure reported above)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            else:
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
                for name in sa.inspect(conn).get_table_names():
                    conn.exec_driver_sql(f"DROP TABLE `{name}`")
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", SERVERS)
def test_a_server_lost_mid_upgrade_names_the_database_and_exits_2(
    request: pytest.FixtureRequest, kind: str, tmp_path: Path
) -> None:
    server_url = server(request, kind)
    first = AlembicProject.open(INI).ordered()[0].revision
    with scratch_database(server_url) as url:
        database = make_url(url).database or ""
        # The first CREATE TABLE is Alembic's alembic_version, in the first revision's upgrade.
        expected = (
            f"{INI}: lost the connection to {where(url)} while running the upgrade of revision"
            f" {first}: {LOST[kind]}"
        )
        with (
            Killer(server_url, on(database), 1, after="CREATE TABLE") as killer,
            pytest.raises(DatabaseConnectionError) as raised,
        ):
            schemaspec.check_migrations(INI, url=url)
        assert "alembic_version" in killer.killed
        assert str(raised.value) == expected
        # No driver exception chained: it would print the SQL.
        assert raised.value.__cause__ is None and raised.value.__context__ is None
        assert _leftovers(url) == []

        completed = run_killed(
            server_url,
            database,
            1,
            ["migrations", str(INI), "--url", url],
            tmp_path / "created",
            after="CREATE TABLE",
        )
        assert completed.returncode == 2, completed.stderr
        assert completed.stdout == ""
        assert completed.stderr == f"schemaspec: error: {expected}\n"
        assert _leftovers(url) == []


@pytest.mark.parametrize("kind", SERVERS)
def test_a_server_lost_while_the_database_is_emptied_empties_it_again(
    request: pytest.FixtureRequest, kind: str
) -> None:
    server_url = server(request, kind)
    with scratch_database(server_url) as url:
        database = make_url(url).database
        reference = schemaspec.from_alembic(INI, url=url)
        with Killer(server_url, on(database), 1, after="DROP TABLE") as killer:
            spec = schemaspec.from_alembic(INI, url=url)
        assert killer.killed is not None and killer.killed.startswith("DROP TABLE")
        # Everything was measured before the kill: the spec stands, and a fresh connection
        # emptied the database all the same.
        assert spec == reference
        assert _leftovers(url) == []


@pytest.mark.parametrize("kind", SERVERS)
def test_emptying_that_fails_twice_keeps_the_error_and_names_the_tables_left(
    request: pytest.FixtureRequest, kind: str
) -> None:
    server_url = server(request, kind)
    with scratch_database(server_url) as url:
        database = make_url(url).database
        tables = sorted([*schemaspec.from_alembic(INI, url=url).tables, "alembic_version"])
        # Three kills: the reading of the migrated schema, the first DROP TABLE of emptying,
        # then the first statement of the second try (on a fresh connection).
        with (
            Killer(server_url, on(database), 1, after=READ_STARTS[kind]),
            Killer(server_url, on(database), 1, after="DROP TABLE"),
            Killer(server_url, on(database), 2, after="DROP TABLE") as last,
            pytest.raises(DatabaseConnectionError) as raised,
        ):
            schemaspec.from_alembic(INI, url=url)
        assert last.killed is not None and not last.killed.startswith("DROP")
        left = f"{INI}: lost the connection to {where(url)} while emptying it: {LOST[kind]}"
        assert str(raised.value) == (
            f"reading the schema of {where(url)} failed: {LOST[kind]}; and {left};"
            f" tables left behind in it (drop them by hand): {', '.join(tables)}"
        )
        assert raised.value.__notes__ == [
            f"{left}; tables left behind in it (drop them by hand): {', '.join(tables)}"
        ]
        # The tables named are the ones there.
        assert _leftovers(url, enums=False) == tables


# -- 2. many runs at once against one server ---------------------------------------------------


@pytest.mark.parametrize("kind", SERVERS)
def test_twenty_runs_at_once_each_get_their_own_right_answer(
    request: pytest.FixtureRequest, kind: str, models: Path, tmp_path: Path
) -> None:
    server_url = server(request, kind)
    with scratch_database(server_url) as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            # The models' tables, but members has no email column: diff must say exactly that.
            conn.exec_driver_sql("CREATE TABLE members (id INTEGER PRIMARY KEY, name VARCHAR(20))")
        engine.dispose()
        commands = {
            "diff": ["diff", "fault_models:metadata", url, "--shadow", server_url],
            "snapshot": ["snapshot", "fault_models:metadata", "--shadow", server_url],
        }
        created = tmp_path / "created"
        env_runs = [
            [sys.executable, "-c", RUN_KILLED, server_url, "-", "0", "", "", str(created), *cli]
            for cli in commands.values()
        ]
        reference = [run(argv, path=[str(models)]) for argv in env_runs]
        assert [r.returncode for r in reference] == [1, 0], [r.stderr for r in reference]
        assert "members.email" in reference[0].stdout and "dues" in reference[0].stdout
        assert "[tables.members.columns.email]" in reference[1].stdout

        started = time.monotonic()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(EXAMPLES), str(models)])}
        processes = [
            subprocess.Popen(
                env_runs[number % 2],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for number in range(20)
        ]
        answers = [(p.wait(timeout=120), *p.communicate()) for p in processes]
        elapsed = time.monotonic() - started
        for number, answer in enumerate(answers):
            expected = reference[number % 2]
            assert answer == (expected.returncode, expected.stdout, expected.stderr), number
        names = created_names(created)
        # Two reference runs and twenty at once, each with a scratch database of its own.
        assert len(names) == len(set(names)) == 22
        assert sorted(set(names) & scratch_names(server_url)) == []
        assert elapsed < 60, elapsed


# -- 3. the disk fills while a snapshot is written ---------------------------------------------


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # Ignored, SIGXFSZ would kill the process; ignored, write() fails with EFBIG instead,
        # which is what a full disk looks like to dump() (a real error from the kernel).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_on_the_command_line_keeps_the_old_snapshot(tmp_path: Path) -> None:
    source = tmp_path / "source" / "big.toml"
    source.parent.mkdir()
    big = SchemaSpec(
        dialect="sqlite",
        tables={
            f"table_{n:04d}": schemaspec.TableSpec(
                columns={f"column_{c}": schemaspec.ColumnSpec(type="text") for c in range(10)}
            )
            for n in range(100)
        },
    )
    schemaspec.dump(big, source)
    target = tmp_path / "out" / "schema.toml"
    target.parent.mkdir()
    old = SchemaSpec(
        dialect="sqlite",
        tables={
            "members": schemaspec.TableSpec(columns={"id": schemaspec.ColumnSpec(type="integer")})
        },
    )
    schemaspec.dump(old, target)
    before = target.read_bytes()
    assert len(before) < 4096 < source.stat().st_size

    completed = subprocess.run(
        [sys.executable, "-m", "schemaspec", "snapshot", str(source), "-o", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=_file_size_limit(4096),
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == f"schemaspec: error: {target}: cannot be written: File too large\n"
    assert target.read_bytes() == before
    assert sorted(path.name for path in target.parent.iterdir()) == ["schema.toml"]
