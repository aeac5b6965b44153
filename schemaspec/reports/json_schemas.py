"""JSON Schema for snapshot and contract files and for the ``[tool.schemaspec]`` table,
generated from the Pydantic models.

Committed under ``specs/`` so editors validate the files people write and review; a test fails
when the committed schema no longer matches the models. Regenerate with
``python -m schemaspec schema -o specs``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemaspec.checks.config import ProjectConfig
from schemaspec.checks.contracts import Contract
from schemaspec.sources.snapshot import VERSION_KEY
from schemaspec.spec import FORMAT_VERSION, SchemaSpec

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: File name -> (model, title, description).
FILES: dict[str, tuple[type[BaseModel], str, str]] = {
    "schemaspec-snapshot.schema.json": (
        SchemaSpec,
        "schemaspec snapshot",
        "A database schema as data, written by `python -m schemaspec snapshot`.",
    ),
    "schemaspec-contract.schema.json": (
        Contract,
        "schemaspec contract",
        'Pins a schema must satisfy; only what is declared is checked (mode = "contract").',
    ),
    "schemaspec-config.schema.json": (
        ProjectConfig,
        "schemaspec configuration",
        "The [tool.schemaspec] table of pyproject.toml, read by `python -m schemaspec check` "
        "and the pytest plugin.",
    ),
}
#: Tables inside another file: no format version key of their own.
_UNVERSIONED = {ProjectConfig}


def json_schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    """The model's JSON Schema plus the format version key every schemaspec file carries."""
    if model in _UNVERSIONED:
        # Keys as written in TOML (``schema``, not the field's name), the way it validates.
        table = _config_table(model.model_json_schema(by_alias=True))
        return {"$schema": DRAFT, **table, "title": title, "description": description}
    schema = model.model_json_schema()
    properties = {
        VERSION_KEY: {
            "description": "Format version of the file.",
            "type": "integer",
            "minimum": 1,
            "maximum": FORMAT_VERSION,
        },
        "$schema": {
            "description": "Where editors find this JSON Schema (JSON files; ignored on load).",
            "type": "string",
        },
        **schema.get("properties", {}),
    }
    required = [VERSION_KEY, *schema.get("required", [])]
    return {
        "$schema": DRAFT,
        **{key: value for key, value in schema.items() if key not in {"properties", "required"}},
        "title": title,
        "description": description,
        "properties": properties,
        "required": required,
    }


def _config_table(table: dict[str, Any]) -> dict[str, Any]:
    """What the loader accepts beyond the model's own shape: an ignore rule may be written as
    its shorthand string, ``builtin`` is set by schemaspec alone (the loader refuses it), and
    ``database`` and ``database_env`` exclude each other."""
    table["$defs"]["IgnoreRule"]["properties"].pop("builtin")
    table["properties"]["ignore"]["items"] = {
        "anyOf": [
            {"type": "string", "description": "A path glob: legacy_*, *.internal_*, *.*.comment"},
            {"$ref": "#/$defs/IgnoreRule"},
        ]
    }
    table["not"] = {"required": ["database", "database_env"]}
    return table


def render(name: str) -> str:
    """The exact text of one committed schema file."""
    model, title, description = FILES[name]
    return json.dumps(json_schema(model, title, description), indent=2, sort_keys=True) + "\n"


def write_all(directory: str | os.PathLike[str]) -> list[Path]:
    """Write every schema file into ``directory``; return the files whose text changed."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    changed = []
    for name in FILES:
        path = target / name
        text = render(name)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def stale(directory: str | os.PathLike[str]) -> list[Path]:
    """The schema files in ``directory`` that are missing or out of date."""
    target = Path(directory)
    return [
        target / name
        for name in FILES
        if not (target / name).exists()
        or (target / name).read_text(encoding="utf-8") != render(name)
    ]
