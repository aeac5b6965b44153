"""The command line: exit codes 0/1/2, one-line errors, masked URLs, text and JSON reports."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
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


# User code cannot corrupt the result or the exit code (docs/cli.md, "User code"). These run the
# program itself: the exit status is the point, and os._exit() ends whatever process it runs in.

MODELS = (
    "import sqlalchemy as sa\n"
    "from sqlalchemy.orm import DeclarativeBase\n\n\n"
    "class Base(DeclarativeBase):\n"
    "    pass\n\n\n"
    "sa.Table('t', Base.metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
)


def run_program(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemaspec", *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}", "NO_COLOR": "1"},
        timeout=120,
        check=False,
    )


def test_print_while_importing_goes_to_stderr_and_the_snapshot_still_loads(
    tmp_path: Path,
) -> None:
    (tmp_path / "chatty.py").write_text(
        "print('connecting to', 'prod')\nprint('done', end='')\n" + MODELS
    )
    (tmp_path / "quiet.py").write_text(MODELS)
    completed = run_program(tmp_path, "snapshot", "chatty:Base")
    assert completed.returncode == 0
    assert completed.stderr == (
        "schemaspec: printed by chatty, line 1: connecting to prod\n"
        "schemaspec: printed by chatty, line 2: done\n"
    )
    quiet = run_program(tmp_path, "snapshot", "quiet:Base").stdout
    assert completed.stdout == quiet
    # And it loads: the file is a snapshot, not a snapshot with a log line in front.
    (tmp_path / "chatty.toml").write_text(completed.stdout)
    (tmp_path / "quiet.toml").write_text(quiet)
    assert main(["diff", str(tmp_path / "quiet.toml"), str(tmp_path / "chatty.toml")]) == 0


def test_sys_exit_while_importing_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "leaving.py").write_text("import sys\n\nsys.exit(0)\n")
    completed = run_program(tmp_path, "diff", "leaving:Base", str(SNAPSHOT))
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        2,
        "",
        "schemaspec: error: cannot import 'leaving': it called sys.exit(0) while being imported\n",
    )


def test_sys_exit_after_the_import_is_an_error(tmp_path: Path) -> None:
    # A module __getattr__ runs when the attribute is looked up, after the import finished.
    (tmp_path / "lazy.py").write_text("import sys\n\n\ndef __getattr__(name):\n    sys.exit()\n")
    completed = run_program(tmp_path, "diff", "lazy:Base", str(SNAPSHOT))
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        2,
        "",
        "schemaspec: error: code schemaspec ran called sys.exit() before schemaspec had a "
        "result (run with --debug for the traceback)\n",
    )


@pytest.mark.parametrize("status", [0, 1])
def test_os_exit_while_importing_never_reads_as_a_result(tmp_path: Path, status: int) -> None:
    (tmp_path / "abrupt.py").write_text(f"import os\n\nos._exit({status})\n")
    completed = run_program(tmp_path, "diff", "abrupt:Base", str(SNAPSHOT))
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        2,
        "",
        f"schemaspec: error: importing 'abrupt' ended the process with status {status} "
        "(os._exit) before schemaspec had a result\n",
    )


def test_os_exit_outside_an_import_never_reads_as_a_result(tmp_path: Path) -> None:
    (tmp_path / "lazy.py").write_text("import os\n\n\ndef __getattr__(name):\n    os._exit(0)\n")
    completed = run_program(tmp_path, "snapshot", "lazy:Base")
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        2,
        "",
        "schemaspec: error: code schemaspec ran ended the process with status 0 (os._exit) "
        "before schemaspec had a result\n",
    )


def test_a_killed_run_says_so(tmp_path: Path) -> None:
    (tmp_path / "doomed.py").write_text("import os, signal\n\nos.kill(os.getpid(), 9)\n")
    completed = run_program(tmp_path, "snapshot", "doomed:Base")
    assert (completed.returncode, completed.stdout, completed.stderr) == (
        128 + 9,
        "",
        "schemaspec: error: stopped by SIGKILL before it had a result\n",
    )


@pytest.mark.parametrize("target", ["process", "group"])
def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path, target: str) -> None:
    # "process": kill PID, Popen.send_signal; "group": a terminal's Ctrl-C, which reaches the
    # supervising process and the one doing the work at once.
    (tmp_path / "slow.py").write_text(
        "import sys, time\n\nprint('ready', file=sys.stderr, flush=True)\ntime.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "schemaspec", "diff", "slow:Base", str(SNAPSHOT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"},
        start_new_session=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "ready\n"
    if target == "process":
        process.send_signal(signal.SIGINT)
    else:
        os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (130, "", "schemaspec: interrupted\n")


def test_ctrl_c_in_process_returns_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "interrupting.py").write_text("raise KeyboardInterrupt\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["snapshot", "interrupting:Base"]) == 130
    assert capsys.readouterr() == ("", "schemaspec: interrupted\n")


# "Nothing compared" is never exit 0, in any command: a run that checked nothing must not read
# as a pass. (case id, files, argv with {tmp}, exit code, stdout, stderr)
NO_TABLES = (
    "import sqlalchemy as sa\n"
    "from sqlalchemy.orm import DeclarativeBase\n\n\n"
    "class Base(DeclarativeBase):\n"
    "    pass\n"
)
NOTHING_COMPARED = [
    (
        "diff-empty-models-against-an-empty-database",
        ["diff", "no_tables_models:Base", "sqlite:///{tmp}/empty.db"],
        2,
        "",
        "schemaspec: warning: sqlite:///{tmp}/empty.db has no tables\n"
        "schemaspec: error: models no_tables_models:Base define no tables, so there is nothing"
        " to compare: import the modules that define the models where the base is defined, or"
        " name another base\n",
    ),
    (
        "models-command-on-a-package-without-models",
        ["models", "no_tables_models"],
        2,
        "",
        "schemaspec: error: no mapped classes or tables in 'no_tables_models' (1 module), so"
        " nothing was checked: name the package that defines the models\n",
    ),
    (
        "check-whose-only-check-was-skipped",
        ["check", "--config", "{tmp}/pyproject.toml"],
        1,
        "note: database check skipped: $SCHEMASPEC_TEST_UNSET_URL is not set\n"
        "\n"
        "check: nothing was checked: every configured check was skipped\n",
        "",
    ),
]


@pytest.mark.parametrize(
    ("argv", "code", "out", "err"),
    [case[1:] for case in NOTHING_COMPARED],
    ids=[case[0] for case in NOTHING_COMPARED],
)
def test_nothing_compared_is_never_a_pass(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    code: int,
    out: str,
    err: str,
) -> None:
    (tmp_path / "no_tables_models.py").write_text(NO_TABLES)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemaspec]\nmodels = "unioncore.models:Base"\n'
        'database_env = "SCHEMASPEC_TEST_UNSET_URL"\n'
    )
    sqlite3.connect(tmp_path / "empty.db").close()
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("SCHEMASPEC_TEST_UNSET_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert main([part.replace("{tmp}", str(tmp_path)) for part in argv]) == code
    assert capsys.readouterr() == (
        out.replace("{tmp}", str(tmp_path)),
        err.replace("{tmp}", str(tmp_path)),
    )


def test_a_view_the_models_cannot_describe_is_a_note_unless_asked_for(
    full_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(full_database)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE VIEW member_names AS SELECT first_name FROM members")
    engine.dispose()
    assert main(["diff", "unioncore.models:Base", full_database]) == 0
    assert capsys.readouterr().out == (
        "note: views: not described by the models; not compared\n"
        f"No schema differences between unioncore.models:Base (expected) and {full_database}"
        " (actual).\n"
    )
    assert main(["diff", "unioncore.models:Base", full_database, "--objects", "all"]) == 1
    out = capsys.readouterr().out
    assert "  views.member_names: unexpected view\n" in out
    assert out.endswith("1 unexpected view\n")
