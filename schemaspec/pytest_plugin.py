"""schemaspec's pytest plugin, registered through the ``pytest11`` entry point.

Scratch-database fixtures: each yields the URL of a fresh, empty database and drops it after
the test. ``schemaspec_database_url`` runs a test once per database kind.

A server that cannot be reached skips the tests that need it, with the host in the reason;
when ``CI=true`` it fails them instead, because in CI a missing server is a broken pipeline,
not an optional extra.

The ``schema_snapshot`` fixture compares a spec with a committed snapshot file; see
:mod:`schemaspec.testing.snapshot_fixture` and ``docs/testing.md``. After a run of the whole
suite, snapshots no test used are listed (and removed by ``--schemaspec-update``).

``schemaspec_migrator`` runs an Alembic project's migrations on a scratch database with data in
between (:mod:`schemaspec.testing.migrator`), and ``--schemaspec-migrations`` (or the settings
in :mod:`schemaspec.testing.settings`) adds the built-in migration tests
(:mod:`schemaspec.testing.migration_items`). What needs Alembic is imported only when used:
this module is loaded by every pytest run of an environment with schemaspec installed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from schemaspec.errors import DatabaseConnectionError, SchemaspecError
from schemaspec.sources.scratch import (
    check_server,
    scratch_database,
    scratch_sqlite,
    server_url_from_env,
)
from schemaspec.testing.run_scope import RunRecord, names_files, narrowed_by, run_record_key
from schemaspec.testing.settings import (
    PluginSettings,
    add_options,
    require_alembic_config,
    resolve,
    settings_key,
)
from schemaspec.testing.snapshot_fixture import (
    SchemaSnapshot,
    SnapshotSession,
    in_ci,
    snapshot_session_key,
)
from schemaspec.util.redact import mask_url

if TYPE_CHECKING:
    from schemaspec.testing.migration_items import MigrationChecks
    from schemaspec.testing.migrator import MigrationRunner

SERVER_KINDS = ("postgresql", "mysql")
DATABASE_KINDS = ("sqlite", *SERVER_KINDS)

# kind -> None when the server answered, else the reason it did not. Cached per session so a
# down server costs one connect timeout, not one per test.
_server_status_key = pytest.StashKey[dict[str, str | None]]()
#: The scratch databases a test was given, for its failure report.
_scratch_key = pytest.StashKey[list[str]]()
MIGRATIONS_MARK = "schemaspec_migrations"


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
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    # Registered here so projects running with --strict-markers accept the marks that
    # schemaspec_database_url puts on its parameters.
    for kind in SERVER_KINDS:
        config.addinivalue_line("markers", f"{kind}: needs the {kind} server (schemaspec)")
    config.addinivalue_line("markers", f"{MIGRATIONS_MARK}: schemaspec's built-in migration tests")
    config.stash[_server_status_key] = {}
    settings = resolve(config)
    config.stash[settings_key] = settings
    # The snapshot `schemaspec check` compares with is the project's, never an unused one.
    project = settings.project
    keep = (
        [project.resolve(project.config.snapshot)]
        if project is not None and project.config.snapshot
        else []
    )
    config.stash[snapshot_session_key] = SnapshotSession.from_config(config, keep)
    record = RunRecord()
    config.stash[run_record_key] = record
    # Registered as a plugin of its own: its collection hooks get no config to find it by.
    config.pluginmanager.register(record, "schemaspec-run-record")


def pytest_report_header(config: pytest.Config) -> list[str]:
    if config.get_verbosity() <= 0:
        return []
    settings = config.stash[settings_key]
    servers = ", ".join(_server_shown(_server_url(config, kind)) for kind in SERVER_KINDS)
    lines = [
        f"schemaspec: scratch databases prefixed {settings.scratch_prefix.value} on {servers}"
        f" and SQLite files in {tempfile.gettempdir()}"
    ]
    if settings.migrations.value and settings.alembic_config.value is not None:
        models = settings.models.value or "no models"
        lines.append(
            f"schemaspec: migration tests for {_shown(config, settings.alembic_config.value)}"
            f" ({models}), switched on by {settings.migrations.source}"
        )
    return lines


def _shown(config: pytest.Config, path: Path) -> str:
    try:
        return str(path.relative_to(config.rootpath))
    except ValueError:
        return str(path)


def _server_shown(url: str) -> str:
    """A server as the header names it: without its database, password masked."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return "(not a database URL)"
    # _replace, not set(): URL.set() takes None as "leave the database as it is".
    return mask_url(parsed._replace(database=None)) + "/"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # tryfirst: added before -k, -m and --lf select, so they select these like any test.
    settings = config.stash[settings_key]
    if not settings.migrations.value:
        return
    # Switched on by configuration, they belong to runs of the suite, not to "pytest one_file.py";
    # the command-line flag adds them to any run.
    if settings.migrations.source != "--schemaspec-migrations" and names_files(config):
        return
    collector = _migration_checks(session, settings)
    added = list(collector.collect())
    items[:0] = added
    # Reported like collected tests, so "collected N items" and -k's counts include them.
    report = pytest.CollectReport(collector.nodeid, "passed", None, list(added))
    config.hook.pytest_collectreport(report=report)


