"""The model zoo on every database: silent when models and database agree, exact when they don't.

Each test creates the zoo (``tests/zoo.py``) with ``create_all`` in a fresh scratch database and
reflects it back. Round trip: the diff is empty. Mutations: one ALTER on the database, or one
change to the models, and the diff is exactly the one expected ``Change``.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from changes import changed
from sqlalchemy.engine import make_url
from zoo import portable_zoo, schema_zoo, zoo

from schemaspec import diff, from_database, from_models
from schemaspec.compare.change import Change
from schemaspec.pytest_plugin import _require_server
from schemaspec.sources.scratch import scratch_database, scratch_sqlite
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    ExcludeSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    UniqueSpec,
)

KINDS = ("sqlite", "postgresql", "mysql")


@dataclass
class Zoo:
    kind: str
    url: str
    metadata: sa.MetaData

    def run(self, *statements: str) -> None:
        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
        finally:
            engine.dispose()


def create_zoo(kind: str, url: str) -> Zoo:
    engine = sa.create_engine(url)
    try:
        if kind == "postgresql":
            with engine.begin() as connection:
                # Extension types of the zoo; CREATE EXTENSION is per database.
                connection.exec_driver_sql("CREATE EXTENSION citext")
                connection.exec_driver_sql("CREATE EXTENSION hstore")
        metadata = zoo(kind)
        with warnings.catch_warnings():
            # SQLAlchemy's notice that PostgreSQL makes a Computed column STORED.
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            metadata.create_all(engine)
    finally:
        engine.dispose()
    return Zoo(kind, url, metadata)


@pytest.fixture
def created_zoo(schemaspec_database_url: str) -> Zoo:
    kind = make_url(schemaspec_database_url).get_backend_name()
    return create_zoo(kind, schemaspec_database_url)


# -- round trip -----------------------------------------------------------------------------


def test_zoo_round_trip_is_empty(created_zoo: Zoo) -> None:
    expected = from_models(created_zoo.metadata)
    with warnings.catch_warnings():
        # Reflection warnings (unknown types, skipped indexes) must not reach users.
        warnings.simplefilter("error")
        actual = from_database(created_zoo.url)
    assert diff(expected, actual).changes == ()
    assert set(actual.tables) == set(created_zoo.metadata.tables)


def test_zoo_rendered_for_its_dialect_equals_the_database(created_zoo: Zoo) -> None:
    dialect = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mysql"}[created_zoo.kind]
    expected = from_models(created_zoo.metadata, dialect=dialect)
    actual = from_database(created_zoo.url)
    # Equal in what models describe; the database also has the zoo's extensions (PostgreSQL).
    assert expected.describes == ("tables", "enums", "sequences")
    assert actual.describes is None
    described = ("tables", "enums", "sequences", "views", "triggers", "routines")
    assert [getattr(expected, kind) for kind in described] == [
        getattr(actual, kind) for kind in described
    ]


def test_zoo_reflection_is_idempotent_under_normalisation(created_zoo: Zoo) -> None:
    from schemaspec.dialects import normalize

    actual = from_database(created_zoo.url)
    assert normalize(actual) == actual


# -- across dialects -----------------------------------------------------------------------


def _created(kind: str, url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sa.exc.SAWarning)  # as in create_zoo
            portable_zoo(kind).create_all(engine)
    finally:
        engine.dispose()
    return url


def test_across_dialects_only_what_both_represent_is_compared(
    schemaspec_sqlite_url: str, schemaspec_postgresql_url: str, schemaspec_mysql_url: str
) -> None:
    urls = {
        "sqlite": _created("sqlite", schemaspec_sqlite_url),
        "postgresql": _created("postgresql", schemaspec_postgresql_url),
        "mysql": _created("mysql", schemaspec_mysql_url),
    }
    specs = {kind: from_database(url) for kind, url in urls.items()}
    # The one thing that does not cross: SQLite emulates a native enum made with
    # create_constraint=True by a check, which PostgreSQL's and MySQL's enum types need not.
    emulated = CheckSpec(sqltext="strict_mood in('happy','sad')", name="ck_moods_strict_mood")
    for ours, theirs in itertools.permutations(KINDS, 2):
        result = diff(specs[ours], specs[theirs])
        assert result.notes == (
            f"comparing a {ours} schema with a {theirs} schema:"
            " only what both databases can represent is compared",
        )
        path = "moods.checks.ck_moods_strict_mood"
        if ours == "sqlite":
            want: tuple[Change, ...] = (
                Change(kind="missing", object="check", path=path, expected=emulated),
            )
        elif theirs == "sqlite":
            want = (Change(kind="unexpected", object="check", path=path, actual=emulated),)
        else:
            want = ()
        assert result.changes == want, (ours, theirs)
        # Models rendered for one database compare with another database the same way.
        rendered = from_models(portable_zoo(ours), dialect=ours)
        assert diff(rendered, specs[theirs]).changes == want, (ours, theirs)

    # A real difference still shows across dialects.
    engine = sa.create_engine(urls["postgresql"])
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE texts ALTER COLUMN code TYPE VARCHAR(30)")
    engine.dispose()
    result = diff(specs["mysql"], from_database(urls["postgresql"]))
    assert result.changes == (column_type("texts.code", "varchar(20)", "varchar(30)"),)


# -- a non-default schema -------------------------------------------------------------------


@contextmanager
def other_schema(kind: str, url: str) -> Iterator[tuple[sa.Engine, str]]:
    """An engine on ``url`` that sees a second, empty schema, and that schema's name."""
    if kind == "postgresql":
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE SCHEMA zoo_other")
        yield engine, "zoo_other"
    elif kind == "mysql":
        # A MySQL schema is a database: a second scratch one on the same server.
        with scratch_database(url) as other_url:
            engine = sa.create_engine(url)
            yield engine, str(make_url(other_url).database)
    else:
        # A SQLite schema is an attached database file.
        with scratch_sqlite() as other_url:
            path = make_url(other_url).database
            engine = sa.create_engine(url)

            @sa.event.listens_for(engine, "connect")
            def attach(dbapi_connection: Any, record: Any) -> None:
                dbapi_connection.execute("ATTACH DATABASE ? AS zoo_other", (path,))

            yield engine, "zoo_other"
    engine.dispose()


