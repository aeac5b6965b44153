"""Contracts: "schema is law" pins that a spec must satisfy, checking only what they declare.

A contract file looks like a snapshot marked ``mode = "contract"``, except that every attribute
is optional (an attribute left out is not checked) and table keys may be globs with exclusions::

    schemaspec = 1
    mode = "contract"

    [tables.book_registrations.columns.applicant_priority_number]
    type = "numeric(10,2)"

    [tables."*"]
    exclude = ["alembic_version"]
    columns.created_at = {}          # must exist, whatever its definition

A contract holds against any spec (models, a database, a snapshot, an Alembic revision).
Violations are :class:`~schemaspec.Change` records on the same paths the differ uses, the
contract being the expected side, collected in a :class:`~schemaspec.SchemaDiff`, so every
report format and exit code works for contracts unchanged.

A contract that pins nothing is refused when loaded, and a check that a pin could not apply to
(a table glob matching no table, enum pins on a database without named enums) warns with
:class:`ContractWarning`: a contract must never hold merely because it checked nothing.
"""

from __future__ import annotations

import os
import warnings
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemaspec.compare.change import COLLECTIONS, SCHEMA_OBJECTS, Change, change_path
from schemaspec.compare.diff import SchemaDiff
from schemaspec.dialects import normalize, rules_for
from schemaspec.errors import SchemaspecWarning, SnapshotError
from schemaspec.sources.snapshot import (
    VERSION_KEY,
    format_version_problem,
    parse_text,
    valid_action,
    valid_dialect,
    valid_type,
)
from schemaspec.spec import ColumnSpec, SchemaSpec, TableSpec
from schemaspec.sql.definitions import canonical_definition
from schemaspec.sql.text import canonical_action

_GLOB_CHARACTERS = frozenset("*?[")


class ContractError(SnapshotError):
    """A contract file is malformed or invalid (file, and the line or field at fault)."""


class ContractWarning(SchemaspecWarning):
    """A pin of the contract checked nothing in the checked spec (the contract still holds)."""