def _migration_checks(session: pytest.Session, settings: PluginSettings) -> MigrationChecks:
    from schemaspec.testing.migration_items import migration_checks, shared_state

    path = require_alembic_config(settings, "the migration tests")
    shared = shared_state(
        path, settings.models.value, settings.models.source, settings.python_paths()
    )
    return migration_checks(session, shared)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.config.stash[run_record_key].record(item, report)
    scratch = item.stash.get(_scratch_key, [])
    if report.failed and scratch:
        report.sections.append(
            (
                "schemaspec scratch databases",
                "\n".join(f"{url} (dropped after the test)" for url in scratch),
            )
        )
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    snapshots = config.stash.get(snapshot_session_key, None)
    record = config.stash.get(run_record_key, None)
    if snapshots is not None and record is not None:
        snapshots.finish(narrowed_by(config, record), record)


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


def _prefix(request: pytest.FixtureRequest) -> str:
    return request.config.stash[settings_key].scratch_prefix.value


def _given(request: pytest.FixtureRequest, url: str) -> str:
    """Remember ``url`` for the test's failure report (``-v`` shows the servers up front)."""
    request.node.stash.setdefault(_scratch_key, []).append(mask_url(url))
    return url


@pytest.fixture
def schemaspec_sqlite_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh SQLite file, removed after the test."""
    with scratch_sqlite(prefix=_prefix(request)) as url:
        yield _given(request, url)


@pytest.fixture
def schemaspec_postgresql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    server = _require_server(request.config, "postgresql")
    with scratch_database(server, prefix=_prefix(request)) as url:
        yield _given(request, url)


@pytest.fixture
def schemaspec_mysql_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh, empty MySQL/MariaDB database, dropped after the test."""
    server = _require_server(request.config, "mysql")
    with scratch_database(server, prefix=_prefix(request)) as url:
        yield _given(request, url)


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


@pytest.fixture
def schemaspec_migrator_url(schemaspec_sqlite_url: str) -> str:
    """The empty database ``schemaspec_migrator`` migrates: a scratch SQLite file.

    Override it to migrate elsewhere, e.g. on every database kind::

        @pytest.fixture
        def schemaspec_migrator_url(schemaspec_database_url):
            return schemaspec_database_url
    """
    return schemaspec_sqlite_url


@pytest.fixture
def schemaspec_migrator(
    request: pytest.FixtureRequest, schemaspec_migrator_url: str
) -> Iterator[MigrationRunner]:
    """The project's migrations on a scratch database, at base: ``.upgrade(rev)``,
    ``.insert(table, rows)``, ``.rows(table)``, ``.assert_values_survive(...)``."""
    from schemaspec.testing.migrator import MigrationRunner

    settings = request.config.stash[settings_key]
    try:
        config = require_alembic_config(settings, "the schemaspec_migrator fixture")
    except pytest.UsageError as error:
        pytest.fail(str(error), pytrace=False)
    with ExitStack() as stack:
        try:
            runner = stack.enter_context(MigrationRunner.open(config, schemaspec_migrator_url))
        except SchemaspecError as error:
            pytest.fail(f"schemaspec_migrator: {error}", pytrace=False)
        yield runner
