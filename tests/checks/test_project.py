"""``schemaspec check`` end to end: config-driven runs, stale snapshots, contracts, databases."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from unioncore.models import Base

from schemaspec import IgnoreRule, SchemaSpec, dump, from_models
from schemaspec.checks.config import load_config
from schemaspec.checks.project import refresh_command, run_check
from schemaspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
SNAPSHOT = ROOT / "specs" / "unioncore.toml"
UNIONCORE = EXAMPLES / "unioncore"
CONTRACT = UNIONCORE / "schema-is-law.contract.toml"

# Models whose modules define the base and nothing else.
NO_TABLES = """
from sqlalchemy.orm import DeclarativeBase

class Base(DeclarativeBase):
    pass
"""


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


@pytest.mark.parametrize("ci", [False, True], ids=["local", "ci"])
def test_the_unioncore_example_checks_with_no_arguments(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ci: bool
) -> None:
    monkeypatch.chdir(UNIONCORE / "models")
    monkeypatch.delenv("UNIONCORE_DATABASE_URL", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    checks = (
        "snapshot ../../../../specs/unioncore.toml against models unioncore.models:Base: ok\n"
        "\n"
        "contract ../schema-is-law.contract.toml against models unioncore.models:Base: ok\n"
        "\n"
    )
    if not ci:
        assert main(["check"]) == 0
        assert capsys.readouterr().out == (
            "note: database check skipped: $UNIONCORE_DATABASE_URL is not set\n"
            "\n" + checks + "check: all 2 checks passed\n"
        )
        return
    # In CI the database check that could not run is a failure, not a note.
    assert main(["check"]) == 1
    assert capsys.readouterr().out == (
        checks + "database $UNIONCORE_DATABASE_URL against models unioncore.models:Base: not run:"
        " $UNIONCORE_DATABASE_URL is not set (CI=true: a check that cannot run fails; set the"
        " variable in the CI job)\n"
        "\n"
        "check: 1 of 3 checks failed\n"
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
    # The committed snapshot is the expected side: the column the models gained is unexpected.
    assert capsys.readouterr().out == (
        "snapshot specs/schema.toml against models unioncore.models:Base: stale\n"
        "Schema differences between snapshot specs/schema.toml (expected) and models"
        " unioncore.models:Base (actual):\n"
        "\n"
        "members\n"
        "  members.phone: unexpected column (varchar(30), null)\n"
        "\n"
        "1 unexpected column\n"
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
            "{path}: [tool.schemaspec]: nothing to check: configure models (and snapshot,"
            " contracts, database) in [tool.schemaspec], or pass --models",
        ),
        (
            '[tool.schemaspec]\nsnapshot = "s.toml"\n',
            "{path}: [tool.schemaspec]: nothing to check: the snapshot is compared with models,"
            " and none are configured: add models (or contracts, to check the snapshot against),"
            " or pass --models or --contract",
        ),
        (
            '[tool.schemaspec]\nsnapshot = "s.toml"\ndatabase_env = "APP_DATABASE_URL"\n',
            "{path}: [tool.schemaspec]: nothing to check: the snapshot and database are compared"
            " with models, and none are configured: add models (or contracts, to check the"
            " snapshot against), or pass --models or --contract",
        ),
        (
            '[tool.schemaspec]\nmodels = "unioncore.models:Base"\n',
            "{path}: [tool.schemaspec]: nothing to check: the models are compared with a"
            " snapshot, a database or contracts, and none is configured: add snapshot,"
            " database_env or contracts, or pass --snapshot, --database or --contract",
        ),
        (
            '[tool.schemaspec]\nmodels = "unioncore.models:Base"\ndatabase_env = "$APP_URL"\n',
            "{path}: [tool.schemaspec] database_env: '$APP_URL' is not an environment variable"
            " name: write the name alone, e.g. DATABASE_URL (not $DATABASE_URL or the URL"
            " itself)",
        ),
        (
            '[tool.schemaspec]\nmodels = "unioncore.models:Base"\ndatabase_env = ""\n',
            "{path}: [tool.schemaspec] database_env: '' is not an environment variable"
            " name: write the name alone, e.g. DATABASE_URL (not $DATABASE_URL or the URL"
            " itself)",
        ),
        (
            '[tool.schemaspec]\nmodels = "schemaspec_no_tables:Base"\nsnapshot = "s.toml"\n',
            "models schemaspec_no_tables:Base define no tables, so there is nothing to compare:"
            " import the modules that define the models where the base is defined, or name"
            " another base",
        ),
    ],
)
def test_errors_exit_2_with_one_line(
    tmp_path: Path, body: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "schemaspec_no_tables.py").write_text(NO_TABLES)
    path = tmp_path / "pyproject.toml"
    path.write_text(body)
    assert main(["check", "--config", str(path)]) == 2
    assert capsys.readouterr() == ("", f"schemaspec: error: {message.format(path=path)}\n")


def test_flags_that_check_nothing_are_an_error_without_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--models", "unioncore.models:Base"]) == 2
    assert capsys.readouterr() == (
        "",
        "schemaspec: error: nothing to check: the models are compared with a snapshot, a"
        " database or contracts, and none is configured: add snapshot, database_env or"
        " contracts, or pass --snapshot, --database or --contract\n",
    )


SKIPPED_CI = (
    "database $APP_DATABASE_URL against models unioncore.models:Base: not run:"
    " $APP_DATABASE_URL {state} (CI=true: a check that cannot run fails; set the variable in the"
    " CI job)\n"
)


@pytest.mark.parametrize(
    ("ci", "value", "snapshot", "code", "out"),
    [
        # Locally a missing database is a note, and the other checks decide.
        (False, None, True, 0, "note: database check skipped: $APP_DATABASE_URL is not set\n"),
        (False, "", True, 0, "note: database check skipped: $APP_DATABASE_URL is empty\n"),
        # Under CI it is a failed check with its reason.
        (True, None, True, 1, SKIPPED_CI.format(state="is not set")),
        (True, "", True, 1, SKIPPED_CI.format(state="is empty")),
        # The database was the only check: nothing ran, so nothing passed.
        (False, None, False, 1, "note: database check skipped: $APP_DATABASE_URL is not set\n"),
        (True, None, False, 1, SKIPPED_CI.format(state="is not set")),
    ],
)
def test_a_check_that_could_not_run_is_never_a_pass(
    fresh: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ci: bool,
    value: str | None,
    snapshot: bool,
    code: int,
    out: str,
) -> None:
    body = ["[tool.schemaspec]", 'models = "unioncore.models:Base"']
    body += ['snapshot = "specs/schema.toml"'] if snapshot else []
    body += ['database_env = "APP_DATABASE_URL"']
    (fresh / "pyproject.toml").write_text("\n".join(body) + "\n")
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    if value is None:
        monkeypatch.delenv("APP_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("APP_DATABASE_URL", value)
    assert main(["check"]) == code
    snapshot_line = "snapshot specs/schema.toml against models unioncore.models:Base: ok\n"
    if not snapshot:
        closing = "check: nothing was checked: every configured check was skipped\n"
        expected = out + "\n" + closing if not ci else out + "\ncheck: 1 of 1 checks failed\n"
    elif ci:
        expected = snapshot_line + "\n" + out + "\ncheck: 1 of 2 checks failed\n"
    else:
        expected = out + "\n" + snapshot_line + "\ncheck: all 1 checks passed\n"
    assert capsys.readouterr() == (expected, "")


def test_nothing_ran_in_json_and_markdown(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (fresh / "pyproject.toml").write_text(
        '[tool.schemaspec]\nmodels = "unioncore.models:Base"\ndatabase_env = "APP_DATABASE_URL"\n'
    )
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("APP_DATABASE_URL", raising=False)
    assert main(["check", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert (document["ok"], document["checks"], document["notes"]) == (
        False,
        [],
        ["database check skipped: $APP_DATABASE_URL is not set"],
    )
    assert main(["check", "--format", "markdown"]) == 1
    assert capsys.readouterr().out == (
        "## schemaspec check: failed\n"
        "\n"
        "| Check | Subject | Against | Result |\n"
        "|---|---|---|---|\n"
        "\n"
        "**Nothing was checked: every configured check was skipped.**\n"
        "\n"
        "> note: database check skipped: $APP_DATABASE_URL is not set\n"
    )


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
        f"Schema differences between contract {CONTRACT} (expected) and snapshot s.toml"
        " (actual):\n"
        "\n"
        "dispatches\n"
        "  dispatches: table missing\n"
        "\n"
        "1 table missing\n"
        "\n"
        "check: 1 of 1 checks failed\n"
    )


def _without(spec: SchemaSpec, table: str, column: str) -> SchemaSpec:
    members = spec.tables[table]
    columns = {name: value for name, value in members.columns.items() if name != column}
    tables = {**spec.tables, table: members.model_copy(update={"columns": columns})}
    return spec.model_copy(update={"tables": tables})


@pytest.mark.parametrize(
    ("snapshot_has_phone", "line", "summary"),
    [
        # The models gained members.phone; the committed snapshot has not recorded it.
        (False, "members.phone: unexpected column (varchar(30), null)", "1 unexpected column"),
        # The committed snapshot records a column the models no longer have.
        (True, "members.fax: column missing (varchar(30), null)", "1 column missing"),
    ],
)
def test_a_stale_snapshot_reads_as_in_the_fixture(
    fresh: Path,
    capsys: pytest.CaptureFixture[str],
    snapshot_has_phone: bool,
    line: str,
    summary: str,
) -> None:
    # One rule with tests/testing/test_snapshot_fixture.py: the committed snapshot is expected.
    project(fresh)
    spec = from_models(Base)
    if snapshot_has_phone:
        phone = spec.tables["members"].columns["phone"]
        members = spec.tables["members"]
        columns = {**members.columns, "fax": phone}
        tables = {**spec.tables, "members": members.model_copy(update={"columns": columns})}
        stale = spec.model_copy(update={"tables": tables})
    else:
        stale = _without(spec, "members", "phone")
    dump(stale, fresh / "specs" / "schema.toml")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(
        "snapshot specs/schema.toml against models unioncore.models:Base: stale\n"
        "Schema differences between snapshot specs/schema.toml (expected) and models"
        " unioncore.models:Base (actual):\n"
        "\n"
        "members\n"
        f"  {line}\n"
        "\n"
        f"{summary}\n"
    )


@pytest.fixture
def drifted(fresh: Path) -> str:
    """A stale snapshot (members.phone) and a database without dispatches but with a legacy
    table: both comparisons fail, and only the database one has a legacy_* change."""
    dump(_without(from_models(Base), "members", "phone"), fresh / "specs" / "schema.toml")
    url = f"sqlite:///{fresh / 'app.db'}"
    engine = sa.create_engine(url)
    tables = [table for name, table in Base.metadata.tables.items() if name != "dispatches"]
    Base.metadata.create_all(engine, tables=tables)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE legacy_orders (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    (fresh / "pyproject.toml").write_text(
        "[tool.schemaspec]\n"
        'models = "unioncore.models:Base"\n'
        'snapshot = "specs/schema.toml"\n'
        f"database = {json.dumps(url)}\n"
        'ignore = ["legacy_*", { path = "nothing_*", reason = "gone" }]\n'
    )
    return url


def test_an_ignore_rule_one_comparison_used_is_not_unused(
    drifted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "legacy_*" matched nothing in the snapshot comparison, but the database one used it: it is
    # in use. "nothing_*" matched nothing anywhere: one warning for the run, not one per report.
    assert main(["check", "--ignore", "nothing_*"]) == 1
    out = capsys.readouterr().out
    assert "legacy_*' matched nothing" not in out
    assert "  legacy_orders: unexpected table (1 column) -- rule 'legacy_*'\n" in out
    assert out.count("matched nothing") == 1
    assert out.endswith(
        "warning: ignore rule 'nothing_*' matched nothing (gone)\n\ncheck: 2 of 2 checks failed\n"
    )
    assert main(["check", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert [check["report"]["unused_ignores"] for check in document["checks"]] == [[], []]
    assert document["unused_ignores"] == [{"rule": "nothing_*", "reason": "gone"}]
    assert main(["check", "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.count("matched nothing") == 1
    assert markdown.endswith("> **warning:** ignore rule `nothing_*` matched nothing\n")


def test_ignore_rules_are_not_judged_when_no_comparison_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Contracts ignore the rules, so a run of contracts alone says nothing about them.
    monkeypatch.chdir(tmp_path)
    dump(from_models(Base), tmp_path / "s.toml")
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.schemaspec]\nsnapshot = "s.toml"\ncontracts = [{json.dumps(str(CONTRACT))}]\n'
        'ignore = ["legacy_*"]\nunused_ignores = "error"\n'
    )
    assert main(["check"]) == 0
    assert capsys.readouterr().out == (
        "note: ignore rules not checked: no snapshot or database comparison ran\n"
        "\n"
        f"contract {CONTRACT} against snapshot s.toml: ok\n"
        "\n"
        "check: all 1 checks passed\n"
    )


AUDIT_CONTRACT = (
    'schemaspec = 1\nmode = "contract"\n'
    '[tables.members.columns.phone]\ntype = "varchar(30)"\n'
    '[tables."audit_*"]\ncolumns.id = {}\n'
)


def test_a_contract_pin_that_checks_nothing_is_warned_once(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fresh / "audit.contract.toml").write_text(AUDIT_CONTRACT)
    url = f"sqlite:///{fresh / 'full.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    project(fresh, f"database = {json.dumps(url)}")
    # Checked on the models and on the database, matching no table in either: one warning.
    assert main(["check", "--contract", "audit.contract.toml"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(
        "warning: contract audit.contract.toml: table glob 'audit_*' matches no table, so its"
        " pins check nothing: fix the pattern or remove it\n"
        "\n"
        "check: all 4 checks passed\n"
    )
    assert out.count("warning:") == 1
    assert main(["check", "--contract", "audit.contract.toml", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == [
        "contract audit.contract.toml: table glob 'audit_*' matches no table, so its pins check"
        " nothing: fix the pattern or remove it"
    ]


def test_a_glob_that_matches_on_one_side_is_not_warned(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The database has an audit table the models do not: the pin checked something.
    (fresh / "audit.contract.toml").write_text(AUDIT_CONTRACT)
    url = f"sqlite:///{fresh / 'audit.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE audit_log (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    project(fresh, f"database = {json.dumps(url)}", 'ignore = ["audit_*"]')
    assert main(["check", "--contract", "audit.contract.toml"]) == 0
    assert "warning:" not in capsys.readouterr().out


def test_the_contract_command_warns_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.contract.toml"
    path.write_text(AUDIT_CONTRACT)
    assert main(["contract", str(path), "unioncore.models:Base"]) == 0
    assert capsys.readouterr() == (
        f"No schema differences between contract {path} (expected) and unioncore.models:Base"
        " (actual).\n",
        f"schemaspec: warning: {path}: table glob 'audit_*' matches no table, so its pins check"
        " nothing: fix the pattern or remove it\n",
    )


def test_paths_given_as_flags_are_relative_to_where_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.schemaspec]\nmodels = "unioncore.models:Base"\n')
    # The snapshot sits where the command is typed, not next to the pyproject.toml.
    shutil.copy(SNAPSHOT, tmp_path / "unioncore.toml")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--config", "project/pyproject.toml", "--snapshot", "unioncore.toml"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "unioncore.toml" in out
