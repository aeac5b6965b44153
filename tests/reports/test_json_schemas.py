"""The committed JSON Schema files in specs/ match the models, and describe real files."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from schemaspec import ColumnSpec, SchemaSpec, TableSpec, load
from schemaspec.reports.json_schemas import FILES, render, stale

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
CONTRACT = ROOT / "docs" / "examples" / "unioncore" / "schema-is-law.contract.toml"


@pytest.mark.parametrize("name", sorted(FILES))
def test_committed_schema_is_up_to_date(name: str) -> None:
    committed = (SPECS / name).read_text(encoding="utf-8")
    assert committed == render(name), f"run: python -m schemaspec schema -o specs ({name})"


def test_nothing_is_stale() -> None:
    assert stale(SPECS) == []


def test_schemas_carry_the_version_key_and_forbid_unknown_keys() -> None:
    snapshot = json.loads(render("schemaspec-snapshot.schema.json"))
    assert snapshot["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert snapshot["required"] == ["schemaspec"]
    assert snapshot["additionalProperties"] is False
    assert snapshot["properties"]["schemaspec"] == {
        "description": "Format version of the file.",
        "maximum": 1,
        "minimum": 1,
        "type": "integer",
    }
    contract = json.loads(render("schemaspec-contract.schema.json"))
    assert contract["required"] == ["schemaspec", "mode"]
    assert contract["properties"]["mode"] == {
        "const": "contract",
        "title": "Mode",
        "type": "string",
    }
    column = contract["$defs"]["ColumnContract"]
    assert column["additionalProperties"] is False
    assert set(column["properties"]) == {
        "present",
        "type",
        "nullable",
        "default",
        "autoincrement",
        "computed",
        "comment",
    }


def test_stale_reports_a_changed_file(tmp_path: Path) -> None:
    for name in FILES:
        (tmp_path / name).write_text(render(name))
    (tmp_path / "schemaspec-contract.schema.json").write_text("{}\n")
    assert stale(tmp_path) == [tmp_path / "schemaspec-contract.schema.json"]


def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = json.loads(render(name))
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_files_validate() -> None:
    snapshot = tomllib.loads((SPECS / "unioncore.toml").read_text(encoding="utf-8"))
    assert list(_validator("schemaspec-snapshot.schema.json").iter_errors(snapshot)) == []
    contract = tomllib.loads(CONTRACT.read_text(encoding="utf-8"))
    assert list(_validator("schemaspec-contract.schema.json").iter_errors(contract)) == []


@pytest.mark.parametrize(
    ("name", "document", "message"),
    [
        ("schemaspec-snapshot.schema.json", {"tables": {}}, "'schemaspec' is a required property"),
        (
            "schemaspec-snapshot.schema.json",
            {"schemaspec": 1, "tabels": {}},
            "Additional properties are not allowed ('tabels' was unexpected)",
        ),
        (
            "schemaspec-contract.schema.json",
            {"schemaspec": 1, "mode": "snapshot"},
            "'contract' was expected",
        ),
        (
            "schemaspec-contract.schema.json",
            {
                "schemaspec": 1,
                "mode": "contract",
                "tables": {"t": {"columns": {"c": {"typ": "x"}}}},
            },
            "Additional properties are not allowed ('typ' was unexpected)",
        ),
    ],
)
def test_editors_see_mistakes(name: str, document: dict[str, object], message: str) -> None:
    assert [error.message for error in _validator(name).iter_errors(document)] == [message]


def test_loaders_accept_the_schema_key(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        '{"$schema": "../specs/schemaspec-snapshot.schema.json", "schemaspec": 1,'
        ' "tables": {"t": {"columns": {"id": {"type": "integer"}}}}}'
    )
    assert load(path) == SchemaSpec(
        tables={"t": TableSpec(columns={"id": ColumnSpec(type="integer")})},
        # Neutral and silent on what it describes: a snapshot of models.
        describes=("tables", "enums", "sequences"),
    )
