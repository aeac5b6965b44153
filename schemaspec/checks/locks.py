"""Lock lint: migration steps that fail or take heavy locks on a populated table.

A revision is reviewed on an empty database, where every step is instant. On production the
same step meets rows and traffic: ``ADD COLUMN ... NOT NULL`` without a default fails on the
first row, ``CREATE INDEX`` blocks writes for the whole build, a type change rewrites the table
while reads and writes wait. Whether a step is safe depends on *how* it was written
(``CONCURRENTLY``, ``NOT VALID``, a default), which the schema before and after cannot show, so
the lint reads the SQL each revision ran (captured by :mod:`schemaspec.checks.statements`) and
judges it per database:

- PostgreSQL: an index built without ``CONCURRENTLY``; a foreign key or check added without
  ``NOT VALID``; a unique or primary key constraint that builds its own index; a NOT NULL column
  added without a default, or with a volatile one; a type change that rewrites the table; ``SET
  NOT NULL``.
- MySQL / MariaDB: a type change (or NULL to NOT NULL) that copies the table; a foreign key
  added while ``foreign_key_checks`` is on (which forces a table copy).
- SQLite: a NOT NULL column added without a default (SQLite refuses it only when the table has
  rows), and a batch table copy that fails on existing rows (a NOT NULL column with no value to
  copy, a column made NOT NULL without a backfill first). SQLite locks the whole database for
  any write, so only failures are reported.

Only tables that existed before the revision count: a table the revision creates is empty.
Pure functions: statements and specs in, :class:`LockRisk` records out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from schemaspec.spec import SchemaSpec

__all__ = ["LockRisk", "lock_risks"]

#: An identifier as Alembic and people write it: bare, "double" or `backtick` quoted, maybe
#: schema-qualified.
_PART = r'(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
_NAME = rf"{_PART}(?:\s*\.\s*{_PART})?"

_CREATE_INDEX = re.compile(
    rf"^create\s+(?P<unique>unique\s+)?index\s+(?P<concurrently>concurrently\s+)?"
    rf"(?:if\s+not\s+exists\s+)?(?P<index>{_NAME})?\s*on\s+(?:only\s+)?(?P<table>{_NAME})",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_TABLE = re.compile(
    rf"^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?P<table>{_NAME})\s+(?P<actions>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ADD_CONSTRAINT = re.compile(
    rf"^add\s+(?:constraint\s+(?P<name>{_PART})\s+)?"
    r"(?P<kind>foreign\s+key|check|unique|primary\s+key)\b",
    re.IGNORECASE | re.DOTALL,
)
_ADD_COLUMN = re.compile(
    rf"^add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?(?P<column>{_PART})\s+(?P<definition>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_ALTER_TYPE = re.compile(
    rf"^alter\s+(?:column\s+)?(?P<column>{_PART})\s+(?:set\s+data\s+)?type\s+",
    re.IGNORECASE | re.DOTALL,
)
_SET_NOT_NULL = re.compile(
    rf"^alter\s+(?:column\s+)?(?P<column>{_PART})\s+set\s+not\s+null\b", re.IGNORECASE
)
_MODIFY = re.compile(
    rf"^(?:modify\s+(?:column\s+)?(?P<column>{_PART})|change\s+(?:column\s+)?(?P<old>{_PART})"
    rf"\s+(?P<new>{_PART}))\s+(?P<definition>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_INSERT_COPY = re.compile(
    rf"^insert\s+into\s+(?P<target>{_NAME})\s*\((?P<columns>[^)]*)\)\s*select\s.*?\sfrom\s+"
    rf"(?P<source>{_NAME})\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CREATE_TABLE = re.compile(
    rf"^create\s+table\s+(?P<table>{_NAME})\s*\((?P<body>.*)\)\s*$", re.IGNORECASE | re.DOTALL
)
_UPDATE = re.compile(rf"^update\s+(?P<table>{_NAME})\s+set\b", re.IGNORECASE)
_NOT_NULL = re.compile(r"\bnot\s+null\b", re.IGNORECASE)
_DEFAULT = re.compile(r"\bdefault\b", re.IGNORECASE)
#: Column definitions that fill existing rows themselves.
_FILLS_ITSELF = re.compile(
    r"\b(?:serial|bigserial|smallserial|generated\b|auto_increment|identity)", re.IGNORECASE
)
#: Defaults PostgreSQL evaluates per row, which makes ADD COLUMN rewrite the table.
_VOLATILE_DEFAULT = re.compile(
    r"\bdefault\s+\(?\s*(?:gen_random_uuid|uuid_generate_v\d\w*|random|clock_timestamp|"
    r"timeofday|txid_current)\s*\(",
    re.IGNORECASE,
)
_TABLE_CONSTRAINT = re.compile(
    r"^(?:constraint\b|primary\s+key\b|foreign\s+key\b|unique\b|check\b|exclude\b)", re.IGNORECASE
)
_SIZED = re.compile(r"^(?P<name>[a-z]+)(?:\((?P<args>[\d,\s]*)\))?$")
#: Alembic's batch mode (SQLite) copies a table through this one.
_BATCH_PREFIX = "_alembic_tmp_"

_MAINTENANCE = (
    "or run it in a maintenance window and accept it with --allow-locking REVISION "
    "(allow_locking in check_migrations)"
)


class LockRisk(BaseModel):
    """One statement of a revision that fails or locks hard on a populated table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The table it touches (as the spec keys it).
    table: str
    #: What it does, short: ``adds index ix_members_email on members without CONCURRENTLY``.
    summary: str
    #: The statement as run, on one line (long ones shortened).
    statement: str
    #: What happens on a populated table.
    problem: str
    #: The safer way to do the same.
    recipe: str


