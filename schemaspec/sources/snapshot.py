"""Snapshot files: a spec as TOML or JSON, committed next to the code and read in reviews.

Output is byte-for-byte deterministic (keys sorted, defaults left out) so a snapshot only changes
when the schema does. Writes are atomic: the new text is produced in full first, written to a
temporary file beside the target and renamed over it, so a failure at any point leaves the
previous file untouched.
"""

from __future__ import annotations

import difflib
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
from schemaspec.dialects.base import known_dialect, replace
from schemaspec.errors import SnapshotError, SourceError
from schemaspec.spec import (
    DEFAULT_KINDS,
    FORMAT_VERSION,
    MODEL_KINDS,
    ColumnSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
)
from schemaspec.sql.text import canonical_action
from schemaspec.sql.type_names import canonical_type_name, written_type_name

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
    if spec.dialect is None and spec.describes is None:
        # Written out, or loading would take a neutral spec for one of models (see load).
        data["describes"] = list(DEFAULT_KINDS)
    _write_type_names(data)
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
    problem = format_version_problem(version, "snapshot")
    if problem is not None:
        raise SnapshotError(path, problem, field=VERSION_KEY)
    if data.get("mode") == "contract":
        raise SnapshotError(
            path,
            "this is a contract file, not a snapshot: check it with "
            "'schemaspec contract FILE SOURCE' (Python: schemaspec.load_contract)",
        )
    # "$schema" points editors at the JSON Schema in specs/; it is not part of the spec.
    body = {key: value for key, value in data.items() if key not in (VERSION_KEY, "$schema")}
    if "describes" not in body and body.get("dialect") is None:
        # Written before specs said what they describe: only models are rendered neutrally, and
        # models describe tables, enums and sequences (a view the database has is no change).
        body["describes"] = list(MODEL_KINDS)
    elif body.get("describes") == list(DEFAULT_KINDS):
        body["describes"] = None
    try:
        spec = SchemaSpec.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise SnapshotError(path, first["msg"], field=field) from None
    try:
        spec = _canonical_spec(spec)
    except _Invalid as error:
        raise SnapshotError(path, error.reason, field=error.field) from None
    return normalize(spec)


def format_version_problem(version: Any, kind: str) -> str | None:
    """Why ``version`` (the ``schemaspec`` key of a ``kind`` file) cannot be read, or ``None``.

    Formats are numbered from 1: 0, negative numbers, fractions, strings and booleans are no
    version at all (TOML's ``true`` is not 1), and a higher number is a newer format.
    """
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        return (
            f"written in {kind} format {version}, newer than this schemaspec reads "
            f"({FORMAT_VERSION}); upgrade schemaspec"
        )
    if isinstance(version, int) and not isinstance(version, bool) and version >= 1:
        return None
    valid = "1" if FORMAT_VERSION == 1 else f"a whole number from 1 to {FORMAT_VERSION}"
    return f"format version must be {valid}, not {_shown(version)}"


