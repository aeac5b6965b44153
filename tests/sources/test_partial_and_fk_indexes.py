"""Partial indexes declared for one database, and the indexes InnoDB adds for foreign keys,
are compared the way each database really has them — on the real databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import schemaspec


def partial_and_fk_models() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("accounts", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(100)),
        sa.Column("state", sa.String(10)),
        sa.Column("score", sa.Integer),
        # Unnamed foreign key with no index of its own: InnoDB adds one named after the column.
        sa.Column("account_id", sa.ForeignKey("accounts.id")),
        sa.Column("backup_id", sa.Integer),
        sa.ForeignKeyConstraint(["backup_id"], ["accounts.id"], name="fk_users_backup"),
        sa.Index("ix_users_state_live", "state", postgresql_where=sa.text("state <> 'gone'")),
        sa.Index(
            "ix_users_email_live",
            "email",
            unique=True,
            postgresql_where=sa.text("state <> 'gone'"),
            sqlite_where=sa.text("state <> 'gone'"),
        ),
        sa.Index("ix_users_score", "score", postgresql_where=sa.text("score > -3")),
        sa.CheckConstraint("score <> -1 AND score BETWEEN -10 AND 10", name="ck_users_score"),
    )
    return metadata


def test_created_models_compare_equal_on_every_database(schemaspec_database_url: str) -> None:
    metadata = partial_and_fk_models()
    engine = sa.create_engine(schemaspec_database_url)
    metadata.create_all(engine)
    try:
        result = schemaspec.diff(schemaspec.from_models(metadata), schemaspec.from_database(engine))
    finally:
        engine.dispose()
    assert result.changes == ()


@pytest.mark.parametrize(
    ("dialect", "where"),
    [("postgresql", "state<>'gone'"), ("sqlite", None), ("mysql", None)],
)
def test_a_postgresql_predicate_exists_only_on_postgresql(dialect: str, where: str | None) -> None:
    spec = schemaspec.from_models(partial_and_fk_models(), dialect=dialect)
    index = spec.tables["users"].indexes["ix_users_state_live"]
    assert (index.where, index.where_dialects) == (where, None)


def test_the_neutral_spec_remembers_where_a_predicate_applies() -> None:
    index = (
        schemaspec.from_models(partial_and_fk_models())
        .tables["users"]
        .indexes["ix_users_email_live"]
    )
    assert (index.where, index.where_dialects) == ("state<>'gone'", ("postgresql", "sqlite"))