def lock_risks(
    statements: Sequence[str],
    dialect: str | None,
    before: SchemaSpec,
    after: SchemaSpec | None = None,
) -> list[LockRisk]:
    """The risky statements among ``statements`` (what one revision ran, in order).

    ``before``/``after`` are the schema before and after the revision: ``before`` says which
    tables hold rows in production (those that existed), ``after`` what a changed column's type
    became.
    """
    lint = _LINTS.get(dialect or "")
    if lint is None:
        return []
    context = _Context(before, after or before, statements)
    found: list[LockRisk] = []
    for position, statement in enumerate(statements):
        found.extend(lint(context, position, _one_line(statement)))
    return found


class _Context:
    def __init__(self, before: SchemaSpec, after: SchemaSpec, statements: Sequence[str]) -> None:
        self.before = before
        self.after = after
        self.statements = [_one_line(statement) for statement in statements]

    def existing(self, written: str) -> str | None:
        """The spec key of the table ``written`` names, if it existed before the revision."""
        parts = [_unquote(part) for part in _split_name(written)]
        full = ".".join(parts)
        for key in (full, parts[-1]):
            if key in self.before.tables:
                return key
        return None

    def column_type(self, table: str, column: str, spec: SchemaSpec) -> str | None:
        found = spec.tables.get(table)
        col = found.columns.get(column) if found is not None else None
        return col.type if col is not None else None


def _postgresql(context: _Context, position: int, statement: str) -> Iterable[LockRisk]:
    index = _CREATE_INDEX.match(statement)
    if index is not None:
        table = context.existing(index["table"])
        if table is not None and not index["concurrently"]:
            name = _unquote(_split_name(index["index"])[-1]) if index["index"] else "an index"
            yield LockRisk(
                table=table,
                summary=f"builds index {name} on {table} without CONCURRENTLY",
                statement=_short(statement),
                problem=f"writes to {table} wait until the index is built (SHARE lock)",
                recipe="build it with CONCURRENTLY, outside the migration's transaction: "
                "with op.get_context().autocommit_block(): op.create_index(..., "
                "postgresql_concurrently=True)",
            )
        return
    alter = _ALTER_TABLE.match(statement)
    if alter is None:
        return
    table = context.existing(alter["table"])
    if table is None:
        return
    for action in _actions(alter["actions"]):
        yield from _postgresql_action(context, table, action, statement)


