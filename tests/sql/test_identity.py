"""Identity columns as canonical text: options equal to the defaults go."""

from __future__ import annotations

import pytest

from schemaspec.sql.identity import canonical_identity, identity_text


@pytest.mark.parametrize(
    ("text", "type_", "expected"),
    [
        # PostgreSQL's catalog gives every option; a plain identity keeps none of them.
        (
            "by default start 1 increment 1 minvalue 1 maxvalue 2147483647 cache 1",
            "integer",
            "by default",
        ),
        (
            "always start 5 increment 3 minvalue 1 maxvalue 9223372036854775807 cache 1",
            "bigint",
            "always start 5 increment 3",
        ),
        # The largest value depends on the column's type.
        ("by default maxvalue 32767", "smallint", "by default"),
        ("by default maxvalue 32767", "integer", "by default maxvalue 32767"),
        # Descending: max value -1 and min value the type's smallest are the defaults, and
        # the start is the max value.
        (
            "by default start -1 increment -1 minvalue -2147483648 maxvalue -1",
            "integer",
            "by default increment -1",
        ),
        # The start defaults to the min value when that is given.
        (
            "by default start 10 minvalue 10 maxvalue 100",
            "integer",
            "by default minvalue 10 maxvalue 100",
        ),
        ("by default cache 20 cycle", "integer", "by default cache 20 cycle"),
        (None, "integer", None),
    ],
)
def test_options_equal_to_their_default_are_dropped(
    text: str | None, type_: str, expected: str | None
) -> None:
    assert canonical_identity(text, type_) == expected
    # Idempotent: normalising twice changes nothing.
    assert canonical_identity(expected, type_) == expected


def test_the_text_lists_options_in_one_order() -> None:
    options = {"cycle": True, "cache": 5, "start": 3, "increment": None, "minvalue": None}
    assert identity_text(True, options) == "always start 3 cache 5 cycle"
    assert identity_text(False, {"cycle": False}) == "by default"
