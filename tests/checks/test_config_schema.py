"""The JSON Schema of ``[tool.schemaspec]`` (specs/schemaspec-config.schema.json) agrees with
the loader: every configuration in the docs and examples passes both, and mistakes fail both.

(That the committed file is current is tests/reports/test_json_schemas.py's, with the others.)
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from schemaspec.checks.config import ConfigError, config_from_table
from schemaspec.reports.json_schemas import render

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = jsonschema.Draft202012Validator(json.loads(render("schemaspec-config.schema.json")))
_TOML_BLOCK = re.compile(r"```toml\n(.*?)```", re.DOTALL)


def _doc_tables() -> list[tuple[str, dict[str, Any]]]:
    """Every ``[tool.schemaspec]`` table in a ```toml block of the docs and the README."""
    found = []
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]):
        for number, block in enumerate(_TOML_BLOCK.findall(page.read_text(encoding="utf-8"))):
            if "[tool.schemaspec" not in block:
                continue
            table = tomllib.loads(block)["tool"]["schemaspec"]
            found.append((f"{page.relative_to(ROOT)}#{number + 1}", table))
    return found


def _example_tables() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((ROOT / "docs" / "examples").rglob("pyproject.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("schemaspec")
        if table is not None:
            found.append((str(path.relative_to(ROOT)), table))
    return found


DOCS = _doc_tables()
EXAMPLES = _example_tables()


def test_the_docs_show_configurations() -> None:
    # Not vacuous: the configuration page shows the example's table and the full one.
    assert {name.split("#")[0] for name, _ in DOCS} >= {"docs/configuration.md"}
    assert len(DOCS) >= 3


@pytest.mark.parametrize(("name", "table"), DOCS + EXAMPLES, ids=[n for n, _ in DOCS + EXAMPLES])
def test_every_configuration_shown_validates_and_loads(name: str, table: dict[str, Any]) -> None:
    errors = [error.message for error in VALIDATOR.iter_errors(table)]
    if name == "docs/examples/unioncore/typo/pyproject.toml":
        # The example of a mistake: a snapshot file name the loader refuses (by its suffix,
        # which the schema leaves to the loader).
        assert errors == []
        with pytest.raises(ConfigError):
            config_from_table(table, Path(name))
        return
    assert errors == []
    config_from_table(table, Path(name))


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"modles": "app:Base"}, "modles"),
        ({"contracts": "law.toml"}, "contracts"),
        ({"database": "sqlite://", "database_env": "DATABASE_URL"}, "database"),
        ({"unused_ignores": "fail"}, "unused_ignores"),
        ({"migrations": {"enabled": "no"}}, "migrations.enabled"),
        ({"migrations": {"allow_locking": "abc"}}, "migrations.allow_locking"),
        ({"health": {"enable": False}}, "health.enable"),
        ({"ignore": [{"path": "x", "builtin": True}]}, "ignore"),
        ({"ignore": [{"reason": "no path"}]}, "ignore.0.path"),
    ],
)
def test_mistakes_fail_both(table: dict[str, Any], key: str) -> None:
    assert list(VALIDATOR.iter_errors(table)) != []
    with pytest.raises(ConfigError) as raised:
        config_from_table(table, Path("pyproject.toml"))
    assert raised.value.key == key


def test_keys_are_the_toml_names() -> None:
    schema = json.loads(render("schemaspec-config.schema.json"))
    assert schema["title"] == "schemaspec configuration"
    assert schema["additionalProperties"] is False
    assert "schema" in schema["properties"] and "db_schema" not in schema["properties"]
    assert set(schema["$defs"]["MigrationsConfig"]["properties"]) == {
        "enabled",
        "allow_destructive",
        "allow_locking",
        "database_env",
    }
    assert "schemaspec" not in schema["properties"]  # a table in pyproject.toml, no version
