"""``schemaspec check`` end to end: config-driven runs, stale snapshots, contracts, databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from unioncore.models import Base

from schemaspec import IgnoreRule, dump, from_models
from schemaspec.checks.config import load_config
from schemaspec.checks.project import refresh_command, run_check
from schemaspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
UNIONCORE = EXAMPLES / "unioncore"
CONTRACT = UNIONCORE / "schema-is-law.contract.toml"


def project(directory: Path, *lines: str) -> Path:
    """A project using the UnionCore models, with a snapshot and the contract in ``directory``."""
    body = [
        "[tool.schemaspec]",
        'models = "unioncore.models:Base"',
        f"pythonpath = [{json.dumps(str(EXAMPLES))}]",
        'snapshot = "specs/schema.toml"',
        f"contracts = [{json.dumps(str(CONTRACT))}]",
        *lines,
    ]
    path = directory / "pyproject.toml"
    path.write_text("\n".join(body) + "\n")
    return path


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dump(from_models(Base), tmp_path / "specs" / "schema.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UNIONCORE_DATABASE_URL", raising=False)
    return tmp_path


def test_the_unioncore_example_checks_with_no_arguments(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(UNIONCORE / "models")
    monkeypatch.delenv("UNIONCORE_DATABASE_URL", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["check"]) == 0
    assert capsys.readouterr().out == (
        "note: database check skipped: $UNIONCORE_DATABASE_URL is not set\n"
        "\n"
        "snapshot ../../../../specs/unioncore.toml against models unioncore.models:Base: ok\n"
        "\n"
        "contract ../schema-is-law.contract.toml against models unioncore.models:Base: ok\n"
        "\n"
        "check: all 2 checks passed\n"
    )


def test_a_stale_snapshot_is_a_finding_with_the_command_that_refreshes_it(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(fresh)
    spec = from_models(Base)
    members = spec.tables["members"]
    columns = {name: column for name, column in members.columns.items() if name != "phone"}
    stale = spec.model_copy(
        update={
            "tables": {**spec.tables, "members": members.model_copy(update={"columns": columns})}
        }
    )
    dump(stale, fresh / "specs" / "schema.toml")
    assert main(["check"]) == 1
    command = (
        f"PYTHONPATH={EXAMPLES} python -m schemaspec snapshot unioncore.models:Base"
        " -o specs/schema.toml"
    )
    assert capsys.readouterr().out == (
        "snapshot specs/schema.toml against models unioncore.models:Base: stale\n"
        "Schema differences:\n"
        "\n"
        "members\n"
        "  members.phone: column missing (varchar(30), null)\n"
        "\n"
        "1 column missing\n"
        f"refresh it with: {command}\n"
        "\n"
        f"contract {CONTRACT} against models unioncore.models:Base: ok\n"
        "\n"
        "check: 1 of 2 checks failed\n"
    )
    # The command is exact: run it, and the check passes.
    environment = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{EXAMPLES}"}
    argv = command.split(" ", 1)[1].split()
    subprocess.run([sys.executable, *argv[1:]], cwd=fresh, env=environment, check=True)
    assert main(["check"]) == 0


def test_refresh_command_carries_dialect_schema_and_quoting(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.schemaspec]\nmodels = "app.models:Base"\nsnapshot = "my specs/s.toml"\n'
        'dialect = "postgresql"\nschema = "app"\npythonpath = ["src", "lib"]\n'
    )
    assert refresh_command(load_config(path), tmp_path / "sub") == (
        f"PYTHONPATH=../src{os.pathsep}../lib python -m schemaspec snapshot app.models:Base"
        " --dialect postgresql --schema app -o '../my specs/s.toml'"
    )


def test_a_missing_snapshot(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(fresh)
    (fresh / "specs" / "schema.toml").unlink()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "snapshot specs/schema.toml against models unioncore.models:Base:"
        " specs/schema.toml does not exist yet\n"
        f"refresh it with: PYTHONPATH={EXAMPLES} python -m schemaspec snapshot"
        " unioncore.models:Base -o specs/schema.toml\n"
    )
    assert out.endswith("check: 1 of 2 checks failed\n")


def test_the_database_matches_and_drifts(
    fresh: Path,
    schemaspec_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project(fresh, 'database_env = "APP_DATABASE_URL"')
    monkeypatch.setenv("APP_DATABASE_URL", schemaspec_database_url)
    engine = sa.create_engine(schemaspec_database_url)
    try:
        Base.metadata.create_all(engine)
        assert main(["check"]) == 0
        assert capsys.readouterr().out.endswith("check: all 4 checks passed\n")
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE dispatches"))
        assert main(["check"]) == 1
    finally:
        engine.dispose()
    out = capsys.readouterr().out
    assert "  dispatches: table missing\n" in out  # the contract's pin on the database
    assert "  dispatches: table missing (11 columns)\n" in out  # the models against the database
    assert out.endswith("check: 2 of 4 checks failed\n")


def test_flags_override_the_configuration(
    fresh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project(fresh, 'database = "sqlite:///nowhere/at/all.db"')
    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    assert main(["check", "--database", url, "--contract", str(CONTRACT)]) == 0
    assert capsys.readouterr().out.endswith("check: all 4 checks passed\n")


def test_flags_alone_need_no_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    snapshot = tmp_path / "s.json"
    dump(from_models(Base, dialect="postgresql"), snapshot)
    argv = ["check", "--models", "unioncore.models:Base", "--snapshot", "s.json"]
    assert main([*argv, "--dialect", "postgresql"]) == 0
    assert capsys.readouterr().out == (
        "snapshot s.json against models unioncore.models:Base: ok\n\ncheck: all 1 checks passed\n"
    )


def test_unused_ignore_rules_warn_or_fail(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(fresh, 'ignore = [{ path = "legacy_*", reason = "dropped in 2025" }]')
    assert main(["check"]) == 0
    assert capsys.readouterr().out.endswith(
        "warning: ignore rule 'legacy_*' matched nothing (dropped in 2025)\n"
        "\n"
        "check: all 2 checks passed\n"
    )
    project(fresh, 'ignore = ["legacy_*"]', 'unused_ignores = "error"')
    assert main(["check"]) == 1
    assert capsys.readouterr().out.endswith(
        "error: ignore rule 'legacy_*' matched nothing\n"
        "\n"
        "check: 0 of 2 checks failed, 1 unused ignore rules\n"
    )


def test_ignore_rules_apply_and_are_used(fresh: Path) -> None:
    project(fresh, 'ignore = ["members.phone"]')
    spec = from_models(Base)
    members = spec.tables["members"]
    columns = {name: column for name, column in members.columns.items() if name != "phone"}
    tables = {**spec.tables, "members": members.model_copy(update={"columns": columns})}
    dump(spec.model_copy(update={"tables": tables}), fresh / "specs" / "schema.toml")
    run = run_check(load_config(fresh / "pyproject.toml"))
    assert run.ok
    snapshot = run.checks[0]
    assert [(item.change.path, item.rule) for item in snapshot.result.ignored] == [
        ("members.phone", IgnoreRule(path="members.phone"))
    ]
    assert run.unused_ignores == ()


def test_json_format(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(fresh)
    assert main(["check", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schemaspec_check"] == 1
    assert document["ok"] is True
    assert [(check["check"], check["subject"], check["ok"]) for check in document["checks"]] == [
        ("snapshot", "specs/schema.toml", True),
        ("contract", str(CONTRACT), True),
    ]
    assert document["checks"][1]["report"]["expected"]["source"] == f"contract {CONTRACT}"


def test_markdown_format(fresh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project(fresh)
    assert main(["check", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == (
        "## schemaspec check: passed\n"
        "\n"
        "| Check | Subject | Against | Result |\n"
        "|---|---|---|---|\n"
        "| snapshot | `specs/schema.toml` | models unioncore.models:Base | ok |\n"
        f"| contract | `{CONTRACT}` | models unioncore.models:Base | ok |\n"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[tool.schemaspec]\nsnapshot = 1\n",
            "{path}: [tool.schemaspec] snapshot: Input should be a valid string",
        ),
        (
            "[tool.schemaspec]\n",
            "nothing to check: configure models (and snapshot, contracts, database) in"
            " [tool.schemaspec], or pass --models",
        ),
    ],
)
def test_errors_exit_2_with_one_line(
    tmp_path: Path, body: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(body)
    assert main(["check", "--config", str(path)]) == 2
    assert capsys.readouterr().err == f"schemaspec: error: {message.format(path=path)}\n"


def test_contract_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["contract", str(CONTRACT), "unioncore.models:Base"]) == 0
    assert capsys.readouterr().out == (
        f"No schema differences between contract {CONTRACT} (expected) and"
        " unioncore.models:Base (actual).\n"
    )
    url = f"sqlite:///{tmp_path / 'members.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["members"]])
    engine.dispose()
    assert main(["contract", str(CONTRACT), url, "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [change["path"] for change in document["changes"]] == [
        "book_registrations",
        "dispatches",
        "referral_books",
    ]


def test_schema_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--check", "-o", str(ROOT / "specs")]) == 0
    assert main(["schema", "--check", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{tmp_path}/schemaspec-snapshot.schema.json: missing;"
        f" run python -m schemaspec schema -o {tmp_path}"
    )
    assert main(["schema", "-o", str(tmp_path)]) == 0
    assert main(["schema", "--check", "-o", str(tmp_path)]) == 0
    (tmp_path / "schemaspec-snapshot.schema.json").write_text("{}\n", encoding="utf-8")
    assert main(["schema", "--check", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path}/schemaspec-snapshot.schema.json: out of date;"
        f" run python -m schemaspec schema -o {tmp_path}"
    ]


def test_without_models_contracts_check_the_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = from_models(Base)
    tables = {name: table for name, table in spec.tables.items() if name != "dispatches"}
    dump(spec.model_copy(update={"tables": tables}), tmp_path / "s.toml")
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.schemaspec]\nsnapshot = "s.toml"\ncontracts = [{json.dumps(str(CONTRACT))}]\n'
    )
    assert main(["check"]) == 1
    assert capsys.readouterr().out == (
        f"contract {CONTRACT} against snapshot s.toml: FAILED\n"
        "Schema differences:\n"
        "\n"
        "dispatches\n"
        "  dispatches: table missing\n"
        "\n"
        "1 table missing\n"
        "\n"
        "check: 1 of 1 checks failed\n"
    )
