"""From changes to the steps that close them: Alembic operations, in an order a database takes.

Each :class:`Step` names the changes it closes, so a step the proof finds wanting takes exactly
those changes with it. What no operation can say faithfully is an :class:`Unexpressed` change
with the reason, never a guess: a routine's body is kept as canonical text (not as written), an
enum losing a value needs every column converted, a computed column's expression cannot be
altered in place.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.operations import ops

from schemaspec.compare.change import Change
from schemaspec.fix import build
from schemaspec.fix.ddl import (
    alter_sequence,
    create_enum,
    create_extension,
    create_policy,
    create_sequence,
    create_view,
    drop_policy,
    drop_view,
    enum_additions,
    exclude_constraint,
    grant_statements,
    quote,
    row_security,
)
from schemaspec.spec import (
    ColumnSpec,
    ExcludeSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
    UniqueSpec,
)

#: Phases, in the order steps run: drops that unblock others first, new objects before what
#: refers to them, drops of whole objects last.
(
    DROP_DEPENDENTS,
    DROP_CONSTRAINTS,
    CREATE_TYPES,
    CREATE_TABLES,
    ALTER_TABLES,
    ADD_CONSTRAINTS,
    ADD_FOREIGN_KEYS,
    DROP_COLUMNS,
    DROP_TABLES,
    DROP_TYPES,
    CREATE_DEPENDENTS,
) = range(11)

_NOT_REBUILT = (
    "a {kind} is kept as canonical text, not as it was written, so it can neither be rebuilt "
    "faithfully nor proven on a scratch copy: write its {statement} (or DROP) from your source"
)

# Type changes no value is lost in (the rest may truncate, round or be refused).
_WIDER_FAMILIES = {
    ("smallint", "integer"),
    ("smallint", "bigint"),
    ("integer", "bigint"),
    ("real", "double"),
    ("float", "double"),
    ("varchar", "text"),
    ("char", "varchar"),
    ("char", "text"),
}


@dataclass(frozen=True)
class Step:
    """Operations that close ``closes``; ``destructive`` says what may be lost, if anything."""

    closes: tuple[Change, ...]
    operations: tuple[ops.MigrateOperation, ...]
    phase: int
    #: The table it alters in place (SQLite runs these in one ``batch_alter_table``).
    table: str | None = None
    destructive: str | None = None
    #: Why an operation is raw SQL in an Alembic file.
    note: str | None = None
    #: It cannot run inside a transaction (PostgreSQL's ``CREATE INDEX CONCURRENTLY``).
    outside_transaction: bool = False


@dataclass(frozen=True)
class Unexpressed:
    change: Change
    reason: str


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    unexpressed: list[Unexpressed] = field(default_factory=list)


def named_constraints(spec: SchemaSpec, changes: Iterable[Change]) -> SchemaSpec:
    """``spec`` with a name for each unnamed foreign key, unique or check constraint that
    ``changes`` add to an existing table.

    The database would name them itself, but differently on each (``books_ibfk_1`` on MariaDB)
    and SQLite's table rebuild cannot add an unnamed one; a name chosen here is one the
    downgrade can drop it by. Names are compared only when both sides have one, so the models
    leaving them unnamed still match.
    """
    tables = dict(spec.tables)
    for change in changes:
        if change.object not in _NAMEABLE or change.kind == "unexpected":
            continue
        key = _table_of(change)
        member = change.path.rsplit(".", 1)[1]
        collection = _NAMEABLE[change.object]
        table = tables.get(key)
        if table is None:
            continue
        constraint = getattr(table, collection).get(member)
        if constraint is None or constraint.name is not None:
            continue
        _schema, bare = build.split_key(key)
        name = _constraint_name(bare, constraint, change.object)
        named = {**getattr(table, collection), member: constraint.model_copy(update={"name": name})}
        tables[key] = table.model_copy(update={collection: named})
    return spec.model_copy(update={"tables": tables})


_NAMEABLE = {"foreign_key": "foreign_keys", "unique": "unique", "check": "checks"}
_SUFFIXES = {"foreign_key": "fkey", "unique": "key", "check": "check"}
#: The shortest identifier limit of the three databases (PostgreSQL's 63 bytes).
_NAME_LIMIT = 63


def _constraint_name(table: str, constraint: Any, obj: str) -> str:
    """PostgreSQL's own pattern (``books_member_id_fkey``), hashed where it would be too long."""
    parts = list(getattr(constraint, "columns", ())) or [_digest(constraint.sqltext)]
    name = "_".join([table, *parts, _SUFFIXES[obj]])
    if len(name.encode()) <= _NAME_LIMIT:
        return name
    return f"{table[:40]}_{_digest(name)}_{_SUFFIXES[obj]}"


