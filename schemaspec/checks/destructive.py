"""Which schema changes can lose data or reject rows that fitted before.

Pure functions on the :class:`~schemaspec.Change` records of ``diff(before, after)``: a
dropped table or column, a narrowed type (``varchar(100)`` to ``varchar(50)``, ``numeric(10,2)``
to ``integer``), a column made NOT NULL without a default, a dropped constraint. A type change
counts as safe only when it is a known widening; any other type change may not convert every
value, so it is flagged too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemaspec.compare.change import Change
from schemaspec.spec import SchemaSpec

__all__ = ["destructive_changes", "destructive_reason", "is_widening"]

#: Constraints whose removal is destructive: rows they rejected become possible.
_CONSTRAINTS = {
    "foreign_key": "foreign key",
    "unique": "unique constraint",
    "check": "check constraint",
    "exclude": "exclusion constraint",
    "primary_key": "primary key",
}

#: Decimal digits each integer type holds, for integer -> numeric widening.
_INTEGER_DIGITS = {"tinyint": 3, "smallint": 5, "mediumint": 8, "integer": 10, "bigint": 19}
_INTEGER_RANK = {name: rank for rank, name in enumerate(_INTEGER_DIGITS)}
_FLOAT_RANK = {"real": 0, "float": 0, "double": 1}
#: Character types by what they can hold; a larger-or-equal size in the same or a later family
#: is a widening.
_STRING_FAMILIES = {"char": 0, "varchar": 1, "text": 2}
_BINARY_FAMILIES = {"binary": 0, "varbinary": 1, "bytes": 2}

_TYPE = re.compile(r"^(?P<name>[a-z ]+?)(?:\((?P<args>[^()]*)\))?$")


def destructive_reason(change: Change, after: SchemaSpec | None = None) -> str | None:
    """Why ``change`` (from ``diff(before, after)``) is destructive, or ``None`` if it is not.

    ``after`` is the schema the change leads to; it tells whether a column made NOT NULL has a
    default (a changed column only carries the attributes that changed).
    """
    if change.kind == "missing":
        if change.object in ("table", "column"):
            return f"drops {change.object} {change.path}"
        if change.object in _CONSTRAINTS:
            return f"drops {_CONSTRAINTS[change.object]} {change.path}"
        return None
    if change.kind != "changed":
        return None
    if change.object == "column":
        reasons = []
        if "type" in change.attributes:
            old, new = change.expected["type"], change.actual["type"]
            if not is_widening(old, new):
                reasons.append(f"narrows {change.path} from {old} to {new}")
        made_required = "nullable" in change.attributes and not change.actual["nullable"]
        if made_required and _default_after(change, after) is None:
            reasons.append(f"makes {change.path} NOT NULL without a default")
        return "; ".join(reasons) or None
    if change.object == "enum":
        removed = [v for v in change.expected["values"] if v not in change.actual["values"]]
        if removed:
            return f"removes {', '.join(removed)} from {change.path}"
        return None
    if change.object == "primary_key":
        return f"changes primary key {change.path}"
    if change.object in _CONSTRAINTS and change.attributes - {"name"}:
        return f"changes {_CONSTRAINTS[change.object]} {change.path}"
    return None


def _default_after(change: Change, after: SchemaSpec | None) -> str | None:
    if "default" in change.attributes:
        return change.actual.get("default")  # type: ignore[no-any-return]
    if after is None:
        return None
    table, _, column = change.path.partition(".")
    found = after.tables.get(table)
    spec = found.columns.get(column) if found is not None else None
    return spec.default if spec is not None else None


def destructive_changes(
    changes: Iterable[Change], after: SchemaSpec | None = None
) -> list[tuple[Change, str]]:
    """The destructive changes among ``changes``, each with its reason."""
    found = []
    for change in changes:
        reason = destructive_reason(change, after)
        if reason is not None:
            found.append((change, reason))
    return found


def is_widening(old: str, new: str) -> bool:
    """True when every value of canonical type ``old`` fits ``new`` unchanged."""
    if old == new:
        return True
    old_values, new_values = _enum_values(old), _enum_values(new)
    if old_values is not None and new_values is not None:
        # An inline enum (MySQL) widens when it keeps every value it had.
        return set(old_values) <= set(new_values)
    before, after = _parse(old), _parse(new)
    if before is None or after is None:
        return False
    (old_name, old_args), (new_name, new_args) = before, after
    if old_name in _INTEGER_RANK:
        if new_name in _INTEGER_RANK:
            return _INTEGER_RANK[new_name] >= _INTEGER_RANK[old_name]
        if new_name == "numeric":
            return _numeric_holds(new_args, _INTEGER_DIGITS[old_name], 0)
        return new_name in ("double",) and old_name != "bigint"
    if old_name == "numeric" and new_name == "numeric":
        if not old_args:
            return not new_args
        precision, scale = old_args[0], old_args[1] if len(old_args) > 1 else 0
        return _numeric_holds(new_args, precision - scale, scale)
    if old_name in _FLOAT_RANK and new_name in _FLOAT_RANK:
        return _FLOAT_RANK[new_name] >= _FLOAT_RANK[old_name] and not (
            old_name == "float" and new_name == "float" and _size(new_args) < _size(old_args)
        )
    for families in (_STRING_FAMILIES, _BINARY_FAMILIES):
        if old_name in families and new_name in families:
            return families[new_name] >= families[old_name] and _size(new_args) >= _size(old_args)
    if old_name in ("timestamp", "time") and new_name == old_name:
        return _size(new_args) >= _size(old_args)
    return (old_name, new_name) in (("json", "jsonb"), ("jsonb", "json"))


def _enum_values(text: str) -> list[str] | None:
    match = re.fullmatch(r"enum\((.*)\)", text)
    if match is None or not match.group(1).startswith("'"):
        return None
    return re.findall(r"'((?:[^']|'')*)'", match.group(1))


def _numeric_holds(args: tuple[int, ...], integer_digits: int, scale: int) -> bool:
    if not args:
        # NUMERIC without a precision holds any value (PostgreSQL).
        return True
    new_precision, new_scale = args[0], args[1] if len(args) > 1 else 0
    return new_scale >= scale and new_precision - new_scale >= integer_digits


def _size(args: tuple[int, ...]) -> float:
    """A length or precision; none given means the type's largest."""
    return float(args[0]) if args else float("inf")


def _parse(text: str) -> tuple[str, tuple[int, ...]] | None:
    match = _TYPE.match(text)
    if match is None:
        return None
    args = match.group("args")
    try:
        numbers = tuple(int(part) for part in args.split(",")) if args else ()
    except ValueError:
        # enum('a','b') and similar: not a sized type.
        return None
    return match.group("name"), numbers