def test_non_default_schema_round_trip_and_mutation(
    schemaspec_database_url: str,
) -> None:
    kind = make_url(schemaspec_database_url).get_backend_name()
    with other_schema(kind, schemaspec_database_url) as (engine, schema):
        metadata = schema_zoo(schema)
        metadata.create_all(engine)
        expected = from_models(metadata, schema=schema)
        assert set(expected.tables) == {"owners", "pets"}
        assert diff(expected, from_database(engine, schema=schema)).changes == ()
        # The default schema is not the other one.
        assert from_database(engine).tables == {}

        with engine.begin() as connection:
            connection.exec_driver_sql(f"ALTER TABLE {schema}.owners ADD COLUMN note VARCHAR(10)")
        changes = diff(expected, from_database(engine, schema=schema)).changes
        assert changes == (
            Change(
                kind="unexpected",
                object="column",
                path="owners.note",
                actual=ColumnSpec(type="varchar(10)"),
            ),
        )


# -- mutations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One deliberate difference and the one Change it must produce.

    ``sql`` maps a database kind to the statements that make the difference there; ``model``
    changes the models instead (the database keeps the zoo). ``expected`` is the change, or per
    kind a change or ``None`` when that database cannot hold the difference at all.
    """

    id: str
    expected: Change | dict[str, Change | None]
    sql: dict[str, tuple[str, ...]] = field(default_factory=dict)
    model: Callable[[sa.MetaData], None] | None = None

    def kinds(self) -> tuple[str, ...]:
        if self.model is not None:
            return tuple(self.expected) if isinstance(self.expected, dict) else KINDS
        return tuple(self.sql)

    def change_for(self, kind: str) -> Change | None:
        return self.expected[kind] if isinstance(self.expected, dict) else self.expected


def column_type(path: str, expected: str, actual: str) -> Change:
    return changed("column", path, type=(expected, actual))


def same(kinds: tuple[str, ...], sql: str) -> dict[str, tuple[str, ...]]:
    return {kind: (sql,) for kind in kinds}


def set_column(table: str, column: str, **attributes: Any) -> Callable[[sa.MetaData], None]:
    def mutate(metadata: sa.MetaData) -> None:
        target = metadata.tables[table].c[column]
        for name, value in attributes.items():
            if name == "server_default":
                value = sa.DefaultClause(value) if value is not None else None
                if value is not None:
                    value._set_parent(target)  # how Column attaches a default
            setattr(target, name, value)

    return mutate


def replace_check(table: str, name: str, sqltext: str | None) -> Callable[[sa.MetaData], None]:
    def mutate(metadata: sa.MetaData) -> None:
        target = metadata.tables[table]
        for constraint in list(target.constraints):
            if isinstance(constraint, sa.CheckConstraint) and constraint.name == name:
                target.constraints.remove(constraint)
        if sqltext is not None:
            target.append_constraint(sa.CheckConstraint(sqltext, name=name.split("_", 2)[2]))

    return mutate


def without_check_on(table: str, column: str) -> Callable[[sa.MetaData], None]:
    """Drop the type-bound check of ``table.column`` (as create_constraint=False would)."""

    def mutate(metadata: sa.MetaData) -> None:
        target = metadata.tables[table]
        for constraint in list(target.constraints):
            if isinstance(constraint, sa.CheckConstraint) and column in getattr(
                constraint, "columns", {}
            ):
                target.constraints.remove(constraint)

    return mutate


SERVERS = ("postgresql", "mysql")

MUTATIONS = [
    # -- columns, every database
    Mutation(
        "drop-column",
        sql=same(KINDS, "ALTER TABLE times DROP COLUMN at"),
        expected=Change(
            kind="missing", object="column", path="times.at", expected=ColumnSpec(type="time")
        ),
    ),
    Mutation(
        "add-column",
        sql=same(KINDS, "ALTER TABLE times ADD COLUMN note VARCHAR(10)"),
        expected=Change(
            kind="unexpected",
            object="column",
            path="times.note",
            actual=ColumnSpec(type="varchar(10)"),
        ),
    ),
    Mutation(
        "model-varchar-length",
        model=set_column("texts", "code", type=sa.String(30)),
        expected=column_type("texts.code", "varchar(30)", "varchar(20)"),
    ),
    Mutation(
        "alter-varchar-length",
        sql={
            "postgresql": ("ALTER TABLE texts ALTER COLUMN code TYPE VARCHAR(30)",),
            "mysql": ("ALTER TABLE texts MODIFY code VARCHAR(30) NOT NULL COMMENT 'a short code'",),
        },
        expected=column_type("texts.code", "varchar(20)", "varchar(30)"),
    ),
    Mutation(
        "alter-numeric-precision",
        sql={
            "postgresql": ("ALTER TABLE numbers ALTER COLUMN price TYPE NUMERIC(12, 2)",),
            "mysql": ("ALTER TABLE numbers MODIFY price DECIMAL(12, 2) NOT NULL DEFAULT 0",),
        },
        expected=column_type("numbers.price", "numeric(10,2)", "numeric(12,2)"),
    ),
    Mutation(
        "model-numeric-scale",
        model=set_column("numbers", "rate", type=sa.Numeric(5, 2)),
        expected=column_type("numbers.rate", "numeric(5,2)", "numeric(5,3)"),
    ),
    Mutation(
        "alter-nullable",
        sql={
            "postgresql": ("ALTER TABLE numbers ALTER COLUMN big SET NOT NULL",),
            "mysql": ("ALTER TABLE numbers MODIFY big BIGINT NOT NULL",),
        },
        expected=changed("column", "numbers.big", nullable=(True, False)),
    ),
    Mutation(
        "model-nullable",
        model=set_column("texts", "body", nullable=False),
        expected=changed("column", "texts.body", nullable=(False, True)),
    ),
    # -- server defaults
    Mutation(
        "alter-string-default",
        sql=same(SERVERS, "ALTER TABLE texts ALTER COLUMN status SET DEFAULT 'inactive'"),
        expected=changed("column", "texts.status", default=("'active'", "'inactive'")),
    ),
    Mutation(
        "model-string-default",
        model=set_column("texts", "status", server_default="inactive"),
        expected=changed("column", "texts.status", default=("'inactive'", "'active'")),
    ),
    Mutation(
        "drop-numeric-default",
        sql=same(SERVERS, "ALTER TABLE numbers ALTER COLUMN price DROP DEFAULT"),
        expected=changed("column", "numbers.price", default=("0", None)),
    ),
    Mutation(
        "model-numeric-default",
        model=set_column("numbers", "rate", server_default=sa.text("2.5")),
        expected=changed("column", "numbers.rate", default=("2.5", "1.5")),
    ),
    Mutation(
        "drop-now-default",
        sql=same(SERVERS, "ALTER TABLE times ALTER COLUMN stamp DROP DEFAULT"),
        expected=changed("column", "times.stamp", default=("current_timestamp", None)),
    ),
    Mutation(
        "alter-boolean-default",
        sql={
            "postgresql": ("ALTER TABLE texts ALTER COLUMN flag SET DEFAULT false",),
            "mysql": ("ALTER TABLE texts ALTER COLUMN flag SET DEFAULT 0",),
        },
        expected=changed("column", "texts.flag", default=("true", "false")),
    ),
    Mutation(
        "model-boolean-default",
        model=set_column("texts", "off", server_default=sa.true()),
        expected=changed("column", "texts.off", default=("true", "false")),
    ),
    # -- comments
    Mutation(
        "alter-column-comment",
        sql={
            "postgresql": ("COMMENT ON COLUMN texts.code IS 'another'",),
            "mysql": ("ALTER TABLE texts MODIFY code VARCHAR(20) NOT NULL COMMENT 'another'",),
        },
        expected=changed("column", "texts.code", comment=("a short code", "another")),
    ),
    Mutation(
        "alter-table-comment",
        sql={
            "postgresql": ("COMMENT ON TABLE numbers IS 'other'",),
            "mysql": ("ALTER TABLE numbers COMMENT = 'other'",),
        },
        expected=changed("table", "numbers", comment=("all the numbers", "other")),
    ),
    Mutation(
        # SQLite has no comments: a comment change is nothing to report there.
        "model-comment",
        model=set_column("texts", "code", comment="another"),
        expected={
            "sqlite": None,
            "postgresql": changed("column", "texts.code", comment=("another", "a short code")),
            "mysql": changed("column", "texts.code", comment=("another", "a short code")),
        },
    ),
    # -- check constraints
    Mutation(
        "drop-check",
        sql={
            "postgresql": ("ALTER TABLE children DROP CONSTRAINT ck_children_price_positive",),
            "mysql": ("ALTER TABLE children DROP CONSTRAINT ck_children_price_positive",),
        },
        expected=Change(
            kind="missing",
            object="check",
            path="children.checks.ck_children_price_positive",
            expected=CheckSpec(sqltext="price>=0", name="ck_children_price_positive"),
        ),
    ),
    Mutation(
        "model-drop-check",
        model=replace_check("children", "ck_children_price_positive", None),
        expected=Change(
            kind="unexpected",
            object="check",
            path="children.checks.ck_children_price_positive",
            actual=CheckSpec(sqltext="price>=0", name="ck_children_price_positive"),
        ),
    ),
    Mutation(
        "model-check-text",
        model=replace_check("children", "ck_children_price_positive", "price > 0"),
        expected=changed(
            "check", "children.checks.ck_children_price_positive", sqltext=("price>0", "price>=0")
        ),
    ),
    Mutation(
        # MariaDB rewrites length() as octet_length(): a changed operand is still seen.
        "model-check-with-function",
        model=replace_check("texts", "ck_texts_code_long", "length(code) > 2"),
        expected={
            "sqlite": changed(
                "check",
                "texts.checks.ck_texts_code_long",
                sqltext=("length(code)>2", "length(code)>1"),
            ),
            "postgresql": changed(
                "check",
                "texts.checks.ck_texts_code_long",
                sqltext=("length(code)>2", "length(code)>1"),
            ),
            "mysql": changed(
                "check",
                "texts.checks.ck_texts_code_long",
                sqltext=("octet_length(code)>2", "octet_length(code)>1"),
            ),
        },
    ),
    Mutation(
        # A Boolean's emulated check exists only where there is no native boolean.
        "model-boolean-without-check",
        model=without_check_on("texts", "checked_flag"),
        expected={
            "sqlite": Change(
                kind="unexpected",
                object="check",
                path="texts.checks.ck_texts_checked_flag",
                actual=CheckSpec(sqltext="checked_flag in(0,1)", name="ck_texts_checked_flag"),
            ),
            "postgresql": None,
            "mysql": Change(
                kind="unexpected",
                object="check",
                path="texts.checks.ck_texts_checked_flag",
                actual=CheckSpec(sqltext="checked_flag in(0,1)", name="ck_texts_checked_flag"),
            ),
        },
    ),
    Mutation(
        # A non-native enum's check exists on every database.
        "model-enum-without-check",
        model=without_check_on("moods", "checked"),
        expected=Change(
            kind="unexpected",
            object="check",
            path="moods.checks.ck_moods_checked_kind",
            actual=CheckSpec(sqltext="checked in('x','y')", name="ck_moods_checked_kind"),
        ),
    ),
    Mutation(
        # A native enum's check (create_constraint=True) exists only on SQLite.
        "model-native-enum-without-check",
        model=without_check_on("moods", "strict_mood"),
        expected={
            "sqlite": Change(
                kind="unexpected",
                object="check",
                path="moods.checks.ck_moods_strict_mood",
                actual=CheckSpec(
                    sqltext="strict_mood in('happy','sad')", name="ck_moods_strict_mood"
                ),
            ),
            "postgresql": None,
            "mysql": None,
        },
    ),
    Mutation(
        # MariaDB files an inline column check under the column: still a check of the table.
        "mysql-column-level-check",
        sql={"mysql": ("ALTER TABLE numbers MODIFY qty INT CHECK (qty >= 0)",)},
        expected=Change(
            kind="unexpected",
            object="check",
            path="numbers.checks.qty",
            actual=CheckSpec(sqltext="qty>=0", name="qty"),
        ),
    ),
    # -- keys and indexes
    Mutation(
        "drop-foreign-key",
        sql={
            "postgresql": ("ALTER TABLE children DROP CONSTRAINT children_other_parent",),
            # InnoDB keeps the index it made for the key; dropping the key means both.
            "mysql": (
                "ALTER TABLE children DROP FOREIGN KEY children_other_parent,"
                " DROP INDEX children_other_parent",
            ),
        },
        expected=Change(
            kind="missing",
            object="foreign_key",
            path="children.foreign_keys.other_parent_region,other_parent_number",
            expected=ForeignKeySpec(
                columns=("other_parent_region", "other_parent_number"),
                referred_table="parents",
                referred_columns=("region", "number"),
                name="children_other_parent",
            ),
        ),
    ),
    Mutation(
        "alter-on-delete",
        sql={
            kind: (
                f"ALTER TABLE children DROP {drop} fk_children_number_id_numbers",
                "ALTER TABLE children ADD CONSTRAINT fk_children_number_id_numbers"
                " FOREIGN KEY (number_id) REFERENCES numbers (id) ON DELETE CASCADE",
            )
            for kind, drop in (("postgresql", "CONSTRAINT"), ("mysql", "FOREIGN KEY"))
        },
        expected=changed(
            "foreign_key", "children.foreign_keys.number_id", on_delete=("SET NULL", "CASCADE")
        ),
    ),
    Mutation(
        "model-on-update",
        model=lambda md: next(
            fk
            for fk in md.tables["children"].foreign_key_constraints
            if fk.name == "children_other_parent"
        ).__setattr__("onupdate", "CASCADE"),
        expected=changed(
            "foreign_key",
            "children.foreign_keys.other_parent_region,other_parent_number",
            on_update=("CASCADE", None),
        ),
    ),
    Mutation(
        "drop-index",
        sql={
            "sqlite": ("DROP INDEX ix_texts_status",),
            "postgresql": ("DROP INDEX ix_texts_status",),
            "mysql": ("DROP INDEX ix_texts_status ON texts",),
        },
        expected=Change(
            kind="missing",
            object="index",
            path="texts.indexes.ix_texts_status",
            expected=IndexSpec(columns=("status",)),
        ),
    ),
    Mutation(
        "index-order",
        sql={
            kind: (
                drop,
                "CREATE INDEX ix_numbers_big_desc ON numbers (big, small DESC)",
            )
            for kind, drop in (
                ("sqlite", "DROP INDEX ix_numbers_big_desc"),
                ("postgresql", "DROP INDEX ix_numbers_big_desc"),
                ("mysql", "DROP INDEX ix_numbers_big_desc ON numbers"),
            )
        },
        expected=changed(
            "index",
            "numbers.indexes.ix_numbers_big_desc",
            columns=(("big desc", "small"), ("big", "small desc")),
        ),
    ),
    Mutation(
        "pg-index-nulls-order",
        sql={
            "postgresql": (
                "DROP INDEX ix_numbers_big_desc",
                "CREATE INDEX ix_numbers_big_desc ON numbers (big DESC NULLS LAST, small)",
            )
        },
        expected=changed(
            "index",
            "numbers.indexes.ix_numbers_big_desc",
            columns=(("big desc", "small"), ("big desc nulls last", "small")),
        ),
    ),
    Mutation(
        "drop-mixed-case-index",
        sql={
            "sqlite": ('DROP INDEX "ix_Order_select"',),
            "postgresql": ('DROP INDEX "ix_Order_select"',),
            "mysql": ("DROP INDEX `ix_Order_select` ON `Order`",),
        },
        expected=Change(
            kind="missing",
            object="index",
            path="Order.indexes.ix_Order_select",
            expected=IndexSpec(columns=("select",)),
        ),
    ),
    Mutation(
        "drop-unique-constraint",
        sql={
            "postgresql": ("ALTER TABLE texts DROP CONSTRAINT uq_texts_code",),
            "mysql": ("ALTER TABLE texts DROP INDEX uq_texts_code",),
        },
        expected=Change(
            kind="missing",
            object="unique",
            path="texts.unique.code",
            expected=UniqueSpec(columns=("code",), name="uq_texts_code"),
        ),
    ),
    Mutation(
        "drop-reserved-word-unique",
        sql={
            # (On MySQL the index behind it also serves the foreign key on "Group".)
            "postgresql": ('ALTER TABLE "Order" DROP CONSTRAINT "uq_Order_Group_from"',),
        },
        expected=Change(
            kind="missing",
            object="unique",
            path="Order.unique.Group,from",
            expected=UniqueSpec(columns=("Group", "from"), name="uq_Order_Group_from"),
        ),
    ),
    Mutation(
        # MySQL has no unique index apart from a unique constraint: see docs/types.md.
        "model-unique-index-not-unique",
        model=lambda md: next(
            index
            for index in md.tables["children"].indexes
            if index.name == "children_number_unique"
        ).__setattr__("unique", False),
        expected={
            "sqlite": changed(
                "index", "children.indexes.children_number_unique", unique=(False, True)
            ),
            "postgresql": changed(
                "index", "children.indexes.children_number_unique", unique=(False, True)
            ),
        },
    ),
    Mutation(
        "drop-primary-key",
        sql={"postgresql": ("ALTER TABLE moods DROP CONSTRAINT pk_moods",)},
        expected=Change(
            kind="missing", object="primary_key", path="moods.primary_key", expected=("id",)
        ),
    ),
    # -- identity and computed columns
    Mutation(
        "drop-autoincrement",
        sql={
            "postgresql": ("ALTER TABLE pg_types ALTER COLUMN always DROP IDENTITY",),
            "mysql": ("ALTER TABLE times MODIFY id INT NOT NULL",),
        },
        expected={
            "postgresql": changed(
                "column",
                "pg_types.always",
                autoincrement=(True, False),
                identity=("always", None),
            ),
            "mysql": changed("column", "times.id", autoincrement=(True, False)),
        },
    ),
    Mutation(
        "alter-computed",
        sql={
            "postgresql": (
                "ALTER TABLE children DROP COLUMN doubled",
                "ALTER TABLE children ADD COLUMN doubled NUMERIC(12, 2)"
                " GENERATED ALWAYS AS (price * 3) STORED",
            ),
            "mysql": ("ALTER TABLE children MODIFY doubled DECIMAL(12, 2) AS (price * 3)",),
        },
        expected=changed("column", "children.doubled", computed=("price*2", "price*3")),
    ),
    Mutation(
        "model-computed",
        model=lambda md: md.tables["children"].c.doubled.computed.__setattr__(  # type: ignore[union-attr]
            "sqltext", sa.text("price + 1")
        ),
        expected=changed("column", "children.doubled", computed=("price+1", "price*2")),
    ),
    # -- enums
    Mutation(
        "pg-enum-value-added",
        sql={"postgresql": ("ALTER TYPE mood ADD VALUE 'meh'",)},
        expected=changed("enum", "enums.mood", values=(("happy", "sad"), ("happy", "sad", "meh"))),
    ),
    Mutation(
        "model-enum-value-added",
        model=set_column("moods", "mood", type=sa.Enum("happy", "sad", "meh", name="mood")),
        expected={
            "postgresql": changed(
                "enum", "enums.mood", values=(("happy", "sad", "meh"), ("happy", "sad"))
            ),
            "mysql": column_type("moods.mood", "enum('happy','sad','meh')", "enum('happy','sad')"),
        },
    ),
    Mutation(
        "mysql-enum-values",
        sql={
            "mysql": (
                "ALTER TABLE moods MODIFY mood ENUM('happy','sad','meh') NOT NULL DEFAULT 'happy'",
            )
        },
        expected=column_type("moods.mood", "enum('happy','sad')", "enum('happy','sad','meh')"),
    ),
    # -- PostgreSQL types
    Mutation(
        "pg-timestamptz-to-timestamp",
        sql={"postgresql": ("ALTER TABLE times ALTER COLUMN stamp_tz TYPE timestamp",)},
        expected=column_type("times.stamp_tz", "timestamptz", "timestamp"),
    ),
    Mutation(
        "pg-json-to-jsonb",
        sql={"postgresql": ("ALTER TABLE times ALTER COLUMN doc TYPE jsonb",)},
        expected=column_type("times.doc", "json", "jsonb"),
    ),
    Mutation(
        "pg-uuid-to-varchar",
        sql={"postgresql": ("ALTER TABLE times ALTER COLUMN uid TYPE varchar(36)",)},
        expected=column_type("times.uid", "uuid", "varchar(36)"),
    ),
    Mutation(
        "pg-array-item-type",
        sql={"postgresql": ("ALTER TABLE pg_types ALTER COLUMN tags TYPE varchar(20)[]",)},
        expected=column_type("pg_types.tags", "text[]", "varchar(20)[]"),
    ),
    Mutation(
        "pg-citext-to-text",
        sql={"postgresql": ("ALTER TABLE pg_types ALTER COLUMN email TYPE text",)},
        expected=column_type("pg_types.email", "citext", "text"),
    ),
    Mutation(
        "pg-unknown-type",
        sql={"postgresql": ('ALTER TABLE pg_types ALTER COLUMN "where" TYPE box USING NULL',)},
        expected=column_type("pg_types.where", "point", "box"),
    ),
    Mutation(
        "pg-money-to-numeric",
        sql={"postgresql": ("ALTER TABLE pg_types ALTER COLUMN cash TYPE numeric(10, 2)",)},
        expected=column_type("pg_types.cash", "money", "numeric(10,2)"),
    ),
    Mutation(
        "pg-interval-fields",
        sql={"postgresql": ("ALTER TABLE pg_types ALTER COLUMN span TYPE interval",)},
        expected=column_type("pg_types.span", "interval day to second", "interval"),
    ),
    Mutation(
        "pg-inet-to-cidr",
        sql={"postgresql": ("ALTER TABLE pg_types ALTER COLUMN addr TYPE cidr",)},
        expected=column_type("pg_types.addr", "inet", "cidr"),
    ),
    Mutation(
        "pg-expression-default",
        sql={
            "postgresql": (
                "ALTER TABLE pg_types ALTER COLUMN created SET DEFAULT now() + interval '2 days'",
            )
        },
        expected=changed("column", "pg_types.created", default=("now()+'1 day'", "now()+'2 days'")),
    ),
    Mutation(
        "partial-index-predicate",
        sql={
            "postgresql": (
                "DROP INDEX ix_pg_types_kind_partial",
                "CREATE INDEX ix_pg_types_kind_partial ON pg_types (kind) WHERE kind = 'b'",
            ),
            "sqlite": (
                "DROP INDEX ix_lite_types_kind_partial",
                "CREATE INDEX ix_lite_types_kind_partial ON lite_types (kind) WHERE kind = 'b'",
            ),
        },
        expected={
            "postgresql": changed(
                "index", "pg_types.indexes.ix_pg_types_kind_partial", where=("kind='a'", "kind='b'")
            ),
            "sqlite": changed(
                "index",
                "lite_types.indexes.ix_lite_types_kind_partial",
                where=("kind='a'", "kind='b'"),
            ),
        },
    ),
    Mutation(
        "functional-index-expression",
        sql={
            "postgresql": (
                "DROP INDEX ix_pg_types_lower_name",
                "CREATE INDEX ix_pg_types_lower_name ON pg_types (upper(name))",
            ),
            "sqlite": (
                "DROP INDEX ix_lite_types_lower_name",
                "CREATE INDEX ix_lite_types_lower_name ON lite_types (upper(name))",
            ),
        },
        expected={
            "postgresql": changed(
                "index",
                "pg_types.indexes.ix_pg_types_lower_name",
                columns=(("lower(name)",), ("upper(name)",)),
            ),
            "sqlite": changed(
                "index",
                "lite_types.indexes.ix_lite_types_lower_name",
                columns=(("lower(name)",), ("upper(name)",)),
            ),
        },
    ),
    Mutation(
        "drop-functional-index",
        sql={
            "postgresql": ("DROP INDEX ix_pg_types_lower_name",),
            "sqlite": ("DROP INDEX ix_lite_types_lower_name",),
        },
        expected={
            "postgresql": Change(
                kind="missing",
                object="index",
                path="pg_types.indexes.ix_pg_types_lower_name",
                expected=IndexSpec(columns=("lower(name)",)),
            ),
            "sqlite": Change(
                kind="missing",
                object="index",
                path="lite_types.indexes.ix_lite_types_lower_name",
                expected=IndexSpec(columns=("lower(name)",)),
            ),
        },
    ),
    # -- MySQL types
    Mutation(
        "mysql-timestamp-to-datetime",
        sql={"mysql": ("ALTER TABLE my_types MODIFY stamp DATETIME NULL",)},
        expected=column_type("my_types.stamp", "mysql_timestamp", "timestamp"),
    ),
    Mutation(
        "mysql-unsigned-dropped",
        sql={"mysql": ("ALTER TABLE my_types MODIFY big_unsigned BIGINT",)},
        expected=column_type("my_types.big_unsigned", "bigint unsigned", "bigint"),
    ),
    Mutation(
        "mysql-json-to-longtext",
        sql={"mysql": ("ALTER TABLE my_types MODIFY doc LONGTEXT",)},
        expected=column_type("my_types.doc", "json", "longtext"),
    ),
    Mutation(
        "mysql-set-values",
        sql={"mysql": ("ALTER TABLE my_types MODIFY flags SET('a','b')",)},
        expected=column_type("my_types.flags", "set('a','b','c')", "set('a','b')"),
    ),
    Mutation(
        "mysql-mediumtext-to-text",
        sql={"mysql": ("ALTER TABLE my_types MODIFY medium_text TEXT",)},
        expected=column_type("my_types.medium_text", "mediumtext", "text"),
    ),
    Mutation(
        "mysql-tinyint-to-smallint",
        sql={"mysql": ("ALTER TABLE my_types MODIFY tiny SMALLINT",)},
        expected=column_type("my_types.tiny", "tinyint", "smallint"),
    ),
    Mutation(
        "mysql-on-update-dropped",
        sql={
            "mysql": (
                "ALTER TABLE my_types MODIFY touched DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)",
            )
        },
        expected=changed(
            "column",
            "my_types.touched",
            default=(
                "current_timestamp(6) on update current_timestamp(6)",
                "current_timestamp(6)",
            ),
        ),
    ),
    Mutation(
        "mysql-unknown-type",
        sql={"mysql": ("ALTER TABLE my_types MODIFY `where` LINESTRING",)},
        expected=column_type("my_types.where", "point", "linestring"),
    ),
    Mutation(
        "sqlite-unknown-type",
        model=set_column("lite_types", "where", type=sa.Integer()),
        expected={"sqlite": column_type("lite_types.where", "integer", "point")},
    ),
    Mutation(
        "mysql-expression-default",
        sql={"mysql": ("ALTER TABLE my_types ALTER COLUMN name SET DEFAULT concat('a', 'c')",)},
        expected=changed("column", "my_types.name", default=("concat('a','b')", "concat('a','c')")),
    ),
    Mutation(
        "model-mysql-timestamp",
        model=set_column("times", "stamp", type=sa.TIMESTAMP()),
        expected={
            "sqlite": None,
            "postgresql": None,
            "mysql": column_type("times.stamp", "mysql_timestamp", "timestamp"),
        },
    ),
    # -- SQLite
    Mutation(
        "sqlite-expression-default",
        model=set_column(
            "lite_types", "created", server_default=sa.text("(datetime('now', 'utc'))")
        ),
        expected={
            "sqlite": changed(
                "column",
                "lite_types.created",
                default=("datetime('now','utc')", "current_timestamp"),
            )
        },
    ),
    # -- what the database keeps beyond types and keys
    Mutation(
        "identity-increment",
        sql={"postgresql": ("ALTER TABLE pg_keys ALTER COLUMN id SET INCREMENT BY 1",)},
        expected=changed(
            "column",
            "pg_keys.id",
            identity=(
                "by default start 100 increment 5 cache 10 cycle",
                "by default start 100 cache 10 cycle",
            ),
        ),
    ),
    Mutation(
        "identity-always",
        sql={"postgresql": ("ALTER TABLE pg_keys ALTER COLUMN id SET GENERATED ALWAYS",)},
        expected=changed(
            "column",
            "pg_keys.id",
            identity=(
                "by default start 100 increment 5 cache 10 cycle",
                "always start 100 increment 5 cache 10 cycle",
            ),
        ),
    ),
    Mutation(
        "foreign-key-not-deferrable",
        sql={
            "postgresql": (
                "ALTER TABLE pg_keys ALTER CONSTRAINT fk_pg_keys_type_id_pg_types NOT DEFERRABLE",
            )
        },
        expected=changed(
            "foreign_key", "pg_keys.foreign_keys.type_id", deferrable=("deferred", None)
        ),
    ),
    Mutation(
        "foreign-key-initially-deferred",
        sql={
            "postgresql": (
                "ALTER TABLE pg_keys ALTER CONSTRAINT fk_pg_keys_other_id_pg_types"
                " INITIALLY DEFERRED",
            )
        },
        expected=changed(
            "foreign_key", "pg_keys.foreign_keys.other_id", deferrable=("immediate", "deferred")
        ),
    ),
    Mutation(
        "model-foreign-key-deferrable",
        model=lambda md: next(
            iter(md.tables["lite_types"].c.mood_id.foreign_keys)
        ).constraint.__setattr__("initially", None),  # type: ignore[union-attr]
        expected={
            "sqlite": changed(
                "foreign_key",
                "lite_types.foreign_keys.mood_id",
                deferrable=("immediate", "deferred"),
            )
        },
    ),
    Mutation(
        "index-method",
        sql={
            "postgresql": (
                "DROP INDEX ix_pg_keys_code_hash",
                "CREATE INDEX ix_pg_keys_code_hash ON pg_keys (code)",
            )
        },
        expected=changed("index", "pg_keys.indexes.ix_pg_keys_code_hash", method=("hash", None)),
    ),
    Mutation(
        "index-operator-class-and-include",
        sql={
            "postgresql": (
                "DROP INDEX ix_pg_keys_label_pattern",
                "CREATE INDEX ix_pg_keys_label_pattern ON pg_keys (label)",
            )
        },
        expected=changed(
            "index",
            "pg_keys.indexes.ix_pg_keys_label_pattern",
            operator_classes=({"label": "text_pattern_ops"}, {}),
            include=(("code",), ()),
        ),
    ),
    Mutation(
        "unique-nulls-distinct",
        sql={
            "postgresql": (
                "ALTER TABLE pg_keys DROP CONSTRAINT uq_pg_keys_code_label",
                "ALTER TABLE pg_keys ADD CONSTRAINT uq_pg_keys_code_label UNIQUE (code, label)",
            )
        },
        expected=changed("unique", "pg_keys.unique.code,label", nulls_not_distinct=(True, False)),
    ),
    Mutation(
        "drop-exclusion-constraint",
        sql={"postgresql": ("ALTER TABLE pg_keys DROP CONSTRAINT ex_pg_keys_during",)},
        expected=Change(
            kind="missing",
            object="exclude",
            path="pg_keys.excludes.using gist (during with &&)",
            expected=ExcludeSpec(
                definition="using gist (during with &&)", name="ex_pg_keys_during"
            ),
        ),
    ),
    Mutation(
        "column-collation",
        sql={
            "postgresql": (
                'ALTER TABLE pg_keys ALTER COLUMN code TYPE varchar(20) COLLATE "POSIX"',
            ),
            "mysql": ("ALTER TABLE my_types MODIFY code VARCHAR(20)",),
        },
        expected={
            "postgresql": changed("column", "pg_keys.code", collation=("C", "POSIX")),
            "mysql": changed("column", "my_types.code", collation=("utf8mb4_bin", None)),
        },
    ),
    Mutation(
        "model-column-collation",
        model=lambda md: md.tables["lite_types"].c.code.type.__setattr__("collation", "RTRIM"),
        expected={
            "sqlite": changed("column", "lite_types.code", collation=("rtrim", "nocase")),
        },
    ),
    Mutation(
        "primary-key-name",
        sql={"postgresql": ("ALTER TABLE moods RENAME CONSTRAINT pk_moods TO moods_key",)},
        expected=changed("primary_key", "moods.primary_key", name=("pk_moods", "moods_key")),
    ),
    Mutation(
        "drop-table",
        sql=same(KINDS, "DROP TABLE moods"),
        expected={
            kind: Change(kind="missing", object="table", path="moods", expected=None)
            for kind in KINDS
        },
    ),
]


def _cases() -> Iterator[Any]:
    for mutation in MUTATIONS:
        for kind in mutation.kinds():
            marks = [getattr(pytest.mark, kind)] if kind != "sqlite" else []
            yield pytest.param(kind, mutation, id=f"{kind}-{mutation.id}", marks=marks)


class ZooPool:
    """One zoo database per server for the module, shared by the mutations that can be undone.

    PostgreSQL runs DDL in a transaction: an ALTER, the reflection and a rollback leave the zoo
    as it was. A model change leaves the database alone. Only MariaDB's ALTERs (DDL commits
    there) and SQLite (a new file costs nothing) get a fresh database per case.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._stack = ExitStack()
        self._urls: dict[str, str] = {}

    def url(self, kind: str) -> str:
        if kind not in self._urls:
            server = _require_server(self._config, kind)
            url = self._stack.enter_context(scratch_database(server))
            create_zoo(kind, url)
            self._urls[kind] = url
        return self._urls[kind]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="module")