def _postgresql_action(
    context: _Context, table: str, action: str, statement: str
) -> Iterable[LockRisk]:
    shown = _short(statement)
    constraint = _ADD_CONSTRAINT.match(action)
    if constraint is not None:
        kind = " ".join(constraint["kind"].lower().split())
        name = _unquote(constraint["name"]) if constraint["name"] else None
        called = f" {name}" if name else ""
        validated = not re.search(r"\bnot\s+valid\b", action, re.IGNORECASE)
        if kind in ("foreign key", "check") and validated:
            what = "foreign key" if kind == "foreign key" else "check constraint"
            lock = (
                "SHARE ROW EXCLUSIVE on it and the referred table: writes wait"
                if kind == "foreign key"
                else "ACCESS EXCLUSIVE: reads and writes wait"
            )
            helper = (
                "op.create_foreign_key" if kind == "foreign key" else "op.create_check_constraint"
            )
            yield LockRisk(
                table=table,
                summary=f"adds {what}{called} to {table} without NOT VALID",
                statement=shown,
                problem=f"every row of {table} is checked while the lock is held ({lock})",
                recipe=f"add it NOT VALID ({helper}(..., postgresql_not_valid=True)), then "
                f"validate it in a later step without blocking writes: "
                f"op.execute('ALTER TABLE {table} VALIDATE CONSTRAINT {name or 'NAME'}')",
            )
        elif kind in ("unique", "primary key") and not re.search(
            r"\busing\s+index\b", action, re.IGNORECASE
        ):
            yield LockRisk(
                table=table,
                summary=f"adds {kind}{called} to {table}, building its index under the lock",
                statement=shown,
                problem=f"reads and writes of {table} wait until the index is built "
                "(ACCESS EXCLUSIVE)",
                recipe="build the unique index CONCURRENTLY first, then attach it: "
                f"ALTER TABLE {table} ADD CONSTRAINT {name or 'NAME'} "
                f"{kind.upper()} USING INDEX INDEX_NAME",
            )
        return
    added = _ADD_COLUMN.match(action)
    if added is not None:
        column, definition = _unquote(added["column"]), added["definition"]
        required = _NOT_NULL.search(definition) or re.search(
            r"\bprimary\s+key\b", definition, re.IGNORECASE
        )
        if required and not _DEFAULT.search(definition) and not _FILLS_ITSELF.search(definition):
            yield _not_null_column(table, column, shown)
        elif _VOLATILE_DEFAULT.search(definition):
            yield LockRisk(
                table=table,
                summary=f"adds {table}.{column} with a volatile default",
                statement=shown,
                problem=f"{table} is rewritten to fill every row, reads and writes waiting "
                "(ACCESS EXCLUSIVE)",
                recipe="add the column without a default (or with a constant one), set the "
                "default afterwards, and backfill existing rows in batches",
            )
        return
    retyped = _ALTER_TYPE.match(action)
    if retyped is not None:
        column = _unquote(retyped["column"])
        old = context.column_type(table, column, context.before)
        new = context.column_type(table, column, context.after)
        using = re.search(r"\busing\b", action, re.IGNORECASE)
        if using or old is None or new is None or not _pg_binary_compatible(old, new):
            change = f" from {old} to {new}" if old and new else ""
            yield LockRisk(
                table=table,
                summary=f"changes the type of {table}.{column}{change}",
                statement=shown,
                problem=f"{table} and its indexes are rewritten, reads and writes waiting "
                "(ACCESS EXCLUSIVE)",
                recipe="add a column of the new type, backfill it in batches, then switch "
                f"readers over and drop the old one; {_MAINTENANCE}",
            )
        return
    made_required = _SET_NOT_NULL.match(action)
    if made_required is not None:
        column = _unquote(made_required["column"])
        yield LockRisk(
            table=table,
            summary=f"makes {table}.{column} NOT NULL",
            statement=shown,
            problem=f"every row of {table} is scanned under ACCESS EXCLUSIVE (reads and writes "
            "wait), and it fails if one is NULL",
            recipe=f"backfill, add CHECK ({column} IS NOT NULL) NOT VALID, VALIDATE it, then SET "
            "NOT NULL (PostgreSQL 12+ uses the check and skips the scan) and drop the check",
        )


