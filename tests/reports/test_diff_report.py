"""Reports: the text a reviewer reads and the JSON a bot reads."""

from __future__ import annotations

import io
import json

import pytest

from schemaspec import (
    Change,
    ColumnSpec,
    ForeignKeySpec,
    IgnoreRule,
    IndexSpec,
    SchemaSpec,
    TableSpec,
    diff,
)
from schemaspec.reports.diff_report import (
    describe,
    rename_hints,
    render_json,
    render_markdown,
    render_text,
    summary,
    use_colour,
)

EXPECTED = SchemaSpec(
    tables={
        "book_registrations": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False),
                "applicant_priority_number": ColumnSpec(type="numeric(10,2)", nullable=False),
                "member_id": ColumnSpec(type="integer", nullable=False),
            },
            primary_key=("id",),
            foreign_keys={
                "member_id": ForeignKeySpec(
                    columns=("member_id",), referred_table="members", referred_columns=("id",)
                )
            },
            indexes={"ix_apn": IndexSpec(columns=("applicant_priority_number",))},
        ),
        "dispatches": TableSpec(columns={"id": ColumnSpec(type="integer", nullable=False)}),
    }
)
ACTUAL = SchemaSpec(
    tables={
        "book_registrations": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False),
                "applicant_priority_number": ColumnSpec(type="integer"),
                "legacy_flag": ColumnSpec(type="boolean", default="false"),
            },
            primary_key=("id",),
        ),
    }
)


def test_text_report_groups_by_table_and_ends_with_a_summary() -> None:
    text = render_text(diff(EXPECTED, ACTUAL), expected="models", actual="sqlite:///app.db")
    assert text == (
        "Schema differences between models (expected) and sqlite:///app.db (actual):\n"
        "\n"
        "book_registrations\n"
        "  book_registrations.applicant_priority_number: nullable false expected, true found;"
        " type numeric(10,2) expected, integer found\n"
        "  book_registrations.foreign_keys.member_id: foreign key missing"
        " (member_id -> members(id))\n"
        "  book_registrations.indexes.ix_apn: index missing (on applicant_priority_number)\n"
        "  book_registrations.legacy_flag: unexpected column (boolean, null, default false)\n"
        "  book_registrations.member_id: column missing (integer, not null)\n"
        "\n"
        "dispatches\n"
        "  dispatches: table missing (1 column)\n"
        "\n"
        "1 column changed, 1 column missing, 1 unexpected column, 1 foreign key missing,"
        " 1 index missing, 1 table missing\n"
    )


def test_no_differences() -> None:
    assert render_text(diff(EXPECTED, EXPECTED)) == "No schema differences.\n"


def test_summary_counts_plural() -> None:
    result = diff(
        EXPECTED.model_copy(update={"tables": {**EXPECTED.tables, "x": TableSpec()}}), SchemaSpec()
    )
    assert summary(result) == "3 tables missing"


def test_json_report_is_versioned_and_complete() -> None:
    report = json.loads(render_json(diff(EXPECTED, ACTUAL), expected="models", actual="db"))
    assert report["schemaspec_report"] == 1
    assert report["differences"] == 6
    assert report["changes"][0] == {
        "kind": "changed",
        "object": "column",
        "path": "book_registrations.applicant_priority_number",
        "attributes": ["nullable", "type"],
        "expected": {"nullable": False, "type": "numeric(10,2)"},
        "actual": {"nullable": True, "type": "integer"},
    }
    assert report["changes"][-1] == {
        "kind": "missing",
        "object": "table",
        "path": "dispatches",
        "attributes": [],
        "expected": {"columns": {"id": {"type": "integer", "nullable": False}}},
        "actual": None,
    }


def test_json_report_is_stable_across_runs() -> None:
    assert render_json(diff(EXPECTED, ACTUAL)) == render_json(diff(EXPECTED, ACTUAL))


# Colour, Markdown, rename hints, ignored changes and unused rules.

