"""An Alembic revision to a spec: migrate an empty database to the revision, then reflect it.

The database is a scratch SQLite file by default (removed afterwards, also on failure), or a
database the caller names, which must be empty: it is emptied again afterwards, so a user's data
can never be touched. Migrations run one revision at a time, in the revision graph's order, so a
migration that raises is reported by its own revision id.

:class:`AlembicProject` and :class:`Migrator` are shared with :mod:`schemaspec.checks.migrations`,
which walks every revision up, down and up again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import MultipleHeads
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

from schemaspec.errors import DatabaseConnectionError, SchemaspecError, SourceError
from schemaspec.sources.incremental import IncrementalReader
from schemaspec.sources.scratch import scratch_sqlite
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import describe_url, mask_url, scrub

__all__ = [
    "AlembicProject",
    "Migrator",
    "from_alembic",
    "from_alembic_source",
    "lost_connection",
    "parse_alembic_source",
]

_T = TypeVar("_T")

PREFIX = "alembic:"

#: Schemas of PostgreSQL's own; tables there never make a database "not empty".
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})

#: SQLSTATEs that say the server ended the session: class 08 (connection exception) and the
#: shutdowns of class 57P (an administrator's pg_terminate_backend, a crash, a restart).
_LOST_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def from_alembic(
    config: str | Path | Config, revision: str = "head", url: str | URL | None = None
) -> SchemaSpec:
    """The schema that Alembic migrations build at ``revision``.

    ``config`` is the path to ``alembic.ini`` or an Alembic ``Config``. Without ``url`` the
    migrations run on a temporary SQLite file; with ``url`` they run on that database, which
    must have no tables at all and is emptied again afterwards.

    Raises :class:`~schemaspec.errors.SourceError` for a missing config, an unknown revision or
    a migration that fails (naming the revision and the error), and
    :class:`~schemaspec.errors.DatabaseConnectionError` when the connection to ``url`` is lost.
    """
    project = AlembicProject.open(config)
    targets = project.revisions_up_to(revision)
    with project.migrate(url) as migrator:
        for script in project.ordered():
            if script.revision in targets:
                migrator.upgrade(script.revision)
        return migrator.snapshot()


def from_alembic_source(text: str) -> SchemaSpec:
    """The spec of a source written ``alembic:path/to/alembic.ini[@revision]``."""
    path, revision = parse_alembic_source(text)
    return from_alembic(path, revision)


def parse_alembic_source(text: str) -> tuple[str, str]:
    """``alembic:path/to/alembic.ini@rev`` -> ``("path/to/alembic.ini", "rev")``."""
    body = text.removeprefix(PREFIX)
    path, revision = body, "head"
    if "@" in body:
        before, _, after = body.rpartition("@")
        # A path may contain "@" itself; a revision never contains a path separator.
        if after and "/" not in after and "\\" not in after:
            path, revision = before, after
        elif not after:
            raise SourceError(f"{text!r}: no revision after '@'")
    if not path:
        raise SourceError(f"{text!r}: expected 'alembic:path/to/alembic.ini[@revision]'")
    return path, revision


@dataclass
class AlembicProject:
    """An Alembic config and its revision graph, read once."""

    config: Config
    script: ScriptDirectory
    #: How messages name the project: the path of its alembic.ini.
    name: str

    @classmethod
    def open(cls, config: str | Path | Config) -> AlembicProject:
        if isinstance(config, Config):
            cfg = config
            name = str(config.config_file_name or "alembic config")
        else:
            path = Path(config)
            if not path.is_file():
                raise SourceError(f"no Alembic config at {str(path)!r}")
            cfg = Config(str(path))
            # Honoured by env.py files that follow the example's recipe: a library call must
            # not reconfigure the caller's logging.
            cfg.attributes["configure_logger"] = False
            name = str(path)
        try:
            # Loading the script directory also puts alembic.ini's prepend_sys_path on sys.path,
            # which env.py (and --models) need to import the project's models.
            script = ScriptDirectory.from_config(cfg)
            script.revision_map.heads  # noqa: B018 - parses every revision file now, not midway
        except Exception as error:
            raise SourceError(
                f"{name}: cannot read the Alembic project: {_one_line(error)}"
            ) from None
        return cls(cfg, script, name)

    def ordered(self) -> list[Script]:
        """Every revision, base first, each after all of its down revisions."""
        try:
            return list(reversed(list(self.script.walk_revisions())))
        except Exception as error:
            raise SourceError(f"{self.name}: bad revision graph: {_one_line(error)}") from None

    def heads(self) -> tuple[str, ...]:
        return tuple(sorted(self.script.get_heads()))

    def revisions_up_to(self, revision: str) -> set[str]:
        """The ids of ``revision`` and all of its ancestors: what upgrading to it applies."""
        if revision == "base":
            return set()
        try:
            return {script.revision for script in self.script.iterate_revisions(revision, "base")}
        except MultipleHeads:
            raise SourceError(
                f"{self.name}: {revision!r} is ambiguous, the history has several heads"
                f" ({', '.join(self.heads())}): name one of them, or 'heads' for all"
            ) from None
        except Exception as error:
            raise SourceError(
                f"{self.name}: unknown revision {revision!r}: {_one_line(error)}"
            ) from None

    def resolve(self, revision: str) -> str:
        """The full id of one revision given by id, unique prefix or symbol."""
        try:
            found = self.script.get_revision(revision)
        except Exception as error:
            raise SourceError(
                f"{self.name}: unknown revision {revision!r}: {_one_line(error)}"
            ) from None
        if found is None:
            raise SourceError(f"{self.name}: unknown revision {revision!r}")
        return found.revision

    @contextmanager
    def migrate(self, url: str | URL | None = None) -> Iterator[Migrator]:
        """A :class:`Migrator` on an empty database: scratch SQLite, or ``url`` if it is empty."""
        if url is None:
            with (
                scratch_sqlite() as scratch_url,
                _connected(scratch_url, throwaway=True) as connection,
                _configured(self.config, scratch_url, connection),
            ):
                yield Migrator(self, connection)
            return
        # Throwaway too: the database is emptied again afterwards.
        with _connected(url, throwaway=True) as connection:
            existing, keep_types = _guarded(
                connection,
                self.name,
                "checking that it is empty",
                lambda: (
                    [_shown(*table) for table in _user_tables(connection)],
                    _enum_types(connection),
                ),
            )
            connection.rollback()
            if existing:
                raise SourceError(
                    f"{describe_url(connection.engine.url)} is not empty"
                    f" ({_some_tables(existing)}); migrations run only on an empty database,"
                    " so no data is touched"
                )
            migrator = Migrator(self, connection, keep_types=keep_types)
            try:
                with _configured(self.config, url, connection):
                    yield migrator
            except BaseException as error:
                # The database was empty before; everything in it now came from the migrations.
                migrator.empty_afterwards(error)
                raise
            else:
                migrator.empty_afterwards(None)


@dataclass
class Migrator:
    """Runs one revision at a time on a connection and reflects the result."""

    project: AlembicProject
    connection: Connection
    #: Named types that existed before the migrations ran (never dropped by :meth:`empty`).
    keep_types: frozenset[str] = field(default_factory=frozenset)
    #: The tables an :meth:`empty` that failed midway may have left behind (``None``: it
    #: failed before it could list them), for the message that asks to drop them by hand.
    left_behind: list[str] | None = None
    _reader: IncrementalReader | None = field(default=None, repr=False)

    def upgrade(self, revision: str, *, action: str = "upgrade") -> None:
        """Apply ``revision`` (its ancestors must be applied already)."""
        script = self.project.script

        def steps(current: Any, context: MigrationContext) -> Any:
            return script._upgrade_revs(revision, current)

        self._run(steps, revision, action, revision)

    def downgrade(self, revision: Script) -> None:
        """Undo ``revision`` alone; a merge goes back to all of its parents."""
        parents = _down_revisions(revision)
        # "rev@-1" undoes one revision on its own branch, leaving other branches alone; Alembic
        # calls that ambiguous for a merge, which goes to one parent instead: the other parents
        # are not its descendants, so they stay applied.
        destination = parents[0] if len(parents) > 1 else f"{revision.revision}@-1"
        script = self.project.script

        def steps(current: Any, context: MigrationContext) -> Any:
            return script._downgrade_revs(destination, current)

        self._run(steps, destination, "downgrade", revision.revision)

    def downgrade_to(self, destination: str) -> None:
        """Downgrade to ``destination`` (a revision, ``base`` or a relative ``-1``), as
        ``alembic downgrade`` does; used by the pytest migration runner."""
        script = self.project.script

        def steps(current: Any, context: MigrationContext) -> Any:
            return script._downgrade_revs(destination, current)

        self._run(steps, destination, "downgrade", destination)

    def reset(self, heads: Sequence[str]) -> None:
        """Empty the database and upgrade it straight to ``heads``."""
        self.empty()
        for head in heads:
            self.upgrade(head, action="upgrade (to recover)")

    def snapshot(self) -> SchemaSpec:
        """The schema now, equal to ``from_database`` on the connection.

        A history changes a table or two per step: the tables unchanged since the last
        snapshot keep their specs, so a review of N revisions costs N steps, not N squared.
        """
        if self._reader is None:
            self._reader = IncrementalReader(self.connection)
        try:
            return self._reader.snapshot()
        finally:
            self.connection.rollback()

    def current_heads(self) -> tuple[str, ...]:
        def read() -> tuple[str, ...]:
            try:
                context = MigrationContext.configure(self.connection)
                return tuple(sorted(context.get_current_heads()))
            finally:
                self.connection.rollback()

        return _guarded(self.connection, self.project.name, "reading its current revision", read)

    def empty(self) -> None:
        """Drop every table, view and new named type: the database is empty again."""
        _guarded(self.connection, self.project.name, "emptying it", self._empty_on)

    def empty_afterwards(self, failure: BaseException | None) -> None:
        """:meth:`empty` at the end of a run, which ``failure`` (if any) ended.

        A connection lost while emptying gets one more try on a fresh connection: the server
        is often back a moment later, and tables left behind make the database "not empty" for
        every later run. A clean-up that fails all the same must not replace ``failure``, the
        error the caller needs: it rides along as a note and, because the command line prints
        a message alone, as a suffix to the message too.
        """
        try:
            self._empty_retrying()
        except Exception as error:
            if failure is None:
                raise
            note = str(error) if isinstance(error, SchemaspecError) else _one_line(error)
            failure.add_note(note)
            if isinstance(failure, SchemaspecError) and len(failure.args) == 1:
                failure.args = (f"{failure.args[0]}; and {note}",)

    def _empty_retrying(self) -> None:
        try:
            self.empty()
            return
        except DatabaseConnectionError:
            pass  # tried again below, on a connection of its own
        engine = self.connection.engine
        failure: DatabaseConnectionError
        try:
            # NullPool (see _connected): a new session, never the one that was lost.
            fresh = engine.connect()
        except sa.exc.DBAPIError as error:
            cause = scrub(_first_line(error), engine.url)
            failure = DatabaseConnectionError(
                f"{self.project.name}: cannot connect to {describe_url(engine.url)} again"
                f" to empty it: {cause}"
            )
        else:
            with fresh:
                try:
                    _guarded(fresh, self.project.name, "emptying it", lambda: self._empty_on(fresh))
                    return
                except DatabaseConnectionError as error:
                    failure = error
        if self.left_behind is None:
            left = "the tables the migrations created are left behind in it: drop them by hand"
        elif self.left_behind:
            # Every one: these are the names to drop by hand.
            left = f"tables left behind in it (drop them by hand): {', '.join(self.left_behind)}"
        else:
            raise failure  # every table was dropped before the connection was lost
        # Raised outside any except block: no driver exception chained.
        raise DatabaseConnectionError(f"{failure}; {left}")

    def _empty_on(self, connection: Connection | None = None) -> None:
        connection = connection if connection is not None else self.connection
        connection.rollback()
        backend = connection.dialect.name
        quote = connection.dialect.identifier_preparer.quote
        inspector = sa.inspect(connection)
        views = [quote(name) for name in inspector.get_view_names()]
        tables = _user_tables(connection)
        self.left_behind = sorted(_shown(*table) for table in tables)
        # MySQL commits each DROP on its own; elsewhere DDL is transactional, so nothing is
        # dropped until the commit at the end.
        one_by_one = backend == "mysql"
        if backend == "mysql":
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        elif backend == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        cascade = " CASCADE" if backend == "postgresql" else ""
        for view in views:
            connection.exec_driver_sql(f"DROP VIEW IF EXISTS {view}{cascade}")
        for schema, name in tables:
            qualified = f"{quote(schema)}.{quote(name)}" if schema is not None else quote(name)
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {qualified}{cascade}")
            if one_by_one:
                self.left_behind.remove(_shown(schema, name))
        for name in sorted(_enum_types(connection) - self.keep_types):
            connection.exec_driver_sql(f"DROP TYPE IF EXISTS {quote(name)} CASCADE")
        if backend == "mysql":
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        connection.commit()
        self.left_behind = []

    def _run(
        self, steps: Callable[[Any, MigrationContext], Any], destination: str, action: str, rev: str
    ) -> None:
        project = self.project
        # Each command starts outside a transaction, so env.py's begin_transaction() commits it;
        # a reflection left open would make Alembic treat it as the caller's and never commit.
        self.connection.rollback()
        lost: DatabaseConnectionError | None = None
        try:
            with EnvironmentContext(
                project.config, project.script, fn=steps, destination_rev=destination
            ):
                # ScriptDirectory.run_env, not alembic.command.upgrade: the command re-reads
                # every revision file on each call, which is quadratic over a long history.
                project.script.run_env()
        except Exception as error:
            # Asked before the rollback, which would reconnect and hide that the session died.
            lost = _lost_error(
                error, self.connection, project.name, f"running the {action} of revision {rev}"
            )
            self.connection.rollback()
            if lost is None:
                raise SourceError(
                    f"{project.name}: {action} of revision {rev} failed: {_one_line(error)}"
                ) from error
        finally:
            if self.connection.in_transaction():
                self.connection.commit()
        if lost is not None:
            # No fault of the revision: an error (exit 2), never an upgrade_failed finding.
            # Raised outside the except block so no driver exception is chained.
            raise lost


def _down_revisions(script: Script) -> tuple[str, ...]:
    down = script.down_revision
    if down is None:
        return ()
    return (down,) if isinstance(down, str) else tuple(down)


@contextmanager
def _connected(url: str | URL, *, throwaway: bool = False) -> Iterator[Connection]:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise SourceError(f"not a database URL: {mask_url(str(url))}") from None
    try:
        engine = sa.create_engine(parsed, poolclass=NullPool)
    except (sa.exc.NoSuchModuleError, ImportError) as error:
        raise SourceError(f"cannot use {mask_url(parsed)}: {_one_line(error)}") from None
    if throwaway:
        sa.event.listen(engine, "connect", _no_durability(parsed.get_backend_name()))
    try:
        try:
            connection = engine.connect()
        except sa.exc.DBAPIError as error:
            cause = scrub(_one_line(error), parsed)
            raise DatabaseConnectionError(
                f"cannot connect to {describe_url(parsed)}: {cause}"
            ) from None
        with connection:
            yield connection
    finally:
        engine.dispose()


def _no_durability(backend: str) -> Callable[[Any, Any], None]:
    """Skip waiting for the disk on each commit: what the migrations build is thrown away
    afterwards, and without this, syncing is most of the time a history takes."""
    statements = {
        "sqlite": ("PRAGMA synchronous = OFF", "PRAGMA journal_mode = MEMORY"),
        # Per session: only our own commits stop waiting for the WAL flush.
        "postgresql": ("SET SESSION synchronous_commit TO OFF",),
    }.get(backend, ())

    def on_connect(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()
        if backend == "postgresql":
            dbapi_connection.commit()

    return on_connect


@contextmanager
def _configured(config: Config, url: str | URL, connection: Connection) -> Iterator[None]:
    """Point ``config`` at our database for the duration, then put it back as it was.

    ``attributes["connection"]`` is Alembic's recipe for running on a given connection; an
    env.py that only reads ``sqlalchemy.url`` gets the same database through the main option
    (with ``%`` doubled, because the ini parser interpolates it).
    """
    section = config.config_ini_section
    parser = config.file_config
    had_section = parser.has_section(section)
    previous_url = parser.get(section, "sqlalchemy.url", raw=True, fallback=None)
    previous_connection = config.attributes.get("connection", _MISSING)
    rendered = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    config.attributes["connection"] = connection
    try:
        yield
    finally:
        if previous_connection is _MISSING:
            config.attributes.pop("connection", None)
        else:
            config.attributes["connection"] = previous_connection
        if previous_url is not None:
            parser.set(section, "sqlalchemy.url", previous_url)
        elif had_section:
            parser.remove_option(section, "sqlalchemy.url")
        else:
            parser.remove_section(section)


_MISSING = object()


def _user_tables(connection: Connection) -> list[tuple[str | None, str]]:
    """``(schema, name)`` of the tables in the default schema (schema ``None``) and, on
    PostgreSQL, in every other schema of the user's."""
    inspector = sa.inspect(connection)
    found: list[tuple[str | None, str]] = [(None, name) for name in inspector.get_table_names()]
    if connection.dialect.name == "postgresql":
        default = inspector.default_schema_name
        for schema in inspector.get_schema_names():
            if schema == default or schema in _SYSTEM_SCHEMAS or schema.startswith("pg_"):
                continue
            found.extend((schema, name) for name in inspector.get_table_names(schema=schema))
    return found