def plan_steps(
    changes: Iterable[Change],
    expected: SchemaSpec,
    actual: SchemaSpec,
    dialect: str,
    *,
    concurrently: bool = False,
) -> Plan:
    """The steps that turn ``actual`` into ``expected`` for ``changes`` (from ``diff``).

    ``concurrently``: PostgreSQL builds and drops the indexes of existing tables
    ``CONCURRENTLY`` (no lock on writes; outside a transaction).
    """
    planner = _Planner(
        expected, actual, dialect, concurrently=concurrently and dialect == "postgresql"
    )
    for change in changes:
        planner.add(change)
    planner.result.steps.sort(key=lambda step: step.phase)
    _drop_referring_tables_first(planner.result.steps, actual)
    return planner.result


def _drop_referring_tables_first(steps: list[Step], actual: SchemaSpec) -> None:
    """Order the dropped tables so none goes while another dropped one still refers to it."""
    drops = [i for i, step in enumerate(steps) if step.phase == DROP_TABLES]
    remaining = {steps[i].closes[0].path: steps[i] for i in drops}
    ordered: list[Step] = []
    while remaining:
        referred = {
            fk.referred_table
            for key in remaining
            for fk in actual.tables[key].foreign_keys.values()
            if fk.referred_table != key
        }
        free = [key for key in sorted(remaining) if key not in referred] or sorted(remaining)
        ordered.append(remaining.pop(free[0]))
    for index, step in zip(drops, ordered, strict=True):
        steps[index] = step


