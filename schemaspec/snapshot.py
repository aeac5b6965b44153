"""Snapshot files: a spec as TOML or JSON, committed next to the code and read in reviews.

Output is byte-for-byte deterministic (keys sorted, defaults left out) so a snapshot only changes
when the schema does. Writes are atomic: the new text is produced in full first, written to a
temporary file beside the target and renamed over it, so a failure at any point leaves the
previous file untouched.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from schemaspec.dialects import normalize
from schemaspec.errors import SnapshotError
from schemaspec.spec import FORMAT_VERSION, SchemaSpec

#: The key that marks a file as a schemaspec snapshot and carries its format version.
VERSION_KEY = "schemaspec"
SUFFIXES = (".toml", ".json")


def dump(spec: SchemaSpec, path: str | os.PathLike[str]) -> Path:
    """Write ``spec`` to ``path`` (``.toml`` or ``.json``) atomically; return the path."""
    target = Path(path)
    text = dumps(spec, _format(target))
    _write_atomically(target, text)
    return target


def dumps(spec: SchemaSpec, format: str = "toml") -> str:
    """The snapshot text of ``spec`` in ``format`` (``"toml"`` or ``"json"``)."""
    data = {
        VERSION_KEY: FORMAT_VERSION,
        **_sorted(spec.model_dump(mode="json", exclude_defaults=True)),
    }
    if format == "json":
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return tomli_w.dumps(data)


def load(path: str | os.PathLike[str]) -> SchemaSpec:
    """Read a snapshot file. Any problem raises :class:`SnapshotError` naming the file."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(source, "no such file") from None
    except UnicodeDecodeError as error:
        raise SnapshotError(source, f"not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise SnapshotError(source, error.strerror or str(error)) from None
    return loads(text, _format(source), path=source)


def loads(
    text: str, format: str = "toml", *, path: str | os.PathLike[str] = "<string>"
) -> SchemaSpec:
    data = _parse(text, format, Path(path))
    return spec_from_data(data, Path(path))


def spec_from_data(data: Any, path: Path) -> SchemaSpec:
    if not isinstance(data, dict):
        raise SnapshotError(path, "a snapshot must be a table/object at the top level")
    version = data.get(VERSION_KEY)
    if version is None:
        raise SnapshotError(
            path, f"not a schemaspec snapshot: the key {VERSION_KEY!r} (format version) is missing"
        )
    if not isinstance(version, int) or isinstance(version, bool):
        raise SnapshotError(
            path, f"format version must be a whole number, not {version!r}", field=VERSION_KEY
        )
    if version > FORMAT_VERSION:
        raise SnapshotError(
            path,
            f"written in snapshot format {version}, newer than this schemaspec reads "
            f"({FORMAT_VERSION}); upgrade schemaspec",
            field=VERSION_KEY,
        )
    if data.get("mode") == "contract":
        raise SnapshotError(
            path, "this is a contract file, not a snapshot: use schemaspec.contracts.load_contract"
        )
    # "$schema" points editors at the JSON Schema in specs/; it is not part of the spec.
    body = {key: value for key, value in data.items() if key not in (VERSION_KEY, "$schema")}
    try:
        spec = SchemaSpec.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise SnapshotError(path, first["msg"], field=field) from None
    return normalize(spec)


def parse_text(text: str, format: str, path: Path) -> Any:
    """Parse TOML/JSON text; a syntax error raises :class:`SnapshotError` with its line."""
    return _parse(text, format, path)


def _parse(text: str, format: str, path: Path) -> Any:
    if format == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise SnapshotError(path, f"invalid JSON: {error.msg}", line=error.lineno) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        located = re.search(r"\(at line (\d+), column \d+\)", message)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        line: int | None = int(located.group(1)) if located else None
        if located is None and "end of document" in message:
            line = text.count("\n") + 1
        raise SnapshotError(path, f"invalid TOML: {reason}", line=line) from None


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SnapshotError(path, "a snapshot file name must end in .toml or .json")
    return suffix[1:]


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            # Keep the permissions the committed file had.
            os.chmod(temporary, target.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
