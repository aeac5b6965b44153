"""schemaspec's pytest plugin, registered through the ``pytest11`` entry point.

Scratch-database fixtures: each yields the URL of a fresh, empty database and drops it after
the test. ``schemaspec_database_url`` runs a test once per database kind.

A server that cannot be reached skips the tests that need it, with the host in the reason;
when ``CI=true`` it fails them instead, because in CI a missing server is a broken pipeline,
not an optional extra.

The ``schema_snapshot`` fixture compares a spec with a committed snapshot file; see
:mod:`schemaspec.testing.snapshot_fixture` and ``docs/testing.md``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schemaspec.errors import DatabaseConnectionError
from schemaspec.sources.scratch import (
    check_server,
    scratch_database,
    scratch_sqlite,
    server_url_from_env,
)
from schemaspec.testing.snapshot_fixture import (
    SchemaSnapshot,
    SnapshotSession,
    in_ci,
    snapshot_session_key,
)

SERVER_KINDS = ("postgresql", "mysql")
DATABASE_KINDS = ("sqlite", *SERVER_KINDS)

# kind -> None when the server answered, else the reason it did not. Cached per session so a
# down server costs one connect timeout, not one per test.
_server_status_key = pytest.StashKey[dict[str, str | None]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("schemaspec")
    for kind in SERVER_KINDS:
        group.addoption(
            f"--schemaspec-{kind}-url",
            dest=f"schemaspec_{kind}_url",
            default=None,
            metavar="URL",
            help=(
                f"{kind} server for the schemaspec_{kind}_url fixture; scratch databases are"
                f" created on it. Default: $SCHEMASPEC_TEST_{kind.upper()}_URL or a loopback"
                " server."
            ),
        )
    group.addoption(
        "--schemaspec-update",
        action="store_true",
        dest="schemaspec_update",
        default=False,
        help=(
            "write schema_snapshot files instead of comparing with them (never under CI=true;"
            " snapshots the run does not touch are left alone)"
        ),
    )
    parser.addini(
        "schemaspec_snapshot_dir",
        "directory of schema_snapshot files, relative to the rootdir (default: specs)",
        default="specs",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Registered here so projects running with --strict-markers accept the marks that
    # schemaspec_database_url puts on its parameters.
    for kind in SERVER_KINDS:
        config.addinivalue_line("markers", f"{kind}: needs the {kind} server (schemaspec)")
    config.stash[_server_status_key] = {}
    config.stash[snapshot_session_key] = SnapshotSession.from_config(config)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    session = terminalreporter.config.stash.get(snapshot_session_key, None)
    if session is None:
        return
    lines = session.summary_lines()
    if lines:
        terminalreporter.section("schemaspec snapshots")
        for line in lines:
            terminalreporter.write_line(line)


def _server_url(config: pytest.Config, kind: str) -> str:
    option: str | None = config.getoption(f"schemaspec_{kind}_url")
    return option or server_url_from_env(kind)


def _require_server(config: pytest.Config, kind: str) -> str:
    """The server URL for ``kind``, or skip (fail under CI) when it cannot be reached."""
    url = _server_url(config, kind)
    status = config.stash.setdefault(_server_status_key, {})
    if kind not in status:
        try:
            check_server(url)
        except DatabaseConnectionError as exc:
            status[kind] = f"schemaspec: {kind} server unavailable: {exc}"
        else:
            status[kind] = None
    reason = status[kind]
    if reason is not None:
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return url


@pytest.fixture
def schemaspec_sqlite_url() -> Iterator[str]:
    """URL of a fresh SQLite file, removed after the test."""
    with scratch_sqlite() as url:
        yield url


@pytest.fixture
def schemaspec_postgresql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    with scratch_database(_require_server(request.config, "postgresql")) as url:
        yield url


@pytest.fixture
def schemaspec_mysql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh, empty MySQL/MariaDB database, dropped after the test."""
    with scratch_database(_require_server(request.config, "mysql")) as url:
        yield url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
        pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
    ]
)
def schemaspec_database_url(request: pytest.FixtureRequest) -> str:
    """URL of a fresh, empty database of each kind in turn: a test written once runs on all."""
    url: str = request.getfixturevalue(f"schemaspec_{request.param}_url")
    return url


@pytest.fixture
def schema_snapshot(request: pytest.FixtureRequest) -> SchemaSnapshot:
    """Compare a spec with its committed snapshot: ``schema_snapshot.assert_match(spec)``.

    The file is ``<snapshot dir>/<test module>/<test name>.toml`` unless ``name=`` is given;
    ``--schemaspec-update`` writes it instead of comparing.
    """
    return SchemaSnapshot(request.config.stash[snapshot_session_key], request.node)
