"""Markdown reports fit a pull-request comment: GitHub refuses one over 65,536 characters."""

from __future__ import annotations

from schemaspec.compare.change import Change
from schemaspec.compare.diff import IgnoredChange, SchemaDiff
from schemaspec.compare.ignore import IgnoreRule
from schemaspec.reports.diff_report import MARKDOWN_LIMIT, render_markdown


def large_diff(tables: int) -> SchemaDiff:
    """What 3,000 tables whose priority number became an INTEGER look like."""
    return SchemaDiff(
        changes=tuple(
            Change(
                kind="changed",
                object="column",
                path=f"table_{index:04d}.applicant_priority_number",
                attributes={"type"},
                expected={"type": "numeric(10,2)"},
                actual={"type": "integer"},
            )
            for index in range(tables)
        )
    )


def test_a_3000_table_diff_is_cut_to_the_comment_limit() -> None:
    result = large_diff(3000)
    full = render_markdown(
        result, expected="app.models:Base", actual="postgresql://db/app", limit=None
    )
    cut = render_markdown(result, expected="app.models:Base", actual="postgresql://db/app")
    assert len(full) > 5 * MARKDOWN_LIMIT
    assert len(cut) <= MARKDOWN_LIMIT
    lines = cut.splitlines()
    # The summary stays: the heading, both sides, the table's header and first rows.
    assert lines[:7] == [
        "### schemaspec: 3000 columns changed",
        "",
        "Expected: `app.models:Base` · actual: `postgresql://db/app`",
        "",
        "| Table | Missing | Unexpected | Changed |",
        "|---|---:|---:|---:|",
        "| table\\_0000 | 0 | 0 | 1 |",
    ]
    rows = [line for line in lines if line.startswith("| table")]
    shown = [line for line in lines if line.startswith("- **changed**")]
    more = [line for line in lines if line.startswith("| _")]
    assert more == [f"| _{3000 - len(rows)} more tables_ | | | |"]
    # The first changes, in report order, and a count of the rest.
    assert shown[0] == (
        "- **changed** `table_0000.applicant_priority_number`: type numeric(10,2) expected, "
        "integer found"
    )
    assert shown == [line for line in full.splitlines() if line.startswith("- **")][: len(shown)]
    assert len(shown) > 100
    assert lines[-1] == (
        f"> **{3000 - len(shown)} of 3000 changes not shown**: this report is cut to fit a "
        "pull-request comment (65,536 characters). The text and JSON reports (`--format text`, "
        "`--format json`) list every change."
    )


def test_a_report_under_the_limit_is_whole() -> None:
    result = large_diff(20)
    assert render_markdown(result) == render_markdown(result, limit=None)
    assert "not shown" not in render_markdown(result)


def test_the_limit_can_be_chosen_and_the_ignored_block_is_dropped_first() -> None:
    rule = IgnoreRule(path="legacy_*", reason="old")
    ignored = Change(kind="unexpected", object="table", path="legacy_x", expected=None, actual=None)
    result = large_diff(40).model_copy(
        update={"ignored": (IgnoredChange(change=ignored, rule=rule),) * 50}
    )
    cut = render_markdown(result, limit=4000)
    assert len(cut) <= 4000
    assert "Ignored (" not in cut
    assert cut.splitlines()[-1] == "> The ignored changes and warnings are left out too."
