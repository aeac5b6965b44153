"""Ignore rules: differences a team has decided not to care about, each with its reason.

A rule is a glob on change paths, matched segment by segment (``*`` never crosses a dot), as a
prefix: ``legacy_*`` covers the table ``legacy_orders`` and everything in it, ``*.internal_*``
covers every column whose name starts with ``internal_``. A column's path may also be written
with its collection, ``*.columns.internal_*``, like every other object's path.

A rule may instead ignore one *attribute* of the objects it matches: ``*.*.comment`` ignores
comment differences on columns (and leaves their type differences reported). The shorthand is
read as an attribute rule when its last segment is an attribute name of the spec model and the
segment before it is not a collection name; the table form ``{ path = ..., attribute = ... }``
says it explicitly.

Applying rules is pure (no I/O) and returns what was kept, what was ignored and by which rule,
and which rules matched nothing, so reports can show reasons and flag rules that have rotted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from schemaspec.compare.change import Change
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ExcludeSpec,
    ExtensionSpec,
    ForeignKeySpec,
    GrantSpec,
    IndexSpec,
    PolicySpec,
    RoutineSpec,
    SequenceSpec,
    TableSpec,
    TriggerSpec,
    UniqueSpec,
    ViewSpec,
)

#: Collections whose name may appear in a path (``t.indexes.ix_t_a``).
COLLECTION_SEGMENTS = frozenset(
    {"columns", "foreign_keys", "indexes", "unique", "checks", "excludes", "grants", "policies"}
)
_OBJECT_COLLECTIONS = {
    "foreign_key": "foreign_keys",
    "index": "indexes",
    "unique": "unique",
    "check": "checks",
    "exclude": "excludes",
    "grant": "grants",
    "policy": "policies",
}


def _attribute_names() -> frozenset[str]:
    names: set[str] = {"columns", "name"}  # a primary key's attributes
    for model in (
        ColumnSpec,
        ForeignKeySpec,
        IndexSpec,
        UniqueSpec,
        CheckSpec,
        ExcludeSpec,
        EnumSpec,
        GrantSpec,
        PolicySpec,
        ViewSpec,
        SequenceSpec,
        TriggerSpec,
        RoutineSpec,
        ExtensionSpec,
    ):
        names.update(model.model_fields)
    names.update(
        name for name in TableSpec.model_fields if name not in COLLECTION_SEGMENTS | {"primary_key"}
    )
    return frozenset(names)


#: Every attribute a ``changed`` record can name; the shorthand recognises these.
ATTRIBUTE_NAMES = _attribute_names()


class IgnoreRule(BaseModel):
    """One ignore rule: a path glob, optionally one attribute (a glob too), and a reason."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    attribute: str | None = None
    reason: str | None = None
    #: Built-in rules (``alembic_version``) are never reported as unused.
    builtin: bool = False

    @field_validator("path")
    @classmethod
    def _path_not_empty(cls, value: str) -> str:
        if not value.strip() or any(not part for part in value.split(".")):
            raise ValueError(f"{value!r} is not a path pattern (empty segment)")
        return value

    @classmethod
    def parse(cls, pattern: str, reason: str | None = None) -> IgnoreRule:
        """Read the shorthand: ``legacy_*`` (a path) or ``*.*.comment`` (an attribute)."""
        segments = pattern.split(".")
        if (
            len(segments) >= 2
            and segments[-1] in ATTRIBUTE_NAMES
            and segments[-2] not in COLLECTION_SEGMENTS
        ):
            return cls(path=".".join(segments[:-1]), attribute=segments[-1], reason=reason)
        return cls(path=pattern, reason=reason)

    def __str__(self) -> str:
        return self.path if self.attribute is None else f"{self.path}.{self.attribute}"


#: Applied by the project configuration: Alembic's bookkeeping table is never a difference.
#: (``from_database`` already leaves it out of reflection; this keeps snapshots harmless too.)
DEFAULT_RULES: tuple[IgnoreRule, ...] = (
    IgnoreRule(path="alembic_version", reason="Alembic's own bookkeeping table", builtin=True),
)

