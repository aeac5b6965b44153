"""[tool.schemaspec]: discovery, validation with the key at fault, and database URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemaspec import ConfigError, IgnoreRule, ProjectConfig, load_config
from schemaspec.checks.config import discover, find_pyproject

ROOT = Path(__file__).resolve().parents[2]
UNIONCORE = ROOT / "docs" / "examples" / "unioncore"


def write(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(body)
    return path


def test_a_full_configuration(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[project]\nname = 'app'\n\n"
        "[tool.schemaspec]\n"
        'models = "app.models:Base"\n'
        'snapshot = "specs/schema.toml"\n'
        'database_env = "DATABASE_URL"\n'
        'dialect = "postgresql"\n'
        'schema = "app"\n'
        'contracts = ["specs/law.contract.toml"]\n'
        'pythonpath = ["src"]\n'
        'unused_ignores = "error"\n'
        'ignore = ["legacy_*", { path = "*.*.comment", reason = "kept by the DBA" },'
        ' { path = "t", attribute = "comm*" }]\n',
    )
    project = load_config(path)
    assert project.path == path
    assert project.root == tmp_path.resolve()
    assert project.config == ProjectConfig(
        models="app.models:Base",
        snapshot="specs/schema.toml",
        database_env="DATABASE_URL",
        dialect="postgresql",
        db_schema="app",
        contracts=("specs/law.contract.toml",),
        pythonpath=("src",),
        unused_ignores="error",
        ignore=(
            IgnoreRule(path="legacy_*"),
            IgnoreRule(path="*.*", attribute="comment", reason="kept by the DBA"),
            IgnoreRule(path="t", attribute="comm*"),
        ),
    )
    assert project.resolve("specs/schema.toml") == tmp_path.resolve() / "specs" / "schema.toml"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("snapshot = 3", "[tool.schemaspec] snapshot: Input should be a valid string"),
        (
            'snapshot = "schema.yaml"',
            "[tool.schemaspec] snapshot: 'schema.yaml': a snapshot file name must end in .toml"
            " or .json",
        ),
        ('snapshots = "s.toml"', "[tool.schemaspec] snapshots: Extra inputs are not permitted"),
        (
            'database = "sqlite://"\ndatabase_env = "DATABASE_URL"',
            "[tool.schemaspec] database: give database or database_env, not both",
        ),
        ('contracts = "law.toml"', "[tool.schemaspec] contracts: Input should be a valid tuple"),
        (
            'ignore = [{ path = "x", why = "old" }]',
            "[tool.schemaspec] ignore.0.why: Extra inputs are not permitted",
        ),
        (
            'ignore = ["a..b"]',
            "[tool.schemaspec] ignore: 'a..b' is not a path pattern (empty segment)",
        ),
        (
            'ignore = [{ path = "x", builtin = true }]',
            "[tool.schemaspec] ignore: 'builtin' is not a key of an ignore rule",
        ),
        (
            'unused_ignores = "fail"',
            "[tool.schemaspec] unused_ignores: Input should be 'warn' or 'error'",
        ),
    ],
)
def test_errors_name_the_key_at_fault(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, f"[tool.schemaspec]\n{body}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {message}"


def test_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pyproject\.toml: \[tool\.schemaspec\]: no such file$"):
        load_config(tmp_path / "pyproject.toml")
    path = write(tmp_path, "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: [tool.schemaspec]: no such table in this file"
    write(tmp_path, "[tool.schemaspec\n")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*\(at line 1, column 17\)$"):
        load_config(path)


def test_search_upward_skips_files_without_the_table(tmp_path: Path) -> None:
    top = write(tmp_path, '[tool.schemaspec]\nmodels = "app:Base"\n')
    inner = tmp_path / "sub" / "deeper"
    inner.mkdir(parents=True)
    write(tmp_path / "sub", "[project]\nname = 'other'\n")
    assert find_pyproject(inner) == top
    assert find_pyproject(UNIONCORE / "models") == UNIONCORE / "pyproject.toml"


def test_discover_prefers_the_given_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(UNIONCORE)
    found = discover()
    assert found is not None and found.path == UNIONCORE / "pyproject.toml"
    given = write(tmp_path, '[tool.schemaspec]\nmodels = "other:Base"\n')
    chosen = discover(given)
    assert chosen is not None and chosen.config.models == "other:Base"


@pytest.mark.parametrize(
    ("body", "environ", "url"),
    [
        ('database = "sqlite:///a.db"', {}, "sqlite:///a.db"),
        ('database_env = "APP_DB"', {"APP_DB": "sqlite:///b.db"}, "sqlite:///b.db"),
        ('database_env = "APP_DB"', {}, None),
        ('database_env = "APP_DB"', {"APP_DB": ""}, None),
        ("", {"APP_DB": "sqlite:///b.db"}, None),
    ],
)
def test_database_url(tmp_path: Path, body: str, environ: dict[str, str], url: str | None) -> None:
    project = load_config(write(tmp_path, f"[tool.schemaspec]\n{body}\n"))
    assert project.database_url(environ) == url


def test_the_unioncore_example_configuration() -> None:
    project = load_config(UNIONCORE / "pyproject.toml")
    assert project.config == ProjectConfig(
        models="unioncore.models:Base",
        pythonpath=("..",),
        snapshot="../../../specs/unioncore.toml",
        contracts=("schema-is-law.contract.toml",),
        database_env="UNIONCORE_DATABASE_URL",
    )
