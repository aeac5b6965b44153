"""``check`` runs the models health check and the migrations review that ``[tool.schemaspec]``
configures (``models_package``, ``alembic_config``), each of which can be turned off, and
``check --show-config`` says where every value came from."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from example_project import PHASE7_REVISION, add_revision, copy_example

from schemaspec.checks.config import load_config
from schemaspec.checks.migrations import MigrationReport
from schemaspec.checks.project import NothingToCheck, run_check
from schemaspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
ALL_CHECKS = ROOT / "docs" / "examples" / "unioncore" / "all-checks" / "pyproject.toml"
RISKY = "ffff00000001"


def test_the_example_runs_every_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNIONCORE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    run = run_check(load_config(ALL_CHECKS), cwd=ALL_CHECKS.parent)
    assert [(c.kind, c.subject, c.against, c.ok) for c in run.checks] == [
        ("models", "unioncore.models", "base unioncore.models:Base", True),
        ("snapshot", "../../../../specs/unioncore.toml", "models unioncore.models:Base", True),
        ("contract", "../schema-is-law.contract.toml", "models unioncore.models:Base", True),
        (
            "migrations",
            "../alembic.ini",
            "models unioncore.models:Base on a scratch SQLite file",
            True,
        ),
    ]
    assert run.ok
    review = run.checks[-1].review
    assert isinstance(review, MigrationReport) and len(review.revisions) == 5


def _project(tmp_path: Path, config: str, *, risky: bool = False) -> Path:
    """A copy of the example with its own ``[tool.schemaspec]`` (and a risky revision)."""
    ini = copy_example(tmp_path)
    if risky:
        add_revision(
            ini,
            RISKY,
            PHASE7_REVISION,
            """
            with op.batch_alter_table("members") as batch:
                batch.add_column(sa.Column("badge", sa.Integer(), nullable=False))
            """,
            """
            with op.batch_alter_table("members") as batch:
                batch.drop_column("badge")
            """,
        )
    path = ini.parent / "pyproject.toml"
    path.write_text("[tool.schemaspec]\n" + textwrap.dedent(config), encoding="utf-8")
    return path


def test_a_locking_step_fails_the_check_with_the_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _project(tmp_path, 'alembic_config = "alembic.ini"\n', risky=True)
    monkeypatch.chdir(path.parent)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "migrations alembic.ini against its own history on a scratch SQLite file: 1 finding\n"
        f"Migrations in {path.parent / 'alembic.ini'}: 6 revisions on sqlite, head {RISKY}\n"
    )
    assert f"  [locking] {RISKY} adds members.badge NOT NULL without a default\n" in out
    assert out.endswith("check: 1 of 1 checks failed\n")
    document = json.loads(
        (main(["check", "--config", str(path), "--format", "json"]), capsys.readouterr().out)[1]
    )
    (check,) = document["checks"]
    assert (check["check"], check["ok"], check["problem"]) == ("migrations", False, "1 finding")
    assert [f["kind"] for f in check["review"]["findings"]] == ["locking"]
    assert main(["check", "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    # The review's text report, fenced, under the table of checks.
    assert (
        "| migrations | `alembic.ini` | its own history on a scratch SQLite file | 1 finding |"
        in (markdown)
    )
    assert f"```\nMigrations in {path.parent / 'alembic.ini'}: 6 revisions on sqlite" in markdown


def test_the_allow_list_in_the_config_accepts_it(tmp_path: Path) -> None:
    config = f"""\
        alembic_config = "alembic.ini"

        [tool.schemaspec.migrations]
        allow_locking = ["{RISKY}"]
        """
    run = run_check(load_config(_project(tmp_path, config, risky=True)))
    (check,) = run.checks
    assert check.ok and run.ok
    assert isinstance(check.review, MigrationReport)
    assert [(f.kind, f.revision) for f in check.review.accepted] == [("locking", RISKY)]


def test_each_review_can_be_turned_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = """\
        models = "unioncore.models:Base"
        models_package = "unioncore.models"
        alembic_config = "alembic.ini"
        """
    path = _project(tmp_path, config)
    assert [c.kind for c in run_check(load_config(path)).checks] == ["models", "migrations"]
    off = """\

        [tool.schemaspec.migrations]
        enabled = false
        """
    path.write_text(path.read_text() + textwrap.dedent(off))
    assert [c.kind for c in run_check(load_config(path)).checks] == ["models"]
    # Both off: nothing left to check is an error, as with any empty configuration.
    assert main(["check", "--config", str(path), "--no-health"]) == 2
    assert "nothing to check" in capsys.readouterr().err


def test_unhealthy_models_stop_the_other_checks(tmp_path: Path) -> None:
    package = tmp_path / "broken_models"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    (package / "orders.py").write_text("import no_such_module_anywhere\n")
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.schemaspec]\nmodels = "broken_models:Base"\nmodels_package = "broken_models"\n'
        'snapshot = "schema.toml"\n'
    )
    run = run_check(load_config(path))
    (health,) = run.checks
    assert (health.kind, health.ok, health.problem) == ("models", False, "1 problem")
    assert run.notes == ("the other checks were not run: they import the models",)
    assert not run.ok


def test_a_review_database_variable_unset(tmp_path: Path) -> None:
    config = """\
        alembic_config = "alembic.ini"

        [tool.schemaspec.migrations]
        database_env = "REVIEW_DATABASE_URL"
        """
    project = load_config(_project(tmp_path, config))
    local = run_check(project, environ={})
    assert local.notes == (
        "migrations reviewed on a scratch SQLite file: $REVIEW_DATABASE_URL is not set",
    )
    assert local.ok
    ci = run_check(project, environ={"CI": "true"})
    (check,) = ci.checks
    assert check.problem == (
        "not run: $REVIEW_DATABASE_URL is not set (CI=true: a check that cannot run fails; "
        "set the variable in the CI job)"
    )
    assert not ci.ok


def test_a_review_database_from_the_environment(
    tmp_path: Path, schemaspec_postgresql_url: str
) -> None:
    # The example's index on members locks on PostgreSQL (test_locks.py): accepted here.
    config = """\
        alembic_config = "alembic.ini"

        [tool.schemaspec.migrations]
        database_env = "REVIEW_DATABASE_URL"
        allow_locking = ["3d5f7b9c1e2a"]
        """
    project = load_config(_project(tmp_path, config))
    run = run_check(project, environ={"REVIEW_DATABASE_URL": schemaspec_postgresql_url})
    (check,) = run.checks
    assert check.against.startswith("its own history on database postgresql+psycopg://")
    assert isinstance(check.review, MigrationReport) and check.review.dialect == "postgresql"
    assert run.ok


def test_models_package_alone_is_something_to_check(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.schemaspec]\nhealth.enabled = false\nmodels_package = "x"\n')
    with pytest.raises(NothingToCheck):
        run_check(load_config(path))


SHOWN = """\
[tool.schemaspec]
models = "unioncore.models:Base"
contracts = [
    "law.contract.toml",  # a comment with = in it
]
database_env = "APP_DATABASE_URL"
alembic_config = "alembic.ini"