def zoo_pool(pytestconfig: pytest.Config) -> Iterator[ZooPool]:
    pool = ZooPool(pytestconfig)
    try:
        yield pool
    finally:
        pool.close()


def _reflected_after(kind: str, url: str, statements: tuple[str, ...]) -> SchemaSpec:
    """The zoo database after ``statements``, which are rolled back again afterwards."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            for statement in statements:
                connection.exec_driver_sql(statement)
            spec = from_database(connection)
            transaction.rollback()
    finally:
        engine.dispose()
    return spec


@pytest.mark.parametrize(("kind", "mutation"), list(_cases()))
def test_mutation_is_one_exact_change(
    kind: str, mutation: Mutation, request: pytest.FixtureRequest, zoo_pool: ZooPool
) -> None:
    statements = mutation.sql.get(kind, ())
    if kind == "postgresql" or (kind == "mysql" and not statements):
        metadata = zoo(kind)
        actual = _reflected_after(kind, zoo_pool.url(kind), statements)
    else:
        url: str = request.getfixturevalue(f"schemaspec_{kind}_url")
        created = create_zoo(kind, url)
        created.run(*statements)
        metadata = created.metadata
        actual = from_database(url)
    if mutation.model is not None:
        mutation.model(metadata)
    changes = diff(from_models(metadata), actual).changes
    want = mutation.change_for(kind)
    if want is not None and want.object == "table" and want.expected is None:
        # A whole missing table: its spec is the models', rendered for this database.
        want = want.model_copy(
            update={"expected": from_models(metadata, dialect=kind).tables[want.path]}
        )
    assert changes == ((want,) if want is not None else ())


def test_the_shared_zoo_is_left_as_it_was(zoo_pool: ZooPool) -> None:
    # Runs after the mutations in this module: their rollbacks left nothing behind.
    url = zoo_pool.url("postgresql")
    assert diff(from_models(zoo("postgresql")), from_database(url)).changes == ()


def test_every_database_has_mutations() -> None:
    counts = {kind: sum(kind in m.kinds() for m in MUTATIONS) for kind in KINDS}
    assert all(count >= 15 for count in counts.values()), counts
