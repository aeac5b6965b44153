"""The global options: -q, -v, --color (with NO_COLOR and FORCE_COLOR); warnings and progress on
stderr, results on stdout."""

from __future__ import annotations

import io
import re
import sqlite3
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from unioncore.models import Base

from schemaspec.cli import main
from schemaspec.cli.console import Console, running
from schemaspec.errors import SchemaspecWarning
from schemaspec.reports.progress import TerminalProgress
from schemaspec.reports.terminal import use_colour

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "specs" / "unioncore.toml"
ESC = "\033["


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def empty_database(tmp_path: Path) -> str:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    return f"sqlite:///{path}"


@pytest.fixture
def members_only(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'members.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["members"]])
    engine.dispose()
    return url


def test_a_warning_goes_to_stderr_and_the_result_to_stdout(
    empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["snapshot", empty_database]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("schemaspec = 1\n")
    assert err == f"schemaspec: warning: {empty_database} has no tables\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["-q", "snapshot", "{db}"],
        ["--quiet", "snapshot", "{db}"],
        ["snapshot", "{db}", "-q"],  # after the command too
    ],
)
def test_quiet_keeps_the_result_and_drops_warnings(
    empty_database: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main([part.replace("{db}", empty_database) for part in argv]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("schemaspec = 1\n")
    assert err == ""


def test_quiet_keeps_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "diff", "nope.models:Base", str(SNAPSHOT)]) == 2
    out, err = capsys.readouterr()
    assert (out, err.startswith("schemaspec: error: ")) == ("", True)


def test_quiet_drops_the_line_about_a_written_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schema.toml"
    assert main(["snapshot", str(SNAPSHOT), "-o", str(target)]) == 0
    assert capsys.readouterr() == ("", f"wrote {target} (7 tables)\n")
    assert main(["snapshot", str(SNAPSHOT), "-o", str(target), "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_verbose_says_what_each_phase_read_and_took(
    members_only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-v", "diff", "unioncore.models:Base", members_only]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "6 tables missing"
    pattern = re.compile(r"^schemaspec: (.*) \(\d+\.\d\d s\)$")
    phases = [pattern.sub(r"\1", line) for line in err.splitlines()]
    assert all(pattern.match(line) for line in err.splitlines()), err
    # The database is read first: models are compiled for the database they are compared with.
    assert phases == [
        f"reading {members_only}: 1 table",
        "reading unioncore.models:Base: 7 tables",
        "comparing 7 with 1 tables: 6 differences",
    ]


def test_the_last_of_quiet_and_verbose_wins(
    members_only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-v", "diff", "unioncore.models:Base", members_only, "-q"]) == 1
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("argv", "environ", "coloured"),
    [
        ([], {}, False),  # stdout is captured, no terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # a typed flag outranks the env
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "auto"], {"FORCE_COLOR": "1"}, True),
    ],
)
def test_color_option_and_environment(
    members_only: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    environ: dict[str, str],
    coloured: bool,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert main(["diff", "unioncore.models:Base", members_only, *argv]) == 1
    out = capsys.readouterr().out
    assert (ESC in out) is coloured
    assert re.sub(r"\033\[[0-9;]*m", "", out).splitlines()[-1] == "6 tables missing"


def test_json_and_markdown_are_never_coloured(
    members_only: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("json", "markdown", "github", "junit", "sarif"):
        assert main(["diff", "unioncore.models:Base", members_only, "--format", fmt]) == 1
        assert ESC not in capsys.readouterr().out


def test_a_bad_color_choice_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--color", "sometimes", "schema", "--check"]) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: argument --color: invalid choice: 'sometimes' (choose from 'auto', "
        "'always', 'never') (see: schemaspec --help)\n"
    )


@pytest.mark.parametrize(
    ("tty", "choice", "environ", "expected"),
    [
        (True, "auto", {}, True),
        (False, "auto", {}, False),
        (True, "auto", {"NO_COLOR": "1"}, False),
        (True, "auto", {"NO_COLOR": ""}, True),  # set but empty: not set (no-color.org)
        (False, "auto", {"FORCE_COLOR": "1"}, True),
        (False, "auto", {"FORCE_COLOR": ""}, False),
        (True, "never", {}, False),
        (False, "always", {"NO_COLOR": "1"}, True),
    ],
)
def test_use_colour(tty: bool, choice: str, environ: dict[str, str], expected: bool) -> None:
    stream = Terminal() if tty else io.StringIO()
    assert use_colour(stream, choice, environ) is expected  # type: ignore[arg-type]


# --- progress ----------------------------------------------------------------------------------


def test_progress_draws_one_line_on_a_terminal_and_erases_it() -> None:
    stream = Terminal()
    progress = TerminalProgress(stream)
    progress.phase("reading app.models:Base")
    progress("checking revisions", 1, 3)
    progress("checking revisions", 3, 3)
    progress.finish()
    assert stream.getvalue() == (
        "\r\033[Kschemaspec: reading app.models:Base"
        "\r\033[K"  # the phase ended
        "\r\033[Kschemaspec: checking revisions [1/3]"
        "\r\033[Kschemaspec: checking revisions [3/3]"
        "\r\033[K"
    )


def test_progress_is_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress("checking revisions", 1, 3)
    progress.finish()
    assert stream.getvalue() == ""


def test_verbose_progress_leaves_each_phase_with_its_duration() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream, verbose=True)
    progress("checking revisions", 1, 2)
    progress("checking revisions", 2, 2)
    progress.finish("2 revisions")
    assert re.fullmatch(
        r"schemaspec: checking revisions: 2 revisions \(\d+\.\d\d s\)\n", stream.getvalue()
    )


def test_the_command_line_shows_progress_on_a_terminal_only(
    members_only: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["diff", "unioncore.models:Base", members_only]) == 1
    drawn = terminal.getvalue()
    assert drawn == (
        f"\r\033[Kschemaspec: reading {members_only}\r\033[K"
        "\r\033[Kschemaspec: reading unioncore.models:Base\r\033[K"
        "\r\033[Kschemaspec: comparing 7 with 1 tables\r\033[K"
    )
    assert capsys.readouterr().out.splitlines()[-1] == "6 tables missing"
    terminal.seek(0)
    terminal.truncate()
    assert main(["-q", "diff", "unioncore.models:Base", members_only]) == 1
    assert terminal.getvalue() == ""


def test_the_migration_review_reports_each_revision(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    ini = ROOT / "docs" / "examples" / "unioncore" / "alembic.ini"
    assert main(["migrations", str(ini)]) == 0
    steps = [
        (int(done), int(total))
        for done, total in re.findall(r"checking revisions \[(\d+)/(\d+)\]", terminal.getvalue())
    ]
    # The first and the last step are always drawn; those between may be skipped when they
    # come faster than the eye (redrawn at most every 50 ms).
    assert (steps[0], steps[-1]) == ((1, 5), (5, 5))
    assert steps == sorted(set(steps))
    assert terminal.getvalue().endswith("\r\033[K")


def test_schemaspec_warnings_are_one_line_and_quiet_drops_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running(Console()):
        warnings.warn("the models define no tables\nsecond line", SchemaspecWarning, stacklevel=1)
    assert capsys.readouterr().err == "schemaspec: warning: the models define no tables\n"
    with running(Console(verbosity=-1)):
        warnings.warn("the models define no tables", SchemaspecWarning, stacklevel=1)
        warnings.warn("a user warning", UserWarning, stacklevel=1)
    assert capsys.readouterr().err == ""
