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

#: Largest snapshot file :func:`load` reads. A 3,000-table schema is about 3 MiB of TOML; a file
#: twenty times that is not a snapshot, and reading it whole would only exhaust memory.
MAX_SIZE = 64 * 1024 * 1024
#: Deepest nesting :func:`load` accepts. A valid snapshot is 6 levels deep (tables, a table, its
#: columns, a column, a field, a list); anything far deeper is hostile or broken.
MAX_DEPTH = 32


def dump(spec: SchemaSpec, path: str | os.PathLike[str]) -> Path:
    """Write ``spec`` to ``path`` (``.toml`` or ``.json``) atomically; return the path."""
    target = Path(path)
    try:
        text = dumps(spec, _format(target))
        text.encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError) as error:
        # Produced in full before anything is written: the previous file stays as it was.
        raise SnapshotError(target, f"cannot be written: {error}") from None
    try:
        _write_atomically(target, text)
    except OSError as error:
        raise SnapshotError(target, f"cannot be written: {error.strerror or error}") from None
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
    """Read a snapshot file. Any problem raises :class:`SnapshotError` naming the file.

    A snapshot is untrusted input (it may come from any pull request): it is parsed as data only,
    never executed and never the cause of an import, and files over :data:`MAX_SIZE` bytes or
    nested deeper than :data:`MAX_DEPTH` are refused.
    """
    source = Path(path)
    try:
        with source.open("rb") as handle:
            # Read one byte past the limit rather than trusting the size the file system
            # reports: a pipe or a device has none.
            data = handle.read(MAX_SIZE + 1)
    except FileNotFoundError:
        raise SnapshotError(source, "no such file") from None
    except IsADirectoryError:
        raise SnapshotError(source, "is a directory, not a snapshot file") from None
    except OSError as error:
        raise SnapshotError(source, error.strerror or str(error)) from None
    if len(data) > MAX_SIZE:
        raise SnapshotError(
            source, f"larger than {MAX_SIZE // (1024 * 1024)} MiB, the most a snapshot may be"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SnapshotError(source, f"not UTF-8 text (byte {error.start})", line=line) from None
    return loads(text, _format(source), path=source)


def loads(
    text: str, format: str = "toml", *, path: str | os.PathLike[str] = "<string>"
) -> SchemaSpec:
    data = _parse(text, format, Path(path))
    _check_structure(data, Path(path))
    return spec_from_data(data, Path(path))


def _check_structure(data: Any, path: Path) -> None:
    """Refuse what parsed but is no snapshot: deep nesting, text that is not Unicode."""
    # Iterative, so a hostile file cannot make the check itself overflow the stack; only
    # containers go on the stack, so this costs a few per cent of a load.
    if not isinstance(data, dict | list):
        return  # a lone value: spec_from_data says what is wrong with it
    stack: list[tuple[dict[Any, Any] | list[Any], int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SnapshotError(path, f"nested deeper than {MAX_DEPTH} levels")
        items = [*value, *value.values()] if isinstance(value, dict) else value
        for item in items:
            if isinstance(item, dict | list):
                stack.append((item, depth + 1))
            elif isinstance(item, str) and not item.isascii():
                _check_text(item, path)


def _check_text(text: str, path: Path) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's "\ud800" escapes parse to lone surrogates, which no file can hold.
        raise SnapshotError(path, "text holds a lone surrogate (\\ud800-\\udfff)") from None


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
            path,
            "this is a contract file, not a snapshot: check it with "
            "'schemaspec contract FILE SOURCE' (Python: schemaspec.load_contract)",
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
    try:
        if format == "json":
            return _parse_json(text, path)
        return tomllib.loads(text)
    except RecursionError:
        raise SnapshotError(path, f"nested deeper than {MAX_DEPTH} levels") from None
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(error, text, path) from None
    except ValueError as error:
        # tomllib lets int()'s own errors through (an integer of over 4,300 digits).
        raise SnapshotError(path, f"invalid TOML: {error}") from None


def _toml_error(error: tomllib.TOMLDecodeError, text: str, path: Path) -> SnapshotError:
    message = str(error)
    located = re.search(r"\(at line (\d+), column \d+\)", message)
    reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    line: int | None = int(located.group(1)) if located else None
    if located is None and "end of document" in message:
        line = text.count("\n") + 1
    return SnapshotError(path, f"invalid TOML: {reason}", line=line)


def _parse_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise SnapshotError(path, f"invalid JSON: {error.msg}", line=error.lineno) from None
    except ValueError as error:
        # NaN/Infinity: JSON does not have them, Python's parser accepts them by default.
        raise SnapshotError(path, f"invalid JSON: {error}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


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
        _sync_directory(target.parent)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk too (POSIX); without this
    # a power cut right after dump() can bring back the old file, or neither.
    if os.name != "posix":
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
