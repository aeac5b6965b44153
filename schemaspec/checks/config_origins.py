"""Where each value of the resolved configuration came from, for ``check --show-config``.

A value comes from a command-line flag, from ``pyproject.toml`` (with its line), from the
environment (the database URLs that ``database_env`` and ``migrations.database_env`` name), or
is the default. TOML parsers keep no positions, so the lines come from a small scan of the file
that knows tables, dotted keys, and values that span lines (arrays, inline tables, multi-line
strings).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from schemaspec.checks.config import Project, ProjectConfig
from schemaspec.compare.ignore import IgnoreRule
from schemaspec.util.redact import mask_url

__all__ = ["Setting", "key_lines", "render_settings", "resolved_settings"]

_HEADER = re.compile(r"^\s*\[(?P<name>[^\[\]]+)\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*(?P<key>[A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")
_TABLE = "tool.schemaspec"


@dataclass(frozen=True)
class Setting:
    """One resolved key: its dotted name, its value as TOML writes it, and where it came from."""

    key: str
    value: str
    origin: str


def key_lines(text: str) -> dict[str, int]:
    """Dotted key (relative to ``[tool.schemaspec]``) -> the 1-based line that sets it."""
    found: dict[str, int] = {}
    prefix: str | None = None
    depth = 0
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if in_string in line:
                in_string = None
            continue
        if depth == 0:
            header = _HEADER.match(line)
            if header is not None:
                name = ".".join(part.strip().strip('"') for part in header["name"].split("."))
                if name == _TABLE:
                    prefix = ""
                elif name.startswith(_TABLE + "."):
                    prefix = name[len(_TABLE) + 1 :] + "."
                else:
                    prefix = None
                continue
            key = _KEY.match(line)
            if key is not None and prefix is not None:
                dotted = prefix + ".".join(part.strip() for part in key["key"].split("."))
                found.setdefault(dotted, number)
        depth, in_string = _scan(line, depth)
    return found


def _scan(line: str, depth: int) -> tuple[int, str | None]:
    """The bracket depth after ``line``, and the multi-line string left open, if any."""
    position = 0
    while position < len(line):
        char = line[position]
        if char == "#":
            break
        if line.startswith(('"""', "'''"), position):
            quote = line[position : position + 3]
            end = line.find(quote, position + 3)
            if end < 0:
                return depth, quote
            position = end + 3
            continue
        if char in "\"'":
            end = position + 1
            while end < len(line) and line[end] != char:
                end += 2 if char == '"' and line[end] == "\\" else 1
            position = end + 1
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        position += 1
    return max(depth, 0), None


def resolved_settings(
    file_project: Project,
    resolved: ProjectConfig,
    flags: Mapping[str, str],
    environ: Mapping[str, str],
) -> list[Setting]:
    """Every key of ``resolved`` with its origin.

    ``file_project`` is the configuration as read from the file (``path`` ``None``: no file),
    ``flags`` maps a dotted key to the flag that set it on the command line.
    """
    lines: dict[str, int] = {}
    name = "pyproject.toml"
    if file_project.path is not None:
        lines = key_lines(file_project.path.read_text(encoding="utf-8"))
        name = file_project.path.name
    settings: list[Setting] = []
    for key, value in _flatten(resolved):
        if key == "database" and value is None and resolved.database_env is not None:
            continue  # shown after database_env, with the variable it comes from
        if key in flags:
            origin = flags[key]
        elif key in lines or key.rpartition(".")[0] in lines:
            origin = f"{name} line {lines.get(key) or lines[key.rpartition('.')[0]]}"
        else:
            origin = "default"
        if key == "database" and isinstance(value, str):
            value = mask_url(value)  # a password never reaches the screen
        settings.append(Setting(key, _toml(value), origin))
        if key in ("database_env", "migrations.database_env") and isinstance(value, str):
            url = environ.get(value) or None
            shown = _toml(mask_url(url)) if url is not None else "(not set)"
            state = "" if url is not None else (" is empty" if value in environ else " is not set")
            target = "database" if key == "database_env" else "migrations.database"
            settings.append(Setting(target, shown, f"${value}{state}"))
    return settings


def render_settings(path: str | None, settings: list[Setting]) -> str:
    """``key = value  # origin``, aligned, under a line naming the file."""
    head = (
        f"# [tool.schemaspec] as check resolves it, from {path}"
        if path
        else "# [tool.schemaspec] as check resolves it: no pyproject.toml with such a table"
    )
    rows = [f"{setting.key} = {setting.value}" for setting in settings]
    width = max((len(row) for row in rows), default=0)
    body = [
        f"{row:<{width}}  # {setting.origin}" for row, setting in zip(rows, settings, strict=True)
    ]
    return "\n".join([head, *body]) + "\n"


def _flatten(config: BaseModel, prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for field_name, field in type(config).model_fields.items():
        key = prefix + (field.alias or field_name)
        value = getattr(config, field_name)
        if isinstance(value, BaseModel) and not isinstance(value, IgnoreRule):
            found.extend(_flatten(value, key + "."))
        else:
            found.append((key, value))
    return found


def _toml(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, IgnoreRule):
        if value.reason is None and value.attribute is None:
            return json.dumps(value.path, ensure_ascii=False)
        parts = [f"path = {json.dumps(value.path, ensure_ascii=False)}"]
        if value.attribute is not None:
            parts.append(f"attribute = {json.dumps(value.attribute, ensure_ascii=False)}")
        if value.reason is not None:
            parts.append(f"reason = {json.dumps(value.reason, ensure_ascii=False)}")
        return "{ " + ", ".join(parts) + " }"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
