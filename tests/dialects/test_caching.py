"""The shortcuts in dialect normalisation change nothing but the work done.

``replace`` hands back the same object when a rule changes nothing, and ``cached_column``
computes each distinct column once per dialect; the results must be exactly what the rules
give, including for named enums, whose normal form depends on the schema's enum values.
"""

from __future__ import annotations

import pytest

from schemaspec.dialects import normalize, rules_for
from schemaspec.dialects.base import replace
from schemaspec.spec import ColumnSpec, EnumSpec, SchemaSpec, TableSpec

STATUS = ColumnSpec(type="enum(status)", nullable=False)


def spec(values: tuple[str, ...], dialect: str | None = None) -> SchemaSpec:
    return SchemaSpec(
        dialect=dialect,
        tables={
            "members": TableSpec(
                columns={
                    "id": ColumnSpec(type="integer", nullable=False),
                    "status": STATUS,
                    "note": ColumnSpec(type="varchar(20)", default="'x'::character varying"),
                },
                primary_key=("id",),
            )
        },
        enums={"status": EnumSpec(values=values)},
    )


def test_replace_returns_the_same_object_when_nothing_changes() -> None:
    column = ColumnSpec(type="integer", nullable=False)
    assert replace(column, type="integer", nullable=False) is column


def test_replace_copies_when_something_changes() -> None:
    column = ColumnSpec(type="integer", nullable=False)
    changed = replace(column, nullable=True)
    assert changed == ColumnSpec(type="integer", nullable=True)
    assert column.nullable is False


def test_normalising_a_normalised_spec_returns_its_tables_untouched() -> None:
    once = normalize(spec(("active", "inactive")), "postgresql")
    twice = normalize(once, "postgresql")
    assert twice == once
    assert twice.tables["members"] is once.tables["members"]


@pytest.mark.parametrize(
    ("dialect", "first", "second"),
    [
        ("mysql", "enum('active','inactive')", "enum('active','banned')"),
        ("sqlite", "varchar(8)", "varchar(6)"),
        ("postgresql", "enum(status)", "enum(status)"),
    ],
)
def test_a_cached_named_enum_column_follows_the_schemas_values(
    dialect: str, first: str, second: str
) -> None:
    # The same column object under two different enum definitions: the cache must not hand
    # the first schema's answer to the second.
    one = normalize(spec(("active", "inactive")), dialect)
    two = normalize(spec(("active", "banned")), dialect)
    assert one.tables["members"].columns["status"].type == first
    assert two.tables["members"].columns["status"].type == second


def test_cached_column_equals_the_rule() -> None:
    rules = rules_for("postgresql")
    enums = {"status": EnumSpec(values=("a",))}
    for column in (STATUS, ColumnSpec(type="float", default="(0)::double precision")):
        assert rules.cached_column(column, enums) == rules.column(column, enums)
        assert rules.cached_column(column, enums) is rules.cached_column(column, enums)
