"""Constraint clauses as canonical text: deferrability and PostgreSQL exclusion constraints."""

from __future__ import annotations

import re

from schemaspec.sql.text import canonical_expression


def canonical_deferrable(deferrable: bool | None, initially: str | None) -> str | None:
    """``immediate`` or ``deferred`` for a deferrable constraint, ``None`` for one that is not.

    ``INITIALLY DEFERRED`` makes a constraint deferrable by itself, and ``INITIALLY IMMEDIATE``
    without ``DEFERRABLE`` is the default: PostgreSQL and SQLite store them so.
    """
    deferred = initially is not None and initially.strip().upper() == "DEFERRED"
    if deferred:
        return "deferred"
    return "immediate" if deferrable else None


_HEAD = re.compile(r"^\s*(?:constraint\s+(?:\"(?:[^\"]|\"\")*\"|\w+)\s+)?exclude\s+", re.I)
_WHERE = re.compile(r"\)\s+where\s+(.*)$", re.I | re.S)


def canonical_exclusion(definition: str, table: str) -> str:
    """An ``EXCLUDE`` constraint's definition without its name, lower case, one space apart,
    its predicate canonical: ``using gist (room with =, during with &&) where x > 0``.

    The same text from SQLAlchemy's compiler (which qualifies columns in the predicate with the
    table's name) and from ``pg_get_constraintdef`` (which puts it in double parentheses).
    """
    text = _HEAD.sub("", definition)
    predicate = None
    where = _WHERE.search(text)
    if where is not None:
        predicate = where.group(1)
        text = text[: where.start() + 1]
    text = " ".join(text.lower().replace('"', "").split())
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", text))
    if predicate is not None:
        unqualified = re.sub(rf'(?<![\w."]){re.escape(table)}\.', "", predicate)
        text += f" where {canonical_expression(unqualified)}"
    return text
