"""The built-in migration tests (--schemaspec-migrations), run in real inner pytest sessions."""

from __future__ import annotations

import pytest
from testing.alembic_chain import (
    MEMBERS,
    MODELS,
    REGISTRATIONS,
    add_revision,
    write_project,
)

pytest_plugins = ["pytester"]

PYPROJECT = """\
[tool.schemaspec]
alembic_config = "alembic.ini"
models = "chain_models:metadata"
pythonpath = ["."]

[tool.schemaspec.pytest]
migrations = true
"""

OTHER_TEST = "def test_other():\n    pass\n"

INDEX_LEFT_BEHIND = "d4000000000d"
BRANCH = "e5000000000e"
BOOM = "f6000000000f"


@pytest.fixture
def chain(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A healthy two-revision chain, its models, and [tool.schemaspec] switching the tests on."""
    monkeypatch.delenv("CI", raising=False)
    write_project(pytester.path)
    pytester.makepyfile(chain_models=MODELS, test_other=OTHER_TEST)
    pytester.makeini("[pytest]\n")
    (pytester.path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_a_healthy_chain_passes_four_named_tests(chain: pytest.Pytester) -> None:
    result = run(chain, "-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        [
            "schemaspec: migration tests for alembic.ini (chain_models:metadata), switched on by "
            f"[tool.schemaspec] pytest.migrations in {chain.path / 'pyproject.toml'}",
            "collecting ... collected 5 items",
            "alembic.ini::single_head PASSED*",
            "alembic.ini::upgrade PASSED*",
            "alembic.ini::models_match_head PASSED*",
            "alembic.ini::downgrades_round_trip PASSED*",
            "test_other.py::test_other PASSED*",
        ]
    )


def test_failures_read_as_the_text_reports(chain: pytest.Pytester) -> None:
    # A revision whose downgrade forgets its index, and models that say varchar(60).
    add_revision(
        chain.path,
        INDEX_LEFT_BEHIND,
        REGISTRATIONS,
        'op.create_index("ix_apn", "book_registrations", ["applicant_priority_number"])',
        "pass",
    )
    models = chain.path / "chain_models.py"
    models.write_text(MODELS.replace("String(50)", "String(60)"), encoding="utf-8")
    result = run(chain)
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ schemaspec migrations: models_match_head _*",
            "Schema differences between models chain_models:metadata (expected) and alembic.ini"
            " at head (actual):",
            "",
            "book_registrations",
            "  book_registrations.indexes.ix_apn: unexpected index (on applicant_priority_number)",
            "",
            "members",
            "  members.last_name: type varchar(60) expected, varchar(50) found",
            "",
            "1 column changed, 1 unexpected index",
            "*_ schemaspec migrations: downgrades_round_trip _*",
            f"Migrations in {chain.path / 'alembic.ini'}: 3 revisions on sqlite, head"
            f" {INDEX_LEFT_BEHIND}",
            f"  {MEMBERS}  base                          clean      1 table added",
            f"  {REGISTRATIONS}  {MEMBERS}                  clean      1 table added",
            f"  {INDEX_LEFT_BEHIND}  {REGISTRATIONS}                  not clean  1 index added",
            "",
            "1 finding:",
            f"  [downgrade_not_clean] downgrade of {INDEX_LEFT_BEHIND} does not restore the schema"
            " before it: 1 index left behind",
            "      book_registrations.indexes.ix_apn: index left behind (on"
            " applicant_priority_number)",
            "*= short test summary info =*",
        ]
    )
    # The report is the whole failure: no traceback into schemaspec.
    assert "schemaspec/" not in result.stdout.str()


def test_two_heads_fail_single_head_naming_them(chain: pytest.Pytester) -> None:
    add_revision(
        chain.path,
        BRANCH,
        MEMBERS,
        'op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True))',
        'op.drop_table("notes")',
    )
    result = run(chain, "-k", "single_head")
    result.assert_outcomes(failed=1, deselected=4)
    result.stdout.fnmatch_lines(
        [
            "*_ schemaspec migrations: single_head _*",
            f"{chain.path / 'alembic.ini'}: 2 heads ({REGISTRATIONS}, {BRANCH}); merge them into"
            " one (alembic merge heads)",
        ]
    )


def test_a_failing_upgrade_fails_upgrade_and_everything_after_it(chain: pytest.Pytester) -> None:
    add_revision(chain.path, BOOM, REGISTRATIONS, 'raise RuntimeError("boom")', "pass")
    result = run(chain)
    result.assert_outcomes(passed=2, failed=3)
    failed = f"{chain.path / 'alembic.ini'}: upgrade of revision {BOOM} failed: RuntimeError: boom"
    result.stdout.fnmatch_lines(
        [
            "*_ schemaspec migrations: upgrade _*",
            failed,
            "*_ schemaspec migrations: models_match_head _*",
            "the upgrade to head failed, so there is no head to compare the models with: " + failed,
            "*_ schemaspec migrations: downgrades_round_trip _*",
            "1 finding:",
            f"  [upgrade_failed] {failed}",
        ]
    )


def test_without_models_the_models_check_is_skipped_with_the_reason(
    chain: pytest.Pytester,
) -> None:
    (chain.path / "pyproject.toml").write_text(
        PYPROJECT.replace('models = "chain_models:metadata"\n', ""), encoding="utf-8"
    )
    result = run(chain, "-rs")
    result.assert_outcomes(passed=4, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [1] alembic.ini: schemaspec: no models to compare the head with: set models"
            " in [tool.schemaspec] or the ini option schemaspec_models",
        ]
    )


@pytest.mark.parametrize(
    ("args", "outcomes"),
    [
        pytest.param((), {"passed": 5}, id="the-suite"),
        pytest.param(("-k", "upgrade"), {"passed": 1, "deselected": 4}, id="k-selects-them"),
        pytest.param(
            ("-m", "schemaspec_migrations"), {"passed": 4, "deselected": 1}, id="m-selects-them"
        ),
        pytest.param(("-m", "not schemaspec_migrations"), {"passed": 1, "deselected": 4}, id="m"),
        pytest.param(("test_other.py",), {"passed": 1}, id="a-file-leaves-them-out"),
        pytest.param(("test_other.py::test_other",), {"passed": 1}, id="a-node-id-too"),
        pytest.param(("--schemaspec-migrations", "test_other.py"), {"passed": 5}, id="the-flag"),
    ],
)
def test_they_are_selected_like_any_test(
    chain: pytest.Pytester, args: tuple[str, ...], outcomes: dict[str, int]
) -> None:
    run(chain, *args).assert_outcomes(**outcomes)


def test_the_command_line_and_ini_options_switch_them_on(chain: pytest.Pytester) -> None:
    (chain.path / "pyproject.toml").unlink()
    run(chain).assert_outcomes(passed=1)
    flags = ("--schemaspec-migrations", "--schemaspec-alembic-config", "alembic.ini")
    # No models anywhere: the models check skips, the other three run.
    run(chain, *flags).assert_outcomes(passed=4, skipped=1)
    chain.makeini(
        "[pytest]\n"
        "schemaspec_migrations = true\n"
        "schemaspec_alembic_config = alembic.ini\n"
        "schemaspec_models = chain_models:metadata\n"
    )
    chain.syspathinsert()
    run(chain).assert_outcomes(passed=5)


@pytest.mark.parametrize(
    ("pyproject", "ini", "args", "message"),
    [
        pytest.param(
            "[tool.schemaspec.pytest]\nmigrations = true\n",
            "",
            (),
            "schemaspec: the migration tests ([tool.schemaspec] pytest.migrations in"
            " {path}/pyproject.toml): no Alembic config given: name it as alembic_config in"
            " [tool.schemaspec] or the ini option schemaspec_alembic_config, or pass"
            " --schemaspec-alembic-config alembic.ini",
            id="no-alembic-config",
        ),
        pytest.param(
            "",
            "",
            ("--schemaspec-migrations", "--schemaspec-alembic-config", "missing.ini"),
            "schemaspec: no Alembic config at {path}/missing.ini (--schemaspec-alembic-config):"
            " name the alembic.ini of the project",
            id="missing-alembic-config",
        ),
        pytest.param(
            "",
            "schemaspec_migrations = yes\n",
            (),
            "schemaspec: ini option schemaspec_migrations: 'yes' is not true or false",
            id="ini-switch-not-a-boolean",
        ),
        pytest.param(
            "[tool.schemaspec.pytest]\nmigrations = 'yes'\n",
            "",
            (),
            "schemaspec: {path}/pyproject.toml: [tool.schemaspec] pytest.migrations: Input"
            " should be a valid boolean",
            id="config-switch-not-a-boolean",
        ),
        pytest.param(
            "[tool.schemaspec]\nalembic_config = ' '\n",
            "",
            (),
            "schemaspec: {path}/pyproject.toml: [tool.schemaspec] alembic_config: must name the"
            " Alembic config file, e.g. 'alembic.ini'",
            id="config-empty-alembic-config",
        ),
    ],
)
def test_bad_settings_are_a_usage_error_naming_the_place(
    chain: pytest.Pytester, pyproject: str, ini: str, args: tuple[str, ...], message: str
) -> None:
    (chain.path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    chain.makeini("[pytest]\n" + ini)
    result = run(chain, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines == ["ERROR: " + message.format(path=chain.path), ""]


def test_the_checks_do_not_touch_a_project_without_them(pytester: pytest.Pytester) -> None:
    """No settings: nothing is added, and -v says only where scratch databases go."""
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(test_other=OTHER_TEST)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["collecting ... collected 1 item"])
    assert "migration tests" not in result.stdout.str()