[tool.schemaspec.migrations]
allow_locking = ["abc123"]
"""


def test_show_config_names_where_each_value_came_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(SHOWN)
    monkeypatch.setenv("APP_DATABASE_URL", "postgresql://app:secret@db/app")
    monkeypatch.chdir(tmp_path)
    args = [
        "check",
        "--show-config",
        "--models-package",
        "app",
        "--no-health",
        "--dialect",
        "mysql",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"# [tool.schemaspec] as check resolves it, from {path}"
    assert [tuple(part.strip() for part in line.split("  # ")) for line in out[1:]] == [
        ('models = "unioncore.models:Base"', "pyproject.toml line 2"),
        ("snapshot = (not set)", "default"),
        ('database_env = "APP_DATABASE_URL"', "pyproject.toml line 6"),
        ('database = "postgresql://app:***@db/app"', "$APP_DATABASE_URL"),
        ('dialect = "mysql"', "--dialect"),
        ("schema = (not set)", "default"),
        ('contracts = ["law.contract.toml"]', "pyproject.toml line 3"),
        ("ignore = []", "default"),
        ("pythonpath = []", "default"),
        ('unused_ignores = "warn"', "default"),
        ('alembic_config = "alembic.ini"', "pyproject.toml line 7"),
        ("scratch_prefix = (not set)", "default"),
        ("pytest.migrations = false", "default"),
        ('models_package = "app"', "--models-package"),
        ("migrations.enabled = true", "default"),
        ("migrations.allow_destructive = []", "default"),
        ('migrations.allow_locking = ["abc123"]', "pyproject.toml line 10"),
        ("migrations.database_env = (not set)", "default"),
        ("health.enabled = false", "--no-health"),
    ]
    # One column of origins, however long the values.
    assert len({line.index("  # ") for line in out[1:]}) == 1