class _Planner:
    def __init__(
        self, expected: SchemaSpec, actual: SchemaSpec, dialect: str, *, concurrently: bool
    ) -> None:
        # SQL text the specs keep in canonical form gets its mixed-case names quoted again
        # (PostgreSQL); the changes themselves keep the canonical text.
        expected, actual = _requoted(expected, dialect), _requoted(actual, dialect)
        self.expected, self.actual, self.dialect = expected, actual, dialect
        self.concurrently = concurrently
        self.enums = {**build.enum_values(actual), **build.enum_values(expected)}
        self.result = Plan()

    # -- dispatch ----------------------------------------------------------------------------

    def add(self, change: Change) -> None:
        handler = getattr(self, f"_{change.object}", None)
        if handler is None:
            self._cannot(change, f"schemaspec cannot yet write a fix for a {change.object}")
            return
        handler(change)

    def _step(self, change: Change, *operations: Any, phase: int, **more: Any) -> None:
        built = tuple(
            ops.ExecuteSQLOp(operation) if isinstance(operation, str) else operation
            for operation in operations
        )
        self.result.steps.append(Step(closes=(change,), operations=built, phase=phase, **more))

    def _cannot(self, change: Change, reason: str) -> None:
        self.result.unexpressed.append(Unexpressed(change, reason))

    def _sql(self, element: Any) -> str:
        return str(element.compile(dialect=_dialect(self.dialect))).strip()

    # -- tables and columns ------------------------------------------------------------------

    def _table(self, change: Change) -> None:
        key = change.path
        schema, name = build.split_key(key)
        if change.kind == "missing":
            spec: TableSpec = change.expected
            inline_keys = self.dialect == "sqlite"
            table = build.table(
                key,
                spec,
                sa.MetaData(),
                self.dialect,
                enums=self.enums,
                foreign_keys=inline_keys,
                indexes=False,
            )
            self._step(change, ops.CreateTableOp.from_table(table), phase=CREATE_TABLES)
            for index_name, index_spec in spec.indexes.items():
                self._step(
                    change, self._create_index(key, index_name, index_spec), phase=ADD_CONSTRAINTS
                )
            if not inline_keys:
                for fk in spec.foreign_keys.values():
                    self._step(change, self._create_fk(key, fk), phase=ADD_FOREIGN_KEYS)
        elif change.kind == "unexpected":
            table = build.table(key, change.actual, sa.MetaData(), self.dialect, enums=self.enums)
            self._step(
                change,
                ops.DropTableOp.from_table(table),
                phase=DROP_TABLES,
                destructive=f"drops table {key} and every row in it",
            )
        else:
            self._table_changed(change, schema, name)

    def _table_changed(self, change: Change, schema: str | None, name: str) -> None:
        if not change.attributes <= {"comment", "row_security"}:
            self._cannot(change, f"schemaspec cannot yet change a table's {_names(change)}")
            return
        if "row_security" in change.attributes:
            statements = row_security(
                change.path,
                change.actual["row_security"],
                change.expected["row_security"],
                self.dialect,
            )
            self._step(change, *statements, phase=CREATE_DEPENDENTS)
        if "comment" in change.attributes:
            self._table_comment(change, schema, name)

    def _table_comment(self, change: Change, schema: str | None, name: str) -> None:
        comment = change.expected["comment"]
        existing = change.actual["comment"]
        operation: ops.MigrateOperation = (
            ops.DropTableCommentOp(name, schema=schema, existing_comment=existing)
            if comment is None
            else ops.CreateTableCommentOp(name, comment, schema=schema, existing_comment=existing)
        )
        self._step(change, operation, phase=ALTER_TABLES, table=change.path)

    def _column(self, change: Change) -> None:
        key, column_name = change.path.rsplit(".", 1)
        schema, name = build.split_key(key)
        if change.kind == "missing":
            spec: ColumnSpec = self.expected.tables[key].columns[column_name]
            if spec.autoincrement or spec.identity is not None:
                self._cannot(
                    change,
                    "an auto-incrementing column added to a table that holds rows needs its "
                    "values decided: write it by hand",
                )
                return
            column = build.column(column_name, spec, self.dialect, enums=self.enums)
            risky = not spec.nullable and spec.default is None and spec.computed is None
            self._step(
                change,
                ops.AddColumnOp(name, column, schema=schema),
                phase=ALTER_TABLES,
                table=key,
                destructive=(
                    f"adds NOT NULL column {change.path} without a default: fails on a table "
                    "that holds rows (add it nullable, fill it, then make it NOT NULL)"
                    if risky
                    else None
                ),
            )
        elif change.kind == "unexpected":
            self._step(
                change,
                ops.DropColumnOp(name, column_name, schema=schema),
                phase=DROP_COLUMNS,
                # SQLite drops a column nothing refers to in place; a rebuild would have to
                # copy the table's rows, which it cannot do around a generated column.
                table=key if _referenced(self.actual.tables[key], column_name) else None,
                destructive=f"drops column {change.path} and its values",
            )
        else:
            self._alter_column(change, key, column_name)

    def _alter_column(self, change: Change, key: str, column_name: str) -> None:
        schema, name = build.split_key(key)
        fixable = {"type", "nullable", "default", "comment", "collation"}
        if self.dialect == "sqlite" and change.attributes == {"autoincrement"}:
            # A rowid alias follows from the primary key: the table rebuild that changes the
            # key changes it (the proof checks that it did).
            self._step(change, phase=ALTER_TABLES, table=key)
            return
        if not change.attributes <= fixable:
            self._cannot(
                change,
                f"changing a column's {_names(change, fixable)} needs the column rebuilt: "
                "write it by hand",
            )
            return
        want: ColumnSpec = self.expected.tables[key].columns[column_name]
        have: ColumnSpec = self.actual.tables[key].columns[column_name]
        new_type = build.column_type(want, self.dialect, enums=self.enums)
        old_type = build.column_type(have, self.dialect, enums=self.enums)
        options: dict[str, Any] = {
            "existing_type": old_type,
            "existing_nullable": have.nullable,
            "existing_server_default": None if have.default is None else sa.text(have.default),
            "existing_comment": have.comment,
        }
        warnings: list[str] = []
        if change.attributes & {"type", "collation"}:
            options["modify_type"] = new_type
            if self.dialect == "postgresql" and "type" in change.attributes:
                options["postgresql_using"] = (
                    f"{quote(column_name, self.dialect)}::{self._sql_type(new_type)}"
                )
            if "type" in change.attributes and not _widens(have.type, want.type):
                warnings.append(
                    f"changes the type of {change.path} from {have.type} to {want.type}: "
                    "values that do not fit are cut, rounded or refused"
                )
        if "nullable" in change.attributes:
            options["modify_nullable"] = want.nullable
            if not want.nullable:
                warnings.append(f"makes {change.path} NOT NULL: fails while a row holds NULL there")
        if "default" in change.attributes:
            options["modify_server_default"] = (
                None if want.default is None else sa.text(want.default)
            )
        if "comment" in change.attributes:
            options["modify_comment"] = want.comment
        self._step(
            change,
            ops.AlterColumnOp(name, column_name, schema=schema, **options),
            phase=ALTER_TABLES,
            table=key,
            destructive="; ".join(warnings) or None,
        )

    def _sql_type(self, type_: Any) -> str:
        return str(type_.compile(dialect=_dialect(self.dialect)))

    # -- keys, constraints and indexes ---------------------------------------------------------

    def _primary_key(self, change: Change) -> None:
        key = change.path.removesuffix(".primary_key")
        schema, name = build.split_key(key)
        want = self.expected.tables[key].primary_key
        have = self.actual.tables[key].primary_key
        operations: list[ops.MigrateOperation] = []
        old_name = self.actual.tables[key].primary_key_name if key in self.actual.tables else None
        # SQLite's table rebuild replaces the key a new one is created over.
        if have and not (self.dialect == "sqlite" and want):
            if old_name is None and self.dialect == "postgresql":
                self._cannot(change, "the actual primary key has no name to drop it by")
                return
            operations.append(
                ops.DropConstraintOp(old_name or "PRIMARY", name, "primary", schema=schema)
            )
        if want:
            # SQLite's table rebuild needs a name; MariaDB names every key PRIMARY.
            new_name = self.expected.tables[key].primary_key_name or (
                None if self.dialect == "mysql" else f"{name}_pkey"
            )
            operations.append(ops.CreatePrimaryKeyOp(new_name, name, list(want), schema=schema))
        self._step(change, *operations, phase=ADD_CONSTRAINTS, table=key)

    def _foreign_key(self, change: Change) -> None:
        key = _table_of(change)
        schema, name = build.split_key(key)

        def drop(fk: ForeignKeySpec) -> list[ops.MigrateOperation]:
            dropped: list[ops.MigrateOperation] = [
                ops.DropConstraintOp(fk.name, name, "foreignkey", schema=schema)
            ]
            implicit = not _indexed(self.actual.tables[key], fk.columns)
            if self.dialect == "mysql" and fk.name is not None and implicit:
                # MariaDB made an index for the key (named as the key), and keeps it when
                # the key goes: the reader only leaves it out while the key exists.
                dropped.append(ops.DropIndexOp(fk.name, name, schema=schema))
            return dropped

        self._replace(
            change,
            drop=drop,
            create=lambda fk: self._create_fk(key, fk),
            create_phase=ADD_FOREIGN_KEYS,
            collection="foreign_keys",
        )

    def _create_fk(self, key: str, fk: ForeignKeySpec) -> ops.CreateForeignKeyOp:
        schema, name = build.split_key(key)
        referred_schema, referred = build.split_key(fk.referred_table)
        options: dict[str, Any] = {**build.deferrable(fk.deferrable)}
        if fk.on_delete:
            options["ondelete"] = fk.on_delete
        if fk.on_update:
            options["onupdate"] = fk.on_update
        return ops.CreateForeignKeyOp(
            fk.name,
            name,
            referred,
            list(fk.columns),
            list(fk.referred_columns),
            source_schema=schema,
            referent_schema=referred_schema,
            **options,
        )

    def _unique(self, change: Change) -> None:
        key = _table_of(change)
        schema, name = build.split_key(key)

        def create(spec: UniqueSpec) -> ops.MigrateOperation:
            options: dict[str, Any] = {}
            if self.dialect == "postgresql":
                if spec.nulls_not_distinct:
                    options["postgresql_nulls_not_distinct"] = True
                if spec.include:
                    options["postgresql_include"] = list(spec.include)
            return ops.CreateUniqueConstraintOp(
                spec.name,
                name,
                list(spec.columns),
                schema=schema,
                **options,
            )

        self._replace(
            change,
            drop=lambda spec: ops.DropConstraintOp(spec.name, name, "unique", schema=schema),
            create=create,
            create_phase=ADD_CONSTRAINTS,
            collection="unique",
        )

    def _check(self, change: Change) -> None:
        key = _table_of(change)
        schema, name = build.split_key(key)
        self._replace(
            change,
            drop=lambda spec: ops.DropConstraintOp(spec.name, name, "check", schema=schema),
            create=lambda spec: ops.CreateCheckConstraintOp(
                spec.name,
                name,
                sa.text(spec.sqltext),
                schema=schema,
            ),
            create_phase=ADD_CONSTRAINTS,
            collection="checks",
        )

    def _exclude(self, change: Change) -> None:
        key = _table_of(change)
        schema, name = build.split_key(key)

        def create(spec: ExcludeSpec) -> str:
            return exclude_constraint(key, spec, self.dialect)

        self._replace(
            change,
            drop=lambda spec: ops.DropConstraintOp(spec.name, name, None, schema=schema),
            create=create,
            create_phase=ADD_CONSTRAINTS,
            collection="excludes",
        )

    def _index(self, change: Change) -> None:
        key = _table_of(change)
        schema, name = build.split_key(key)
        index_name = change.path.rsplit(".", 1)[1]
        concurrently: dict[str, Any] = (
            {"postgresql_concurrently": True} if self.concurrently else {}
        )

        def drop(_spec: IndexSpec) -> list[ops.MigrateOperation]:
            dropped: list[ops.MigrateOperation] = []
            if self.dialect == "mysql":
                # MariaDB refuses to drop the only index a foreign key can use (1553); it had
                # dropped the key's own index when this one was made. Give the key its own
                # index back (named as the key: the reader counts it as the key's) first.
                have = self.actual.tables[key]
                others = have.model_copy(
                    update={"indexes": {k: v for k, v in have.indexes.items() if k != index_name}}
                )
                for fk in have.foreign_keys.values():
                    if fk.name is not None and not _indexed(others, fk.columns):
                        dropped.append(
                            ops.CreateIndexOp(fk.name, name, list(fk.columns), schema=schema)
                        )
            dropped.append(ops.DropIndexOp(index_name, name, schema=schema, **concurrently))
            return dropped

        self._replace(
            change,
            drop=drop,
            create=lambda spec: self._create_index(key, index_name, spec, **concurrently),
            create_phase=ADD_CONSTRAINTS,
            collection="indexes",
            named=False,
            outside_transaction=self.concurrently,
        )

    def _create_index(
        self, key: str, index_name: str, spec: IndexSpec, **options: Any
    ) -> ops.CreateIndexOp:
        schema, name = build.split_key(key)
        columns = self.expected.tables[key].columns if key in self.expected.tables else {}
        return ops.CreateIndexOp(
            index_name,
            name,
            build.index_elements(spec, columns, self.dialect),
            schema=schema,
            unique=spec.unique,
            **build.index_options(spec, self.dialect),
            **options,
        )

    def _replace(
        self,
        change: Change,
        *,
        drop: Any,
        create: Any,
        create_phase: int,
        collection: str,
        named: bool = True,
        outside_transaction: bool = False,
    ) -> None:
        """A constraint or index: dropped when unexpected, created when missing, both when
        changed (no database alters one in place)."""
        key = _table_of(change)
        member = change.path.rsplit(".", 1)[1]
        want = getattr(self.expected.tables.get(key, TableSpec()), collection).get(member)
        have = getattr(self.actual.tables.get(key, TableSpec()), collection).get(member)
        if have is not None and named and getattr(have, "name", None) is None:
            self._cannot(change, "the actual one has no name to drop it by")
            return
        operations: list[Any] = []
        if have is not None:
            dropped = drop(have)
            dropped = dropped if isinstance(dropped, list) else [dropped]
            self._step(
                change,
                *dropped,
                phase=DROP_CONSTRAINTS,
                table=key,
                outside_transaction=outside_transaction,
            )
        if want is not None:
            operations.append(create(want))
            self._step(
                change,
                *operations,
                phase=create_phase,
                table=key,
                outside_transaction=outside_transaction,
            )

    # -- schema-level objects ------------------------------------------------------------------

    def _enum(self, change: Change) -> None:
        name = change.path.removeprefix("enums.")
        if change.kind == "missing":
            self._step(change, create_enum(name, change.expected.values), phase=CREATE_TYPES)
        elif change.kind == "unexpected":
            self._step(
                change,
                f"DROP TYPE {quote(name, self.dialect)}",
                phase=DROP_TYPES,
                destructive=f"drops enum type {name}",
            )
        else:
            statements = enum_additions(name, change.actual["values"], change.expected["values"])
            if statements is None:
                self._cannot(
                    change,
                    "removing or reordering enum values needs the type recreated and every "
                    "column using it converted: write it by hand",
                )
                return
            self._step(
                change,
                *statements,
                phase=CREATE_TYPES,
                note="Alembic has no operation for adding an enum value",
            )

    def _sequence(self, change: Change) -> None:
        key = change.path.removeprefix("sequences.")
        note = "Alembic has no operation for sequences"
        if change.kind == "missing":
            self._step(
                change,
                *create_sequence(key, change.expected, self.dialect),
                phase=CREATE_TYPES,
                note=note,
            )
        elif change.kind == "unexpected":
            self._step(
                change,
                f"DROP SEQUENCE {quote(key, self.dialect)}",
                phase=DROP_TYPES,
                destructive=f"drops sequence {key} and its current value",
            )
        else:
            want = self.expected.sequences[key]
            have = self.actual.sequences[key]
            statements = alter_sequence(key, have, want, self.dialect)
            self._step(change, *statements, phase=DROP_TYPES, note=note)

    def _extension(self, change: Change) -> None:
        name = change.path.removeprefix("extensions.")
        if change.kind == "missing":
            statement = create_extension(name, change.expected.version)
            self._step(change, statement, phase=CREATE_TYPES)
        elif change.kind == "unexpected":
            self._step(
                change,
                f"DROP EXTENSION {quote(name, self.dialect)}",
                phase=DROP_TYPES,
                destructive=f"drops extension {name} and what it defines",
            )
        else:
            version = change.expected["version"]
            statement = f"ALTER EXTENSION {quote(name, self.dialect)} UPDATE TO '{version}'"
            self._step(change, statement, phase=CREATE_TYPES)

    def _view(self, change: Change) -> None:
        key = change.path.removeprefix("views.")
        have = self.actual.views.get(key)
        want = self.expected.views.get(key)
        if have is not None:
            self._step(change, drop_view(key, have, self.dialect), phase=DROP_DEPENDENTS)
        if want is not None:
            self._step(
                change,
                *create_view(key, want, self.dialect),
                phase=CREATE_DEPENDENTS,
                note="Alembic has no operation for views",
            )

    def _trigger(self, change: Change) -> None:
        self._cannot(change, _NOT_REBUILT.format(kind="trigger", statement="CREATE TRIGGER"))

    def _routine(self, change: Change) -> None:
        self._cannot(change, _NOT_REBUILT.format(kind="routine", statement="CREATE OR REPLACE"))

    def _policy(self, change: Change) -> None:
        key, _, policy = change.path.partition(".policies.")
        if change.kind != "missing":
            self._step(change, drop_policy(key, policy, self.dialect), phase=DROP_DEPENDENTS)
        if change.kind != "unexpected":
            want = self.expected.tables[key].policies[policy]
            self._step(
                change,
                create_policy(key, policy, want, self.dialect),
                phase=CREATE_DEPENDENTS,
                note="Alembic has no operation for row-level security policies",
            )

    def _grant(self, change: Change) -> None:
        key, _, grantee = change.path.partition(".grants.")
        before = () if change.kind == "missing" else _privileges(change, "actual")
        after = () if change.kind == "unexpected" else _privileges(change, "expected")
        statements = grant_statements("TABLE", key, grantee, before, after, self.dialect)
        self._step(change, *statements, phase=CREATE_DEPENDENTS)


