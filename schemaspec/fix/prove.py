"""Proving a fix: build a scratch copy of the actual side, run the steps, read it back, diff again.

A step is kept only if, after all kept steps ran, none of the changes it closes is left and
nothing new appeared on its table. A step the database refuses, or one that leaves its change
behind, is dropped with the reason and the proof runs again on a fresh copy without it, so the
steps that are emitted are exactly the steps that were proven together. The downgrade is proven
the same way, from where the upgrade left the copy back to the actual side.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    ExecutableDDLElement,
    SetColumnComment,
    SetTableComment,
)

from schemaspec.compare.change import Change
from schemaspec.compare.diff import diff
from schemaspec.compare.ignore import RuleLike
from schemaspec.errors import SourceError
from schemaspec.fix import build
from schemaspec.fix.apply import Group, describe, flavor_of, groups, online, run_group
from schemaspec.fix.ddl import (
    create_enum,
    create_extension,
    create_policy,
    create_sequence,
    create_view,
    grant_statements,
    quote,
    row_security,
    sequence_grants,
)
from schemaspec.fix.plan import Step, Unexpressed, change_key, unique_changes
from schemaspec.sources.database import from_database
from schemaspec.sources.scratch import scratch_database, scratch_sqlite
from schemaspec.spec import SchemaSpec

#: Kinds a scratch copy can carry (routines and most triggers are kept as canonical text,
#: not as written, so they cannot be rebuilt; see plan._routine).
PROVABLE_KINDS = ("tables", "enums", "sequences", "views", "extensions", "privileges")
#: Rounds of dropping what failed and proving the rest again.
_ROUNDS = 4


@dataclass
class Proof:
    kept: list[Step] = field(default_factory=list)
    dropped: list[Unexpressed] = field(default_factory=list)
    #: The scratch copy could not hold these parts of the actual side exactly.
    copy_differs: tuple[Change, ...] = ()
    #: The dialect of the server it was proven on (``mariadb`` where the spec says ``mysql``).
    flavor: str | None = None


def prove_steps(
    steps: Sequence[Step],
    expected: SchemaSpec,
    actual: SchemaSpec,
    dialect: str,
    scratch: str | URL | None,
    kinds: Sequence[str],
    *,
    then: Sequence[Step] = (),
    ignore: Sequence[RuleLike] = (),
    left_alone: Sequence[Change] = (),
) -> tuple[Proof, Proof]:
    """Prove ``steps`` (actual to expected), then ``then`` (back to actual) on the result.

    ``left_alone`` are the changes no step is meant to close (refused, unexpressed): still
    there afterwards, as they should be.
    """
    kinds = [kind for kind in kinds if kind in PROVABLE_KINDS]
    alone = {(change.path, change.object) for change in left_alone}
    upgrade = Proof(kept=list(steps))
    downgrade = Proof(kept=list(then))
    for _round in range(_ROUNDS):
        with _scratch_connection(dialect, scratch) as connection:
            upgrade.flavor = downgrade.flavor = flavor_of(connection)
            upgrade.copy_differs = _build_copy(connection, actual, dialect, kinds)
            downgrade.copy_differs = upgrade.copy_differs
            if _drop_unprovable(upgrade):
                _undo_only_kept(upgrade, downgrade)
                continue
            failed = _run(connection, upgrade, actual, dialect)
            if failed or _drop_unclosed(
                upgrade, _changes(expected, connection, kinds, ignore, alone)
            ):
                _undo_only_kept(upgrade, downgrade)
                continue
            if downgrade.kept:
                # SQLite rebuilds a table from its spec: the one the upgrade left, read back.
                failed = _run(connection, downgrade, from_database(connection), dialect)
                if failed:
                    continue
                back = _changes(actual, connection, kinds, ignore)
                if _drop_unclosed(downgrade, back):
                    continue
            return upgrade, downgrade
    # Still failing after every round: emit nothing rather than something unproven.
    for proof in (upgrade, downgrade):
        proof.dropped.extend(
            Unexpressed(change, "could not be proven together with the other steps")
            for step in proof.kept
            for change in step.closes
        )
        proof.kept = []
    return upgrade, downgrade


def _drop_unprovable(proof: Proof) -> bool:
    """Drop the steps on what the scratch copy could not hold exactly: what they would do to
    the real thing is not what the proof would see. True if one was."""
    tables = {change.table for change in proof.copy_differs if change.table is not None}
    objects = {change.path for change in proof.copy_differs if change.table is None}
    unprovable = [
        step
        for step in proof.kept
        if any(change.table in tables or change.path in objects for change in step.closes)
    ]
    for step in unprovable:
        if step not in proof.kept:
            continue
        where = ", ".join(sorted({c.path for c in proof.copy_differs}))
        _drop(
            proof,
            (step,),
            f"the scratch copy of the actual side could not hold {where} exactly, so a step "
            "here cannot be proven",
        )
    return bool(unprovable)


def _undo_only_kept(upgrade: Proof, downgrade: Proof) -> None:
    """The downgrade undoes what the upgrade still does, nothing it no longer does."""
    done = {(change.path, change.object) for step in upgrade.kept for change in step.closes}
    downgrade.kept = [
        step
        for step in downgrade.kept
        if all((change.path, change.object) in done for change in step.closes)
    ]


def _run(connection: sa.Connection, proof: Proof, before: SchemaSpec, dialect: str) -> bool:
    """Run the kept steps; drop the first group the database refuses. True if one was."""
    with online(connection) as operations:
        for group in groups(proof.kept, dialect):
            try:
                run_group(operations, group, dialect, before)
            # Any failure to apply a step (the database, Alembic, SQLAlchemy) refuses it.
            except Exception as error:
                _drop(proof, group, f"the database refused it: {describe(error)}")
                return True
    return False


def _drop(proof: Proof, group: Group, reason: str) -> None:
    closes = unique_changes(change for step in group for change in step.closes)
    keys = {change_key(change) for change in closes}
    # Every step closing one of those changes goes too: half a change is no fix.
    proof.kept = [
        step for step in proof.kept if not any(change_key(change) in keys for change in step.closes)
    ]
    proof.dropped.extend(Unexpressed(change, reason) for change in closes)


def _drop_unclosed(proof: Proof, left: tuple[Change, ...]) -> bool:
    """Drop the steps whose changes are still there, or whose table changed unasked."""
    copy_paths = {change.path for change in proof.copy_differs}
    left = tuple(change for change in left if change.path not in copy_paths)
    if not left:
        return False
    left_paths = {change.path for change in left}
    left_tables = {change.table for change in left if change.table is not None}
    unclosed = [
        step
        for step in proof.kept
        if any(
            change.path in left_paths or (change.table is not None and change.table in left_tables)
            for change in step.closes
        )
    ]
    if not unclosed:
        # A difference no step is about: the copy itself could not be built exactly.
        proof.copy_differs = tuple(unique_changes([*proof.copy_differs, *left]))
        return False
    summary = "; ".join(f"{change.kind} {change.object} {change.path}" for change in left[:3])
    for step in unclosed:
        _drop(proof, tuple([step]), f"after running it the database still differs ({summary})")
    return True


def _changes(
    want: SchemaSpec,
    connection: sa.Connection,
    kinds: Sequence[str],
    ignore: Sequence[RuleLike] = (),
    alone: set[tuple[str, str]] | None = None,
) -> tuple[Change, ...]:
    read = from_database(connection, privileges="privileges" in kinds)
    changes = diff(want, read, objects=list(kinds), ignore=ignore).changes
    return tuple(change for change in changes if (change.path, change.object) not in (alone or ()))


def _build_copy(
    connection: sa.Connection, actual: SchemaSpec, dialect: str, kinds: Sequence[str]
) -> tuple[Change, ...]:
    """Create what ``actual`` describes; return what the copy could not hold exactly.

    Object by object: one the database refuses (SQL a spec keeps only as canonical text, an
    extension the server lacks) leaves the rest of the copy, and the refusal shows as a
    difference when the copy is read back.
    """
    statements: list[str] = []
    if "extensions" in kinds:
        statements += [create_extension(n, e.version) for n, e in actual.extensions.items()]
    enums = build.enum_values(actual)
    if dialect == "postgresql":
        statements += [create_enum(name, values) for name, values in enums.items()]
    for key, sequence in actual.sequences.items():
        unowned = sequence.model_copy(update={"owned_by": None, "grants": {}})
        statements += create_sequence(key, unowned, dialect)
    _each(connection, statements)
    metadata = sa.MetaData()
    for key, table in actual.tables.items():
        build.table(key, table, metadata, dialect, enums=enums)
    inline = dialect == "sqlite"  # SQLite checks no reference when a table is created
    for table_object in metadata.sorted_tables:
        keys: list[sa.ForeignKeyConstraint] | None = None if inline else []
        _each(connection, [CreateTable(table_object, include_foreign_key_constraints=keys)])
        _each(connection, _comments(table_object, connection.dialect))
        _each(connection, [CreateIndex(index) for index in table_object.indexes])
    if not inline:
        # After every table, so that keys between tables in a cycle are made too.
        for table_object in metadata.sorted_tables:
            _each(connection, [AddConstraint(fk) for fk in table_object.foreign_key_constraints])
    statements = []
    for key, sequence in actual.sequences.items():
        if sequence.owned_by is not None and dialect == "postgresql":
            owner = quote(sequence.owned_by, dialect)
            statements.append(f"ALTER SEQUENCE {quote(key, dialect)} OWNED BY {owner}")
    for key, view in actual.views.items():
        statements += create_view(key, view, dialect)
    if "privileges" in kinds:
        for key, table in actual.tables.items():
            for grantee, grant in table.grants.items():
                statements += grant_statements("TABLE", key, grantee, (), grant.privileges, dialect)
            statements += row_security(key, None, table.row_security, dialect)
            statements += [create_policy(key, n, p, dialect) for n, p in table.policies.items()]
        for key, sequence in actual.sequences.items():
            statements += sequence_grants(key, None, sequence, dialect)
    _each(connection, statements)
    return _changes(actual, connection, kinds)


def _comments(table: sa.Table, dialect: sa.Dialect) -> list[ExecutableDDLElement]:
    """``COMMENT ON`` statements where the database takes comments apart from the table
    (PostgreSQL): what ``create_all`` adds after each ``CREATE TABLE``."""
    if not dialect.supports_comments or dialect.inline_comments:
        return []
    found: list[ExecutableDDLElement] = [SetTableComment(table)] if table.comment else []
    found += [SetColumnComment(column) for column in table.columns if column.comment]
    return found


def _each(connection: sa.Connection, statements: Sequence[str | ExecutableDDLElement]) -> None:
    """Run each statement on its own; what fails is left out (see ``_build_copy``)."""
    for statement in statements:
        try:
            if isinstance(statement, str):
                connection.exec_driver_sql(statement)
            else:
                connection.execute(statement)
        # Whatever the database, the driver or SQLAlchemy refused is seen by the read-back.
        except Exception:
            if connection.in_transaction():
                connection.rollback()


@contextmanager
def _scratch_connection(dialect: str, scratch: str | URL | None) -> Iterator[sa.Connection]:
    if dialect == "sqlite":
        with scratch_sqlite() as url:
            engine = sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as connection:
                    yield connection
            finally:
                engine.dispose()
        return
    if scratch is None:
        raise SourceError(
            f"a fix for {dialect} is proven on a scratch database: give the URL of a {dialect} "
            "server you may create databases on (scratch=..., --scratch-server URL)"
        )
    with scratch_database(scratch) as url:
        engine = sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()