def _shown(schema: str | None, name: str) -> str:
    return name if schema is None else f"{schema}.{name}"


def _some_tables(names: Sequence[str]) -> str:
    """``2 tables: a, b``: how many, and the first five by name."""
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return f"{len(names)} table{'s' if len(names) != 1 else ''}: {shown}"


def _enum_types(connection: Connection) -> frozenset[str]:
    if connection.dialect.name != "postgresql":
        return frozenset()
    rows = connection.exec_driver_sql(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE t.typtype = 'e' AND n.nspname = current_schema()"
    )
    return frozenset(str(row[0]) for row in rows)


def lost_connection(error: BaseException, connection: Connection) -> str | None:
    """What the driver said if ``error`` comes down to the connection having been lost (the
    server went away, an administrator ended the session), else ``None``.

    Such an error is no fault of what ran (a migration, the models): callers report it as a
    :class:`~schemaspec.errors.DatabaseConnectionError`. Ask before using ``connection`` again:
    SQLAlchemy reconnects an invalidated connection on its next use.
    """
    dialect = connection.dialect
    seen: set[int] = set()
    current: BaseException | None = error
    # The whole chain: a migration (or Alembic) may wrap the driver's error in one of its own.
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.exc.DBAPIError):
            if current.connection_invalidated or _driver_lost(current.orig, dialect):
                return scrub(_first_line(current), connection.engine.url)
        elif _driver_lost(current, dialect):
            return scrub(_first_line(current), connection.engine.url)
        current = current.__cause__ or current.__context__
    if connection.invalidated:
        # The session died, but what surfaced is a consequence (SQLAlchemy's "invalid
        # transaction" on the next statement), not the driver's own words.
        return "the connection was lost"
    return None


