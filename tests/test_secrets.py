"""No password in any output, log line, exception (chained causes included), report or snapshot.

Checked with a password-bearing URL against an unreachable port, and against real PostgreSQL and
MariaDB servers with a dedicated user that has a password, both with the wrong password and with
the right one.

The shared PostgreSQL test server trusts every login from 127.0.0.1 (its pg_hba.conf says
``trust``), so a wrong password would simply be accepted there. The PostgreSQL cases therefore
first check whether the shared server refuses a wrong password; when it does not, they start a
private cluster of the same PostgreSQL binaries with ``scram-sha-256`` authentication on a
loopback port for the module, and stop it afterwards.
"""

from __future__ import annotations

import glob
import logging
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote, quote_plus

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from schemaspec import DatabaseConnectionError, from_database
from schemaspec.cli import main
from schemaspec.sources.scratch import server_url_from_env

#: Distinctive, and with characters URLs must escape: every spelling is searched for.
PASSWORD = "p@ss/w0rd:S3cr3t"
WRONG = "wr0ng@S3cr3t"
SPELLINGS = {
    spelling
    for password in (PASSWORD, WRONG)
    for spelling in (password, quote(password, safe=""), quote_plus(password), "S3cr3t")
}
USER = "schemaspec_secret_user"


def leaks(text: str) -> list[str]:
    return sorted(spelling for spelling in SPELLINGS if spelling in text)


def chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything chained to it, as ``raise ... from`` and implicit context do."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException):
            todo.append(orig)


def assert_no_secret_in_error(error: BaseException) -> None:
    for link in chain(error):
        assert leaks(str(link)) == [], link
        assert leaks(repr(link.args)) == [], link
    printed = "".join(traceback.format_exception(error))
    assert leaks(printed) == []


def with_password(url: str, user: str, password: str, database: str | None = None) -> str:
    parsed = make_url(url).set(username=user, password=password)
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


