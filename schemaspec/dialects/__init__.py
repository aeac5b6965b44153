"""Per-dialect normalisation of specs: what each database can store, and how it stores it.

Normalising happens once, before diffing, on plain specs (no SQLAlchemy here), so the differ never
asks which database it is looking at. Each dialect is a :class:`DialectRules` subclass in a module
of its own, registered by name; a new database is a new module, not new ``if``s.
"""

from __future__ import annotations

# Importing the dialect modules registers them.
from schemaspec.dialects import mysql, postgresql, sqlite
from schemaspec.dialects.base import (
    DIALECT_CHOICES,
    NEUTRAL,
    DialectRules,
    common_ground,
    known_dialect,
    normalize,
    registry,
    rules_for,
)

__all__ = [
    "DIALECT_CHOICES",
    "NEUTRAL",
    "DialectRules",
    "common_ground",
    "known_dialect",
    "normalize",
    "registry",
    "rules_for",
]
_REGISTERED = (mysql, postgresql, sqlite)
