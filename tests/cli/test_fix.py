"""``diff --fix``: the proven fix on stdout or in a file, exit 0 when it closes everything,
1 when some changes are left (each named on stderr), 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from unioncore.models import Base

from schemaspec.cli import main


@pytest.fixture
def members_only(tmp_path: Path) -> str:
    """The Phase 7 migration never ran, and a stray table was made by hand."""
    url = f"sqlite:///{tmp_path / 'unioncore.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["members"]])
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE scratch_notes (id INTEGER PRIMARY KEY)")
    engine.dispose()
    return url


def test_fix_leaves_destructive_steps_out_and_says_so(
    members_only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", "unioncore.models:Base", members_only, "--fix", "sql"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err == (
        "schemaspec: not fixed: unexpected table scratch_notes: destructive, left out without "
        "allow_destructive: drops table scratch_notes and every row in it\n"
    )
    assert out.startswith(
        "-- schemaspec fix: proven on a scratch sqlite copy of the actual schema\n"
        "-- NOT FIXED: unexpected table scratch_notes: destructive, left out without "
        "allow_destructive: drops table scratch_notes and every row in it\n\n"
        "-- missing table book_registrations\nCREATE TABLE book_registrations ("
    )
    assert "DROP TABLE" not in out


def test_fix_to_a_file_closes_everything(
    members_only: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "fix.sql"
    code = main(
        [
            "diff",
            "unioncore.models:Base",
            members_only,
            "--fix",
            "sql",
            "--allow-destructive",
            "-o",
            str(target),
        ]
    )
    out, err = capsys.readouterr()
    assert (code, out, err) == (0, "", f"wrote {target} (7 changes closed, 0 left)\n")
    script = target.read_text()
    assert "-- DESTRUCTIVE: drops table scratch_notes and every row in it\nDROP TABLE" in script
    engine = sa.create_engine(members_only)
    with engine.begin() as connection:
        for statement in script.split(";\n"):
            code_lines = [line for line in statement.splitlines() if not line.startswith("--")]
            if "".join(code_lines).strip():
                connection.exec_driver_sql("\n".join(code_lines))
    engine.dispose()
    assert main(["diff", "unioncore.models:Base", members_only]) == 0


def test_fix_options_need_fix(members_only: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "unioncore.models:Base", members_only, "--allow-destructive"]) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: --allow-destructive only applies with --fix sql|alembic\n"
    )


def test_a_rename_must_be_old_equals_new(
    members_only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["diff", "unioncore.models:Base", members_only, "--fix", "sql", "--rename", "members"]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: argument --rename: expected OLD=NEW, got 'members' "
        "(see: schemaspec diff --help)\n"
    )


def test_a_server_fix_needs_a_scratch_server(
    schemaspec_postgresql_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "unioncore.models:Base", schemaspec_postgresql_url, "--fix", "sql"]) == 2
    # Said before the database is read.
    assert capsys.readouterr().err == (
        "schemaspec: error: --fix for postgresql is proven on a scratch database: give "
        "--scratch-server the URL of a postgresql server you may create databases on\n"
    )


def test_a_bad_alembic_config_is_one_line(
    members_only: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope" / "alembic.ini"
    base = ["diff", "unioncore.models:Base", members_only, "--fix", "alembic"]
    assert main([*base, "--alembic-config", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"schemaspec: error: {missing}: no such file (give the project's alembic.ini)\n"
    )
    empty = tmp_path / "alembic.ini"
    empty.write_text("[alembic]\n")
    assert main([*base, "--alembic-config", str(empty)]) == 2
    assert capsys.readouterr().err == (
        f"schemaspec: error: {empty}: No 'script_location' key found in configuration.\n"
    )
