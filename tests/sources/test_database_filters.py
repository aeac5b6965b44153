"""from_database include/exclude: unwanted tables are never queried, on every database.

Filtering after reflection would give the same spec but pay for every table (and on a big
schema that is the whole cost), so the tests watch what is sent to the database: a
``before_cursor_execute`` listener records every statement and its parameters, and a table that
is filtered out must appear in none of them, while every wanted table must appear in some.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import sqlalchemy as sa

from schemaspec import from_database
from schemaspec.sources.database import DEFAULT_EXCLUDE

TABLES = ("keep_a", "keep_b", "skip_secret", "audit_log", "alembic_version")


@pytest.fixture
def engine(schemaspec_database_url: str) -> Iterator[sa.Engine]:
    engine = create_tables(schemaspec_database_url)
    yield engine
    engine.dispose()


def create_tables(url: str) -> sa.Engine:
    metadata = sa.MetaData()
    for name in TABLES:
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("code", sa.String(20), nullable=False),
            sa.Column("parent_id", sa.Integer, sa.ForeignKey(f"{name}.id")),
            sa.UniqueConstraint("code", name=f"uq_{name}_code"),
            sa.Index(f"ix_{name}_parent", "parent_id"),
        )
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    return engine


def sent_to_database(
    engine: sa.Engine, include: Sequence[str] | None, exclude: Sequence[str]
) -> tuple[set[str], str]:
    """Reflect with the filters; the table names reflected and everything sent, as one text."""
    sent: list[str] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        sent.append(f"{statement} {parameters!r}")

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        spec = from_database(engine, include=include, exclude=exclude)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return set(spec.tables), "\n".join(sent)


CASES = [
    pytest.param(
        None,
        DEFAULT_EXCLUDE,
        {"keep_a", "keep_b", "skip_secret", "audit_log"},
        id="default-excludes-alembic_version",
    ),
    pytest.param(
        None,
        ("skip_*", "alembic_version"),
        {"keep_a", "keep_b", "audit_log"},
        id="exclude-glob",
    ),
    pytest.param(("keep_*",), DEFAULT_EXCLUDE, {"keep_a", "keep_b"}, id="include-glob"),
    pytest.param(
        ("keep_*", "audit_log"), ("keep_b",), {"keep_a", "audit_log"}, id="include-and-exclude"
    ),
    pytest.param(("audit_log",), (), {"audit_log"}, id="include-one-table"),
    pytest.param(("nothing_*",), (), set(), id="include-matches-nothing"),
]


@pytest.mark.parametrize(("include", "exclude", "wanted"), CASES)
def test_only_wanted_tables_are_queried(
    engine: sa.Engine,
    include: Sequence[str] | None,
    exclude: Sequence[str],
    wanted: set[str],
) -> None:
    reflected, sent = sent_to_database(engine, include, exclude)

    assert reflected == wanted
    oids = table_oids(engine)
    for name in TABLES:
        # PostgreSQL's native reader asks for tables by oid once it has listed them.
        queried = name in sent or (
            name in oids and re.search(rf"\b{oids[name]}\b", sent) is not None
        )
        if name in wanted:
            assert queried, f"{name} was reflected without being queried?"
        else:
            assert not queried, f"{name} is filtered out but was queried"


def table_oids(engine: sa.Engine) -> dict[str, int]:
    """The oid of each table on PostgreSQL (none elsewhere)."""
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT relname, oid FROM pg_class WHERE relname = ANY(:names)"),
            {"names": list(TABLES)},
        )
        return {name: oid for name, oid in rows}