RENAMED = SchemaSpec(
    tables={
        "book_registrations": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False),
                "apn": ColumnSpec(type="numeric(10,2)", nullable=False),
                "member_id": ColumnSpec(type="integer", nullable=False),
            },
            primary_key=("id",),
            foreign_keys=EXPECTED.tables["book_registrations"].foreign_keys,
            indexes={"ix_registrations_apn": IndexSpec(columns=("apn",))},
        ),
        "dispatches": EXPECTED.tables["dispatches"],
    }
)
ORIGINAL = SchemaSpec(
    tables={
        "book_registrations": RENAMED.tables["book_registrations"].model_copy(
            update={
                "columns": {
                    "id": ColumnSpec(type="integer", nullable=False),
                    "applicant_priority_number": ColumnSpec(type="numeric(10,2)", nullable=False),
                    "member_id": ColumnSpec(type="integer", nullable=False),
                },
                "indexes": {"ix_apn": IndexSpec(columns=("apn",))},
            }
        ),
        "dispatches": EXPECTED.tables["dispatches"],
    }
)


def test_rename_hints_keep_both_changes() -> None:
    result = diff(ORIGINAL, RENAMED)
    assert len(result.changes) == 4
    assert rename_hints(result) == {
        "book_registrations.applicant_priority_number": {
            ("missing", "column"): "possibly renamed to apn"
        },
        "book_registrations.apn": {
            ("unexpected", "column"): "possibly renamed from applicant_priority_number"
        },
        "book_registrations.indexes.ix_apn": {
            ("missing", "index"): "possibly renamed to ix_registrations_apn"
        },
        "book_registrations.indexes.ix_registrations_apn": {
            ("unexpected", "index"): "possibly renamed from ix_apn"
        },
    }
    assert render_text(result) == (
        "Schema differences:\n"
        "\n"
        "book_registrations\n"
        "  book_registrations.apn: unexpected column (numeric(10,2), not null)"
        " [possibly renamed from applicant_priority_number]\n"
        "  book_registrations.applicant_priority_number: column missing (numeric(10,2), not null)"
        " [possibly renamed to apn]\n"
        "  book_registrations.indexes.ix_apn: index missing (on apn)"
        " [possibly renamed to ix_registrations_apn]\n"
        "  book_registrations.indexes.ix_registrations_apn: unexpected index (on apn)"
        " [possibly renamed from ix_apn]\n"
        "\n"
        "1 column missing, 1 unexpected column, 1 index missing, 1 unexpected index\n"
    )
    document = json.loads(render_json(result))
    assert [change.get("hint") for change in document["changes"]] == [
        "possibly renamed from applicant_priority_number",
        "possibly renamed to apn",
        "possibly renamed to ix_registrations_apn",
        "possibly renamed from ix_apn",
    ]


def test_no_hint_when_definitions_differ() -> None:
    # book_registrations.member_id is missing and legacy_flag unexpected: different columns.
    assert rename_hints(diff(EXPECTED, ACTUAL)) == {}


def test_colour_marks_kinds_and_tables() -> None:
    text = render_text(diff(EXPECTED, ACTUAL), colour=True)
    lines = text.splitlines()
    assert lines[2] == "\033[1mbook_registrations\033[0m"
    assert lines[3].startswith("  \033[36mbook_registrations.applicant_priority_number: ")
    assert lines[6] == (
        "  \033[33mbook_registrations.legacy_flag: unexpected column (boolean, null,"
        " default false)\033[0m"
    )
    assert (
        lines[7]
        == "  \033[31mbook_registrations.member_id: column missing (integer, not null)\033[0m"
    )
    assert "\033" not in render_text(diff(EXPECTED, ACTUAL))


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("tty", "environ", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),
    ],
)
def test_use_colour(tty: bool, environ: dict[str, str], expected: bool) -> None:
    assert use_colour(_Stream(tty), environ) is expected


