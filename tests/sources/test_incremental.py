"""IncrementalReader: after every step of a changing schema, its snapshot equals a full reading.

The oracle is ``from_database(url)`` on a connection of its own, after each step of a history
that alters earlier tables in every way a table spec records (columns added, dropped, renamed,
retyped; nullability, defaults, comments, collations; indexes, unique constraints, foreign keys,
checks; tables renamed and dropped; enum types changed). Each step also names the tables the
reader reflects again: the others keep their specs, which is what makes a review linear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from bench.migrations import write_history

import schemaspec
from schemaspec import DatabaseConnectionError
from schemaspec.sources.incremental import IncrementalReader, table_fingerprints

Run = Callable[[Operations, str], None]


@dataclass(frozen=True)
class Step:
    name: str
    run: Run
    #: The tables the next snapshot reflects, by dialect ("*": any other dialect).
    reads: dict[str, set[str]]


def _sql(statements: dict[str, list[str]]) -> Run:
    """Raw DDL per dialect ("*": the others); a dialect without statements does nothing."""

    def run(op: Operations, dialect: str) -> None:
        for statement in statements.get(dialect, statements.get("*", [])):
            op.execute(statement)

    return run


def _create_tables(op: Operations, dialect: str) -> None:
    op.create_table(
        "parent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
    )
    op.create_table(
        "child",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_child_parent")),
        sa.Column("name", sa.String(50)),
        sa.Column("amount", sa.Numeric(10, 2), server_default="0"),
        sa.Column("status", sa.String(10)),
    )
    op.create_table(
        "other",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.Text),
    )


def _batch(table: str, change: Callable[[Operations], None]) -> Run:
    """An alteration of ``table``: plain ALTERs where the database has them; SQLite rebuilds."""

    def run(op: Operations, dialect: str) -> None:
        with op.batch_alter_table(table) as batch:
            change(batch)

    return run


def _collation(dialect: str) -> str:
    return {"postgresql": "C", "mysql": "utf8mb4_bin"}.get(dialect, "NOCASE")


def _collate(op: Operations, dialect: str) -> None:
    with op.batch_alter_table("child") as batch:
        batch.alter_column(
            "name",
            existing_type=sa.String(80),
            type_=sa.String(80, collation=_collation(dialect)),
            existing_nullable=False,
        )


def _enum_column(op: Operations, dialect: str) -> None:
    mood = sa.Enum("sad", "happy", name="mood")
    if dialect == "postgresql":
        mood.create(op.get_bind())
    with op.batch_alter_table("child") as batch:
        batch.add_column(sa.Column("mood", mood))


def _grow_enum(op: Operations, dialect: str) -> None:
    if dialect == "postgresql":
        # Touches no table: only the type changes.
        op.execute("ALTER TYPE mood ADD VALUE 'calm'")
        return
    with op.batch_alter_table("child") as batch:
        batch.alter_column(
            "mood",
            existing_type=sa.Enum("sad", "happy", name="mood"),
            type_=sa.Enum("sad", "happy", "calm", name="mood"),
        )


def _recreate_other(op: Operations, dialect: str) -> None:
    op.drop_table("other")
    op.create_table(
        "other", sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.String(10))
    )


CHILD = {"*": {"child"}}
PARENT_AND_CHILD = {"*": {"parent", "child"}}
NONE: dict[str, set[str]] = {"*": set()}

STEPS = [
    Step("create three tables", _create_tables, {"*": {"parent", "child", "other"}}),
    Step(
        "add a commented column",
        _batch("child", lambda b: b.add_column(sa.Column("note", sa.String(100), comment="a"))),
        CHILD,
    ),
    Step(
        "widen a type",
        _batch(
            "child",
            lambda b: b.alter_column("name", existing_type=sa.String(50), type_=sa.String(80)),
        ),
        CHILD,
    ),
    Step(
        "make a column NOT NULL",
        _batch(
            "child",
            lambda b: b.alter_column("name", existing_type=sa.String(80), nullable=False),
        ),
        CHILD,
    ),
    Step(
        "give a column a default",
        _batch(
            "child",
            lambda b: b.alter_column("status", existing_type=sa.String(10), server_default="new"),
        ),
        CHILD,
    ),
    Step(
        "change a column's comment",
        _batch(
            "child",
            lambda b: b.alter_column(
                "note", existing_type=sa.String(100), comment="b", existing_comment="a"
            ),
        ),
        # SQLite keeps no comments: nothing changed there.
        {"sqlite": set(), "*": {"child"}},
    ),
    Step(
        "rename a column",
        _batch(
            "child",
            lambda b: b.alter_column(
                "note", new_column_name="remark", existing_type=sa.String(100)
            ),
        ),
        CHILD,
    ),
    Step("give a column a collation", _collate, CHILD),
    Step(
        "add an index",
        _batch("child", lambda b: b.create_index("ix_child_name", ["name"])),
        CHILD,
    ),
    Step(
        "drop the index: the table is as it was before, which is known",
        _batch("child", lambda b: b.drop_index("ix_child_name")),
        NONE,
    ),
    Step(
        "add a unique constraint",
        _batch("child", lambda b: b.create_unique_constraint("uq_child_name", ["name"])),
        CHILD,
    ),
    Step(
        "add a check",
        _batch("child", lambda b: b.create_check_constraint("ck_child_amount", "amount >= 0")),
        CHILD,
    ),
    Step(
        "drop the foreign key",
        _batch("child", lambda b: b.drop_constraint("fk_child_parent", type_="foreignkey")),
        CHILD,
    ),
    Step(
        "add it back with ON DELETE CASCADE",
        _batch(
            "child",
            lambda b: b.create_foreign_key(
                "fk_child_parent", "parent", ["parent_id"], ["id"], ondelete="CASCADE"
            ),
        ),
        CHILD,
    ),
    Step("drop a column", _batch("child", lambda b: b.drop_column("remark")), CHILD),
    Step(
        "comment on the referred table",
        _sql(
            {
                "postgresql": ["COMMENT ON TABLE parent IS 'p'"],
                "mysql": ["ALTER TABLE parent COMMENT = 'p'"],
            }
        ),
        # A table a changed table's foreign key refers to is read again as well.
        {"sqlite": set(), "*": {"parent", "child"}},
    ),
    Step(
        "a view and a trigger, no table changed",
        _sql(
            {
                "postgresql": [
                    "CREATE VIEW codes AS SELECT code FROM parent",
                    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql"
                    " AS $$ BEGIN RETURN NEW; END $$",
                    "CREATE TRIGGER tr_other BEFORE INSERT ON other"
                    " FOR EACH ROW EXECUTE FUNCTION touch()",
                ],
                "mysql": [
                    "CREATE VIEW codes AS SELECT code FROM parent",
                    "CREATE TRIGGER tr_other BEFORE INSERT ON other"
                    " FOR EACH ROW SET NEW.label = 'x'",
                ],
                "sqlite": [
                    "CREATE VIEW codes AS SELECT code FROM parent",
                    "CREATE TRIGGER tr_other BEFORE INSERT ON other BEGIN SELECT 1; END",
                ],
            }
        ),
        NONE,
    ),
    Step("an enum column", _enum_column, CHILD),
    Step(
        "a value added to the enum",
        _grow_enum,
        # PostgreSQL: the type changed, no table did; every table is normalised with it.
        {"postgresql": {"parent", "child", "other"}, "*": {"child"}},
    ),
    Step(
        "a partial index",
        _sql(
            {
                "mysql": ["CREATE INDEX ix_child_part ON child (name, amount)"],
                "*": ["CREATE INDEX ix_child_part ON child (name) WHERE amount > 0"],
            }
        ),
        CHILD,
    ),
    Step(
        "rename the index",
        _sql(
            {
                "postgresql": ["ALTER INDEX ix_child_part RENAME TO ix_child_part2"],
                "mysql": ["ALTER TABLE child RENAME INDEX ix_child_part TO ix_child_part2"],
                "sqlite": [
                    "DROP INDEX ix_child_part",
                    "CREATE INDEX ix_child_part2 ON child (name) WHERE amount > 0",
                ],
            }
        ),
        CHILD,
    ),
    Step(
        "an identity column",
        _sql(
            {
                "postgresql": [
                    "CREATE TABLE ident (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)"
                ],
                "*": ["CREATE TABLE ident (id INTEGER PRIMARY KEY)"],
            }
        ),
        {"*": {"ident"}},
    ),
    Step(
        "its sequence options changed",
        _sql({"postgresql": ["ALTER TABLE ident ALTER COLUMN id SET INCREMENT BY 5"], "*": []}),
        {"postgresql": {"ident"}, "*": set()},
    ),
    Step(
        "a default that calls a sequence",
        _sql(
            {
                "postgresql": [
                    "CREATE SEQUENCE counter",
                    "ALTER TABLE ident ADD COLUMN num INTEGER DEFAULT nextval('counter')",
                ],
                "*": [],
            }
        ),
        {"postgresql": {"ident"}, "*": set()},
    ),
    Step(
        "the sequence renamed: the default's text changes, no row of the table does",
        _sql({"postgresql": ["ALTER SEQUENCE counter RENAME TO counter2"], "*": []}),
        {"postgresql": {"ident"}, "*": set()},
    ),
    Step(
        "a column of a domain",
        _sql(
            {
                "postgresql": [
                    "CREATE DOMAIN short_code AS VARCHAR(5)",
                    "ALTER TABLE ident ADD COLUMN code short_code",
                ],
                "*": [],
            }
        ),
        {"postgresql": {"ident"}, "*": set()},
    ),
    Step(
        "the domain made NOT NULL: its columns are",
        _sql({"postgresql": ["ALTER DOMAIN short_code SET NOT NULL"], "*": []}),
        {"postgresql": {"ident"}, "*": set()},
    ),
    Step(
        "rename the referred table",
        lambda op, dialect: op.rename_table("parent", "parent2"),
        # The new name is a new table, and the foreign key's text names it on every database.
        {"*": {"parent2", "child"}},
    ),
    Step("drop a table", lambda op, dialect: op.drop_table("other"), NONE),
    Step(
        "create it again as it was: its spec is known",
        lambda op, dialect: op.create_table(
            "other", sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.Text)
        ),
        NONE,
    ),
    Step("and once more with a difference", _recreate_other, {"*": {"other"}}),
]


@pytest.fixture
def engine(schemaspec_database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(schemaspec_database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_every_snapshot_equals_a_full_reading(engine: sa.Engine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with engine.connect() as connection:
        dialect = connection.dialect.name
        dialect = "mysql" if dialect == "mariadb" else dialect
        reader = IncrementalReader(connection)
        assert reader.snapshot() == schemaspec.from_database(url)
        assert reader.last_read == frozenset()
        for step in STEPS:
            step.run(Operations(MigrationContext.configure(connection)), dialect)
            connection.commit()
            incremental = reader.snapshot()
            connection.rollback()
            full = schemaspec.from_database(url)
            assert schemaspec.diff(full, incremental).changes == (), step.name
            assert incremental == full, step.name
            assert reader.last_read == step.reads.get(dialect, step.reads["*"]), step.name
        assert set(incremental.tables) == {"parent2", "child", "ident", "other"}
        assert set(incremental.views) == {"codes"}
        assert set(incremental.triggers) == set()  # dropped with its table


def test_a_foreign_key_resolved_through_the_referred_table_follows_it(
    schemaspec_sqlite_url: str,
) -> None:
    """SQLite: ``REFERENCES parent`` (no columns) means parent's primary key, whatever it is
    now; the referring table's own DDL never changes, and it is read again all the same."""
    engine = sa.create_engine(schemaspec_sqlite_url)
    try:
        with engine.connect() as connection:
            reader = IncrementalReader(connection)
            connection.exec_driver_sql("CREATE TABLE parent (a INTEGER PRIMARY KEY, b INTEGER)")
            connection.exec_driver_sql("CREATE TABLE child (ref INTEGER REFERENCES parent)")
            connection.commit()
            before = reader.snapshot()
            connection.rollback()
            assert before.tables["child"].foreign_keys["ref"].referred_columns == ("a",)
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.exec_driver_sql("DROP TABLE parent")
            connection.exec_driver_sql("CREATE TABLE parent (a INTEGER, b INTEGER PRIMARY KEY)")
            connection.commit()
            after = reader.snapshot()
            connection.rollback()
            assert reader.last_read == {"parent", "child"}
            assert after.tables["child"].foreign_keys["ref"].referred_columns == ("b",)
            assert after == schemaspec.from_database(schemaspec_sqlite_url)
    finally:
        engine.dispose()


