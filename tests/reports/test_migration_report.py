# ruff: noqa: E501  (whole report lines, unbroken, are the clearest statement of the format)
"""Text, JSON and Markdown reports of a migration review, from a report built by hand."""

from __future__ import annotations

import json

from schemaspec import Change, ColumnSpec, IndexSpec, MigrationReport, TableSpec
from schemaspec.checks.migrations import Finding, RevisionResult
from schemaspec.reports.migration_report import effect, render_json, render_markdown, render_text

CREATE = Change(
    kind="unexpected",
    object="table",
    path="members",
    actual=TableSpec(columns={"id": ColumnSpec(type="integer", nullable=False)}),
)
DROP = Change(
    kind="missing", object="column", path="members.phone", expected=ColumnSpec(type="varchar(30)")
)
NARROW = Change(
    kind="changed",
    object="column",
    path="members.name",
    attributes=frozenset({"type"}),
    expected={"type": "varchar(100)"},
    actual={"type": "varchar(50)"},
)
LEFTOVER = Change(
    kind="unexpected",
    object="index",
    path="members.indexes.ix_members_name",
    actual=IndexSpec(columns=("name",)),
)

REPORT = MigrationReport(
    project="alembic.ini",
    dialect="sqlite",
    heads=("bbbb00000002",),
    revisions=(
        RevisionResult(
            revision="aaaa00000001",
            description="create members",
            changes=(CREATE,),
            round_trip="clean",
        ),
        RevisionResult(
            revision="bbbb00000002",
            down_revisions=("aaaa00000001",),
            description="tidy | members",
            changes=(DROP, NARROW, LEFTOVER),
            round_trip="not clean",
        ),
    ),
    findings=(
        Finding(
            kind="downgrade_not_clean",
            revision="bbbb00000002",
            message="downgrade of bbbb00000002 does not restore the schema before it: 1 index left behind",
            changes=(LEFTOVER,),
        ),
    ),
    accepted=(
        Finding(
            kind="destructive",
            revision="bbbb00000002",
            message="bbbb00000002 drops column members.phone; narrows members.name from varchar(100) to varchar(50)",
            changes=(DROP, NARROW),
        ),
    ),
    unchecked=("cccc00000003",),
    models="app.models:Base",
)


def test_text() -> None:
    assert render_text(REPORT) == (
        "Migrations in alembic.ini: 3 revisions on sqlite, head bbbb00000002, compared with app.models:Base\n"
        "  aaaa00000001  base                          clean      1 table added  (create members)\n"
        "  bbbb00000002  aaaa00000001                  not clean  1 column dropped, 1 column changed, 1 index added  (tidy | members)\n"
        "  not checked (an earlier revision failed): cccc00000003\n"
        "\n"
        "accepted: bbbb00000002 drops column members.phone; narrows members.name from varchar(100) to varchar(50) (--allow-destructive bbbb00000002)\n"
        "1 finding:\n"
        "  [downgrade_not_clean] downgrade of bbbb00000002 does not restore the schema before it: 1 index left behind\n"
        "      members.indexes.ix_members_name: index left behind (on name)\n"
    )


def test_markdown() -> None:
    assert render_markdown(REPORT) == (
        "### Migration review: `alembic.ini`\n"
        "\n"
        "3 revisions on sqlite, head bbbb00000002, compared with app.models:Base: **1 finding**.\n"
        "\n"
        "| Revision | Revises | Description | Upgrade | Downgrade round trip |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| `aaaa00000001` | base | create members | 1 table added | clean |\n"
        "| `bbbb00000002` | `aaaa00000001` | tidy \\| members | 1 column dropped, 1 column changed, 1 index added | not clean |\n"
        "| `cccc00000003` |  |  | not checked | not run |\n"
        "\n"
        "#### Findings\n"
        "\n"
        "- `bbbb00000002` **downgrade_not_clean**: downgrade of bbbb00000002 does not restore the schema before it: 1 index left behind\n"
        "  - `members.indexes.ix_members_name: index left behind (on name)`\n"
        "\n"
        "#### Accepted destructive steps\n"
        "\n"
        "- `bbbb00000002` **destructive**: bbbb00000002 drops column members.phone; narrows members.name from varchar(100) to varchar(50)\n"
        "  - `members.phone: column dropped (varchar(30), null)`\n"
        "  - `members.name: type varchar(100) before, varchar(50) after`\n"
    )


def test_json() -> None:
    document = json.loads(render_json(REPORT))
    assert document["schemaspec_migrations_report"] == 1
    assert (document["project"], document["dialect"], document["heads"]) == (
        "alembic.ini",
        "sqlite",
        ["bbbb00000002"],
    )
    assert document["findings"] == [
        {
            "kind": "downgrade_not_clean",
            "revision": "bbbb00000002",
            "message": "downgrade of bbbb00000002 does not restore the schema before it: "
            "1 index left behind",
            "changes": [
                {
                    "kind": "unexpected",
                    "object": "index",
                    "path": "members.indexes.ix_members_name",
                    "attributes": [],
                    "expected": None,
                    "actual": {"columns": ["name"]},
                }
            ],
        }
    ]
    assert [f["revision"] for f in document["accepted"]] == ["bbbb00000002"]
    assert [
        (r["revision"], r["down_revisions"], r["round_trip"]) for r in document["revisions"]
    ] == [
        ("aaaa00000001", [], "clean"),
        ("bbbb00000002", ["aaaa00000001"], "not clean"),
    ]
    assert document["unchecked"] == ["cccc00000003"]
    assert document["models"] == "app.models:Base"


def test_effect() -> None:
    assert effect(()) == "no schema change"
    assert effect((CREATE, DROP, DROP)) == "1 table added, 2 columns dropped"
    assert effect((LEFTOVER, LEFTOVER, NARROW)) == "2 indexes added, 1 column changed"


def test_a_clean_report_says_so() -> None:
    clean = MigrationReport(project="alembic.ini", dialect="postgresql", heads=("aaaa00000001",))
    assert not clean
    assert render_text(clean).splitlines()[-1] == "No findings."
    assert render_markdown(clean).splitlines()[2] == (
        "0 revisions on postgresql, head aaaa00000001: no findings."
    )
