"""Compare two specs: a pure function from two values to a typed list of changes.

No I/O and no SQLAlchemy: ``diff`` works on two snapshot files as well as on live sources. Both
specs are first brought to one dialect (see :mod:`schemaspec.dialects`), then tables are
compared in two stages: plain equality of the frozen table specs (cheap, and almost every table
of a real schema is equal), then DeepDiff on the few that differ, whose paths are translated
into :class:`Change` records so users never see DeepDiff's own paths.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from deepdiff import DeepDiff
from pydantic import BaseModel, ConfigDict

from schemaspec.compare.change import COLLECTIONS, SCHEMA_OBJECTS, Change, Kind, change_path
from schemaspec.compare.ignore import IgnoreRule, RuleLike, apply_rules, as_rules
from schemaspec.dialects import common_ground, normalize
from schemaspec.dialects.base import replace
from schemaspec.errors import SourceError
from schemaspec.spec import (
    DEFAULT_KINDS,
    MODEL_KINDS,
    OBJECT_KINDS,
    ExtensionSpec,
    SchemaSpec,
    SequenceSpec,
    TableSpec,
)
from schemaspec.util.gcpause import paused_gc

#: Constraints a database may name on its own: names are compared only when both sides have one.
_NAMED_BY_DATABASE = ("foreign_keys", "unique", "checks", "excludes")


class IgnoredChange(BaseModel):
    """A change (or the ignored attributes of one) and the ignore rule that covered it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    change: Change
    rule: IgnoreRule


