"""A proven fix as text: a SQL script, or a complete Alembic revision file.

Both are written from the very steps the proof ran. Each step is preceded by comments naming
the changes it closes, and ``DESTRUCTIVE:`` with what it may lose; an Alembic file carries a
step with no ``op`` for it (a view, an enum value, a type SQLAlchemy has no class for) through
``op.execute`` with a comment saying why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from alembic.autogenerate import render_python_code, renderers
from alembic.autogenerate.api import AutogenContext
from alembic.operations import ops

from schemaspec.fix.apply import Group, groups, sql_text
from schemaspec.fix.plan import Step
from schemaspec.spec import SchemaSpec


@renderers.dispatch_for(ops.CreatePrimaryKeyOp, replace=True)
def _create_primary_key(autogen_context: AutogenContext, op: ops.CreatePrimaryKeyOp) -> str:
    """``op.create_primary_key(...)``: Alembic runs it but its own renderer is missing (it
    raises ``NotImplementedError``), so a revision changing a key could not be written."""
    prefix = "batch_op." if autogen_context._has_batch else "op."
    arguments = [repr(op.constraint_name)]
    if not autogen_context._has_batch:
        arguments.append(repr(op.table_name))
    arguments.append(repr(list(op.columns)))
    if op.schema and not autogen_context._has_batch:
        arguments.append(f"schema={op.schema!r}")
    return f"{prefix}create_primary_key({', '.join(arguments)})"


_DIALECT_MODULE = re.compile(r"\b(postgresql|mysql|sqlite)\.[A-Z]")
_GENERATED = "# ### "


def comment_lines(group: Group) -> list[str]:
    lines = []
    for step in group:
        for change in step.closes:
            detail = f" ({', '.join(sorted(change.attributes))})" if change.attributes else ""
            line = f"{change.kind} {change.object.replace('_', ' ')} {change.path}{detail}"
            if line not in lines:
                lines.append(line)
        if step.destructive:
            lines.append(f"DESTRUCTIVE: {step.destructive}")
        if step.outside_transaction and "outside a transaction" not in " ".join(lines):
            lines.append("runs outside a transaction (CONCURRENTLY)")
    return lines


def render_sql(
    steps: Sequence[Step],
    dialect: str,
    before: SchemaSpec,
    header: Sequence[str],
    flavor: str | None = None,
) -> str:
    title = "".join(
        f"-- {'schemaspec fix: ' if index == 0 else ''}{line}\n"
        for index, line in enumerate(header)
    )
    body = sql_text(groups(steps, dialect), dialect, before, comment_lines, flavor)
    return f"{title}\n{body}" if body else f"{title}-- nothing to do\n"


def render_python(
    steps: Sequence[Step], dialect: str, before: SchemaSpec, flavor: str | None = None
) -> tuple[str, set[str]]:
    """The body of ``upgrade()``/``downgrade()`` for ``steps`` and the modules it names."""
    blocks: list[str] = []
    modules: set[str] = set()
    for group in groups(steps, dialect):
        lines = [f"    # {line}" for line in comment_lines(group)]
        code = _python(group, dialect)
        if "LiteralType(" in code:
            # A type SQLAlchemy has no class for: the statement itself, as the proof ran it.
            lines.append("    # a type SQLAlchemy has no class for: the statement as SQL")
            code = _as_execute(group, dialect, before, flavor)
        else:
            notes = {step.note for step in group if step.note}
            lines.extend(f"    # {note}" for note in sorted(notes))
        if any(step.outside_transaction for step in group):
            code = "    with op.get_context().autocommit_block():\n" + "\n".join(
                f"    {line}" if line.strip() else line for line in code.splitlines()
            )
        modules.update(_DIALECT_MODULE.findall(code))
        blocks.append("\n".join([*lines, code]))
    return ("\n\n".join(blocks) or "    pass"), modules


def _python(group: Group, dialect: str) -> str:
    operations: list[ops.MigrateOperation] = [op for step in group for op in step.operations]
    batch = dialect == "sqlite" and group[0].table is not None
    if batch:
        table = group[0].table or ""
        schema, _, name = table.rpartition(".")
        operations = [ops.ModifyTableOps(name, operations, schema=schema or None)]
    code = render_python_code(ops.UpgradeOps(ops=operations), render_as_batch=batch)
    kept = [line for line in code.splitlines() if not line.strip().startswith(_GENERATED)]
    return "\n".join(kept).rstrip()


def _as_execute(group: Group, dialect: str, before: SchemaSpec, flavor: str | None) -> str:
    script = sql_text([group], dialect, before, lambda _group: [], flavor)
    statements = [s.strip() for s in script.split(";\n") if s.strip()]
    return "\n".join(f"    op.execute({statement!r})" for statement in statements)


def revision_file(
    *,
    message: str,
    revision: str,
    down_revision: str | None,
    upgrade: str,
    downgrade: str,
    modules: set[str],
    header: Sequence[str],
) -> str:
    imports = "".join(f"from sqlalchemy.dialects import {name}\n" for name in sorted(modules))
    notes = "".join(f"{line}\n" for line in header)
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f'''"""{message}

Revision ID: {revision}
Revises: {down_revision or ""}
Create Date: {created}

{notes}"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
{imports}
revision: str = {revision!r}
down_revision: str | None = {down_revision!r}
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''