def change_key(change: Change) -> tuple[str, str, str]:
    """What tells the changes of one diff apart (a Change holds dicts: it is not hashable)."""
    return change.path, change.object, change.kind


def unique_changes(changes: Iterable[Change]) -> list[Change]:
    """``changes`` once each, in path order."""
    by_key = {change_key(change): change for change in changes}
    return [by_key[key] for key in sorted(by_key)]


def _privileges(change: Change, side: str) -> tuple[str, ...]:
    value = getattr(change, side)
    if isinstance(value, Mapping):
        return tuple(value["privileges"])
    return tuple(value.privileges)


def _requoted(spec: SchemaSpec, dialect: str) -> SchemaSpec:
    tables = {key: build.requoted_table(table, dialect) for key, table in spec.tables.items()}
    return spec.model_copy(update={"tables": tables})


def _referenced(table: TableSpec, column: str) -> bool:
    """Whether a key, index, constraint or generated column of ``table`` uses ``column``."""
    texts: list[str | None] = [*table.primary_key]
    for index in table.indexes.values():
        texts += [*index.columns, index.where]
    for unique in table.unique.values():
        texts += unique.columns
    for fk in table.foreign_keys.values():
        texts += fk.columns
    texts += [check.sqltext for check in table.checks.values()]
    texts += [spec.computed for name, spec in table.columns.items() if name != column]
    word = re.compile(rf"(?<!\w){re.escape(column)}(?!\w)", re.IGNORECASE)
    return any(text is not None and word.search(text) for text in texts)


