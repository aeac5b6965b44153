"""A migration runner for data migrations: migrate to a revision, add rows, migrate on, read them.

The ``schemaspec_migrator`` fixture yields one on a scratch database; from Python::

    with MigrationRunner.open("alembic.ini", url) as migrator:   # url: an empty database
        migrator.upgrade("1a2b3c4d5e6f")
        migrator.insert("members", [{"id": 1, "last_name": "Ng"}])
        migrator.upgrade("head")
        assert migrator.rows("members") == [...]

Migrations run on the runner's own connection (Alembic's recipe: ``config.attributes
["connection"]``), the one ``insert`` and ``rows`` use, so data written between two revisions is
exactly what the next revision finds. The database must be empty to begin with, and it is
emptied again at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from sqlalchemy.engine import URL, Connection, Engine

from schemaspec.errors import SourceError
from schemaspec.sources.alembic import AlembicProject, Migrator
from schemaspec.spec import SchemaSpec
from schemaspec.testing.values import Key, ValuesChanged, compare_rows
from schemaspec.util.redact import mask_url

__all__ = ["MigrationRunner"]


class MigrationRunner:
    """Runs an Alembic project's migrations on one database, with data in between."""

    def __init__(self, project: AlembicProject, migrator: Migrator) -> None:
        self._project = project
        self._migrator = migrator

    @classmethod
    @contextmanager
    def open(
        cls, config: str | Path | Config, url: str | URL | None = None
    ) -> Iterator[MigrationRunner]:
        """A runner on ``url`` (an empty database; default: a temporary SQLite file)."""
        project = AlembicProject.open(config)
        with project.migrate(url) as migrator:
            yield cls(project, migrator)

    def __repr__(self) -> str:
        return f"<MigrationRunner {self._project.name} on {mask_url(self.engine.url)}>"

    @property
    def connection(self) -> Connection:
        """The connection migrations run on; commit what you write with it."""
        return self._migrator.connection

    @property
    def engine(self) -> Engine:
        return self._migrator.connection.engine

    @property
    def url(self) -> str:
        """The database's URL, password masked."""
        return mask_url(self.engine.url)

    @property
    def revisions(self) -> list[str]:
        """Every revision id, base first, each after its down revisions."""
        return [script.revision for script in self._project.ordered()]

    def current(self) -> tuple[str, ...]:
        """The revisions the database is at (``()`` at base)."""
        return self._migrator.current_heads()

    def upgrade(self, revision: str = "heads") -> None:
        """``alembic upgrade REVISION``: an id, ``head``/``heads`` or a relative ``+1``."""
        __tracebackhide__ = True
        self._migrator.upgrade(revision)

    def downgrade(self, revision: str) -> None:
        """``alembic downgrade REVISION``: an id, ``base`` or a relative ``-1``."""
        __tracebackhide__ = True
        self._migrator.downgrade_to(revision)

    def snapshot(self) -> SchemaSpec:
        """The database's schema now."""
        return self._migrator.snapshot()

    def insert(self, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (column -> value) into ``table`` as it is now, and commit."""
        rows = [dict(row) for row in rows]
        if not rows:
            return
        target = self._table(table)
        try:
            self.connection.execute(target.insert(), rows)
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of ``table``, ordered by its primary key (else by every column)."""
        target = self._table(table)
        order = list(target.primary_key.columns) or list(target.columns)
        try:
            result = self.connection.execute(sa.select(target).order_by(*order))
            return [dict(row) for row in result.mappings()]
        finally:
            # Migrations start outside a transaction (see Migrator._run).
            self.connection.rollback()

    def assert_values_survive(
        self, table: str, rows: Iterable[Mapping[str, Any]], *, to: str = "+1"
    ) -> None:
        """Insert ``rows`` into ``table``, upgrade to ``to``, downgrade back: same values out?

        Each column given in ``rows`` is compared, row by row (matched by primary key), with
        what the database held right after the insert: once after the upgrade and once after
        the downgrade back to the revision the database was at. Raises
        :class:`~schemaspec.testing.values.ValuesChanged` naming each column that changed, how
        many rows did and the first one. Afterwards the database is back at its revision, with
        the rows in it.
        """
        __tracebackhide__ = True
        start = self.current()
        if len(start) != 1:
            raise SourceError(
                "assert_values_survive starts at one revision, and the database is at "
                + (", ".join(start) if start else "base")
                + ": upgrade to the revision before the one under test first"
            )
        rows = [dict(row) for row in rows]
        if not rows:
            raise SourceError("assert_values_survive needs sample rows to compare")
        columns = sorted({column for row in rows for column in row})
        key_columns = self._key_columns(table)
        existing = set(self._keyed(table, key_columns) or {})
        self.insert(table, rows)
        inserted = {
            key: row
            for key, row in (self._keyed(table, key_columns) or {}).items()
            if key not in existing
        }
        self.upgrade(to)
        up = f"upgrade {start[0]} -> {', '.join(self.current()) or 'base'}"
        differences = compare_rows(
            up, table, key_columns, columns, inserted, self._keyed(table, key_columns)
        )
        down = f"downgrade {', '.join(self.current()) or 'base'} -> {start[0]}"
        self.downgrade(start[0])
        differences += compare_rows(
            down, table, key_columns, columns, inserted, self._keyed(table, key_columns)
        )
        if differences:
            raise ValuesChanged(differences)

    def _key_columns(self, table: str) -> list[str]:
        target = self._table(table)
        key = [column.name for column in target.primary_key.columns]
        self.connection.rollback()
        if not key:
            raise SourceError(
                f"{table} has no primary key, so its rows cannot be matched before and after"
            )
        return key

    def _keyed(self, table: str, key_columns: Sequence[str]) -> dict[Key, dict[str, Any]] | None:
        """The rows of ``table`` by primary key; ``None`` when the table is gone."""
        if not sa.inspect(self.connection).has_table(table):
            self.connection.rollback()
            return None
        keyed: dict[Key, dict[str, Any]] = {}
        for row in self.rows(table):
            key = tuple(row.get(column) for column in key_columns)
            keyed[key] = row
        return keyed

    def _table(self, name: str) -> sa.Table:
        try:
            # A fresh MetaData each time: the table's shape changes from revision to revision.
            return sa.Table(name, sa.MetaData(), autoload_with=self.connection)
        except sa.exc.NoSuchTableError:
            self.connection.rollback()
            at = ", ".join(self.current()) or "base"
            raise SourceError(f"no table {name!r} in the database at revision {at}") from None
