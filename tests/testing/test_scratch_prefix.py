"""Scratch databases carry a configurable prefix, and the plugin says where they are made."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from schemaspec.checks.config import ConfigError, load_config
from schemaspec.sources.scratch import SCRATCH_PREFIX, check_prefix

pytest_plugins = ["pytester"]

INNER = """
from pathlib import Path
from sqlalchemy.engine import make_url

def test_sqlite(schemaspec_sqlite_url):
    assert Path(make_url(schemaspec_sqlite_url).database).name.startswith("{prefix}")

def test_postgresql(schemaspec_postgresql_url):
    name = make_url(schemaspec_postgresql_url).database
    assert name.startswith("{prefix}") and len(name) == len("{prefix}") + 16

def test_mysql(schemaspec_mysql_url):
    name = make_url(schemaspec_mysql_url).database
    assert name.startswith("{prefix}") and len(name) == len("{prefix}") + 16
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    pytester.makeini("[pytest]\n")
    return pytester


@pytest.mark.postgresql
@pytest.mark.mysql
@pytest.mark.parametrize("place", ["option", "ini", "pyproject"])
def test_every_scratch_database_starts_with_the_prefix(
    project: pytest.Pytester, place: str
) -> None:
    prefix = f"ci_{place}_"
    project.makepyfile(test_scratch=INNER.format(prefix=prefix))
    args: list[str] = []
    if place == "option":
        args = ["--schemaspec-scratch-prefix", prefix]
    elif place == "ini":
        project.makeini(f"[pytest]\nschemaspec_scratch_prefix = {prefix}\n")
    else:
        (project.path / "pyproject.toml").write_text(
            f'[tool.schemaspec]\nscratch_prefix = "{prefix}"\n', encoding="utf-8"
        )
    project.runpytest_inprocess("-p", "no:cacheprovider", *args).assert_outcomes(passed=3)


def test_the_verbose_header_names_the_servers_without_passwords(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "SCHEMASPEC_TEST_POSTGRESQL_URL", "postgresql+psycopg://ci:s3cret@db.internal:5433/ci"
    )
    monkeypatch.setenv("SCHEMASPEC_TEST_MYSQL_URL", "mysql+pymysql://root:pw@10.0.0.7/test")
    project.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = project.runpytest_inprocess(
        "-p", "no:cacheprovider", "-v", "--schemaspec-scratch-prefix", "ci_42_"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "schemaspec: scratch databases prefixed ci_42_ on"
            " postgresql+psycopg://ci:***@db.internal:5433/, mysql+pymysql://root:***@10.0.0.7/"
            f" and SQLite files in {tempfile.gettempdir()}",
        ]
    )
    assert "s3cret" not in result.stdout.str()
    # Without -v there is no header line.
    quiet = project.runpytest_inprocess("-p", "no:cacheprovider")
    assert "scratch databases prefixed" not in quiet.stdout.str()


@pytest.mark.postgresql
def test_a_failing_test_names_its_scratch_database(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_fails="""
        def test_fails(schemaspec_postgresql_url, schemaspec_sqlite_url):
            assert False
        """
    )
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- schemaspec scratch databases -*",
            f"postgresql+psycopg://*/{SCRATCH_PREFIX}* (dropped after the test)",
            f"sqlite:///*/{SCRATCH_PREFIX}*.db (dropped after the test)",
        ]
    )


def test_a_bad_prefix_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest_inprocess(
        "-p", "no:cacheprovider", "--schemaspec-scratch-prefix", "CI-42"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines == [
        "ERROR: schemaspec: --schemaspec-scratch-prefix: 'CI-42' cannot start a database name:"
        " use lower-case letters, digits and underscores, starting with a letter or underscore,"
        " at most 40 characters (e.g. ci_runner_3_)",
        "",
    ]


@pytest.mark.parametrize(
    ("prefix", "valid"),
    [
        ("ci_", True),
        ("_x9", True),
        ("a" * 40, True),
        ("a" * 41, False),
        ("", False),
        ("9ci_", False),
        ("ci-", False),
        ("Ci_", False),
        ("ci_;drop", False),
    ],
)
def test_which_prefixes_are_accepted(prefix: str, valid: bool) -> None:
    if valid:
        assert check_prefix(prefix) == prefix
    else:
        with pytest.raises(ValueError, match="cannot start a database name"):
            check_prefix(prefix)


def test_the_config_key_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.schemaspec]\nscratch_prefix = "Bad Prefix"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: [tool.schemaspec] scratch_prefix: 'Bad Prefix' cannot start a database name:"
        " use lower-case letters, digits and underscores, starting with a letter or underscore,"
        " at most 40 characters (e.g. ci_runner_3_)"
    )
    path.write_text(
        '[tool.schemaspec]\nscratch_prefix = "ci_"\nalembic_config = "alembic.ini"\n\n'
        "[tool.schemaspec.pytest]\nmigrations = true\n",
        encoding="utf-8",
    )
    config = load_config(path).config
    assert (config.scratch_prefix, config.alembic_config, config.pytest.migrations) == (
        "ci_",
        "alembic.ini",
        True,
    )