class SchemaDiff(BaseModel):
    """The result of :func:`diff`. Truthy when anything differs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    changes: tuple[Change, ...] = ()
    expected_dialect: str | None = None
    actual_dialect: str | None = None
    #: Remarks on how the comparison was made, e.g. across two dialects.
    notes: tuple[str, ...] = ()
    #: What ignore rules removed from ``changes``, with the rule (and its reason).
    ignored: tuple[IgnoredChange, ...] = ()
    #: Ignore rules that matched nothing: candidates for deletion before they hide a real change.
    unused_ignores: tuple[IgnoreRule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:  # type: ignore[override]
        return iter(self.changes)


@paused_gc()
def diff(
    expected: SchemaSpec,
    actual: SchemaSpec,
    *,
    ignore: Iterable[RuleLike] = (),
    objects: str | Iterable[str] | None = None,
) -> SchemaDiff:
    """Everything that differs between ``expected`` and ``actual``, sorted by path.

    ``ignore`` holds :class:`~schemaspec.IgnoreRule` values or their shorthand strings
    (``"legacy_*"``, ``"*.*.comment"``); what they cover moves from ``changes`` to ``ignored``.
    ``objects`` picks the kinds of objects compared (``"all"``, or names from
    :data:`~schemaspec.spec.OBJECT_KINDS`); by default those both sides describe, and
    ``notes`` names the kinds left out.
    """
    kinds, described = compared_kinds(expected, actual, objects)
    left, right, notes = comparable(expected, actual)
    if "privileges" not in kinds:
        left, right = _without_privileges(left), _without_privileges(right)
    elif "tables" not in kinds:
        # Privileges live on tables and sequences: compare their privileges and nothing else.
        left, right = _only_privileges(left), _only_privileges(right)
        kinds = ("tables", *kinds, *(() if "sequences" in kinds else ("sequences",)))
    left, right = _comparable_extensions(left, right)
    notes.extend(described)
    changes: list[Change] = []
    tables = left.tables.keys() | right.tables.keys() if "tables" in kinds else set()
    for name in sorted(tables):
        want, have = left.tables.get(name), right.tables.get(name)
        if want is None:
            changes.append(Change(kind="unexpected", object="table", path=name, actual=have))
        elif have is None:
            changes.append(Change(kind="missing", object="table", path=name, expected=want))
        else:
            want, have = _align_unnamed_checks(want, have)
            if not _same_table(want, have):
                changes.extend(_table_changes(name, want, have))
    for kind in kinds:
        if kind not in ("tables", "privileges"):
            changes.extend(_object_changes(left, right, kind))
    # By table (a trigger with its table), schema-level objects after the tables: reports
    # group consecutive changes of one table.
    changes.sort(
        key=lambda change: (
            change.table is None,
            change.table or "",
            change.path,
            change.object,
            change.kind,
        )
    )
    kept, ignored, unused = apply_rules(changes, as_rules(ignore))
    return SchemaDiff(
        changes=kept,
        ignored=tuple(IgnoredChange(change=change, rule=rule) for change, rule in ignored),
        unused_ignores=unused,
        expected_dialect=expected.dialect,
        actual_dialect=actual.dialect,
        notes=tuple(notes),
    )


def _align_unnamed_checks(want: TableSpec, have: TableSpec) -> tuple[TableSpec, TableSpec]:
    """Key an unnamed check like the same check on the other side.

    A check is keyed by its name, or by its expression when it has none. Models usually leave
    checks unnamed while the database names every one (``t_x_check`` on PostgreSQL), so the same
    check would otherwise read as one missing and one unexpected.
    """
    if want.checks.keys() == have.checks.keys():
        return want, have
    # The second pass sees the first one's keys, so a pair unnamed on both sides is keyed once.
    want = _rekeyed(want, have)
    return want, _rekeyed(have, want)


def _rekeyed(table: TableSpec, other: TableSpec) -> TableSpec:
    # Sorted, so that of two equal checks the same one is paired whichever side is expected;
    # a table may hold several checks with one text, each paired with one on the other side.
    theirs: dict[str, list[str]] = {}
    for key in sorted(other.checks.keys() - table.checks.keys()):
        theirs.setdefault(other.checks[key].sqltext, []).append(key)
    checks = {}
    for key in sorted(table.checks):
        check = table.checks[key]
        if check.name is None and key not in other.checks and theirs.get(check.sqltext):
            key = theirs[check.sqltext].pop(0)
        checks[key] = check
    return table if checks.keys() == table.checks.keys() else replace(table, checks=checks)


def comparable(
    expected: SchemaSpec, actual: SchemaSpec
) -> tuple[SchemaSpec, SchemaSpec, list[str]]:
    """Bring both specs to what their dialects can both represent."""
    ours, theirs = expected.dialect, actual.dialect
    if ours == theirs:
        return expected, actual, []
    if ours is None:
        # Models rendered neutrally are compared the way the other side's database stores them.
        return normalize(expected, theirs), actual, []
    if theirs is None:
        return expected, normalize(actual, ours), []
    note = (
        f"comparing a {ours} schema with a {theirs} schema: "
        "only what both databases can represent is compared"
    )
    both_expected = common_ground(normalize(normalize(expected, theirs), ours), (ours, theirs))
    both_actual = common_ground(normalize(normalize(actual, ours), theirs), (ours, theirs))
    return both_expected, both_actual.model_copy(update={"dialect": ours}), [note]


# DeepDiff 8 reports a whole dict as one changed value when few of its keys are shared (an
# index dropped and another added, in a table with no other index); a Change needs each key.
_DEEPER: dict[str, Any] = (
    {"threshold_to_diff_deeper": 0}
    if "threshold_to_diff_deeper" in inspect.signature(DeepDiff.__init__).parameters
    else {}
)


def _same_table(want: TableSpec, have: TableSpec) -> bool:
    """Whether two tables are equal once one-sided constraint names are ignored.

    A cheap pre-filter for DeepDiff: models usually leave foreign keys unnamed and the database
    names them, so plain equality alone would send almost every table to DeepDiff.
    """
    for field in TableSpec.model_fields:
        ours, theirs = getattr(want, field), getattr(have, field)
        if ours == theirs:
            continue
        if field == "primary_key_name":
            if ours is None or theirs is None:
                continue
            return False
        if field not in _NAMED_BY_DATABASE or ours.keys() != theirs.keys():
            return False
        for key, constraint in ours.items():
            other = theirs[key]
            if constraint == other:
                continue
            if (constraint.name is None) == (other.name is None):
                return False
            if {**constraint.__dict__, "name": None} != {**other.__dict__, "name": None}:
                return False
    return True


def _table_changes(table: str, want: TableSpec, have: TableSpec) -> list[Change]:
    left, right = _aligned_names(want.model_dump(), have.model_dump())
    changed: dict[tuple[str, str], set[str]] = defaultdict(set)
    changes: list[Change] = []
    for level in _levels(DeepDiff(left, right, view="tree", **_DEEPER)):
        path = level.path(output_format="list")
        head = path[0]
        if head == "primary_key":
            changed[("primary_key", "")].add("columns")
        elif head == "primary_key_name":
            changed[("primary_key", "")].add("name")
        elif head not in COLLECTIONS:
            changed[("table", "")].add(str(head))
        else:
            for key, attribute in _members(head, path, left, right):
                if attribute is not None:
                    changed[(head, key)].add(attribute)
                    continue
                kind: Kind = "missing" if key not in right[head] else "unexpected"
                value = getattr(want if kind == "missing" else have, head)[key]
                changes.append(
                    Change(
                        kind=kind,
                        object=COLLECTIONS[head],
                        path=change_path(table, head, key),
                        expected=value if kind == "missing" else None,
                        actual=value if kind == "unexpected" else None,
                    )
                )
    for (head, key), attributes in changed.items():
        changes.append(_changed(table, head, key, attributes, left, right, want, have))
    return changes


def _members(
    head: str, path: list[Any], left: dict[str, Any], right: dict[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """(key, attribute) pairs a DeepDiff path stands for; attribute ``None``: added/removed.

    DeepDiff reports a whole dict as one changed value when the two sides share few keys
    (every column of a table renamed, an index whose every attribute changed), so a path
    that stops at the collection or at a member is expanded here, member by member.
    """
    if len(path) >= 3:
        yield str(path[1]), str(path[2])
        return
    keys = [str(path[1])] if len(path) == 2 else sorted(left[head].keys() | right[head].keys())
    for key in keys:
        ours, theirs = left[head].get(key), right[head].get(key)
        if ours is None or theirs is None:
            yield key, None
        else:
            for attribute in sorted(ours):
                if ours[attribute] != theirs[attribute]:
                    yield key, attribute


def _changed(
    table: str,
    head: str,
    key: str,
    attributes: set[str],
    left: dict[str, Any],
    right: dict[str, Any],
    want: TableSpec,
    have: TableSpec,
) -> Change:
    if head == "primary_key":
        return _primary_key_change(table, want, have, attributes)
    if head == "table":
        return Change(
            kind="changed",
            object="table",
            path=table,
            attributes=frozenset(attributes),
            expected={name: left[name] for name in sorted(attributes)},
            actual={name: right[name] for name in sorted(attributes)},
        )
    return Change(
        kind="changed",
        object=COLLECTIONS[head],
        path=change_path(table, head, key),
        attributes=frozenset(attributes),
        expected={name: left[head][key][name] for name in sorted(attributes)},
        actual={name: right[head][key][name] for name in sorted(attributes)},
    )


def _primary_key_change(
    table: str, want: TableSpec, have: TableSpec, attributes: set[str]
) -> Change:
    path = f"{table}.primary_key"
    if not have.primary_key:
        return Change(kind="missing", object="primary_key", path=path, expected=want.primary_key)
    if not want.primary_key:
        return Change(kind="unexpected", object="primary_key", path=path, actual=have.primary_key)
    values = {
        "columns": (want.primary_key, have.primary_key),
        "name": (want.primary_key_name, have.primary_key_name),
    }
    return Change(
        kind="changed",
        object="primary_key",
        path=path,
        attributes=frozenset(attributes),
        expected={name: values[name][0] for name in sorted(attributes)},
        actual={name: values[name][1] for name in sorted(attributes)},
    )


def _aligned_names(
    left: dict[str, Any], right: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Blank a constraint name that only one side has: that side let the database pick it."""
    if (left["primary_key_name"] is None) != (right["primary_key_name"] is None):
        left["primary_key_name"] = right["primary_key_name"] = None
    for collection in _NAMED_BY_DATABASE:
        for key in left[collection].keys() & right[collection].keys():
            ours, theirs = left[collection][key], right[collection][key]
            if (ours["name"] is None) != (theirs["name"] is None):
                ours["name"] = theirs["name"] = None
    return left, right