def _mysql(context: _Context, position: int, statement: str) -> Iterable[LockRisk]:
    alter = _ALTER_TABLE.match(statement)
    if alter is None:
        return
    table = context.existing(alter["table"])
    if table is None:
        return
    shown = _short(statement)
    for action in _actions(alter["actions"]):
        constraint = _ADD_CONSTRAINT.match(action)
        if constraint is not None and constraint["kind"].lower().startswith("foreign"):
            name = _unquote(constraint["name"]) if constraint["name"] else None
            called = f" {name}" if name else ""
            if _foreign_key_checks_off(context, position):
                continue
            yield LockRisk(
                table=table,
                summary=f"adds foreign key{called} to {table}",
                statement=shown,
                problem=f"with foreign_key_checks on, {table} is copied (ALGORITHM=COPY): "
                "writes wait until the copy is done",
                recipe="check the rows yourself, then add the key with "
                "op.execute('SET foreign_key_checks = 0') before it and "
                "op.execute('SET foreign_key_checks = 1') after it (in place, no copy); or use "
                f"an online schema change tool (pt-online-schema-change, gh-ost); {_MAINTENANCE}",
            )
            continue
        modified = _MODIFY.match(action)
        if modified is None:
            continue
        column = _unquote(modified["column"] or modified["old"])
        old = context.column_type(table, column, context.before)
        new_name = _unquote(modified["new"]) if modified["new"] else column
        new = context.column_type(table, new_name, context.after)
        if old is not None and new is not None and not _mysql_in_place(old, new):
            yield LockRisk(
                table=table,
                summary=f"changes the type of {table}.{column} from {old} to {new}",
                statement=shown,
                problem=f"{table} is copied (ALGORITHM=COPY): writes wait until the copy is "
                "done, and a value the new type cannot hold fails it in strict mode",
                recipe="add a column of the new type, backfill it in batches, then switch "
                "readers over and drop the old one; or use an online schema change tool "
                f"(pt-online-schema-change, gh-ost); {_MAINTENANCE}",
            )
        before_column = context.before.tables[table].columns.get(column)
        made_required = before_column is not None and before_column.nullable
        if made_required and _NOT_NULL.search(modified["definition"]):
            yield LockRisk(
                table=table,
                summary=f"makes {table}.{column} NOT NULL",
                statement=shown,
                problem=f"{table} is rebuilt, and the first row where {column} is NULL fails it "
                "in strict mode",
                recipe=f"backfill first in the same revision (op.execute('UPDATE {table} SET "
                f"{column} = ... WHERE {column} IS NULL')), then alter the column",
            )


def _sqlite(context: _Context, position: int, statement: str) -> Iterable[LockRisk]:
    alter = _ALTER_TABLE.match(statement)
    if alter is not None and (table := context.existing(alter["table"])) is not None:
        added = _ADD_COLUMN.match(alter["actions"])
        # SQLite refuses this only when the table has a row, so the review's empty database
        # lets it pass.
        definition = added["definition"] if added is not None else ""
        if added is not None and _NOT_NULL.search(definition) and not _DEFAULT.search(definition):
            yield _not_null_column(table, _unquote(added["column"]), _short(statement))
        return
    copy = _INSERT_COPY.match(statement)
    if copy is None:
        return
    target = _unquote(_split_name(copy["target"])[-1])
    table = context.existing(copy["source"])
    if table is None or not target.startswith(_BATCH_PREFIX):
        return
    definition = _created(context, target, position)
    if definition is None:
        return
    copied = {_unquote(name.strip()) for name in copy["columns"].split(",")}
    backfilled = any(
        (update := _UPDATE.match(earlier)) is not None
        and context.existing(update["table"]) == table
        for earlier in context.statements[:position]
    )
    old_columns = context.before.tables[table].columns
    for column, text in definition:
        if not _NOT_NULL.search(text) or _DEFAULT.search(text):
            continue
        if column not in copied:
            yield LockRisk(
                table=table,
                summary=f"adds {table}.{column} NOT NULL without a default (batch copy)",
                statement=_short(statement),
                problem=f"the copy of {table} has no value for {column}: it fails on the first row",
                recipe=f"give {column} a server_default, or add it nullable, backfill it, and "
                "make it NOT NULL in a later batch",
            )
        elif column in old_columns and old_columns[column].nullable and not backfilled:
            yield LockRisk(
                table=table,
                summary=f"makes {table}.{column} NOT NULL without a backfill (batch copy)",
                statement=_short(statement),
                problem=f"the copy of {table} fails on the first row where {column} is NULL",
                recipe=f"backfill first in the same revision (op.execute('UPDATE {table} SET "
                f"{column} = ... WHERE {column} IS NULL')), then alter the column",
            )


_LINTS: dict[str, Callable[[_Context, int, str], Iterable[LockRisk]]] = {
    "postgresql": _postgresql,
    "mysql": _mysql,
    "mariadb": _mysql,
    "sqlite": _sqlite,
}


