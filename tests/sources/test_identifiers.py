"""Awkward identifiers survive reflect -> dump -> load -> diff on every database.

Unicode, both quote characters, backticks, spaces, dots, reserved words and names of exactly the
database's maximum identifier length, as table, column, index and constraint names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from schemaspec import diff, dump, from_database, from_models, load

AWKWARD = ["Prénom_名前", 'quo"te', "it's", "back`tick", "with space", "dot.ted", "select", "order"]


def longest(prefix: str, length: int) -> str:
    return (prefix + "_" + "x" * length)[:length]


def awkward_metadata(max_length: int) -> sa.MetaData:
    metadata = sa.MetaData()
    parent_name = longest("parent", max_length)
    parent = sa.Table(
        parent_name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        *(sa.Column(name, sa.String(20)) for name in AWKWARD),
        sa.Column(longest("column", max_length), sa.Integer, nullable=False),
    )
    for number, name in enumerate(AWKWARD):
        sa.Table(
            name,
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(
                "group", sa.Integer, sa.ForeignKey(parent.c.id, name=f"fk {number} «{name}»")
            ),
            sa.Column(name, sa.String(30), nullable=False),
            sa.Column("amount", sa.Integer),
            sa.UniqueConstraint(name, name=f"uq {number} {name}"),
            sa.CheckConstraint("amount > 0", name=f"ck {number} {name}"),
            sa.Index(f"ix {number} {name}", "group", name),
        )
    sa.Index(longest("ix", max_length), parent.c[longest("column", max_length)])
    return metadata


def test_awkward_identifiers_round_trip(schemaspec_database_url: str, tmp_path: Path) -> None:
    engine = sa.create_engine(schemaspec_database_url)
    # PostgreSQL: 63 bytes, MariaDB: 64 characters; SQLite has no limit, 64 stands in for one.
    max_length = min(engine.dialect.max_identifier_length or 64, 64)
    metadata = awkward_metadata(max_length)
    metadata.create_all(engine)
    engine.dispose()

    reflected = from_database(schemaspec_database_url)
    assert sorted(reflected.tables) == sorted([*AWKWARD, longest("parent", max_length)])
    assert diff(from_models(metadata), reflected).changes == ()
    for suffix in (".toml", ".json"):
        loaded = load(dump(reflected, tmp_path / f"schema{suffix}"))
        assert loaded == reflected
        assert diff(loaded, reflected).changes == ()
        assert diff(from_models(metadata), loaded).changes == ()
    # The names are all there, spelled exactly as created.
    table = reflected.tables["it's"]
    assert sorted(table.indexes) == ["ix 2 it's"]
    assert table.indexes["ix 2 it's"].columns == ("group", "it's")
    assert sorted(table.unique) == ["it's"]
    assert sorted(reflected.tables["back`tick"].columns) == ["amount", "back`tick", "group", "id"]
    assert longest("column", max_length) in reflected.tables[longest("parent", max_length)].columns


@pytest.mark.parametrize("name", AWKWARD)
def test_awkward_names_in_a_snapshot_file(tmp_path: Path, name: str) -> None:
    metadata = sa.MetaData()
    sa.Table(name, metadata, sa.Column(name, sa.Integer, primary_key=True))
    spec = from_models(metadata)
    for suffix in (".toml", ".json"):
        assert load(dump(spec, tmp_path / f"s{suffix}")) == spec