def _shown(value: Any) -> str:
    """``value`` as the file spelled it, or what it is when that would be long."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    kinds: dict[type, str] = {str: "a long string", dict: "a table", list: "a list"}
    return kinds.get(type(value), f"a {type(value).__name__}")


class _Invalid(ValueError):
    """A value that parsed and validated but is not one schemaspec knows, at ``field``."""

    def __init__(self, reason: str, field: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


#: Foreign key actions as files may write them (any case); the sources' spelling is upper case.
ACTIONS = ("CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION")
#: ``SET NULL (author_id)``: PostgreSQL 15 may limit SET NULL/SET DEFAULT to some columns.
_ACTION = re.compile(r"CASCADE|RESTRICT|NO ACTION|SET (?:NULL|DEFAULT)(?: ?\(.*\))?")
DEFERRABLE = ("immediate", "deferred")
EMULATES = ("boolean", "enum")
#: PostgreSQL's built-in index methods; extensions add more (``bloom``, ``hnsw``), so another
#: name is refused only when it is a near miss of one of these.
INDEX_METHODS = ("btree", "hash", "gist", "spgist", "gin", "brin")


def valid_type(value: str) -> str:
    """A hand-written type string, canonical (see :mod:`schemaspec.sql.type_names`)."""
    return canonical_type_name(value)


def valid_action(value: str) -> str | None:
    """An ``on_delete``/``on_update`` action, as the sources store it (``None``: no action)."""
    spelled = " ".join(value.upper().split())
    if not _ACTION.fullmatch(spelled):
        raise ValueError(_unknown_choice("foreign key action", value, ACTIONS, spelled))
    return canonical_action(value)


def valid_deferrable(value: str) -> str:
    spelled = value.strip().lower()
    if spelled not in DEFERRABLE:
        raise ValueError(_unknown_choice("deferrable mode", value, DEFERRABLE, spelled))
    return spelled


def valid_dialect(value: str) -> str:
    """A dialect name as specs store it (``mariadb`` is ``mysql``); any other is refused."""
    try:
        return known_dialect(value)
    except SourceError as error:
        raise ValueError(str(error)) from None


def _unknown_choice(what: str, value: str, choices: tuple[str, ...], spelled: str) -> str:
    guess = difflib.get_close_matches(spelled, choices, n=1, cutoff=0.6)
    hint = f"did you mean {guess[0]!r}? " if guess else ""
    return f"unknown {what} {value!r}: {hint}choose one of {', '.join(choices)}"


def _checked(check: Any, value: Any, field: str) -> Any:
    try:
        return check(value)
    except ValueError as error:
        raise _Invalid(str(error), field) from None


def _canonical_spec(spec: SchemaSpec) -> SchemaSpec:
    """``spec`` with every hand-writable value as the sources write it, or :class:`_Invalid`.

    A value no database knows (a misspelt type, dialect or action) is refused here rather than
    compared as written: it would otherwise read as a difference, or as a foreign dialect.
    """
    dialect = None if spec.dialect is None else _checked(valid_dialect, spec.dialect, "dialect")
    tables = {name: _table(table, f"tables.{name}") for name, table in spec.tables.items()}
    variants = {
        _checked(valid_dialect, key, f"variants.{key}"): {
            name: _table(table, f"variants.{key}.{name}") for name, table in members.items()
        }
        for key, members in spec.variants.items()
    }
    return replace(spec, dialect=dialect, tables=tables, variants=variants)


def _table(table: TableSpec, field: str) -> TableSpec:
    columns = {
        name: _column(column, f"{field}.columns.{name}") for name, column in table.columns.items()
    }
    foreign_keys = {
        key: _foreign_key(fk, f"{field}.foreign_keys.{key}")
        for key, fk in table.foreign_keys.items()
    }
    indexes = {
        name: _index(index, f"{field}.indexes.{name}") for name, index in table.indexes.items()
    }
    checks = {
        key: check
        if check.emulates is None or check.emulates in EMULATES
        else _checked(_emulates, check.emulates, f"{field}.checks.{key}.emulates")
        for key, check in table.checks.items()
    }
    return replace(
        table, columns=columns, foreign_keys=foreign_keys, indexes=indexes, checks=checks
    )


def _emulates(value: str) -> str:
    raise ValueError(_unknown_choice("emulated type", value, EMULATES, value.strip().lower()))


def _column(column: ColumnSpec, field: str) -> ColumnSpec:
    variants = {
        _checked(valid_dialect, key, f"{field}.variants.{key}"): _checked(
            valid_type, type_, f"{field}.variants.{key}"
        )
        for key, type_ in column.variants.items()
    }
    type_ = _checked(valid_type, column.type, f"{field}.type")
    return replace(column, type=type_, variants=variants)


def _foreign_key(fk: ForeignKeySpec, field: str) -> ForeignKeySpec:
    changes = {
        name: _checked(valid_action, getattr(fk, name), f"{field}.{name}")
        for name in ("on_delete", "on_update")
        if getattr(fk, name) is not None
    }
    if fk.deferrable is not None:
        changes["deferrable"] = _checked(valid_deferrable, fk.deferrable, f"{field}.deferrable")
    return replace(fk, **changes)


def _index(index: IndexSpec, field: str) -> IndexSpec:
    changes: dict[str, Any] = {}
    if index.where_dialects is not None:
        changes["where_dialects"] = tuple(
            _checked(valid_dialect, name, f"{field}.where_dialects")
            for name in index.where_dialects
        )
    if index.created_on is not None:
        # ``ddl_if(dialect=...)`` may name any database (an index made only on Oracle); only a
        # near miss of one schemaspec renders is a mistake.
        for name in index.created_on:
            guess = difflib.get_close_matches(name, ("postgresql", "mysql", "sqlite"), 1, 0.6)
            if guess and guess[0] != name:
                _checked(valid_dialect, name, f"{field}.created_on")
    if index.method is not None:
        method = index.method.strip().lower()
        guess = difflib.get_close_matches(method, INDEX_METHODS, n=1, cutoff=0.75)
        if guess and guess[0] != method:
            raise _Invalid(
                f"unknown index method {index.method!r}: did you mean {guess[0]!r}?",
                f"{field}.method",
            )
        changes["method"] = method
    return replace(index, **changes)


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
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        raise SnapshotError(path, f"invalid JSON: {error.msg}", line=error.lineno) from None
    except _DuplicateKey as error:
        raise _duplicate_key_error(text, path, error.key) from None
    except ValueError as error:
        # NaN/Infinity: JSON does not have them, Python's parser accepts them by default.
        raise SnapshotError(path, f"invalid JSON: {error}") from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python's parser keeps the last of two equal keys; TOML refuses them, and so do we: two
    # values for one key is a file that means two things.
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return value


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def _duplicate_key_error(text: str, path: Path, key: str) -> SnapshotError:
    """The error for a duplicate key, with the line and field of its first repetition.

    The parser's hook sees keys, not positions, so the text is scanned again (only on this
    error path): a stack of the objects and arrays around each token gives the field.
    """
    frames: list[dict[str, Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        top = frames[-1] if frames else None
        if token in "{[":
            frames.append({"keys": set(), "key": None} if token == "{" else {"index": 0})
        elif token in "}]":
            frames.pop()
        elif token == ",":
            if top is not None and "index" in top:
                top["index"] += 1
            elif top is not None:
                top["key"] = None
        elif token.startswith('"') and top is not None and "keys" in top and top["key"] is None:
            try:
                name = json.loads(token)
            except ValueError:
                break
            if name in top["keys"]:
                parents = [str(f["key"] if "keys" in f else f["index"]) for f in frames[:-1]]
                return SnapshotError(
                    path,
                    f"duplicate key {name!r}: JSON would silently keep only the last value",
                    line=text.count("\n", 0, match.start()) + 1,
                    field=".".join([*parents, name]),
                )
            top["keys"].add(name)
            top["key"] = name
    return SnapshotError(
        path, f"duplicate key {key!r}: JSON would silently keep only the last value"
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SnapshotError(path, "a snapshot file name must end in .toml or .json")
    return suffix[1:]


def _write_type_names(data: dict[str, Any]) -> None:
    """Write each column type so that loading gives it back (see ``written_type_name``)."""
    tables = [*data.get("tables", {}).values()]
    for members in data.get("variants", {}).values():
        tables.extend(members.values())
    for table in tables:
        for column in table.get("columns", {}).values():
            column["type"] = written_type_name(column["type"])
            if "variants" in column:
                column["variants"] = {
                    key: written_type_name(type_) for key, type_ in column["variants"].items()
                }


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
