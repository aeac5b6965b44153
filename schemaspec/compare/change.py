"""The record of one difference between two specs, and the paths it is found by.

Kept apart from :mod:`schemaspec.compare.diff` so that ignore rules, checks and reports can use
:class:`Change` without importing the differ (and the differ can use the ignore rules).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["missing", "unexpected", "changed"]

#: Table collections and the ``Change.object`` their members are reported as.
COLLECTIONS: dict[str, str] = {
    "columns": "column",
    "foreign_keys": "foreign_key",
    "indexes": "index",
    "unique": "unique",
    "checks": "check",
    "excludes": "exclude",
    "grants": "grant",
    "policies": "policy",
}

#: Schema-level collections and the ``Change.object`` their members are reported as; their
#: paths are ``views.active_members``, ``triggers.members.set_updated_at``.
SCHEMA_OBJECTS: dict[str, str] = {
    "enums": "enum",
    "sequences": "sequence",
    "views": "view",
    "triggers": "trigger",
    "routines": "routine",
    "extensions": "extension",
}


class Change(BaseModel):
    """One difference between the expected and the actual schema.

    ``kind`` is ``missing`` (expected, not actual), ``unexpected`` (actual, not expected) or
    ``changed``. For ``missing``/``unexpected``, ``expected``/``actual`` hold the object's spec;
    for ``changed`` they hold only the differing ``attributes`` and their values on each side.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Kind
    object: str
    path: str
    attributes: frozenset[str] = frozenset()
    expected: Any = None
    actual: Any = None

    @property
    def table(self) -> str | None:
        """The table the change belongs to (``None`` for schema-level objects such as enums)."""
        if self.object in SCHEMA_OBJECTS.values():
            return None
        return self.path.split(".", 1)[0]


def change_path(table: str, collection: str, key: str) -> str:
    # Columns read as table.column (the pinned form); other objects name their collection.
    return f"{table}.{key}" if collection == "columns" else f"{table}.{collection}.{key}"


_PLURALS = {"index": "indexes", "check": "checks", "primary_key": "primary keys"}


def summary(changes: Iterable[Change]) -> str:
    """``6 tables missing, 1 column changed``: counts by object and kind, largest first."""
    counts = Counter((change.object, change.kind) for change in changes)
    parts = []
    for (obj, kind), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        noun = obj.replace("_", " ")
        if count != 1:
            noun = _PLURALS.get(obj, noun + "s")
        parts.append(f"{count} {kind} {noun}" if kind == "unexpected" else f"{count} {noun} {kind}")
    return ", ".join(parts)