def test_fingerprints_leave_out_tool_tables_and_views(schemaspec_database_url: str) -> None:
    engine = sa.create_engine(schemaspec_database_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32))")
            connection.exec_driver_sql("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
            connection.exec_driver_sql("CREATE VIEW seen AS SELECT id FROM kept")
            connection.commit()
            found = table_fingerprints(connection)
            connection.rollback()
    finally:
        engine.dispose()
    assert found is not None
    assert set(found) == {"kept"}


def test_a_lost_connection_is_a_connection_error(schemaspec_postgresql_url: str) -> None:
    engine = sa.create_engine(schemaspec_postgresql_url)
    try:
        with engine.connect() as connection:
            reader = IncrementalReader(connection)
            reader.snapshot()
            connection.rollback()
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            connection.rollback()
            with engine.connect() as killer:
                killer.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
            with pytest.raises(DatabaseConnectionError) as caught:
                reader.snapshot()
    finally:
        engine.dispose()
    database = sa.make_url(schemaspec_postgresql_url).database
    assert str(caught.value).startswith(
        f"reading the schema of postgresql database '{database}' at 127.0.0.1:5432 failed: "
    )
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_a_review_reads_each_new_table_once(
    schemaspec_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A history of one new table per revision: each snapshot of check_migrations reflects
    the table its revision created, once; the downgrade and the upgrade after it read none."""
    ini = write_history(tmp_path, 6)
    reads: list[frozenset[str]] = []
    snapshot = IncrementalReader.snapshot

    def recording(self: IncrementalReader) -> schemaspec.SchemaSpec:
        spec = snapshot(self)
        reads.append(self.last_read)
        return spec

    monkeypatch.setattr(IncrementalReader, "snapshot", recording)
    report = schemaspec.check_migrations(ini, url=schemaspec_database_url)
    assert (report.findings, len(report.revisions)) == ((), 6)
    # Before the first revision, then per revision: after the upgrade, the downgrade, the upgrade.
    assert reads == [frozenset()] + [
        read
        for number in range(6)
        for read in (frozenset({f"chain_{number:05d}"}), frozenset(), frozenset())
    ]
