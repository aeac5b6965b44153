"""JSON Schema for snapshot and contract files, generated from the Pydantic models.

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
}


def json_schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    """The model's JSON Schema plus the format version key every schemaspec file carries."""
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
