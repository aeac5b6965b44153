"""Shared column specs: equal values give one object, different values never share one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemaspec.spec import ColumnSpec
from schemaspec.util.interning import column_spec, shared_column


def test_equal_values_are_one_object_equal_to_the_plain_spec() -> None:
    first = column_spec("varchar(20)", False, "'active'", False, None, None)
    second = column_spec("varchar(20)", False, "'active'", False, None, None)
    assert first is second
    assert first == ColumnSpec(type="varchar(20)", nullable=False, default="'active'")


@pytest.mark.parametrize(
    "values",
    [
        ("varchar(21)", False, "'active'", False, None, None),
        ("varchar(20)", True, "'active'", False, None, None),
        ("varchar(20)", False, None, False, None, None),
        ("varchar(20)", False, "'active'", True, None, None),
        ("varchar(20)", False, "'active'", False, "upper(x)", None),
        ("varchar(20)", False, "'active'", False, None, "a comment"),
    ],
)
def test_any_different_field_is_another_column(
    values: tuple[str, bool, str | None, bool, str | None, str | None],
) -> None:
    base = column_spec("varchar(20)", False, "'active'", False, None, None)
    other = column_spec(*values)
    assert other is not base
    assert other != base


def test_shared_column_returns_the_first_equal_object() -> None:
    first = shared_column(ColumnSpec(type="numeric(12,4)", nullable=False))
    again = shared_column(ColumnSpec(type="numeric(12,4)", nullable=False))
    assert again is first
    assert column_spec("numeric(12,4)", False, None, False, None, None) is first


def test_invalid_values_are_still_rejected() -> None:
    with pytest.raises(ValidationError):
        column_spec(None, False, None, False, None, None)  # type: ignore[arg-type]
