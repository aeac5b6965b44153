"""Ignore rules: the shorthand, path and attribute matching, reasons, and unused rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemaspec import Change, ColumnSpec, IgnoredChange, IgnoreRule, SchemaSpec, TableSpec, diff
from schemaspec.compare.ignore import DEFAULT_RULES, apply_rules, as_rules

ID = ColumnSpec(type="integer", nullable=False)


@pytest.mark.parametrize(
    ("shorthand", "rule"),
    [
        ("legacy_*", IgnoreRule(path="legacy_*")),
        ("*.internal_*", IgnoreRule(path="*.internal_*")),
        ("*.columns.internal_*", IgnoreRule(path="*.columns.internal_*")),
        ("*.*.comment", IgnoreRule(path="*.*", attribute="comment")),
        ("*.comment", IgnoreRule(path="*", attribute="comment")),
        ("members.status.default", IgnoreRule(path="members.status", attribute="default")),
        # A column called "comment" is reached through its collection.
        ("t.columns.comment", IgnoreRule(path="t.columns.comment")),
        ("*.indexes.*.columns", IgnoreRule(path="*.indexes.*", attribute="columns")),
        ("*.primary_key.columns", IgnoreRule(path="*.primary_key", attribute="columns")),
    ],
)
def test_shorthand(shorthand: str, rule: IgnoreRule) -> None:
    assert IgnoreRule.parse(shorthand) == rule
    assert str(rule) == shorthand


def test_rule_tables_and_reasons() -> None:
    assert as_rules(
        [
            {"path": "*.*.comment", "reason": "comments belong to the DBA"},
            {"path": "t", "attribute": "comment"},
            IgnoreRule(path="x"),
        ]
    ) == (
        IgnoreRule(path="*.*", attribute="comment", reason="comments belong to the DBA"),
        IgnoreRule(path="t", attribute="comment"),
        IgnoreRule(path="x"),
    )


@pytest.mark.parametrize("bad", ["", "a..b", ".a", "a."])
def test_empty_segments_are_rejected(bad: str) -> None:
    with pytest.raises(ValidationError, match="is not a path pattern"):
        IgnoreRule.parse(bad)


def _schema(**tables: TableSpec) -> SchemaSpec:
    return SchemaSpec(tables=tables)


EXPECTED = _schema(
    members=TableSpec(
        columns={
            "id": ID,
            "email": ColumnSpec(type="varchar(255)", comment="contact"),
            "status": ColumnSpec(type="varchar(20)", default="'active'"),
        },
        primary_key=("id",),
    )
)
ACTUAL = _schema(
    members=TableSpec(
        columns={
            "id": ID,
            "email": ColumnSpec(type="text", comment="old"),
            "status": ColumnSpec(type="varchar(20)"),
            "internal_flag": ColumnSpec(type="boolean"),
        },
        primary_key=("id",),
    ),
    legacy_orders=TableSpec(columns={"id": ID}),
)
EMAIL = Change(
    kind="changed",
    object="column",
    path="members.email",
    attributes=frozenset({"comment", "type"}),
    expected={"comment": "contact", "type": "varchar(255)"},
    actual={"comment": "old", "type": "text"},
)
INTERNAL = Change(
    kind="unexpected",
    object="column",
    path="members.internal_flag",
    actual=ColumnSpec(type="boolean"),
)
LEGACY = Change(
    kind="unexpected", object="table", path="legacy_orders", actual=TableSpec(columns={"id": ID})
)
STATUS = Change(
    kind="changed",
    object="column",
    path="members.status",
    attributes=frozenset({"default"}),
    expected={"default": "'active'"},
    actual={"default": None},
)


def test_without_rules_diff_is_unchanged() -> None:
    result = diff(EXPECTED, ACTUAL)
    assert result.changes == (LEGACY, EMAIL, INTERNAL, STATUS)
    assert result.ignored == ()
    assert result.unused_ignores == ()


def test_path_attribute_and_unused_rules() -> None:
    legacy = IgnoreRule(path="legacy_*", reason="dropped in Q3")
    internal = IgnoreRule.parse("*.columns.internal_*")
    comment = IgnoreRule.parse("*.*.comment")
    stale = IgnoreRule.parse("audit_*", reason="audit tables moved out")
    result = diff(EXPECTED, ACTUAL, ignore=[legacy, internal, comment, stale])
    email_type = Change(
        kind="changed",
        object="column",
        path="members.email",
        attributes=frozenset({"type"}),
        expected={"type": "varchar(255)"},
        actual={"type": "text"},
    )
    email_comment = Change(
        kind="changed",
        object="column",
        path="members.email",
        attributes=frozenset({"comment"}),
        expected={"comment": "contact"},
        actual={"comment": "old"},
    )
    assert result.changes == (email_type, STATUS)
    assert result.ignored == (
        IgnoredChange(change=LEGACY, rule=legacy),
        IgnoredChange(change=email_comment, rule=comment),
        IgnoredChange(change=INTERNAL, rule=internal),
    )
    assert result.unused_ignores == (stale,)
    assert bool(result)


def test_an_attribute_rule_that_covers_every_attribute_ignores_the_change() -> None:
    result = diff(EXPECTED, ACTUAL, ignore=["members.status.default", "*", "legacy_orders"])
    # The first matching rule wins; "*" then takes the rest, so "legacy_orders" is unused.
    assert result.changes == ()
    assert [str(item.rule) for item in result.ignored] == [
        "*",
        "*",
        "*",
        "members.status.default",
    ]
    assert result.unused_ignores == (IgnoreRule(path="legacy_orders"),)


def test_star_does_not_cross_dots() -> None:
    # "members*" would match the table; "*flag" on a path must not reach members.internal_flag.
    result = diff(EXPECTED, ACTUAL, ignore=["*flag"])
    assert INTERNAL in result.changes
    assert result.unused_ignores == (IgnoreRule(path="*flag"),)


def test_attribute_rules_leave_missing_and_unexpected_objects_alone() -> None:
    kept, ignored, unused = apply_rules([INTERNAL], [IgnoreRule(path="*", attribute="type")])
    assert (kept, ignored, unused) == ((INTERNAL,), (), (IgnoreRule(path="*", attribute="type"),))


def test_enum_and_constraint_paths() -> None:
    enum = Change(
        kind="changed",
        object="enum",
        path="enums.member_status",
        attributes=frozenset({"values"}),
        expected={"values": ("a",)},
        actual={"values": ("b",)},
    )
    index = Change(kind="missing", object="index", path="t.indexes.ix_t_a", expected=None)
    kept, ignored, _ = apply_rules([enum, index], as_rules(["enums.member_*", "t.indexes.ix_*"]))
    assert kept == ()
    assert [item[0] for item in ignored] == [enum, index]


def test_alembic_version_is_ignored_by_default_and_never_reported_unused() -> None:
    actual = _schema(alembic_version=TableSpec(columns={"version_num": ID}))
    result = diff(SchemaSpec(), actual, ignore=DEFAULT_RULES)
    assert result.changes == ()
    assert [item.rule for item in result.ignored] == list(DEFAULT_RULES)
    assert diff(SchemaSpec(), SchemaSpec(), ignore=DEFAULT_RULES).unused_ignores == ()
