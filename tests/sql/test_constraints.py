"""Constraint clauses as canonical text."""

from __future__ import annotations

import pytest

from schemaspec.sql.constraints import canonical_deferrable, canonical_exclusion


@pytest.mark.parametrize(
    ("deferrable", "initially", "expected"),
    [
        (None, None, None),
        (False, None, None),
        (True, None, "immediate"),
        (True, "IMMEDIATE", "immediate"),
        (True, "DEFERRED", "deferred"),
        # INITIALLY DEFERRED alone makes the constraint deferrable (PostgreSQL, SQLite).
        (None, "deferred", "deferred"),
        # INITIALLY IMMEDIATE alone is the default: not deferrable.
        (None, "IMMEDIATE", None),
    ],
)
def test_deferrable(deferrable: bool | None, initially: str | None, expected: str | None) -> None:
    assert canonical_deferrable(deferrable, initially) == expected


def test_an_exclusion_reads_the_same_from_the_compiler_and_from_the_catalog() -> None:
    compiled = (
        "CONSTRAINT ex_room EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (bookings.x > 0)"
    )
    catalog = "EXCLUDE USING gist (room WITH =, during WITH &&) WHERE ((x > 0))"
    expected = "using gist (room with =, during with &&) where x>0"
    assert canonical_exclusion(compiled, "bookings") == expected
    assert canonical_exclusion(catalog, "bookings") == expected


def test_a_quoted_name_loses_its_quotes() -> None:
    definition = 'CONSTRAINT "Ex" EXCLUDE USING gist ("Room" WITH =)'
    assert canonical_exclusion(definition, "t") == "using gist (room with =)"