class _Pin(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: ``false`` pins that the object must NOT exist.
    present: bool = True

    def declared(self) -> dict[str, Any]:
        """The attributes this pin checks (those given a value), without ``present``."""
        return {
            name: value
            for name, value in self.model_dump(exclude={"present"}).items()
            if value is not None
        }


class ColumnContract(_Pin):
    type: str | None = None
    nullable: bool | None = None
    default: str | None = None
    autoincrement: bool | None = None
    computed: str | None = None
    comment: str | None = None


class ForeignKeyContract(_Pin):
    referred_table: str | None = None
    referred_columns: tuple[str, ...] | None = None
    name: str | None = None
    on_delete: str | None = None
    on_update: str | None = None


class IndexContract(_Pin):
    columns: tuple[str, ...] | None = None
    unique: bool | None = None
    where: str | None = None


class UniqueContract(_Pin):
    name: str | None = None


class CheckContract(_Pin):
    sqltext: str | None = None
    name: str | None = None


class TableContract(_Pin):
    """What a table (or every table matching a glob key) must have."""

    #: Globs of table names a glob key leaves out (``["alembic_version", "legacy_*"]``).
    exclude: tuple[str, ...] = ()
    columns: dict[str, ColumnContract] = Field(default_factory=dict)
    primary_key: tuple[str, ...] | None = None
    foreign_keys: dict[str, ForeignKeyContract] = Field(default_factory=dict)
    indexes: dict[str, IndexContract] = Field(default_factory=dict)
    unique: dict[str, UniqueContract] = Field(default_factory=dict)
    checks: dict[str, CheckContract] = Field(default_factory=dict)
    comment: str | None = None


class EnumContract(_Pin):
    values: tuple[str, ...] | None = None


class ViewContract(_Pin):
    definition: str | None = None
    materialized: bool | None = None


class SequenceContract(_Pin):
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool | None = None
    owned_by: str | None = None


class TriggerContract(_Pin):
    table: str | None = None
    timing: str | None = None
    events: tuple[str, ...] | None = None
    level: str | None = None
    body: str | None = None


class RoutineContract(_Pin):
    kind: str | None = None
    returns: str | None = None
    language: str | None = None
    volatility: str | None = None
    body: str | None = None


class ExtensionContract(_Pin):
    version: str | None = None


#: Schema-level pins beyond tables and enums, by ``SchemaSpec`` field; their definitions and
#: bodies are compared as canonical text (``sql.definitions``).
_OBJECT_PINS = ("views", "sequences", "triggers", "routines", "extensions")
_DEFINITION_FIELDS = frozenset({"definition", "body"})


class Contract(BaseModel):
    """A contract file's content (the format version key is checked on load, not stored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Literal["contract"]
    #: The database the contract's values are written for; informative (values are compared
    #: after both sides are brought to the checked spec's dialect).
    dialect: str | None = None
    tables: dict[str, TableContract] = Field(default_factory=dict)
    enums: dict[str, EnumContract] = Field(default_factory=dict)
    views: dict[str, ViewContract] = Field(default_factory=dict)
    sequences: dict[str, SequenceContract] = Field(default_factory=dict)
    triggers: dict[str, TriggerContract] = Field(default_factory=dict)
    routines: dict[str, RoutineContract] = Field(default_factory=dict)
    extensions: dict[str, ExtensionContract] = Field(default_factory=dict)

    def pins_anything(self) -> bool:
        return any(getattr(self, kind) for kind in ("tables", "enums", *_OBJECT_PINS))

    def check(self, spec: SchemaSpec) -> SchemaDiff:
        """The violations of this contract by ``spec``: empty (falsy) when it holds.

        Pins that checked nothing in ``spec`` are reported as :class:`ContractWarning`.
        """
        _warn(self, spec, stacklevel=2)
        return check_contract(self, spec, warn=False)


def is_contract_data(data: Any) -> bool:
    """Whether parsed file content is a contract (``mode = "contract"``) rather than a snapshot."""
    return isinstance(data, dict) and data.get("mode") == "contract"


def load_contract(path: str | os.PathLike[str]) -> Contract:
    """Read a contract file (``.toml`` or ``.json``); problems raise :class:`ContractError`."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError(source, "no such file") from None
    except UnicodeDecodeError as error:
        raise ContractError(source, f"not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise ContractError(source, error.strerror or str(error)) from None
    return loads_contract(text, "json" if source.suffix.lower() == ".json" else "toml", path=source)


def loads_contract(
    text: str, format: str = "toml", *, path: str | os.PathLike[str] = "<string>"
) -> Contract:
    where = Path(path)
    try:
        data = parse_text(text, format, where)
    except SnapshotError as error:
        raise ContractError(where, error.reason, line=error.line, field=error.field) from None
    return contract_from_data(data, where, text)


def contract_from_data(data: Any, path: Path, text: str = "") -> Contract:
    if not isinstance(data, dict):
        raise ContractError(path, "a contract must be a table/object at the top level")
    version = data.get(VERSION_KEY)
    if version is None:
        raise ContractError(
            path, f"not a schemaspec file: the key {VERSION_KEY!r} (format version) is missing"
        )
    problem = format_version_problem(version, "contract")
    if problem is not None:
        raise ContractError(path, problem, field=VERSION_KEY)
    if data.get("mode") != "contract":
        raise ContractError(
            path, 'not a contract: a contract file says mode = "contract"', field="mode"
        )
    # "$schema" points editors at the JSON Schema in specs/; it is not part of the spec.
    body = {key: value for key, value in data.items() if key not in (VERSION_KEY, "$schema")}
    try:
        contract = Contract.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        field = ".".join(loc)
        raise ContractError(path, first["msg"], line=_line_of(text, loc), field=field) from None
    contract = _canonical_contract(contract, path, text)
    if not contract.pins_anything():
        # It would hold against every schema: a file that lost its pins, or a wrong file.
        raise ContractError(path, NO_PINS)
    return contract


#: Why a contract without pins is refused (and warned about when built in code).
NO_PINS = (
    "the contract pins nothing: declare what must hold as [tables.NAME] or [enums.NAME] (or "
    "views, sequences, triggers, routines, extensions)"
)


def contract_warnings(contract: Contract, spec: SchemaSpec) -> tuple[str, ...]:
    """What in ``contract`` checks nothing in ``spec``, one sentence each (no file name).

    The contract still holds or not on its other pins; these say which pins are dead weight, so
    a contract cannot pass because a pattern no longer matches (a renamed table, a typo).
    """
    messages: list[str] = []
    if not contract.pins_anything():
        messages.append(NO_PINS)
    for key, pin in contract.tables.items():
        # A glob pinned absent that matches nothing is the pin holding, not a dead pin.
        if _is_glob(key) and pin.present and not _tables_for(key, pin, spec):
            messages.append(
                f"table glob {key!r} matches no table, so its pins check nothing: "
                "fix the pattern or remove it"
            )
    if contract.enums and not rules_for(spec.dialect).supports_named_enums:
        names = ", ".join(contract.enums)
        messages.append(
            f"enum pins ({names}) check nothing here: this database keeps enum values in the "
            "column type (only PostgreSQL has named enums); pin the enum columns' type instead"
        )
    return tuple(messages)


def _warn(contract: Contract, spec: SchemaSpec, *, stacklevel: int) -> None:
    # ``stacklevel`` counts from our caller, so the warning points at the user's line, where
    # the filter (``-W error::...ContractWarning``) and the report in pytest's summary apply.
    for message in contract_warnings(contract, spec):
        warnings.warn(ContractWarning(message), stacklevel=stacklevel + 1)


def _canonical_contract(contract: Contract, path: Path, text: str) -> Contract:
    """``contract`` with its pinned types canonical and its enumerated values checked.

    Pins go through the snapshot loader's checks, so ``NUMERIC(10, 2)`` pins what a source
    calls ``numeric(10,2)`` and ``intgr``, ``dialect = "postgres"`` or ``on_delete = "casade"``
    are errors rather than pins that can never hold.
    """

    def checked(check: Any, value: Any, loc: list[str]) -> Any:
        try:
            return check(value)
        except ValueError as error:
            line = _line_of(text, loc)
            raise ContractError(path, str(error), line=line, field=".".join(loc)) from None

    dialect = contract.dialect
    if dialect is not None:
        dialect = checked(valid_dialect, dialect, ["dialect"])
    tables: dict[str, TableContract] = {}
    for key, table in contract.tables.items():
        columns = {
            name: column
            if column.type is None
            else column.model_copy(
                update={
                    "type": checked(
                        valid_type, column.type, ["tables", key, "columns", name, "type"]
                    )
                }
            )
            for name, column in table.columns.items()
        }
        foreign_keys = {
            name: fk.model_copy(
                update={
                    action: checked(
                        _pinned_action,
                        getattr(fk, action),
                        ["tables", key, "foreign_keys", name, action],
                    )
                    for action in ("on_delete", "on_update")
                    if getattr(fk, action) is not None
                }
            )
            for name, fk in table.foreign_keys.items()
        }
        tables[key] = table.model_copy(update={"columns": columns, "foreign_keys": foreign_keys})
    return contract.model_copy(update={"dialect": dialect, "tables": tables})


def _pinned_action(value: str) -> str:
    # Checked as a snapshot's, but kept spelled out: a pinned NO ACTION is a pin (that the key
    # does nothing), while the snapshot's canonical form of it, None, would pin nothing.
    valid_action(value)
    return " ".join(value.upper().split())


def _line_of(text: str, loc: list[str]) -> int | None:
    """Best effort: the line that names the last key of ``loc`` (TOML gives no positions).

    Each key of ``loc`` found moves the search past its line, so ``type`` is looked for under
    its own column's header rather than at the first ``type =`` of the file.
    """
    if not text or not loc:
        return None
    lines = text.splitlines()
    start, found = 0, None
    for key in loc:
        found = None
        for number in range(start, len(lines)):
            if _names(lines[number].strip(), key):
                found = number
                break
        if found is not None:
            start = found
    return None if found is None else found + 1


def _names(stripped: str, key: str) -> bool:
    """Whether a line (comments excepted) names ``key``: as a key, quoted, or ending a header."""
    if stripped.startswith("#"):
        return False
    if f"{key} =" in stripped or f"{key}=" in stripped or f'"{key}"' in stripped:
        return True
    return stripped.startswith("[") and stripped.rstrip("]").endswith(f".{key}")


def check_contract(contract: Contract, spec: SchemaSpec, *, warn: bool = True) -> SchemaDiff:
    """Every way ``spec`` breaks ``contract``, as changes sorted by path.

    With ``warn``, pins that check nothing in ``spec`` are :class:`ContractWarning` warnings;
    callers that report them their own way (the CLI) pass ``warn=False`` and call
    :func:`contract_warnings`.
    """
    if warn:
        _warn(contract, spec, stacklevel=2)
    changes: list[Change] = []
    # A table pinned absent is reported once, as unexpected, not again by every glob pin.
    absent = {key for key, pin in contract.tables.items() if not pin.present and not _is_glob(key)}
    for key, pin in contract.tables.items():
        names = _tables_for(key, pin, spec)
        if _is_glob(key):
            names = [name for name in names if name not in absent]
        for name in names:
            changes.extend(_table_violations(name, pin, spec))
    # Named enums exist only where the database stores them on their own (PostgreSQL); elsewhere
    # the values live in the column type, which a column pin checks.
    named_enums = rules_for(spec.dialect).supports_named_enums
    for name, enum_pin in contract.enums.items() if named_enums else ():
        changes.extend(_enum_violations(name, enum_pin, spec))
    for kind in _OBJECT_PINS:
        for name, object_pin in getattr(contract, kind).items():
            changes.extend(_object_violations(kind, name, object_pin, spec))
    unique = {(change.path, change.object, change.kind): change for change in changes}
    ordered = sorted(unique.values(), key=lambda change: (change.path, change.object, change.kind))
    return SchemaDiff(
        changes=tuple(ordered), expected_dialect=contract.dialect, actual_dialect=spec.dialect
    )


def _is_glob(key: str) -> bool:
    return any(character in _GLOB_CHARACTERS for character in key)


def _tables_for(key: str, pin: TableContract, spec: SchemaSpec) -> list[str]:
    if not _is_glob(key):
        return [key]
    return sorted(
        name
        for name in spec.tables
        if fnmatchcase(name, key) and not any(fnmatchcase(name, ex) for ex in pin.exclude)
    )


def _table_violations(name: str, pin: TableContract, spec: SchemaSpec) -> list[Change]:
    table = spec.tables.get(name)
    if not pin.present:
        if table is None:
            return []
        return [Change(kind="unexpected", object="table", path=name, actual=table)]
    if table is None:
        return [Change(kind="missing", object="table", path=name, expected=pin)]
    changes: list[Change] = []
    for column_key, column_pin in pin.columns.items():
        for column in _members(column_key, table.columns):
            changes.extend(_column_violations(name, column, column_pin, table, spec))
    if pin.primary_key is not None and tuple(pin.primary_key) != table.primary_key:
        changes.append(
            Change(
                kind="changed" if table.primary_key else "missing",
                object="primary_key",
                path=f"{name}.primary_key",
                attributes=frozenset({"columns"}) if table.primary_key else frozenset(),
                expected={"columns": pin.primary_key} if table.primary_key else pin.primary_key,
                actual={"columns": table.primary_key} if table.primary_key else None,
            )
        )
    for collection in ("foreign_keys", "indexes", "unique", "checks"):
        pins: dict[str, _Pin] = getattr(pin, collection)
        have: dict[str, Any] = getattr(table, collection)
        for key, member_pin in pins.items():
            for member in _members(key, have):
                changes.extend(
                    _member_violations(
                        name, collection, member, member_pin, have.get(member), table, spec
                    )
                )
    if pin.comment is not None and pin.comment != table.comment:
        changes.append(
            Change(
                kind="changed",
                object="table",
                path=name,
                attributes=frozenset({"comment"}),
                expected={"comment": pin.comment},
                actual={"comment": table.comment},
            )
        )
    return changes


def _members(key: str, have: dict[str, Any]) -> list[str]:
    """A literal key names one member (present or not); a glob key the members it matches."""
    if not _is_glob(key):
        return [key]
    return sorted(name for name in have if fnmatchcase(name, key))


def _member_violations(
    table_name: str,
    collection: str,
    key: str,
    pin: _Pin,
    value: BaseModel | None,
    table: TableSpec,
    spec: SchemaSpec,
) -> list[Change]:
    obj, path = COLLECTIONS[collection], change_path(table_name, collection, key)
    if not pin.present:
        return (
            []
            if value is None
            else [Change(kind="unexpected", object=obj, path=path, actual=value)]
        )
    if value is None:
        return [Change(kind="missing", object=obj, path=path, expected=pin)]
    wanted = pin.declared()
    candidate = _normalized_member(collection, key, value.model_copy(update=wanted), table, spec)
    expected = {name: getattr(candidate, name) for name in wanted}
    for action in ("on_delete", "on_update"):
        # The sources store NO ACTION/RESTRICT as "nothing said"; a pin may spell them out.
        if action in expected:
            expected[action] = canonical_action(expected[action])
    actual = value.model_dump()
    differing = sorted(
        name for name in wanted if _comparable(expected[name]) != _comparable(actual.get(name))
    )
    return _changed(obj, path, differing, expected, actual)


def _normalized_member(
    collection: str, key: str, member: BaseModel, table: TableSpec, spec: SchemaSpec
) -> BaseModel:
    """``member`` as the spec's dialect stores it (canonical expressions, index elements)."""
    alone = TableSpec(
        columns=table.columns, primary_key=table.primary_key, **{collection: {key: member}}
    )
    one = SchemaSpec(dialect=None, tables={"t": alone}, enums=spec.enums)
    normalized: dict[str, BaseModel] = getattr(normalize(one, spec.dialect).tables["t"], collection)
    # Some rules move a member elsewhere (MySQL keeps unique indexes as constraints): then the
    # pinned values are compared as written.
    return normalized.get(key, member)


def _column_violations(
    table_name: str,
    column: str,
    pin: ColumnContract,
    table: TableSpec,
    spec: SchemaSpec,
) -> list[Change]:
    path = f"{table_name}.{column}"
    have = table.columns.get(column)
    if not pin.present:
        return (
            []
            if have is None
            else [Change(kind="unexpected", object="column", path=path, actual=have)]
        )
    if have is None:
        return [Change(kind="missing", object="column", path=path, expected=pin)]
    wanted = pin.declared()
    if not wanted:
        return []
    # Bring the pinned values to the spec's dialect the way the spec's own were, so that
    # "timestamptz" pins a MariaDB column too and "now()" pins a current_timestamp default.
    candidate = _normalized_column(have.model_copy(update=wanted), table, column, spec)
    expected = {name: getattr(candidate, name) for name in wanted}
    actual = have.model_dump()
    differing = sorted(name for name in wanted if expected[name] != actual[name])
    return _changed("column", path, differing, expected, actual)


def _normalized_column(
    column: ColumnSpec, table: TableSpec, name: str, spec: SchemaSpec
) -> ColumnSpec:
    alone = TableSpec(
        columns={name: column},
        primary_key=tuple(key for key in table.primary_key if key == name),
    )
    one = SchemaSpec(dialect=None, tables={"t": alone}, enums=spec.enums)
    return normalize(one, spec.dialect).tables["t"].columns[name]


def _changed(
    obj: str, path: str, differing: list[str], expected: dict[str, Any], actual: dict[str, Any]
) -> list[Change]:
    if not differing:
        return []
    return [
        Change(
            kind="changed",
            object=obj,
            path=path,
            attributes=frozenset(differing),
            expected={name: expected[name] for name in differing},
            actual={name: actual.get(name) for name in differing},
        )
    ]


def _comparable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _object_violations(kind: str, name: str, pin: _Pin, spec: SchemaSpec) -> list[Change]:
    """A view, sequence, trigger, routine or extension pin against ``spec``."""
    obj, path = SCHEMA_OBJECTS[kind], f"{kind}.{name}"
    have: BaseModel | None = getattr(spec, kind).get(name)
    if not pin.present:
        return (
            [] if have is None else [Change(kind="unexpected", object=obj, path=path, actual=have)]
        )
    if have is None:
        return [Change(kind="missing", object=obj, path=path, expected=pin)]
    wanted = {
        field: canonical_definition(value) if field in _DEFINITION_FIELDS else value
        for field, value in pin.declared().items()
    }
    found = {field: getattr(have, field) for field in wanted}
    differing = sorted(field for field in wanted if _pinned(wanted[field]) != _pinned(found[field]))
    if not differing:
        return []
    return _changed(
        obj,
        path,
        differing,
        {field: wanted[field] for field in differing},
        {field: found[field] for field in differing},
    )


def _pinned(value: Any) -> Any:
    # TOML and JSON give lists where specs hold tuples.
    return tuple(value) if isinstance(value, list) else value


def _enum_violations(name: str, pin: EnumContract, spec: SchemaSpec) -> list[Change]:
    path = f"enums.{name}"
    have = spec.enums.get(name)
    if not pin.present:
        return (
            []
            if have is None
            else [Change(kind="unexpected", object="enum", path=path, actual=have)]
        )
    if have is None:
        return [Change(kind="missing", object="enum", path=path, expected=pin)]
    if pin.values is not None and tuple(pin.values) != have.values:
        return _changed(
            "enum", path, ["values"], {"values": tuple(pin.values)}, {"values": have.values}
        )
    return []
