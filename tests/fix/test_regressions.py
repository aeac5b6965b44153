"""Named regression cases the generative fix test found: models, one real DDL mutation, and
the fix that must close it completely (proven, then run on the mutated database itself)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fix.test_fix import run_script, server_of
from sqlalchemy.pool import NullPool

import schemaspec
from schemaspec.fix import render_fix

Models = Callable[[sa.MetaData], None]


def mixed_case_check(metadata: sa.MetaData) -> None:
    # The spec keeps the check as isactive>0: PostgreSQL needs "isActive" quoted again.
    sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("isActive", sa.Integer, nullable=False),
        sa.CheckConstraint('"isActive" > 0'),
        sa.Index("ix_users_active", sa.text('("isActive" + 1)')),
    )


def comment_with_apostrophe(metadata: sa.MetaData) -> None:
    # PostgreSQL takes comments apart from CREATE TABLE: the scratch copy must add them.
    sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Integer),
        sa.Column("position", sa.Integer, comment="the user's name"),
    )


def descending_index(metadata: sa.MetaData) -> None:
    # An index of expressions alone: SQLite's table rebuild must create it again.
    table = sa.Table("tags", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Index("ix_tags_id", table.c.id.desc())


def generated_column(metadata: sa.MetaData) -> None:
    # SQLite cannot copy rows into a generated column: a plain column is dropped in place.
    sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Integer),
        sa.Column("total", sa.Integer, sa.Computed("price * 2")),
    )


def autoincrement_in_composite_key(metadata: sa.MetaData) -> None:
    # MariaDB: AUTO_INCREMENT on the second column of the key.
    sa.Table(
        "users",
        metadata,
        sa.Column("tenant_id", sa.Integer, primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    )


CASES = [
    pytest.param(
        "postgresql",
        mixed_case_check,
        'ALTER TABLE users ALTER COLUMN "isActive" SET DEFAULT 7',
        id="postgresql-mixed-case-check",
    ),
    pytest.param(
        "postgresql",
        comment_with_apostrophe,
        "ALTER TABLE users ALTER COLUMN name TYPE TEXT USING NULL::TEXT",
        id="postgresql-comment-with-apostrophe",
    ),
    pytest.param(
        "sqlite",
        descending_index,
        "ALTER TABLE tags ADD COLUMN mutation_added INTEGER",
        id="sqlite-descending-index",
    ),
    pytest.param(
        "sqlite",
        generated_column,
        "ALTER TABLE orders ADD COLUMN mutation_added INTEGER",
        id="sqlite-generated-column",
    ),
    pytest.param(
        "mysql",
        autoincrement_in_composite_key,
        "ALTER TABLE users COMMENT = 'changed by a mutation'",
        id="mariadb-autoincrement-in-composite-key",
    ),
]


@pytest.mark.parametrize(("kind", "models", "mutation"), CASES)
def test_the_fix_closes_the_mutation(
    request: pytest.FixtureRequest, kind: str, models: Models, mutation: str
) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{request.getfixturevalue('tmp_path') / 'app.db'}"
    else:
        url = request.getfixturevalue(f"schemaspec_{kind}_url")
    metadata = sa.MetaData()
    models(metadata)
    engine = sa.create_engine(url, poolclass=NullPool)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(mutation)
    engine.dispose()
    expected = schemaspec.from_models(metadata, dialect=kind)
    actual = schemaspec.from_database(url)
    assert len(schemaspec.diff(expected, actual).changes) == 1
    fix = render_fix(expected, actual, allow_destructive=True, scratch=server_of(request, url))
    assert [f"{u.change.path}: {u.reason}" for u in (*fix.unexpressed, *fix.refused)] == []
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()


def test_mariadb_drops_an_index_a_foreign_key_relies_on(
    schemaspec_mysql_url: str, request: pytest.FixtureRequest
) -> None:
    # Making mutation_ix let MariaDB drop the key's own index: dropping mutation_ix alone
    # would be refused (1553), so the fix gives the key its index back first.
    metadata = sa.MetaData()
    sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    )
    url = schemaspec_mysql_url
    engine = sa.create_engine(url, poolclass=NullPool)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX mutation_ix ON users (parent_id)")
    engine.dispose()
    expected = schemaspec.from_models(metadata, dialect="mysql")
    actual = schemaspec.from_database(url)
    fix = render_fix(expected, actual, scratch=server_of(request, url))
    assert fix.complete
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()
