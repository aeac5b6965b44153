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
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.script.revision import MultipleHeads
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

from schemaspec.errors import DatabaseConnectionError, SourceError
from schemaspec.sources.database import from_database
from schemaspec.sources.scratch import scratch_sqlite
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import describe_url, mask_url, scrub

__all__ = [
    "AlembicProject",
    "Migrator",
    "from_alembic",
    "from_alembic_source",
    "parse_alembic_source",
]

PREFIX = "alembic:"

#: Schemas of PostgreSQL's own; tables there never make a database "not empty".
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog", "pg_toast"})


def from_alembic(
    config: str | Path | Config, revision: str = "head", url: str | URL | None = None
) -> SchemaSpec:
    """The schema that Alembic migrations build at ``revision``.

    ``config`` is the path to ``alembic.ini`` or an Alembic ``Config``. Without ``url`` the
    migrations run on a temporary SQLite file; with ``url`` they run on that database, which
    must have no tables at all and is emptied again afterwards.

    Raises :class:`~schemaspec.errors.SourceError` for a missing config, an unknown revision or
    a migration that fails (naming the revision and the error).
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
            existing = _user_tables(connection)
            keep_types = _enum_types(connection)
            connection.rollback()
            if existing:
                shown = ", ".join(existing[:5]) + (", ..." if len(existing) > 5 else "")
                raise SourceError(
                    f"{describe_url(connection.engine.url)} is not empty"
                    f" ({len(existing)} table{'s' if len(existing) != 1 else ''}:"
                    f" {shown}); migrations run only on an empty database, so no data is touched"
                )
            migrator = Migrator(self, connection, keep_types=keep_types)
            try:
                with _configured(self.config, url, connection):
                    yield migrator
            finally:
                # The database was empty before; everything in it now came from the migrations.
                migrator.empty()


@dataclass
class Migrator:
    """Runs one revision at a time on a connection and reflects the result."""

    project: AlembicProject
    connection: Connection
    #: Named types that existed before the migrations ran (never dropped by :meth:`empty`).
    keep_types: frozenset[str] = field(default_factory=frozenset)

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

    def reset(self, heads: Sequence[str]) -> None:
        """Empty the database and upgrade it straight to ``heads``."""
        self.empty()
        for head in heads:
            self.upgrade(head, action="upgrade (to recover)")

    def snapshot(self) -> SchemaSpec:
        try:
            return from_database(self.connection)
        finally:
            self.connection.rollback()

    def current_heads(self) -> tuple[str, ...]:
        try:
            context = MigrationContext.configure(self.connection)
            return tuple(sorted(context.get_current_heads()))
        finally:
            self.connection.rollback()

    def empty(self) -> None:
        """Drop every table, view and new named type: the database is empty again."""
        connection = self.connection
        connection.rollback()
        backend = connection.dialect.name
        quote = connection.dialect.identifier_preparer.quote
        inspector = sa.inspect(connection)
        views = [quote(name) for name in inspector.get_view_names()]
        tables = _user_tables(connection, quoted=True)
        if backend == "mysql":
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        elif backend == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        cascade = " CASCADE" if backend == "postgresql" else ""
        for view in views:
            connection.exec_driver_sql(f"DROP VIEW IF EXISTS {view}{cascade}")
        for table in tables:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}{cascade}")
        for name in sorted(_enum_types(connection) - self.keep_types):
            connection.exec_driver_sql(f"DROP TYPE IF EXISTS {quote(name)} CASCADE")
        if backend == "mysql":
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        connection.commit()

    def _run(
        self, steps: Callable[[Any, MigrationContext], Any], destination: str, action: str, rev: str
    ) -> None:
        project = self.project
        # Each command starts outside a transaction, so env.py's begin_transaction() commits it;
        # a reflection left open would make Alembic treat it as the caller's and never commit.
        self.connection.rollback()
        try:
            with EnvironmentContext(
                project.config, project.script, fn=steps, destination_rev=destination
            ):
                # ScriptDirectory.run_env, not alembic.command.upgrade: the command re-reads
                # every revision file on each call, which is quadratic over a long history.
                project.script.run_env()
        except Exception as error:
            self.connection.rollback()
            raise SourceError(
                f"{project.name}: {action} of revision {rev} failed: {_one_line(error)}"
            ) from error
        finally:
            if self.connection.in_transaction():
                self.connection.commit()


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


def _user_tables(connection: Connection, *, quoted: bool = False) -> list[str]:
    """Tables in the default schema and, on PostgreSQL, in every other schema of the user's."""
    inspector = sa.inspect(connection)
    quote = connection.dialect.identifier_preparer.quote
    found = [quote(name) if quoted else name for name in inspector.get_table_names()]
    if connection.dialect.name == "postgresql":
        default = inspector.default_schema_name
        for schema in inspector.get_schema_names():
            if schema == default or schema in _SYSTEM_SCHEMAS or schema.startswith("pg_"):
                continue
            for name in inspector.get_table_names(schema=schema):
                found.append(f"{quote(schema)}.{quote(name)}" if quoted else f"{schema}.{name}")
    return found


def _enum_types(connection: Connection) -> frozenset[str]:
    if connection.dialect.name != "postgresql":
        return frozenset()
    rows = connection.exec_driver_sql(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE t.typtype = 'e' AND n.nspname = current_schema()"
    )
    return frozenset(str(row[0]) for row in rows)


def _one_line(error: BaseException) -> str:
    """``Type: first line`` of an error, for a one-line report; passwords scrubbed."""
    # The driver's own error, not SQLAlchemy's wrapper with the statement and a docs link.
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    text = lines[0] if lines else ""
    name = type(original).__name__
    return scrub(f"{name}: {text}" if text else name, None)
