"""The committed JSON Schema files in specs/ match the models, and describe real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemaspec.schemas import FILES, render, stale

SPECS = Path(__file__).resolve().parent.parent / "specs"


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