def _not_null_column(table: str, column: str, statement: str) -> LockRisk:
    return LockRisk(
        table=table,
        summary=f"adds {table}.{column} NOT NULL without a default",
        statement=statement,
        problem=f"it fails on the first row of {table} (the new column would be NULL there)",
        recipe="give it a server_default (a constant one adds no rewrite on PostgreSQL 11+), or "
        "add it nullable, backfill it, and make it NOT NULL in a later step",
    )


def _foreign_key_checks_off(context: _Context, position: int) -> bool:
    """Whether the revision turned ``foreign_key_checks`` off before this statement."""
    state = True
    for earlier in context.statements[:position]:
        setting = re.match(
            r"^set\s+(?:session\s+|@@session\.|@@)?foreign_key_checks\s*=\s*(\w+)",
            earlier,
            re.IGNORECASE,
        )
        if setting is not None:
            state = setting.group(1).lower() not in ("0", "off", "false")
    return not state


def _created(context: _Context, table: str, position: int) -> list[tuple[str, str]] | None:
    """(column, definition) of the last ``CREATE TABLE table`` before ``position``."""
    for earlier in reversed(context.statements[:position]):
        created = _CREATE_TABLE.match(earlier)
        if created is not None and _unquote(_split_name(created["table"])[-1]) == table:
            columns = []
            for item in _actions(created["body"]):
                if _TABLE_CONSTRAINT.match(item):
                    continue
                name, _, rest = item.partition(" ")
                columns.append((_unquote(name), rest))
            return columns
    return None


def _pg_binary_compatible(old: str, new: str) -> bool:
    """Type changes PostgreSQL makes without rewriting the table (catalog-only)."""
    if old == new:
        return True
    before, after = _SIZED.match(old), _SIZED.match(new)
    if before is None or after is None:
        return False
    old_name, new_name = before["name"], after["name"]
    old_args = [int(a) for a in (before["args"] or "").split(",") if a.strip()]
    new_args = [int(a) for a in (after["args"] or "").split(",") if a.strip()]
    if old_name in ("varchar", "text") and new_name in ("varchar", "text"):
        # Dropping or raising a length limit; text and unbounded varchar are the same type.
        if new_name == "text" or not new_args:
            return True
        return old_name == "varchar" and bool(old_args) and new_args[0] >= old_args[0]
    if old_name == new_name == "numeric":
        if not new_args:
            return True
        if not old_args:
            return False
        old_scale = old_args[1] if len(old_args) > 1 else 0
        new_scale = new_args[1] if len(new_args) > 1 else 0
        return new_scale == old_scale and new_args[0] >= old_args[0]
    if old_name == new_name and old_name in ("timestamp", "timestamptz", "time", "varbit"):
        return not new_args or (bool(old_args) and new_args[0] >= old_args[0])
    return False


def _mysql_in_place(old: str, new: str) -> bool:
    """Type changes InnoDB makes in place: a longer varchar whose length prefix stays the same
    size (one byte up to 255 bytes; judged at 4 bytes a character, utf8mb4's worst case)."""
    if old == new:
        return True
    before, after = _SIZED.match(old), _SIZED.match(new)
    if before is None or after is None:
        return False
    if not (before["name"] == after["name"] == "varchar" and before["args"] and after["args"]):
        return False
    old_length, new_length = int(before["args"]), int(after["args"])
    return new_length >= old_length and (old_length * 4 > 255 or new_length * 4 <= 255)


def _actions(text: str) -> list[str]:
    """Split on commas outside parentheses and quotes: the actions of one ALTER TABLE, the
    items of a CREATE TABLE body."""
    parts: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _split_name(written: str) -> list[str]:
    return re.findall(_PART, written)


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) > 1 and part[0] == part[-1] == '"':
        return part[1:-1].replace('""', '"')
    if len(part) > 1 and (part[0], part[-1]) in (("`", "`"), ("[", "]")):
        return part[1:-1]
    return part


def _one_line(statement: str) -> str:
    # Comments first: a "-- note" would swallow the rest once the lines are joined.
    without = re.sub(r"--[^\n]*", "", statement)
    return " ".join(without.split()).rstrip(";").strip()


def _short(statement: str, limit: int = 160) -> str:
    return statement if len(statement) <= limit else statement[: limit - 3] + "..."