RuleLike = IgnoreRule | str | dict[str, Any]


def as_rules(rules: Iterable[RuleLike]) -> tuple[IgnoreRule, ...]:
    """Rules from rules, shorthand strings, or ``{"path": ..., "reason": ...}`` tables."""
    result: list[IgnoreRule] = []
    for rule in rules:
        if isinstance(rule, IgnoreRule):
            result.append(rule)
        elif isinstance(rule, str):
            result.append(IgnoreRule.parse(rule))
        elif "attribute" in rule:
            result.append(IgnoreRule.model_validate(rule))
        else:
            extra = set(rule) - {"path", "reason"}
            if extra or "path" not in rule:
                # Let the model name the key at fault.
                result.append(IgnoreRule.model_validate(rule))
            else:
                result.append(IgnoreRule.parse(rule["path"], rule.get("reason")))
    return tuple(result)


def path_segments(change: Change) -> list[tuple[str, ...]]:
    """The ways a change's path can be spelled, as segments (columns have two)."""
    if change.object == "enum":
        return [("enums", change.path.split(".", 1)[1])]
    if change.object == "table":
        return [(change.path,)]
    table = change.table or ""
    rest = change.path[len(table) + 1 :]
    if change.object == "column":
        return [(table, rest), (table, "columns", rest)]
    if change.object == "primary_key":
        return [(table, "primary_key")]
    collection = _OBJECT_COLLECTIONS.get(change.object)
    if collection is not None and rest.startswith(collection + "."):
        return [(table, collection, rest[len(collection) + 1 :])]
    return [tuple(change.path.split("."))]


def _prefix_match(pattern: Sequence[str], segments: Sequence[str]) -> bool:
    return len(pattern) <= len(segments) and all(
        fnmatchcase(segment, glob) for glob, segment in zip(pattern, segments, strict=False)
    )


def covers(rule: IgnoreRule, change: Change) -> frozenset[str] | None:
    """What ``rule`` ignores of ``change``: ``None`` nothing, empty set all, else attributes."""
    pattern = rule.path.split(".")
    if not any(_prefix_match(pattern, segments) for segments in path_segments(change)):
        return None
    if rule.attribute is None:
        return frozenset()
    if change.kind != "changed":
        return None
    hit = frozenset(name for name in change.attributes if fnmatchcase(name, rule.attribute))
    if not hit:
        return None
    return frozenset() if hit == change.attributes else hit


def apply_rules(
    changes: Iterable[Change], rules: Iterable[IgnoreRule]
) -> tuple[tuple[Change, ...], tuple[tuple[Change, IgnoreRule], ...], tuple[IgnoreRule, ...]]:
    """Split ``changes`` into kept and ignored; also return the rules that matched nothing.

    The first rule that covers a change wins. An attribute rule removes those attributes from a
    ``changed`` record; the record stays when other attributes still differ.
    """
    rules = tuple(rules)
    used: set[int] = set()
    kept: list[Change] = []
    ignored: list[tuple[Change, IgnoreRule]] = []
    for change in changes:
        current: Change | None = change
        for index, rule in enumerate(rules):
            if current is None:
                break
            hit = covers(rule, current)
            if hit is None:
                continue
            used.add(index)
            if not hit:
                ignored.append((current, rule))
                current = None
            else:
                ignored.append((_only(current, hit), rule))
                current = _only(current, current.attributes - hit)
        if current is not None:
            kept.append(current)
    unused = tuple(
        rule for index, rule in enumerate(rules) if index not in used and not rule.builtin
    )
    return tuple(kept), tuple(ignored), unused


def _only(change: Change, attributes: frozenset[str]) -> Change:
    def keep(values: Any) -> Any:
        return {name: values[name] for name in sorted(attributes)}

    return change.model_copy(
        update={
            "attributes": attributes,
            "expected": keep(change.expected),
            "actual": keep(change.actual),
        }
    )