def _indexed(table: TableSpec, columns: tuple[str, ...]) -> bool:
    """Whether an index of ``table`` starts with ``columns`` (MariaDB then makes none for a
    foreign key on them)."""
    indexed = [index.columns for index in table.indexes.values()]
    indexed += [unique.columns for unique in table.unique.values()]
    indexed.append(table.primary_key)
    return any(tuple(found[: len(columns)]) == columns for found in indexed)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def _table_of(change: Change) -> str:
    return change.path.rsplit(".", 2)[0]


def _names(change: Change, leave_out: Iterable[str] = ()) -> str:
    return ", ".join(sorted(set(change.attributes) - set(leave_out)))


def _family(type_: str) -> tuple[str, list[int]]:
    base, _, rest = type_.partition("(")
    args = [int(a) for a in rest.rstrip(")").split(",") if a.strip().isdigit()] if rest else []
    return base.strip(), args


def _widens(old: str, new: str) -> bool:
    """Whether every value of type ``old`` fits ``new`` unchanged."""
    old_base, old_args = _family(old)
    new_base, new_args = _family(new)
    if (old_base, new_base) in _WIDER_FAMILIES:
        return True
    if old_base != new_base:
        return False
    if old_base in ("varchar", "char") and old_args and (not new_args or new_args >= old_args):
        return not new_args or new_args[0] >= old_args[0]
    if old_base == "numeric" and len(old_args) == 2 == len(new_args):
        integer_digits_kept = new_args[0] - new_args[1] >= old_args[0] - old_args[1]
        return integer_digits_kept and new_args[1] >= old_args[1]
    return False


def _dialect(name: str) -> Any:
    from schemaspec.sql.types import dialect_instance

    return dialect_instance(name)