def _driver_lost(error: BaseException | None, dialect: sa.Dialect) -> bool:
    """A driver exception that says the session is gone, whether or not SQLAlchemy saw it."""
    dbapi = getattr(dialect, "dbapi", None)
    if error is None or dbapi is None or not isinstance(error, dbapi.Error):
        return False
    # MySQL drivers: error codes 2006, 2013, ... (psycopg needs the connection, which is gone).
    # The ignore: isinstance() against the driver's Error class (typed Any) does not narrow.
    if dialect.is_disconnect(error, None, None):  # type: ignore[arg-type]
        return True
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in _LOST_SQLSTATES)


def _lost_error(
    error: BaseException, connection: Connection, project: str, doing: str
) -> DatabaseConnectionError | None:
    cause = lost_connection(error, connection)
    if cause is None:
        return None
    return DatabaseConnectionError(
        f"{project}: lost the connection to {describe_url(connection.engine.url)}"
        f" while {doing}: {cause}"
    )


def _guarded(connection: Connection, project: str, doing: str, work: Callable[[], _T]) -> _T:
    """``work()``, with a lost connection reported as one line naming the database and host."""
    try:
        return work()
    except Exception as error:
        lost = _lost_error(error, connection, project, doing)
        if lost is None:
            raise
    # Raised outside the except block: a driver exception chained would print its SQL (and
    # could hold a URL).
    raise lost


def _first_line(error: BaseException) -> str:
    """The first line of the driver's own message, as :func:`from_database` reports it."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def _one_line(error: BaseException) -> str:
    """``Type: first line`` of an error, for a one-line report; passwords scrubbed."""
    # The driver's own error, not SQLAlchemy's wrapper with the statement and a docs link.
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    text = lines[0] if lines else ""
    name = type(original).__name__
    return scrub(f"{name}: {text}" if text else name, None)