def _levels(result: Mapping[str, Any]) -> Iterator[Any]:
    for levels in result.values():
        yield from levels


def _object_changes(left: SchemaSpec, right: SchemaSpec, kind: str) -> list[Change]:
    """Changes among the schema-level objects of ``kind`` (``enums``, ``views``...)."""
    obj = SCHEMA_OBJECTS[kind]
    ours: dict[str, BaseModel] = getattr(left, kind)
    theirs: dict[str, BaseModel] = getattr(right, kind)
    changes = []
    for name in sorted(ours.keys() | theirs.keys()):
        want, have = ours.get(name), theirs.get(name)
        path = f"{kind}.{name}"
        if have is None:
            changes.append(Change(kind="missing", object=obj, path=path, expected=want))
        elif want is None:
            changes.append(Change(kind="unexpected", object=obj, path=path, actual=have))
        elif want != have:
            attributes = sorted(
                field
                for field in type(want).model_fields
                if getattr(want, field) != getattr(have, field)
            )
            changes.append(
                Change(
                    kind="changed",
                    object=obj,
                    path=path,
                    attributes=frozenset(attributes),
                    expected={field: getattr(want, field) for field in attributes},
                    actual={field: getattr(have, field) for field in attributes},
                )
            )
    return changes


def compared_kinds(
    expected: SchemaSpec, actual: SchemaSpec, objects: str | Iterable[str] | None
) -> tuple[tuple[str, ...], list[str]]:
    """The kinds of objects to compare, and a note for each kind left out that either side has.

    By default a kind is compared when both sides describe it (``SchemaSpec.describes``);
    ``objects`` (``"all"`` or kind names) overrides that.
    """
    if objects == "all":
        return OBJECT_KINDS, []
    if objects is not None:
        wanted = [objects] if isinstance(objects, str) else list(objects)
        unknown = [kind for kind in wanted if kind not in OBJECT_KINDS]
        if unknown:
            raise SourceError(
                f"unknown kind of object {unknown[0]!r}: choose from {', '.join(OBJECT_KINDS)} "
                "or 'all'"
            )
        return tuple(kind for kind in OBJECT_KINDS if kind in wanted), []
    kinds = []
    left_out: dict[str, list[str]] = {}
    for kind in OBJECT_KINDS:
        missing_on = [
            side
            for side, spec in (("expected", expected), ("actual", actual))
            if kind not in (DEFAULT_KINDS if spec.describes is None else spec.describes)
        ]
        if not missing_on:
            kinds.append(kind)
        elif _has_any(kind, expected) or _has_any(kind, actual):
            left_out.setdefault(_side_name(missing_on, expected, actual), []).append(kind)
    notes = [
        f"{', '.join(names)}: not described by {side}; not compared"
        for side, names in left_out.items()
    ]
    return tuple(kinds), notes


