"""Do stored values survive a migration? Rows read before and after, compared column by column.

A schema review sees that a column went from ``NUMERIC(10,2)`` to ``INTEGER``; only the data
shows what that does to the values in it (``12.50`` comes back ``12`` on SQLite, ``13`` on
PostgreSQL). :class:`ValuesChanged` says, per column, how many rows changed and the first one,
by its primary key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ValueDifference", "ValuesChanged", "compare_rows"]

Key = tuple[Any, ...]

#: Stands for a row or a column that is not there any more.
_GONE = object()


@dataclass(frozen=True)
class ValueDifference:
    """One column whose values a migration step changed."""

    #: ``"upgrade 1a2b -> 3c4d"``: the step that changed them.
    step: str
    table: str
    column: str
    #: How many of the compared rows hold a different value now, of how many.
    rows_changed: int
    rows: int
    #: The first changed row: its primary key, and the value before and after.
    key: Mapping[str, Any]
    before: Any
    #: The value after, or ``None`` with ``gone`` set when the row or column is gone.
    after: Any
    gone: str | None = None

    def line(self) -> str:
        key = ", ".join(f"{name}={value!r}" for name, value in self.key.items())
        now = self.gone if self.gone is not None else f"{self.after!r} after"
        return (
            f"{self.column}: {self.rows_changed} of {self.rows} rows changed; first {key}: "
            f"{self.before!r} before, {now}"
        )


class ValuesChanged(AssertionError):
    """Raised when values did not come back the same; the message lists each column."""

    def __init__(self, differences: Sequence[ValueDifference]) -> None:
        self.differences = tuple(differences)
        super().__init__(render(self.differences))


def render(differences: Sequence[ValueDifference]) -> str:
    lines: list[str] = []
    step: tuple[str, str] | None = None
    for difference in differences:
        if (difference.step, difference.table) != step:
            step = (difference.step, difference.table)
            lines.append(f"values in {difference.table} changed by the {difference.step}:")
        lines.append(f"  {difference.line()}")
    return "\n".join(lines)


def compare_rows(
    step: str,
    table: str,
    key_columns: Sequence[str],
    columns: Sequence[str],
    before: Mapping[Key, Mapping[str, Any]],
    after: Mapping[Key, Mapping[str, Any]] | None,
) -> list[ValueDifference]:
    """Per column of ``columns``, the rows of ``before`` whose value differs in ``after``.

    Rows are matched by their primary key (``key_columns``); ``after`` is ``None`` when the
    table itself is gone. Values are compared as Python values: ``Decimal("12.00") == 12``
    survived, ``Decimal("12.50")`` read back as ``12`` did not.
    """
    differences: list[ValueDifference] = []
    for column in columns:
        changed = 0
        first: tuple[Key, Any, Any, str | None] | None = None
        for key, row in before.items():
            now: Any
            if after is None:
                now, gone = _GONE, "the table is gone"
            elif key not in after:
                now, gone = _GONE, "the row is gone"
            elif column not in after[key]:
                now, gone = _GONE, "the column is gone"
            else:
                now, gone = after[key][column], None
            if now is not _GONE and now == row[column]:
                continue
            changed += 1
            if first is None:
                first = (key, row[column], None if now is _GONE else now, gone)
        if first is not None:
            key, was, now, gone = first
            differences.append(
                ValueDifference(
                    step=step,
                    table=table,
                    column=column,
                    rows_changed=changed,
                    rows=len(before),
                    key=dict(zip(key_columns, key, strict=True)),
                    before=was,
                    after=now,
                    gone=gone,
                )
            )
    return differences
