"""The differ, table-driven: a pair of specs and the exact changes expected."""

from __future__ import annotations

import pytest

from schemaspec import (
    Change,
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ExcludeSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
    UniqueSpec,
    diff,
)

ID = ColumnSpec(type="integer", nullable=False, autoincrement=True)
APN = ColumnSpec(type="numeric(10,2)", nullable=False)
BASE = TableSpec(
    columns={"id": ID, "member_id": ColumnSpec(type="integer"), "apn": APN},
    primary_key=("id",),
    foreign_keys={
        "member_id": ForeignKeySpec(
            columns=("member_id",),
            referred_table="members",
            referred_columns=("id",),
            name="fk_regs_member_id",
            on_delete="CASCADE",
        )
    },
    indexes={"ix_regs_apn": IndexSpec(columns=("apn",))},
    unique={"member_id,apn": UniqueSpec(columns=("member_id", "apn"), name="uq_regs")},
    checks={"ck_regs_apn": CheckSpec(sqltext="apn>=0", name="ck_regs_apn")},
)


EXCLUDE = ExcludeSpec(definition="using gist (apn with =)", name="ex_regs_apn")


def schema(**tables: TableSpec) -> SchemaSpec:
    return SchemaSpec(tables=tables)


def altered(**changes: object) -> TableSpec:
    return BASE.model_copy(update=changes)


