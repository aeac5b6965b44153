"""Building expected ``Change`` records in tests."""

from __future__ import annotations

from typing import Any

from schemaspec import Change


def changed(object_: str, path: str, **values: tuple[Any, Any]) -> Change:
    """A ``changed`` Change; each keyword is ``attribute=(expected, actual)``."""
    return Change(
        kind="changed",
        object=object_,
        path=path,
        attributes=frozenset(values),
        expected={name: pair[0] for name, pair in values.items()},
        actual={name: pair[1] for name, pair in values.items()},
    )