# --- servers that check passwords -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _refuses_wrong_password(admin_url: str) -> bool:
    engine = sa.create_engine(admin_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {USER}")
            connection.exec_driver_sql(f"CREATE ROLE {USER} LOGIN PASSWORD 'probe-password'")
        probe = sa.create_engine(with_password(admin_url, USER, "not-the-password"))
        try:
            with probe.connect():
                return False
        except sa.exc.OperationalError:
            return True
        finally:
            probe.dispose()
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {USER}")
        engine.dispose()


def unavailable(reason: str) -> NoReturn:
    # Like the scratch database fixtures: skipped on a developer's machine, a failure in CI.
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def checking_postgresql() -> Iterator[str]:
    """An admin URL of a PostgreSQL server that checks passwords on 127.0.0.1."""
    shared = server_url_from_env("postgresql")
    try:
        if _refuses_wrong_password(shared):
            yield shared
            return
    except sa.exc.OperationalError as error:
        unavailable(f"PostgreSQL test server unavailable: {error.orig}")
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        unavailable("the PostgreSQL server trusts 127.0.0.1 and no initdb is installed")
    bindir = Path(binaries[-1]).parent
    directory = Path(tempfile.mkdtemp(prefix="schemaspec_pg_"))
    admin_password = secrets.token_hex(8)
    (directory / "pw").write_text(admin_password)
    # initdb refuses to run as root; the server's own account runs the private cluster.
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
        shutil.chown(directory / "pw", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = directory / "data"
    run = {"check": True, "capture_output": True, "timeout": 60}
    subprocess.run(
        [
            *as_owner,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "--auth=scram-sha-256",
            "-U",
            "postgres",
            f"--pwfile={directory / 'pw'}",
        ],
        **run,  # type: ignore[call-overload]
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1"
    subprocess.run(
        [
            *as_owner,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(directory / "server.log"),  # the server must not hold our output pipe open
            "-w",
            "start",
        ],
        **run,  # type: ignore[call-overload]
    )
    try:
        yield f"postgresql+psycopg://postgres:{admin_password}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def postgresql_user(checking_postgresql: str) -> Iterator[tuple[str, str]]:
    """(right URL, wrong-password URL) of a fresh database owned by a user with a password."""
    admin = sa.create_engine(checking_postgresql, isolation_level="AUTOCOMMIT")
    database = f"schemaspec_secret_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP ROLE IF EXISTS {USER}")
        connection.exec_driver_sql(
            f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD.replace(chr(39), chr(39) * 2)}'"
        )
        connection.exec_driver_sql(f"CREATE DATABASE {database} OWNER {USER}")
    right = with_password(checking_postgresql, USER, PASSWORD, database)
    try:
        yield right, with_password(right, USER, WRONG)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {USER}")
        admin.dispose()


@pytest.fixture
def mysql_user(schemaspec_mysql_url: str) -> Iterator[tuple[str, str]]:
    """(right URL, wrong-password URL) of a scratch database for a user with a password."""
    # MariaDB's root logs in without a password, but checks the password of any other user.
    admin = sa.create_engine(schemaspec_mysql_url, isolation_level="AUTOCOMMIT")
    database = make_url(schemaspec_mysql_url).database
    with admin.connect() as connection:
        # '%%': PyMySQL formats every statement with its parameters, so a literal % is doubled.
        connection.exec_driver_sql(f"DROP USER IF EXISTS '{USER}'@'%%'")
        connection.exec_driver_sql(f"DROP USER IF EXISTS '{USER}'@'localhost'")
        for host in ("%%", "localhost"):
            connection.exec_driver_sql(
                f"CREATE USER '{USER}'@'{host}' IDENTIFIED BY %s", (PASSWORD,)
            )
            connection.exec_driver_sql(f"GRANT ALL ON `{database}`.* TO '{USER}'@'{host}'")
    right = with_password(schemaspec_mysql_url, USER, PASSWORD)
    try:
        yield right, with_password(right, USER, WRONG)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP USER IF EXISTS '{USER}'@'%%'")
            connection.exec_driver_sql(f"DROP USER IF EXISTS '{USER}'@'localhost'")
        admin.dispose()


@pytest.fixture(params=["postgresql", "mysql"])
def server_user(request: pytest.FixtureRequest) -> tuple[str, str]:
    urls: tuple[str, str] = request.getfixturevalue(f"{request.param}_user")
    engine = sa.create_engine(urls[0])
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE members (id INTEGER PRIMARY KEY)")
    engine.dispose()
    return urls


# --- the tests --------------------------------------------------------------------------------

UNREACHABLE = [
    f"postgresql+psycopg://app:{quote(PASSWORD, safe='')}@127.0.0.1:1/app",
    f"mysql+pymysql://app:{quote(PASSWORD, safe='')}@127.0.0.1:1/app",
]


@pytest.mark.parametrize("url", UNREACHABLE)
def test_unreachable_host(url: str) -> None:
    with pytest.raises(DatabaseConnectionError) as raised:
        from_database(url)
    backend = make_url(url).get_backend_name()
    assert str(raised.value).startswith(
        f"cannot connect to {backend} database 'app' at 127.0.0.1:1: "
    )
    assert_no_secret_in_error(raised.value)


def test_wrong_password_on_a_real_server(server_user: tuple[str, str]) -> None:
    right, wrong = server_user
    with pytest.raises(DatabaseConnectionError) as raised:
        from_database(wrong)
    url = make_url(wrong)
    message = str(raised.value)
    refusal = (
        f'password authentication failed for user "{USER}"'
        if url.get_backend_name() == "postgresql"
        else f"Access denied for user '{USER}'"
    )
    assert refusal in message
    assert message.startswith(f"cannot connect to {url.get_backend_name()} database ")
    assert_no_secret_in_error(raised.value)
    # The right password works: the failure above really was the password.
    assert sorted(from_database(right).tables) == ["members"]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_output_logs_reports_and_snapshots(
    server_user: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    right, wrong = server_user
    caplog.set_level(logging.DEBUG)  # every SQLAlchemy and driver log line, statements included
    snapshot = tmp_path / "schema.toml"
    outputs: list[str] = []

    code, out, err = run_cli(["snapshot", right, "-o", str(snapshot)], capsys)
    assert code == 0, err
    outputs += [out, err, snapshot.read_text()]
    for report in ("text", "json"):
        code, out, err = run_cli(["diff", str(snapshot), right, "--format", report], capsys)
        assert code == 0, err
        outputs += [out, err]
    code, out, err = run_cli(["diff", str(snapshot), wrong, "--format", "json"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    outputs += [out, err]
    outputs += [record.getMessage() for record in caplog.records]
    outputs += [str(record.args) for record in caplog.records]
    assert any(str(make_url(right).database) in line for line in outputs)
    assert [leaks(text) for text in outputs if leaks(text)] == []


@pytest.mark.parametrize("url", UNREACHABLE)
def test_cli_unreachable_is_one_line_without_the_password(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["diff", url, url, "--format", "json"], capsys)
    assert code == 2
    assert out == ""
    refused = {
        "postgresql": 'connection failed: connection to server at "127.0.0.1", port 1 failed: '
        "Connection refused",
        "mysql": "(2003, \"Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection "
        'refused)")',
    }
    backend = make_url(url).get_backend_name()
    assert err == (
        f"schemaspec: error: cannot connect to {backend} database 'app' at 127.0.0.1:1: "
        f"{refused[backend]}\n"
    )
    assert leaks(err) == []


@pytest.mark.parametrize(
    "text",
    [
        f"postgresql+psycopg://app:{PASSWORD}@127.0.0.1:1/app",  # unescaped: not a valid URL
        f"notadriver://app:{quote(PASSWORD, safe='')}@127.0.0.1/app",
        f"postgresql+nosuchdriver://app:{quote(PASSWORD, safe='')}@127.0.0.1/app",
    ],
)
def test_bad_urls_never_echo_the_password(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["snapshot", text], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert leaks(out + err) == [], err


@pytest.mark.parametrize("entry", ["from_database", "check_server", "scratch_database"])
@pytest.mark.parametrize(
    "url",
    [
        *UNREACHABLE,
        f"notadriver://app:{quote(PASSWORD, safe='')}@127.0.0.1/app",
        f"postgresql+psycopg2://app:{quote(PASSWORD, safe='')}@127.0.0.1/app",
        f"::::{PASSWORD}",
    ],
)
def test_no_api_error_chain_holds_the_password(entry: str, url: str) -> None:
    from schemaspec.sources import scratch

    def call() -> None:
        if entry == "from_database":
            from_database(url)
        elif entry == "check_server":
            scratch.check_server(url)
        else:
            with scratch.scratch_database(url):
                pass

    # Any error: what it carries is the point here.
    with pytest.raises(Exception) as raised:
        call()
    assert_no_secret_in_error(raised.value)