CASES = [
    pytest.param(schema(regs=BASE), schema(regs=BASE), [], id="equal"),
    pytest.param(
        schema(regs=BASE),
        schema(),
        [Change(kind="missing", object="table", path="regs", expected=BASE)],
        id="missing table",
    ),
    pytest.param(
        schema(),
        schema(regs=BASE),
        [Change(kind="unexpected", object="table", path="regs", actual=BASE)],
        id="unexpected table",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(
            regs=altered(
                columns={**BASE.columns, "apn": ColumnSpec(type="integer", nullable=False)}
            )
        ),
        [
            Change(
                kind="changed",
                object="column",
                path="regs.apn",
                attributes=frozenset({"type"}),
                expected={"type": "numeric(10,2)"},
                actual={"type": "integer"},
            )
        ],
        id="column type",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(
            regs=altered(
                columns={**BASE.columns, "apn": ColumnSpec(type="numeric(10,2)", default="0")}
            )
        ),
        [
            Change(
                kind="changed",
                object="column",
                path="regs.apn",
                attributes=frozenset({"nullable", "default"}),
                expected={"default": None, "nullable": False},
                actual={"default": "0", "nullable": True},
            )
        ],
        id="column nullable and default",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(columns={"id": ID, "member_id": ColumnSpec(type="integer")})),
        [Change(kind="missing", object="column", path="regs.apn", expected=APN)],
        id="missing column",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(columns={**BASE.columns, "extra": ColumnSpec(type="text")})),
        [
            Change(
                kind="unexpected",
                object="column",
                path="regs.extra",
                actual=ColumnSpec(type="text"),
            )
        ],
        id="unexpected column",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(primary_key=("id", "apn"))),
        [
            Change(
                kind="changed",
                object="primary_key",
                path="regs.primary_key",
                attributes=frozenset({"columns"}),
                expected={"columns": ("id",)},
                actual={"columns": ("id", "apn")},
            )
        ],
        id="primary key columns",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(primary_key=())),
        [Change(kind="missing", object="primary_key", path="regs.primary_key", expected=("id",))],
        id="missing primary key",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(foreign_keys={})),
        [
            Change(
                kind="missing",
                object="foreign_key",
                path="regs.foreign_keys.member_id",
                expected=BASE.foreign_keys["member_id"],
            )
        ],
        id="missing foreign key",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(
            regs=altered(
                foreign_keys={
                    "member_id": BASE.foreign_keys["member_id"].model_copy(
                        update={"on_delete": None}
                    )
                }
            )
        ),
        [
            Change(
                kind="changed",
                object="foreign_key",
                path="regs.foreign_keys.member_id",
                attributes=frozenset({"on_delete"}),
                expected={"on_delete": "CASCADE"},
                actual={"on_delete": None},
            )
        ],
        id="foreign key action",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(
            regs=altered(
                foreign_keys={
                    "member_id": BASE.foreign_keys["member_id"].model_copy(update={"name": None})
                },
                unique={"member_id,apn": UniqueSpec(columns=("member_id", "apn"))},
                checks={"ck_regs_apn": CheckSpec(sqltext="apn>=0")},
            )
        ),
        [],
        id="names the database chose are not differences",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(
            regs=altered(
                foreign_keys={
                    "member_id": BASE.foreign_keys["member_id"].model_copy(update={"name": "other"})
                }
            )
        ),
        [
            Change(
                kind="changed",
                object="foreign_key",
                path="regs.foreign_keys.member_id",
                attributes=frozenset({"name"}),
                expected={"name": "fk_regs_member_id"},
                actual={"name": "other"},
            )
        ],
        id="renamed foreign key",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(
            regs=altered(
                foreign_keys={
                    "member_id": BASE.foreign_keys["member_id"].model_copy(
                        update={"name": None, "on_delete": None}
                    )
                }
            )
        ),
        [
            Change(
                kind="changed",
                object="foreign_key",
                path="regs.foreign_keys.member_id",
                attributes=frozenset({"on_delete"}),
                expected={"on_delete": "CASCADE"},
                actual={"on_delete": None},
            )
        ],
        id="a one-sided name does not hide another difference",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(indexes={"ix_regs_apn": IndexSpec(columns=("apn",), unique=True)})),
        [
            Change(
                kind="changed",
                object="index",
                path="regs.indexes.ix_regs_apn",
                attributes=frozenset({"unique"}),
                expected={"unique": False},
                actual={"unique": True},
            )
        ],
        id="index made unique",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(indexes={"ix_regs_apn": IndexSpec(columns=("member_id", "apn"))})),
        [
            Change(
                kind="changed",
                object="index",
                path="regs.indexes.ix_regs_apn",
                attributes=frozenset({"columns"}),
                expected={"columns": ("apn",)},
                actual={"columns": ("member_id", "apn")},
            )
        ],
        id="index columns",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(unique={}, checks={})),
        [
            Change(
                kind="missing",
                object="check",
                path="regs.checks.ck_regs_apn",
                expected=BASE.checks["ck_regs_apn"],
            ),
            Change(
                kind="missing",
                object="unique",
                path="regs.unique.member_id,apn",
                expected=BASE.unique["member_id,apn"],
            ),
        ],
        id="dropped check and unique constraint",
    ),
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(comment="registrations")),
        [
            Change(
                kind="changed",
                object="table",
                path="regs",
                attributes=frozenset({"comment"}),
                expected={"comment": None},
                actual={"comment": "registrations"},
            )
        ],
        id="table comment",
    ),
    pytest.param(
        schema(regs=altered(primary_key_name="pk_regs")),
        schema(regs=altered(primary_key_name="regs_pkey")),
        [
            Change(
                kind="changed",
                object="primary_key",
                path="regs.primary_key",
                attributes=frozenset({"name"}),
                expected={"name": "pk_regs"},
                actual={"name": "regs_pkey"},
            )
        ],
        id="primary key renamed",
    ),
    # The models leave the key unnamed and the database names it: nothing to compare.
    pytest.param(
        schema(regs=BASE),
        schema(regs=altered(primary_key_name="regs_pkey")),
        [],
        id="pk named once",
    ),
    pytest.param(
        schema(regs=altered(primary_key_name="pk_regs")),
        schema(regs=altered(primary_key=("id", "apn"), primary_key_name="pk_other")),
        [
            Change(
                kind="changed",
                object="primary_key",
                path="regs.primary_key",
                attributes=frozenset({"columns", "name"}),
                expected={"columns": ("id",), "name": "pk_regs"},
                actual={"columns": ("id", "apn"), "name": "pk_other"},
            )
        ],
        id="primary key columns and name",
    ),
    pytest.param(
        schema(regs=altered(excludes={"using gist (apn with =)": EXCLUDE})),
        schema(
            regs=altered(
                excludes={"using gist (apn with =)": EXCLUDE.model_copy(update={"name": None})}
            )
        ),
        [],
        id="exclusion named once",
    ),
    pytest.param(
        schema(regs=altered(excludes={"using gist (apn with =)": EXCLUDE})),
        schema(regs=BASE),
        [
            Change(
                kind="missing",
                object="exclude",
                path="regs.excludes.using gist (apn with =)",
                expected=EXCLUDE,
            )
        ],
        id="missing exclusion",
    ),
]


@pytest.mark.parametrize(("expected", "actual", "changes"), CASES)
def test_diff(expected: SchemaSpec, actual: SchemaSpec, changes: list[Change]) -> None:
    result = diff(expected, actual)
    assert list(result.changes) == changes
    assert bool(result) is bool(changes)


