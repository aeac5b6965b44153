"""Reports: the text a reviewer reads and the JSON a bot reads."""

from __future__ import annotations

import json

from schemaspec import ColumnSpec, ForeignKeySpec, IndexSpec, SchemaSpec, TableSpec, diff
from schemaspec.report import render_json, render_text, summary

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
        "  dispatches: table missing (1 columns)\n"
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
