"""The command line: exit codes 0/1/2, one-line errors, masked URLs, text and JSON reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from unioncore.models import Base

from schemaspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
SNAPSHOT = ROOT / "specs" / "unioncore.toml"
PHASE7 = [
    "book_registrations",
    "dispatches",
    "job_bids",
    "labor_requests",
    "referral_books",
    "registration_activities",
]


@pytest.fixture
def members_only(tmp_path: Path) -> str:
    """A SQLite database where the Phase 7 migration never ran: only ``members`` exists."""
    url = f"sqlite:///{tmp_path / 'unioncore.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["members"]])
    engine.dispose()
    return url


@pytest.fixture
def full_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def test_diff_equal_exits_0(full_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "unioncore.models:Base", full_database]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"No schema differences between unioncore.models:Base (expected) and {full_database}"
        " (actual).\n"
    )


def test_diff_lists_the_six_missing_tables_and_exits_1(
    members_only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "unioncore.models:Base", members_only]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Schema differences between unioncore.models:Base (expected) and {members_only} (actual):"
    )
    for table in PHASE7:
        assert f"  {table}: table missing (" in out
    assert out.splitlines()[-1] == "6 tables missing"


def test_type_change_reads_like_a_review_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'apn.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        # SQLite cannot ALTER a column type; rebuild the table the way a bad migration would.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        ddl = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'book_registrations'"
        ).scalar_one()
        connection.exec_driver_sql("DROP TABLE book_registrations")
        connection.exec_driver_sql(
            ddl.replace(
                "applicant_priority_number NUMERIC(10, 2)", "applicant_priority_number INTEGER"
            )
        )
        for index in Base.metadata.tables["book_registrations"].indexes:
            index.create(connection)
    engine.dispose()

    assert main(["diff", str(SNAPSHOT), url]) == 1
    out = capsys.readouterr().out
    assert (
        "  book_registrations.applicant_priority_number: type numeric(10,2) expected,"
        " integer found\n"
    ) in out
    assert out.splitlines()[-1] == "1 column changed"


def test_json_report(members_only: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "unioncore.models:Base", members_only, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["schemaspec_report"] == 1
    assert report["expected"] == {"source": "unioncore.models:Base", "dialect": "sqlite"}
    assert report["actual"] == {"source": members_only, "dialect": "sqlite"}
    assert report["differences"] == 6
    assert [(c["kind"], c["object"], c["path"]) for c in report["changes"]] == [
        ("missing", "table", table) for table in PHASE7
    ]


def test_snapshot_to_file_then_diff_against_it(
    tmp_path: Path, full_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "specs" / "db.toml"
    assert main(["snapshot", full_database, "-o", str(output)]) == 0
    assert capsys.readouterr().err == f"wrote {output} (7 tables)\n"
    assert main(["diff", str(SNAPSHOT), str(output)]) == 0


def test_snapshot_to_stdout_is_the_committed_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", "unioncore.models:Base"]) == 0
    assert capsys.readouterr().out == SNAPSHOT.read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["diff", "what is this", "x.toml"],
            "schemaspec: error: cannot tell what 'what is this' is: expected models "
            "('pkg.module:attr'), a database URL ('postgresql+psycopg://...'), a snapshot "
            "('.toml'/'.json') or 'alembic:path/to/alembic.ini[@revision]'\n",
        ),
        (
            ["diff", "nope.models:Base", str(SNAPSHOT)],
            "schemaspec: error: cannot import 'nope.models': ModuleNotFoundError: "
            "No module named 'nope'\n",
        ),
        (
            ["diff", str(SNAPSHOT), "missing.toml"],
            "schemaspec: error: missing.toml: no such file\n",
        ),
        (
            ["snapshot", "postgresql+psycopg://app:hunter2@127.0.0.1:1/app"],
            None,
        ),
    ],
)
def test_errors_are_one_line_and_exit_2(
    argv: list[str], message: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    if message is not None:
        assert captured.err == message
    assert captured.err.count("\n") == 1
    assert "hunter2" not in captured.err
    assert "Traceback" not in captured.err


def test_unreachable_database_names_the_host_not_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["diff", str(SNAPSHOT), "postgresql+psycopg://app:hunter2@127.0.0.1:1/app"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "schemaspec: error: cannot connect to postgresql database 'app' at 127.0.0.1:1: "
    )
    assert "hunter2" not in err


def test_usage_errors_exit_2_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "only-one.toml"]) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: the following arguments are required: ACTUAL"
        " (see: schemaspec diff --help)\n"
    )


def test_python_dash_m_entry_point(members_only: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "schemaspec", "diff", "unioncore.models:Base", members_only],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(EXAMPLES), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stdout.splitlines()[-1] == "6 tables missing"


def test_debug_shows_the_traceback_and_still_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--debug", "diff", "nope.models:Base", str(SNAPSHOT)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.rstrip().endswith(
        "schemaspec.errors.SourceError: cannot import 'nope.models': "
        "ModuleNotFoundError: No module named 'nope'"
    )


def test_diff_markdown_report(members_only: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "unioncore.models:Base", members_only, "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "### schemaspec: 6 tables missing\n"
        "\n"
        f"Expected: `unioncore.models:Base` · actual: `{members_only}`\n"
        "\n"
        "| Table | Missing | Unexpected | Changed |\n"
        "|---|---:|---:|---:|\n"
        "| book\\_registrations | 1 | 0 | 0 |\n"
    )
    assert "- **missing** `dispatches`: table missing (11 columns)\n" in out


def test_diff_ignore_flag(members_only: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["diff", "unioncore.models:Base", members_only, "--format", "json"]
    for table in PHASE7:
        argv += ["--ignore", table]
    assert main([*argv, "--ignore", "legacy_*"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["differences"] == 0
    assert [item["path"] for item in report["ignored"]] == PHASE7
    assert report["unused_ignores"] == [{"rule": "legacy_*", "reason": None}]


def test_diff_text_is_plain_when_piped(members_only: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "schemaspec", "diff", "unioncore.models:Base", members_only],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{EXAMPLES}"},
    )
    assert completed.returncode == 1
    assert "\033[" not in completed.stdout
    assert completed.stdout.endswith("\n6 tables missing\n")
