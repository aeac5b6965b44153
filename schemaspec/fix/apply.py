"""Running steps through Alembic: on a live connection (the proof) or as SQL text (the fix).

One function drives both, so the SQL a user reads is what the proof ran, statement for
statement. On SQLite the steps that alter an existing table run inside one
``batch_alter_table`` (SQLite's table-rebuild recipe where ``ALTER TABLE`` cannot do it),
rebuilt from the table as the actual spec describes it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from schemaspec.fix import build
from schemaspec.fix.plan import Step
from schemaspec.spec import SchemaSpec

#: Steps grouped as they run: one step, or (SQLite) the steps altering one table.
Group = tuple[Step, ...]


def groups(steps: Sequence[Step], dialect: str) -> list[Group]:
    """Steps in order; on SQLite those altering one existing table gathered at the first."""
    if dialect != "sqlite":
        return [(step,) for step in steps]
    grouped: list[list[Step]] = []
    by_table: dict[str, list[Step]] = {}
    for step in steps:
        if step.table is None:
            grouped.append([step])
            continue
        if step.table not in by_table:
            by_table[step.table] = []
            grouped.append(by_table[step.table])
        by_table[step.table].append(step)
    return [tuple(group) for group in grouped]


def run_group(operations: Operations, group: Group, dialect: str, actual: SchemaSpec) -> None:
    """Run ``group`` through ``operations`` (live or ``as_sql``)."""
    batch_table = group[0].table if dialect == "sqlite" else None
    if batch_table is None:
        for step in group:
            for operation in step.operations:
                operations.invoke(operation)
        return
    schema, name = build.split_key(batch_table)
    copy_from = build.table(
        batch_table,
        actual.tables[batch_table],
        sa.MetaData(),
        dialect,
        enums=build.enum_values(actual),
    )
    with warnings.catch_warnings():
        # A new primary key over the rebuilt table's columns is the point of some rebuilds;
        # SQLAlchemy warns that the columns' own flags disagree with it.
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with operations.batch_alter_table(
            name, schema=schema, copy_from=copy_from, recreate="auto"
        ) as batch:
            for step in group:
                for operation in step.operations:
                    batch.invoke(operation)


def sql_text(
    group_list: Sequence[Group],
    dialect: str,
    actual: SchemaSpec,
    comment: Callable[[Group], list[str]],
    flavor: str | None = None,
) -> str:
    """The SQL script of ``group_list``: each group's comment lines, then its statements.

    ``flavor`` is the server's own dialect where it differs from the spec's (``mariadb``:
    ``DROP CONSTRAINT`` where MySQL says ``DROP CHECK``).
    """
    buffer = io.StringIO()
    with _offline(flavor or dialect, buffer) as operations:
        for group in group_list:
            for line in comment(group):
                buffer.write(f"-- {line}\n")
            run_group(operations, group, dialect, actual)
    return buffer.getvalue()


@contextmanager
def _offline(dialect: str, buffer: io.StringIO) -> Iterator[Operations]:
    context = MigrationContext.configure(
        dialect_name=dialect,
        opts={"as_sql": True, "output_buffer": buffer, "literal_binds": True},
    )
    yield Operations(context)


@contextmanager
def online(connection: sa.Connection) -> Iterator[Operations]:
    context = MigrationContext.configure(connection)
    yield Operations(context)


def flavor_of(connection: sa.Connection) -> str:
    """The dialect Alembic should render for this server (MariaDB is not MySQL)."""
    return (
        "mariadb" if getattr(connection.dialect, "is_mariadb", False) else connection.dialect.name
    )


def describe(error: Any) -> str:
    """A database's refusal in one line."""
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split())
