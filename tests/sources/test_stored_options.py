"""What a database keeps beyond types and keys, read the same from models and from the database.

Identity options, deferrable foreign keys, collations, primary key names and PostgreSQL's index
options and exclusion constraints: built with ``create_all`` in a scratch database (shadow mode),
read back, and equal to the spec compiled from the models for that database, and to the neutral
spec normalised for it. Mutations of each are in ``tests/dialects/test_dialects.py``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import schemaspec
from schemaspec.pytest_plugin import _require_server

COLLATIONS = {"postgresql": "C", "mysql": "utf8mb4_bin", "sqlite": "NOCASE"}


def models(dialect: str) -> sa.MetaData:
    metadata = sa.MetaData(naming_convention={"pk": "pk_%(table_name)s"})
    parents = sa.Table(
        "parents",
        metadata,
        sa.Column(
            "id", sa.BigInteger, sa.Identity(always=True, start=7, increment=2), primary_key=True
        ),
        sa.Column("code", sa.String(20, collation=COLLATIONS[dialect])),
    )
    # MariaDB refuses DEFERRABLE (SQLAlchemy emits it all the same).
    deferrable = {} if dialect == "mysql" else {"deferrable": True, "initially": "DEFERRED"}
    children = sa.Table(
        "children",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey(parents.c.id, **deferrable)),
        sa.Column("name", sa.Text if dialect != "mysql" else sa.String(40)),
        sa.Column("note", sa.String(40)),
        sa.PrimaryKeyConstraint("id", name="children_key"),
        sa.UniqueConstraint("parent_id", "note", postgresql_nulls_not_distinct=True),
        sa.UniqueConstraint("name", postgresql_include=["note"]),
    )
    sa.Index("ix_children_note", children.c.note, postgresql_using="hash")
    sa.Index(
        "ix_children_name",
        children.c.name,
        postgresql_ops={"name": "text_pattern_ops"},
        postgresql_include=["note"],
    )
    if dialect == "postgresql":
        children.append_column(sa.Column("during", postgresql.TSRANGE))
        children.append_constraint(postgresql.ExcludeConstraint((children.c.during, "&&")))
    return metadata


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_models_read_as_the_database_keeps_them(
    request: pytest.FixtureRequest, dialect: str
) -> None:
    shadow = True if dialect == "sqlite" else _require_server(request.config, dialect)
    built = schemaspec.from_models(models(dialect), dialect=dialect, shadow=shadow)
    assert (
        schemaspec.diff(schemaspec.from_models(models(dialect), dialect=dialect), built).changes
        == ()
    )
    assert schemaspec.diff(schemaspec.from_models(models(dialect)), built).changes == ()
    parents, children = built.tables["parents"], built.tables["children"]
    stored = {
        "sqlite": (None, "nocase", "deferred", "children_key", None),
        "postgresql": ("always start 7 increment 2", "C", "deferred", "children_key", "hash"),
        "mysql": (None, "utf8mb4_bin", None, None, None),
    }[dialect]
    assert (
        parents.columns["id"].identity,
        parents.columns["code"].collation,
        children.foreign_keys["parent_id"].deferrable,
        children.primary_key_name,
        children.indexes["ix_children_note"].method,
    ) == stored
    if dialect == "postgresql":
        assert children.indexes["ix_children_name"].operator_classes == {"name": "text_pattern_ops"}
        assert children.indexes["ix_children_name"].include == ("note",)
        assert children.unique["parent_id,note"].nulls_not_distinct is True
        assert list(children.excludes) == ["using gist (during with &&)"]
        assert children.unique["name"].include == ("note",)


def test_a_neutral_spec_keeps_every_option_until_a_database_is_named() -> None:
    neutral = schemaspec.from_models(models("postgresql"))
    children = neutral.tables["children"]
    assert children.indexes["ix_children_note"].method == "hash"
    assert children.unique["parent_id,note"].nulls_not_distinct is True
    on_sqlite = schemaspec.from_models(models("postgresql"), dialect="sqlite").tables["children"]
    assert on_sqlite.indexes["ix_children_note"].method is None
    assert on_sqlite.excludes == {}
    assert on_sqlite.unique["parent_id,note"].nulls_not_distinct is False
