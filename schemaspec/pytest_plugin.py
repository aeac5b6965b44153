"""schemaspec's pytest plugin, registered through the ``pytest11`` entry point.

Scratch-database fixtures: each yields the URL of a fresh, empty database and drops it after
the test. ``schemaspec_database_url`` runs a test once per database kind.

A server that cannot be reached skips the tests that need it, with the host in the reason;
when ``CI=true`` it fails them instead, because in CI a missing server is a broken pipeline,
not an optional extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from schemaspec.errors import DatabaseConnectionError
from schemaspec.scratch import (
    check_server,
    scratch_database,
    scratch_sqlite,
    server_url_from_env,
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


def pytest_configure(config: pytest.Config) -> None:
    # Registered here so projects running with --strict-markers accept the marks that
    # schemaspec_database_url puts on its parameters.
    for kind in SERVER_KINDS:
        config.addinivalue_line("markers", f"{kind}: needs the {kind} server (schemaspec)")
    config.stash[_server_status_key] = {}


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
        if os.environ.get("CI", "").lower() == "true":
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
