"""Spec values back to SQLAlchemy schema objects, for one database.

A fix creates a missing table, adds a column or an index with the objects SQLAlchemy and Alembic
compile for that database; the same objects build the scratch copy of the actual side a fix is
proven on. Nothing here decides what a database does with them: the proof reads back what it
built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import sqlalchemy as sa

from schemaspec.fix.types import LiteralType, sqlalchemy_type
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
    UniqueSpec,
)

# A string literal (kept as it is), a double-quoted name (kept), or a bare word.
_WORD_OR_LITERAL = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|(?<![\w$.])[a-z_][a-z0-9_$]*(?![\w$(])"
)
_IDENTITY_OPTION = re.compile(r"(start|increment|minvalue|maxvalue|cache) (-?\d+)")
_SERIALS = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}


def split_key(key: str) -> tuple[str | None, str]:
    """``audit.events`` to ``("audit", "events")``; a bare key is in the default schema."""
    schema, _, name = key.rpartition(".")
    return (schema or None), name


def requoted(text: str, columns: Iterable[str], dialect: str) -> str:
    """``text`` (canonical SQL: names lower case and unquoted) with each name of a mixed-case
    column quoted again, as PostgreSQL needs to find ``"isActive"``. MariaDB and SQLite
    compare column names without case."""
    if dialect != "postgresql":
        return text
    cased = {name.lower(): name for name in columns if name != name.lower()}
    if not cased:
        return text

    def put_back(match: re.Match[str]) -> str:
        word = match.group(0)
        original = cased.get(word)
        return '"' + original.replace('"', '""') + '"' if original else word

    return _WORD_OR_LITERAL.sub(put_back, text)


def requoted_table(spec: TableSpec, dialect: str) -> TableSpec:
    """``spec`` with its checks, expression indexes, predicates and generated columns requoted
    (see :func:`requoted`); keys stay as they are."""
    columns = list(spec.columns)
    if dialect != "postgresql" or all(name == name.lower() for name in columns):
        return spec

    def again(text: str | None) -> str | None:
        return None if text is None else requoted(text, columns, dialect)

    return spec.model_copy(
        update={
            "checks": {
                key: check.model_copy(update={"sqltext": again(check.sqltext)})
                for key, check in spec.checks.items()
            },
            "indexes": {
                key: index.model_copy(
                    update={
                        "columns": tuple(
                            name if name in spec.columns else requoted(name, columns, dialect)
                            for name in index.columns
                        ),
                        "where": again(index.where),
                    }
                )
                for key, index in spec.indexes.items()
            },
            "columns": {
                key: column.model_copy(update={"computed": again(column.computed)})
                for key, column in spec.columns.items()
            },
        }
    )


def enum_values(spec: SchemaSpec) -> dict[str, tuple[str, ...]]:
    return {name: enum.values for name, enum in spec.enums.items()}


def column(
    name: str,
    spec: ColumnSpec,
    dialect: str,
    *,
    enums: Mapping[str, tuple[str, ...]],
    primary_key: bool = False,
    alone_in_key: bool = False,
) -> sa.Column[Any]:
    """The column ``spec`` describes (server default, computed, identity, comment)."""
    type_ = column_type(spec, dialect, enums=enums, alone_in_key=alone_in_key)
    args: list[Any] = []
    if spec.computed is not None:
        args.append(sa.Computed(sa.text(spec.computed)))
    if spec.identity is not None:
        args.append(_identity(spec.identity))
    return sa.Column(
        name,
        type_,
        *args,
        primary_key=primary_key,
        nullable=spec.nullable,
        server_default=None if spec.default is None else sa.text(spec.default),
        # SERIAL/AUTO_INCREMENT only where the spec says so: SQLAlchemy would add it to any
        # lone integer key, and a database then reads it back as a change.
        autoincrement=_autoincrement(spec, dialect, alone_in_key),
        comment=spec.comment,
    )


def _autoincrement(spec: ColumnSpec, dialect: str, alone_in_key: bool) -> bool | Literal["auto"]:
    if dialect == "sqlite":
        # A rowid alias follows from the key alone (and a rebuild may make the key composite).
        return "auto"
    if dialect == "mysql":
        # AUTO_INCREMENT inside a composite key too (SQLAlchemy then indexes it first).
        return spec.autoincrement
    # PostgreSQL: SERIAL for a lone key; elsewhere the column's type is a serial.
    return bool(spec.autoincrement and alone_in_key)


def column_type(
    spec: ColumnSpec,
    dialect: str,
    *,
    enums: Mapping[str, tuple[str, ...]],
    alone_in_key: bool = False,
) -> Any:
    """The column's type; on PostgreSQL an auto-incrementing column outside a one-column key is
    a ``serial`` (SQLAlchemy makes a SERIAL of a lone integer key only)."""
    if (
        dialect == "postgresql"
        and spec.autoincrement
        and spec.identity is None
        and not alone_in_key
        and spec.type in _SERIALS
    ):
        return LiteralType(_SERIALS[spec.type])
    return sqlalchemy_type(spec.type, dialect, enums=enums, collation=spec.collation)


def _identity(text: str) -> sa.Identity:
    options = {key: int(value) for key, value in _IDENTITY_OPTION.findall(text)}
    return sa.Identity(
        always=text.startswith("always"),
        start=options.get("start"),
        increment=options.get("increment"),
        minvalue=options.get("minvalue"),
        maxvalue=options.get("maxvalue"),
        cache=options.get("cache"),
        cycle=" cycle" in f" {text}" and " no cycle" not in f" {text}",
    )


def table(
    key: str,
    spec: TableSpec,
    metadata: sa.MetaData,
    dialect: str,
    *,
    enums: Mapping[str, tuple[str, ...]],
    foreign_keys: bool = True,
    indexes: bool = True,
) -> sa.Table:
    """The table ``spec`` describes, on ``metadata``. Foreign keys refer by name only, so the
    tables they name need not be on ``metadata``."""
    schema, name = split_key(key)
    spec = requoted_table(spec, dialect)
    alone = len(spec.primary_key) == 1
    columns = [
        column(
            column_name,
            column_spec,
            dialect,
            enums=enums,
            primary_key=column_name in spec.primary_key,
            alone_in_key=alone and column_name in spec.primary_key,
        )
        for column_name, column_spec in spec.columns.items()
    ]
    constraints: list[Any] = []
    if spec.primary_key:
        # Key order is the key's, not the columns' (a column-level primary_key loses it).
        for built in columns:
            built.primary_key = False
        constraints.append(sa.PrimaryKeyConstraint(*spec.primary_key, name=spec.primary_key_name))
    if foreign_keys:
        constraints.extend(foreign_key(fk) for fk in spec.foreign_keys.values())
    constraints.extend(unique(u, dialect) for u in spec.unique.values())
    constraints.extend(check(c) for c in spec.checks.values())
    built_table = sa.Table(
        name, metadata, *columns, *constraints, schema=schema, comment=spec.comment
    )
    if indexes:
        for index_name, index_spec in spec.indexes.items():
            index(index_name, index_spec, built_table, dialect)
    return built_table


def foreign_key(spec: ForeignKeySpec) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        list(spec.columns),
        [f"{spec.referred_table}.{name}" for name in spec.referred_columns],
        name=spec.name,
        ondelete=spec.on_delete,
        onupdate=spec.on_update,
        **deferrable(spec.deferrable),
    )


def deferrable(value: str | None) -> dict[str, Any]:
    if value is None:
        return {}
    return {"deferrable": True, "initially": value.upper()}


def unique(spec: UniqueSpec, dialect: str) -> sa.UniqueConstraint:
    options: dict[str, Any] = {}
    if dialect == "postgresql":
        if spec.nulls_not_distinct:
            options["postgresql_nulls_not_distinct"] = True
        if spec.include:
            options["postgresql_include"] = list(spec.include)
    return sa.UniqueConstraint(*spec.columns, name=spec.name, **options)


def check(spec: CheckSpec) -> sa.CheckConstraint:
    return sa.CheckConstraint(sa.text(spec.sqltext), name=spec.name)


_ORDERING = re.compile(
    r"^(?P<expression>.*?)(?P<ordering>(?:\s+(?:asc|desc))?(?:\s+nulls\s+(?:first|last))?)$", re.S
)


def index_elements(spec: IndexSpec, columns: Any, dialect: str = "sqlite") -> list[Any]:
    """Column names as themselves, expressions as SQL text (on PostgreSQL in the parentheses
    it requires around an expression, its ordering after them)."""
    return [
        name if name in columns else sa.text(_expression_element(name, dialect))
        for name in spec.columns
    ]


def _expression_element(text: str, dialect: str) -> str:
    if dialect != "postgresql":
        return text
    match = _ORDERING.match(text)
    assert match is not None  # the pattern matches any text
    # Parentheses twice over are still one expression: no need to tell a call from a sum.
    return f"({match.group('expression').strip()}){match.group('ordering')}"


def index_options(spec: IndexSpec, dialect: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if spec.where is not None and dialect in ("postgresql", "sqlite"):
        options[f"{dialect}_where"] = sa.text(spec.where)
    if dialect == "postgresql":
        if spec.method is not None:
            options["postgresql_using"] = spec.method
        if spec.operator_classes:
            options["postgresql_ops"] = dict(spec.operator_classes)
        if spec.include:
            options["postgresql_include"] = list(spec.include)
        if spec.nulls_not_distinct:
            options["postgresql_nulls_not_distinct"] = True
    return options


def index(name: str, spec: IndexSpec, on: sa.Table, dialect: str) -> sa.Index:
    elements = [
        on.c[element] if isinstance(element, str) else element
        for element in index_elements(spec, on.c, dialect)
    ]
    # An index of expressions alone names no column to find its table by.
    return sa.Index(name, *elements, unique=spec.unique, _table=on, **index_options(spec, dialect))