def test_enum_values_are_one_change() -> None:
    expected = SchemaSpec(
        dialect="postgresql",
        tables={"members": TableSpec(columns={"status": ColumnSpec(type="enum(member_status)")})},
        enums={"member_status": EnumSpec(values=("active", "inactive"))},
    )
    actual = expected.model_copy(
        update={"enums": {"member_status": EnumSpec(values=("active", "inactive", "suspended"))}}
    )
    assert diff(expected, actual).changes == (
        Change(
            kind="changed",
            object="enum",
            path="enums.member_status",
            attributes=frozenset({"values"}),
            expected={"values": ("active", "inactive")},
            actual={"values": ("active", "inactive", "suspended")},
        ),
    )


def test_changes_are_sorted_by_path() -> None:
    expected = schema(b=BASE, a=BASE, c=BASE)
    result = diff(expected, schema())
    assert [change.path for change in result.changes] == ["a", "b", "c"]


def test_neutral_models_are_compared_the_way_the_database_stores_them() -> None:
    models = SchemaSpec(
        tables={
            "t": TableSpec(
                columns={"id": ColumnSpec(type="uuid", nullable=False)}, primary_key=("id",)
            )
        }
    )
    sqlite = SchemaSpec(
        dialect="sqlite",
        tables={
            "t": TableSpec(
                columns={"id": ColumnSpec(type="char(32)", nullable=False)}, primary_key=("id",)
            )
        },
    )
    result = diff(models, sqlite)
    assert result.changes == ()
    assert result.notes == ()
    assert (result.expected_dialect, result.actual_dialect) == (None, "sqlite")


def test_two_dialects_compare_what_both_represent_and_say_so() -> None:
    postgresql = SchemaSpec(
        dialect="postgresql",
        tables={"t": TableSpec(columns={"at": ColumnSpec(type="timestamptz")}, comment="audit")},
    )
    sqlite = SchemaSpec(
        dialect="sqlite", tables={"t": TableSpec(columns={"at": ColumnSpec(type="timestamp")})}
    )
    result = diff(postgresql, sqlite)
    assert result.changes == ()
    assert result.notes == (
        "comparing a postgresql schema with a sqlite schema: "
        "only what both databases can represent is compared",
    )


def test_change_knows_its_table() -> None:
    result = diff(schema(regs=BASE), schema(regs=altered(indexes={})))
    assert [change.table for change in result.changes] == ["regs"]


def test_a_collection_whose_every_key_changed() -> None:
    """DeepDiff reports such a dict as one changed value; the differ still lists each member."""
    one = TableSpec(columns={"a": ID}, indexes={"ix_a": IndexSpec(columns=("a",))})
    other = TableSpec(
        columns={"b": ID},
        indexes={"ix_a": IndexSpec(columns=("b",), unique=True, where="b > 0")},
    )
    assert diff(schema(t=one), schema(t=other)).changes == (
        Change(kind="missing", object="column", path="t.a", expected=ID),
        Change(kind="unexpected", object="column", path="t.b", actual=ID),
        Change(
            kind="changed",
            object="index",
            path="t.indexes.ix_a",
            attributes=frozenset({"columns", "unique", "where"}),
            expected={"columns": ("a",), "unique": False, "where": None},
            actual={"columns": ("b",), "unique": True, "where": "b > 0"},
        ),
    )


def test_an_unnamed_check_matches_the_check_the_database_named() -> None:
    models = schema(regs=altered(checks={"apn >= 0": CheckSpec(sqltext="apn>=0")}))
    database = schema(
        regs=altered(checks={"regs_apn_check": CheckSpec(sqltext="apn>=0", name="regs_apn_check")})
    )
    assert diff(models, database).changes == ()
    changed = schema(
        regs=altered(checks={"regs_apn_check": CheckSpec(sqltext="apn>5", name="regs_apn_check")})
    )
    assert [(c.kind, c.path) for c in diff(models, changed).changes] == [
        ("missing", "regs.checks.apn >= 0"),
        ("unexpected", "regs.checks.regs_apn_check"),
    ]


def test_a_check_unnamed_on_both_sides_is_matched_once() -> None:
    left = schema(regs=altered(checks={"ck_one": CheckSpec(sqltext="apn>=0")}))
    right = schema(regs=altered(checks={"CONSTRAINT_1": CheckSpec(sqltext="apn>=0")}))
    assert diff(left, right).changes == ()