def _holds_privileges(spec: SchemaSpec) -> bool:
    return any(t.grants or t.row_security or t.policies for t in spec.tables.values()) or any(
        s.grants for s in spec.sequences.values()
    )


def _without_privileges(spec: SchemaSpec) -> SchemaSpec:
    """``spec`` with the grants of its tables and sequences, and its tables' row-level security
    and policies, left out."""
    if not _holds_privileges(spec):
        return spec
    tables = {
        name: replace(table, grants={}, row_security=None, policies={})
        for name, table in spec.tables.items()
    }
    sequences = {name: replace(sequence, grants={}) for name, sequence in spec.sequences.items()}
    return replace(spec, tables=tables, sequences=sequences)


def _only_privileges(spec: SchemaSpec) -> SchemaSpec:
    tables = {
        name: TableSpec(
            grants=table.grants, row_security=table.row_security, policies=table.policies
        )
        for name, table in spec.tables.items()
    }
    sequences = {name: SequenceSpec(grants=s.grants) for name, s in spec.sequences.items()}
    return replace(spec, tables=tables, sequences=sequences)


def _comparable_extensions(left: SchemaSpec, right: SchemaSpec) -> tuple[SchemaSpec, SchemaSpec]:
    """An extension's version is compared only when both sides read it (it is read on request)."""
    if all(e.version is None for e in left.extensions.values()) == all(
        e.version is None for e in right.extensions.values()
    ):
        return left, right
    blank = {name: ExtensionSpec() for name in left.extensions}
    other = {name: ExtensionSpec() for name in right.extensions}
    return replace(left, extensions=blank), replace(right, extensions=other)


def _has_any(kind: str, spec: SchemaSpec) -> bool:
    """Whether ``spec`` holds objects of ``kind`` (privileges: on any of its tables)."""
    if kind == "privileges":
        return _holds_privileges(spec)
    return bool(getattr(spec, kind))


def _side_name(sides: list[str], expected: SchemaSpec, actual: SchemaSpec) -> str:
    if len(sides) == 2:
        return "either side"
    spec = expected if sides[0] == "expected" else actual
    from_models = spec.describes is not None and spec.describes[: len(MODEL_KINDS)] == MODEL_KINDS
    return "the models" if from_models else f"the {sides[0]} side"
