"""Per-dialect normalisation rules on plain specs (no database needed)."""

from __future__ import annotations

import pytest
from zoo import zoo

from schemaspec import Change, diff, from_models
from schemaspec.dialects import common_ground, normalize
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    ForeignKeySpec,
    SchemaSpec,
    TableSpec,
    UniqueSpec,
)


def one_column(type_: str, **fields: object) -> SchemaSpec:
    column = ColumnSpec(type=type_, **fields)  # type: ignore[arg-type]
    return SchemaSpec(tables={"t": TableSpec(columns={"c": column})})


def normalized_type(spec: SchemaSpec, dialect: str) -> str:
    return normalize(spec, dialect).tables["t"].columns["c"].type


@pytest.mark.parametrize(
    ("type_", "dialect", "expected"),
    [
        ("timestamptz(3)", "mysql", "timestamp(3)"),
        ("timestamptz", "sqlite", "timestamp"),
        ("numeric", "mysql", "numeric(10,0)"),
        ("numeric(12,2)", "mysql", "numeric(12,2)"),
        ("uuid", "mysql", "char(32)"),
        ("interval day to second", "mysql", "timestamp"),
        ("float", "postgresql", "double"),
        ("float(10)", "postgresql", "real"),
        ("float(53)", "postgresql", "double"),
        ("integer[][]", "postgresql", "integer[]"),
        ("integer unsigned", "postgresql", "integer"),
        ("mediumtext", "postgresql", "text"),
        ("mysql_timestamp(6)", "postgresql", "timestamptz(6)"),
        ("mysql_timestamp", "sqlite", "timestamp"),
        ("enum('a','bb')", "sqlite", "varchar(2)"),
        ("point", "postgresql", "point"),
    ],
)
def test_stored_type(type_: str, dialect: str, expected: str) -> None:
    assert normalized_type(one_column(type_), dialect) == expected


def test_variants_are_picked_per_dialect_and_kept_while_neutral() -> None:
    spec = one_column("bigint", variants={"sqlite": "integer", "mysql": "mysql_timestamp"})
    assert normalized_type(spec, "sqlite") == "integer"
    assert normalized_type(spec, "mysql") == "mysql_timestamp"
    assert normalized_type(spec, "postgresql") == "bigint"
    assert normalize(spec, "sqlite").tables["t"].columns["c"].variants == {}
    assert normalize(spec) == spec


def test_postgresql_drops_boolean_emulation_checks_only_on_boolean_columns() -> None:
    table = TableSpec(
        columns={"flag": ColumnSpec(type="boolean"), "n": ColumnSpec(type="integer")},
        checks={
            "ck_flag": CheckSpec(sqltext="flag IN (0, 1)", name="ck_flag"),
            "ck_n": CheckSpec(sqltext="n IN (0, 1)", name="ck_n"),
        },
    )
    checks = normalize(SchemaSpec(tables={"t": table}), "postgresql").tables["t"].checks
    assert checks == {"ck_n": CheckSpec(sqltext="n in(0,1)", name="ck_n")}


def test_sqlite_common_ground_merges_integer_sizes() -> None:
    table = TableSpec(
        columns={"id": ColumnSpec(type="bigint", nullable=False), "n": ColumnSpec(type="smallint")},
        primary_key=("id",),
    )
    spec = normalize(SchemaSpec(tables={"t": table}), "sqlite")
    assert spec.tables["t"].columns["id"].autoincrement is False
    common = common_ground(spec, ("sqlite", "postgresql")).tables["t"].columns
    assert common == {
        "id": ColumnSpec(type="integer", nullable=False, autoincrement=True),
        "n": ColumnSpec(type="integer"),
    }
    # Within one dialect the declared type stays.
    assert common_ground(spec, ("postgresql",)) == spec


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_normalising_the_zoo_is_idempotent(dialect: str) -> None:
    once = from_models(zoo(dialect), dialect=dialect)
    assert normalize(once) == once
    assert normalize(once, dialect) == once


def test_mariadb_is_rendered_as_mysql() -> None:
    spec = one_column("timestamptz")
    assert normalize(spec, "mariadb") == normalize(spec, "mysql")
    assert normalize(spec, "mariadb").dialect == "mysql"


def test_names_each_database_gives_unnamed_constraints_are_not_compared_across_dialects() -> None:
    def registrations(fk: str, unique: str, check: str) -> TableSpec:
        return TableSpec(
            columns={
                "member_id": ColumnSpec(type="integer"),
                "book_id": ColumnSpec(type="integer"),
            },
            foreign_keys={
                "member_id": ForeignKeySpec(
                    columns=("member_id",),
                    referred_table="members",
                    referred_columns=("id",),
                    name=fk,
                )
            },
            unique={"member_id,book_id": UniqueSpec(columns=("member_id", "book_id"), name=unique)},
            checks={check: CheckSpec(sqltext="book_id>0", name=check)},
        )

    postgresql = SchemaSpec(
        dialect="postgresql",
        tables={
            "regs": registrations(
                "regs_member_id_fkey", "regs_member_id_book_id_key", "regs_book_id_check"
            )
        },
    )
    mysql = SchemaSpec(
        dialect="mysql",
        tables={"regs": registrations("regs_ibfk_1", "member_id", "CONSTRAINT_1")},
    )
    assert diff(postgresql, mysql).changes == ()
    chosen = SchemaSpec(
        dialect="mysql",
        tables={"regs": registrations("fk_regs_member", "member_id", "CONSTRAINT_1")},
    )
    also_chosen = SchemaSpec(
        dialect="postgresql",
        tables={
            "regs": registrations("fk_member", "regs_member_id_book_id_key", "regs_book_id_check")
        },
    )
    # PostgreSQL's own names say nothing against a name chosen on MySQL either.
    assert diff(postgresql, chosen).changes == ()
    assert diff(also_chosen, chosen).changes == (
        Change(
            kind="changed",
            object="foreign_key",
            path="regs.foreign_keys.member_id",
            attributes=frozenset({"name"}),
            expected={"name": "fk_member"},
            actual={"name": "fk_regs_member"},
        ),
    )
