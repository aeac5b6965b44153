"""``python -m schemaspec migrations``: exit 0 clean, 1 findings, 2 error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from example_project import INI, PHASE7_REVISION, add_revision, copy_example

from schemaspec.cli import main

MODELS = "unioncore.models:Base"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["migrations", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_example_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(INI), "--models", MODELS)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        f"Migrations in {INI}: 5 revisions on sqlite, head {PHASE7_REVISION},"
        f" compared with {MODELS}"
    )
    assert out.splitlines()[5] == (
        f"  {PHASE7_REVISION}  9d48d853728b                  clean      6 tables added"
        "  (phase7 referral dispatch tables)"
    )
    assert out.splitlines()[-1] == "No findings."


def test_json_on_postgresql(
    capsys: pytest.CaptureFixture[str], schemaspec_postgresql_url: str
) -> None:
    url = schemaspec_postgresql_url
    # On PostgreSQL the example's index on members is built without CONCURRENTLY: accepted.
    argv = [str(INI), "--url", url, "--format", "json", "--models", MODELS]
    code, out, _ = run(capsys, *argv, "--allow-locking", "3d5f7b9c1e2a")
    document = json.loads(out)
    assert (code, document["dialect"], document["findings"]) == (0, "postgresql", [])
    assert [r["round_trip"] for r in document["revisions"]] == ["clean"] * 5
    (accepted,) = document["accepted"]
    assert (accepted["kind"], accepted["revision"]) == ("locking", "3d5f7b9c1e2a")
    assert [lock["statement"] for lock in accepted["locks"]] == [
        "CREATE INDEX ix_members_last_name ON members (last_name)"
    ]
    code, out, _ = run(capsys, *argv)
    assert (code, [f["kind"] for f in json.loads(out)["findings"]]) == (1, ["locking"])


def forgetful(tmp_path: Path) -> Path:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        "aaaa00000001",
        PHASE7_REVISION,
        upgrade='op.create_index("ix_members_first_name", "members", ["first_name"])',
    )
    return ini


def test_findings_exit_1_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini = forgetful(tmp_path)
    code, out, _ = run(capsys, str(ini), "--format", "markdown")
    assert code == 1
    assert out.splitlines()[:3] == [
        f"### Migration review: `{ini}`",
        "",
        "6 revisions on sqlite, head aaaa00000001: **1 finding**.",
    ]
    assert out.splitlines()[-2:] == [
        "- `aaaa00000001` **downgrade_not_clean**: downgrade of aaaa00000001 does not restore"
        " the schema before it: 1 index left behind",
        "  - `members.indexes.ix_members_first_name: index left behind (on first_name)`",
    ]


def test_allow_destructive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        "dddd0000d0d0",
        PHASE7_REVISION,
        upgrade="""
            with op.batch_alter_table("members") as batch:
                batch.drop_column("phone")
        """,
        downgrade="""
            with op.batch_alter_table("members") as batch:
                batch.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        """,
    )
    code, out, _ = run(capsys, str(ini))
    assert code == 1
    assert "  [destructive] dddd0000d0d0 drops column members.phone" in out.splitlines()
    code, out, _ = run(capsys, str(ini), "--allow-destructive", "dddd0000d0d0")
    assert code == 0
    assert (
        "accepted: dddd0000d0d0 drops column members.phone"
        " (--allow-destructive dddd0000d0d0)" in out.splitlines()
    )


def test_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schemaspec_sqlite_url: str
) -> None:
    assert run(capsys, str(tmp_path / "alembic.ini")) == (
        2,
        "",
        f"schemaspec: error: no Alembic config at {str(tmp_path / 'alembic.ini')!r}\n",
    )
    code, _, err = run(capsys, str(INI), "--allow-destructive", "0000feedbeef")
    assert code == 2
    assert err.startswith(f"schemaspec: error: {INI}: unknown revision '0000feedbeef': ")
    engine = sa.create_engine(schemaspec_sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    engine.dispose()
    code, _, err = run(capsys, str(INI), "--url", schemaspec_sqlite_url)
    assert code == 2
    assert err.endswith(
        " is not empty (1 table: customers); migrations run only on an empty database,"
        " so no data is touched\n"
    )
    assert err.count("\n") == 1