def test_markdown_report() -> None:
    result = diff(EXPECTED, ACTUAL, ignore=[IgnoreRule.parse("*.legacy_*", reason="dropped")])
    assert render_markdown(result, expected="unioncore.models:Base", actual="sqlite:///a.db") == (
        "### schemaspec: 1 column changed, 1 column missing, 1 foreign key missing,"
        " 1 index missing, 1 table missing\n"
        "\n"
        "Expected: `unioncore.models:Base` · actual: `sqlite:///a.db`\n"
        "\n"
        "| Table | Missing | Unexpected | Changed |\n"
        "|---|---:|---:|---:|\n"
        "| book\\_registrations | 3 | 0 | 1 |\n"
        "| dispatches | 1 | 0 | 0 |\n"
        "\n"
        "#### book\\_registrations\n"
        "\n"
        "- **changed** `book_registrations.applicant_priority_number`: nullable false expected,"
        " true found; type numeric(10,2) expected, integer found\n"
        "- **missing** `book_registrations.foreign_keys.member_id`: foreign key missing"
        " (member\\_id -> members(id))\n"
        "- **missing** `book_registrations.indexes.ix_apn`: index missing"
        " (on applicant\\_priority\\_number)\n"
        "- **missing** `book_registrations.member_id`: column missing (integer, not null)\n"
        "\n"
        "#### dispatches\n"
        "\n"
        "- **missing** `dispatches`: table missing (1 column)\n"
        "\n"
        "<details><summary>Ignored (1)</summary>\n"
        "\n"
        "- `book_registrations.legacy_flag`: unexpected column (boolean, null, default false)"
        " (rule `*.legacy_*`: dropped)\n"
        "\n"
        "</details>\n"
    )
    assert render_markdown(diff(EXPECTED, EXPECTED)) == ("### schemaspec: no schema differences\n")


def test_ignored_changes_and_unused_rules_in_text_and_json() -> None:
    rules = [IgnoreRule.parse("*.legacy_*", reason="dropped"), IgnoreRule.parse("audit_*")]
    result = diff(EXPECTED, ACTUAL, ignore=rules)
    assert render_text(result).endswith(
        "\n"
        "Ignored (1):\n"
        "  book_registrations.legacy_flag: unexpected column (boolean, null, default false)"
        " -- rule '*.legacy_*' (dropped)\n"
        "warning: ignore rule 'audit_*' matched nothing; remove it?\n"
    )
    document = json.loads(render_json(result))
    assert document["differences"] == 5
    assert document["ignored"] == [
        {
            "kind": "unexpected",
            "object": "column",
            "path": "book_registrations.legacy_flag",
            "attributes": [],
            "expected": None,
            "actual": {"type": "boolean", "default": "false"},
            "rule": "*.legacy_*",
            "reason": "dropped",
        }
    ]
    assert document["unused_ignores"] == [{"rule": "audit_*", "reason": None}]
    assert list(document) == [
        "schemaspec_report",
        "expected",
        "actual",
        "notes",
        "differences",
        "summary",
        "changes",
        "ignored",
        "unused_ignores",
    ]


def test_a_long_changed_definition_reads_as_the_words_that_changed() -> None:
    query = (
        "select members.id,members.name from members where members.active"
        " and members.joined>current_date-30 order by members.name"
    )
    replaced = query.replace("where members.active", "where(not members.active)")
    change = Change(
        kind="changed",
        object="view",
        path="views.recent_members",
        attributes=frozenset({"definition"}),
        expected={"definition": query},
        actual={"definition": replaced},
    )
    assert describe(change) == (
        "views.recent_members: definition changed: ... members.id,members.name from members"
        " [-where members.active-] {+where(not members.active)+}"
        " and members.joined>current_date-30 order ..."
    )
    # Short ones are shown whole, like any other value.
    short = change.model_copy(
        update={"expected": {"definition": "select 1"}, "actual": {"definition": "select 2"}}
    )
    assert describe(short) == ("views.recent_members: definition select 1 expected, select 2 found")


def test_nested_values_read_as_what_is_set() -> None:
    change = Change(
        kind="changed",
        object="view",
        path="views.room_counts",
        attributes=frozenset({"indexes"}),
        expected={"indexes": {"room_counts_room": IndexSpec(columns=("room_id",), unique=True)}},
        actual={"indexes": {"room_counts_room": IndexSpec(columns=("room_id",))}},
    )
    assert describe(change) == (
        "views.room_counts: indexes {room_counts_room: {columns: (room_id), unique: true}}"
        " expected, {room_counts_room: {columns: (room_id)}} found"
    )
