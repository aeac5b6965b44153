"""Which changes between two snapshots are destructive, and why."""

from __future__ import annotations

import pytest

from schemaspec import (
    Change,
    CheckSpec,
    ColumnSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
)
from schemaspec.checks.destructive import destructive_changes, destructive_reason, is_widening


@pytest.mark.parametrize(
    ("old", "new", "widening"),
    [
        ("varchar(50)", "varchar(100)", True),
        ("varchar(100)", "varchar(50)", False),
        ("varchar(100)", "text", True),
        ("text", "varchar(100)", False),
        ("char(10)", "varchar(10)", True),
        ("varchar", "varchar(10)", False),
        ("smallint", "integer", True),
        ("integer", "bigint", True),
        ("bigint", "integer", False),
        ("integer", "numeric(10,0)", True),
        ("integer", "numeric(12,2)", True),
        ("integer", "numeric(10,2)", False),
        ("numeric(10,2)", "integer", False),
        ("numeric(8,2)", "numeric(10,2)", True),
        ("numeric(10,2)", "numeric(10,3)", False),
        ("numeric(10,2)", "numeric(12,3)", True),
        ("numeric(10,2)", "numeric", True),
        ("numeric", "numeric(10,2)", False),
        ("float", "double", True),
        ("double", "float", False),
        ("timestamp(3)", "timestamp(6)", True),
        ("timestamp", "timestamp(3)", False),
        ("binary(16)", "bytes", True),
        ("json", "jsonb", True),
        ("varchar(20)", "integer", False),
        ("boolean", "integer", False),
        ("enum(member_status)", "varchar(20)", False),
        ("enum('a','b')", "enum('a','b','c')", True),
        ("enum('a','b','c')", "enum('a','c')", False),
        ("uuid", "uuid", True),
    ],
)
def test_is_widening(old: str, new: str, widening: bool) -> None:
    assert is_widening(old, new) is widening


def column_change(expected: dict[str, object], actual: dict[str, object]) -> Change:
    return Change(
        kind="changed",
        object="column",
        path="t.c",
        attributes=frozenset(expected),
        expected=expected,
        actual=actual,
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            Change(kind="missing", object="table", path="t", expected=TableSpec()),
            "drops table t",
        ),
        (
            Change(kind="missing", object="column", path="t.c", expected=ColumnSpec(type="text")),
            "drops column t.c",
        ),
        (
            Change(kind="unexpected", object="column", path="t.c", actual=ColumnSpec(type="text")),
            None,
        ),
        (
            Change(
                kind="missing",
                object="foreign_key",
                path="t.foreign_keys.m_id",
                expected=ForeignKeySpec(
                    columns=("m_id",), referred_table="m", referred_columns=("id",)
                ),
            ),
            "drops foreign key t.foreign_keys.m_id",
        ),
        (
            Change(
                kind="missing",
                object="check",
                path="t.checks.ck_t_positive",
                expected=CheckSpec(sqltext="c > 0", name="ck_t_positive"),
            ),
            "drops check constraint t.checks.ck_t_positive",
        ),
        (
            Change(kind="missing", object="primary_key", path="t.primary_key", expected=("id",)),
            "drops primary key t.primary_key",
        ),
        (
            Change(
                kind="missing",
                object="index",
                path="t.indexes.ix_t_c",
                expected=IndexSpec(columns=("c",)),
            ),
            None,
        ),
        (
            column_change({"type": "varchar(100)"}, {"type": "varchar(50)"}),
            "narrows t.c from varchar(100) to varchar(50)",
        ),
        (
            column_change({"type": "numeric(10,2)"}, {"type": "integer"}),
            "narrows t.c from numeric(10,2) to integer",
        ),
        (column_change({"type": "varchar(50)"}, {"type": "varchar(100)"}), None),
        (
            column_change({"nullable": True}, {"nullable": False}),
            "makes t.c NOT NULL without a default",
        ),
        (
            column_change(
                {"nullable": True, "default": None}, {"nullable": False, "default": "'x'"}
            ),
            None,
        ),
        (column_change({"nullable": False}, {"nullable": True}), None),
        (
            column_change(
                {"type": "varchar(100)", "nullable": True},
                {"type": "varchar(10)", "nullable": False},
            ),
            "narrows t.c from varchar(100) to varchar(10); makes t.c NOT NULL without a default",
        ),
        (
            Change(
                kind="changed",
                object="enum",
                path="enums.status",
                attributes=frozenset({"values"}),
                expected={"values": ("a", "b", "c")},
                actual={"values": ("a", "c")},
            ),
            "removes b from enums.status",
        ),
        (
            Change(
                kind="changed",
                object="enum",
                path="enums.status",
                attributes=frozenset({"values"}),
                expected={"values": ("a",)},
                actual={"values": ("a", "b")},
            ),
            None,
        ),
    ],
)
def test_destructive_reason(change: Change, reason: str | None) -> None:
    assert destructive_reason(change) == reason


def test_destructive_changes_keeps_only_destructive_ones() -> None:
    dropped = Change(kind="missing", object="column", path="t.c", expected=ColumnSpec(type="text"))
    added = Change(kind="unexpected", object="column", path="t.d", actual=ColumnSpec(type="text"))
    assert destructive_changes([added, dropped]) == [(dropped, "drops column t.c")]


def test_not_null_on_a_column_whose_default_did_not_change_is_safe() -> None:
    change = Change(
        kind="changed",
        object="column",
        path="t.n",
        attributes=frozenset({"nullable"}),
        expected={"nullable": True},
        actual={"nullable": False},
    )
    with_default = SchemaSpec(
        tables={
            "t": TableSpec(columns={"n": ColumnSpec(type="integer", nullable=False, default="0")})
        }
    )
    without = SchemaSpec(
        tables={"t": TableSpec(columns={"n": ColumnSpec(type="integer", nullable=False)})}
    )
    assert destructive_reason(change, with_default) is None
    assert destructive_reason(change, without) == "makes t.n NOT NULL without a default"
