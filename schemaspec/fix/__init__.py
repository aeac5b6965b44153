"""From a difference to the change that removes it, proven before it is emitted.

:func:`render_fix` diffs two specs, plans the Alembic operations that turn the actual side into
the expected one (:mod:`~schemaspec.fix.plan`), runs them on a scratch copy of the actual side
and diffs again (:mod:`~schemaspec.fix.prove`), and writes only what was proven, as a SQL script
or a complete Alembic revision (:mod:`~schemaspec.fix.render`).

It takes the two specs rather than a :class:`~schemaspec.SchemaDiff`: a change records only the
attributes that differ, while MySQL's ``MODIFY`` restates the whole column and SQLite rebuilds
the whole table, so the fix needs both sides in full.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from alembic.operations import ops
from sqlalchemy.engine import URL

from schemaspec.compare.change import Change
from schemaspec.compare.diff import comparable, compared_kinds, diff
from schemaspec.compare.ignore import RuleLike
from schemaspec.dialects import known_dialect, normalize
from schemaspec.errors import SourceError
from schemaspec.fix import render
from schemaspec.fix.plan import (
    DROP_DEPENDENTS,
    Step,
    Unexpressed,
    change_key,
    named_constraints,
    plan_steps,
    unique_changes,
)
from schemaspec.fix.prove import prove_steps
from schemaspec.spec import SchemaSpec, TableSpec

Style = Literal["sql", "alembic"]


@dataclass(frozen=True)
class Fix:
    """A proven fix. ``str(fix)`` is the text to review and apply."""

    text: str
    style: str
    dialect: str
    #: The changes the emitted steps close (proven on a scratch copy).
    closed: tuple[Change, ...]
    #: Destructive steps left out because ``allow_destructive`` was not given.
    refused: tuple[Unexpressed, ...]
    #: Changes no emitted step closes, with the reason.
    unexpressed: tuple[Unexpressed, ...]
    #: Changes the downgrade could not undo, with the reason.
    downgrade_unexpressed: tuple[Unexpressed, ...]

    def __str__(self) -> str:
        return self.text

    @property
    def complete(self) -> bool:
        """Whether applying the fix leaves no difference."""
        return not self.refused and not self.unexpressed


def render_fix(
    expected: SchemaSpec,
    actual: SchemaSpec,
    *,
    style: Style = "sql",
    dialect: str | None = None,
    ignore: Iterable[RuleLike] = (),
    objects: str | Iterable[str] | None = None,
    allow_destructive: bool = False,
    renames: Mapping[str, str] | None = None,
    scratch: str | URL | None = None,
    alembic_config: str | Path | None = None,
    revision: str | None = None,
    message: str = "schemaspec fix",
    concurrently: bool = False,
) -> Fix:
    """The steps that turn ``actual`` into ``expected``, proven, as SQL or an Alembic revision.

    ``dialect`` defaults to the actual side's. On PostgreSQL and MySQL/MariaDB the proof runs
    in a scratch database on the server ``scratch`` names (a URL; nothing else on it is
    touched); SQLite uses a temporary file. Steps that may lose data are left out (and listed in
    ``Fix.refused``) unless ``allow_destructive``. ``renames`` maps an actual table or column to
    its expected name (``{"members": "users"}``, ``{"members.name": "members.full_name"}``):
    never guessed. ``alembic_config`` (an ``alembic.ini``) makes the revision follow the
    project's single head. ``concurrently`` builds and drops PostgreSQL indexes of existing
    tables ``CONCURRENTLY`` (in an Alembic file inside ``autocommit_block()``).
    """
    target = _dialect(dialect, expected, actual)
    if style not in ("sql", "alembic"):
        raise SourceError(f"unknown fix style {style!r}: use 'sql' or 'alembic'")
    rules = list(ignore)
    before = normalize(actual, target) if actual.dialect is None else actual
    renamed, rename_steps = _renamed(before, dict(renames or {}))
    result = diff(expected, renamed, ignore=rules, objects=objects)
    kinds, _notes = compared_kinds(expected, renamed, objects)
    want, have, _ = comparable(expected, renamed)
    want = named_constraints(want, result.changes)
    upgrade_plan = plan_steps(result.changes, want, have, target, concurrently=concurrently)
    steps, refused = _allowed(upgrade_plan.steps, allow_destructive)
    steps = [*rename_steps, *steps]
    closing = {change_key(change) for step in steps for change in step.closes}
    back = diff(have, want, ignore=rules, objects=list(kinds))
    undone = [change for change in back.changes if _undoes(change, closing)]
    downgrade_plan = plan_steps(
        undone,
        named_constraints(have, undone),
        want,
        target,
        concurrently=concurrently,
    )
    down_steps = [*downgrade_plan.steps, *_reversed(rename_steps)]
    up, down = prove_steps(
        steps,
        want,
        before,
        target,
        scratch,
        kinds,
        then=down_steps,
        ignore=rules,
        left_alone=[u.change for u in (*refused, *upgrade_plan.unexpressed)],
    )
    closed = tuple(unique_changes(c for step in up.kept for c in step.closes))
    unexpressed = (*upgrade_plan.unexpressed, *up.dropped)
    left_out = sorted(
        [*refused, *upgrade_plan.unexpressed, *up.dropped], key=lambda u: change_key(u.change)
    )
    header = _header(target, left_out)
    if style == "sql":
        text = render.render_sql(up.kept, target, before, header, up.flavor)
    else:
        upgrade_body, modules = render.render_python(up.kept, target, before, up.flavor)
        downgrade_body, more = render.render_python(down.kept, target, want, up.flavor)
        text = render.revision_file(
            message=message,
            revision=revision or uuid.uuid4().hex[:12],
            down_revision=_head(alembic_config),
            upgrade=upgrade_body,
            downgrade=downgrade_body,
            modules=modules | more,
            header=header,
        )
    return Fix(
        text=text,
        style=style,
        dialect=target,
        closed=closed,
        refused=tuple(refused),
        unexpressed=tuple(sorted(unexpressed, key=lambda u: change_key(u.change))),
        downgrade_unexpressed=(*downgrade_plan.unexpressed, *down.dropped),
    )


def _dialect(given: str | None, expected: SchemaSpec, actual: SchemaSpec) -> str:
    name = given or actual.dialect or expected.dialect
    if name is None:
        raise SourceError("neither spec names a database: give dialect= (e.g. 'postgresql')")
    return known_dialect(name)


def _allowed(steps: Sequence[Step], allow: bool) -> tuple[list[Step], list[Unexpressed]]:
    if allow:
        return list(steps), []
    reasons = {
        change_key(change): step.destructive
        for step in steps
        if step.destructive
        for change in step.closes
    }
    kept = [step for step in steps if not any(change_key(c) in reasons for c in step.closes)]
    risky = unique_changes(c for step in steps for c in step.closes if change_key(c) in reasons)
    refused = [
        Unexpressed(
            change,
            f"destructive, left out without allow_destructive: {reasons[change_key(change)]}",
        )
        for change in risky
    ]
    return kept, refused


def _undoes(change: Change, closing: set[tuple[str, str, str]]) -> bool:
    """Whether ``change`` (actual vs expected) is the reverse of one the upgrade closes."""
    return any(change.path == path and change.object == obj for path, obj, _kind in closing)


def _renamed(spec: SchemaSpec, renames: dict[str, str]) -> tuple[SchemaSpec, list[Step]]:
    """``spec`` with the renames applied, and the steps that make them."""
    tables = dict(spec.tables)
    steps: list[Step] = []
    # Columns first, by their table's old name; then the tables.
    for old, new in sorted(renames.items(), key=lambda pair: "." not in pair[0]):
        if old.count(".") != new.count(".") or not old or not new:
            raise SourceError(f"rename {old}={new}: give table=table or table.column=table.column")
        if "." not in old:
            if old not in tables:
                raise SourceError(f"rename {old}={new}: the actual side has no table {old!r}")
            tables[new] = tables.pop(old)
            operation: ops.MigrateOperation = ops.RenameTableOp(old, new)
            change = Change(
                kind="changed",
                object="table",
                path=new,
                attributes=frozenset({"name"}),
                expected={"name": new},
                actual={"name": old},
            )
            steps.append(Step(closes=(change,), operations=(operation,), phase=DROP_DEPENDENTS))
            continue
        table, old_column = old.split(".")
        new_table, new_column = new.split(".")
        if table != new_table:
            raise SourceError(f"rename {old}={new}: a column keeps its table")
        columns = dict(tables.get(table, TableSpec()).columns)
        if old_column not in columns:
            raise SourceError(
                f"rename {old}={new}: the actual side has no column {old_column!r} in {table!r}"
            )
        columns = {
            (new_column if name == old_column else name): column for name, column in columns.items()
        }
        tables[table] = tables[table].model_copy(update={"columns": columns})
        operation = ops.AlterColumnOp(table, old_column, modify_name=new_column)
        change = Change(
            kind="changed",
            object="column",
            path=new,
            attributes=frozenset({"name"}),
            expected={"name": new_column},
            actual={"name": old_column},
        )
        steps.append(
            Step(closes=(change,), operations=(operation,), phase=DROP_DEPENDENTS, table=table)
        )
    return spec.model_copy(update={"tables": tables}), steps


def _renaming(obj: str, path: str, new: str, old: str) -> Change:
    return Change(
        kind="changed",
        object=obj,
        path=path,
        attributes=frozenset({"name"}),
        expected={"name": new},
        actual={"name": old},
    )


def _reversed(steps: Sequence[Step]) -> list[Step]:
    """The renames undone, last first."""
    return [
        Step(
            closes=step.closes,
            operations=tuple(_unrename(op) for op in reversed(step.operations)),
            phase=step.phase,
            table=step.table,
        )
        for step in reversed(steps)
    ]


def _unrename(operation: ops.MigrateOperation) -> ops.MigrateOperation:
    if isinstance(operation, ops.RenameTableOp):
        return ops.RenameTableOp(
            operation.new_table_name, operation.table_name, schema=operation.schema
        )
    assert isinstance(operation, ops.AlterColumnOp) and operation.modify_name is not None
    return ops.AlterColumnOp(
        operation.table_name,
        operation.modify_name,
        schema=operation.schema,
        modify_name=operation.column_name,
    )


def _head(config: str | Path | None) -> str | None:
    """The single head of the project ``config`` (an ``alembic.ini``) names, or ``None``."""
    if config is None:
        return None
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if not Path(config).is_file():
        raise SourceError(f"{config}: no such file (give the project's alembic.ini)")
    try:
        heads = ScriptDirectory.from_config(Config(str(config))).get_heads()
    except CommandError as error:
        raise SourceError(f"{config}: {' '.join(str(error).split())}") from None
    if len(heads) > 1:
        raise SourceError(
            f"{config}: the migrations have {len(heads)} heads ({', '.join(sorted(heads))}): "
            "merge them first (alembic merge heads)"
        )
    return heads[0] if heads else None


def _header(dialect: str, left_out: Sequence[Unexpressed]) -> list[str]:
    """What the text says first: where it was proven, and every change it does not close."""
    lines = [f"proven on a scratch {dialect} copy of the actual schema"]
    for left in left_out:
        change = left.change
        lines.append(
            f"NOT FIXED: {change.kind} {change.object.replace('_', ' ')} {change.path}: "
            f"{left.reason}"
        )
    return lines


__all__ = ["Fix", "render_fix"]
