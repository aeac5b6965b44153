"""Models compiled for the target database equal what that database builds.

The oracle is shadow mode: the same models built with ``create_all`` in a scratch database of the
target kind and read back with the actual side's reader. Each case is a construct that real
projects' models use and that once crashed ``from_models`` or read as a false difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import Grouping
from sqlalchemy.sql.expression import FunctionElement

import schemaspec
from schemaspec import CheckSpec
from schemaspec.pytest_plugin import _require_server


class random_id(FunctionElement[str]):
    """A server default with SQL per database and no default compilation."""

    type = sa.String()
    inherit_cache = True


@compiles(random_id, "sqlite")
def _random_id_sqlite(element: random_id, compiler: object, **kw: object) -> str:
    return "(lower(hex(randomblob(16))))"


@compiles(random_id, "postgresql")
def _random_id_postgresql(element: random_id, compiler: object, **kw: object) -> str:
    return "md5(random()::text)"


@compiles(random_id, "mysql")
def _random_id_mysql(element: random_id, compiler: object, **kw: object) -> str:
    return "(uuid())"


def table(metadata: sa.MetaData, *columns: sa.Column[Any] | sa.Index | sa.Constraint) -> sa.Table:
    return sa.Table("things", metadata, sa.Column("id", sa.Integer, primary_key=True), *columns)


def floats() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.Column("d", sa.Float(53)), sa.Column("f", sa.Float(24)))
    return metadata


def char_and_numeric() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.Column("c", sa.CHAR), sa.Column("n", sa.Numeric(scale=5)))
    return metadata


def unsigned_integer() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.Column("u", mysql.INTEGER(unsigned=True)))
    return metadata


def compiles_per_database() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "keys",
        metadata,
        sa.Column("id", sa.String(40), primary_key=True, server_default=random_id()),
    )
    return metadata


def long_convention_names() -> sa.MetaData:
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        }
    )
    parent = sa.Table(
        "registration_activity_parents_of_this_application",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
    )
    child = sa.Table(
        "registration_activity_children_of_this_application",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("first_quite_long_column_name", sa.Integer, sa.ForeignKey(parent.c.id)),
        sa.Column("second_quite_long_column_name", sa.Integer),
        sa.UniqueConstraint("first_quite_long_column_name", "second_quite_long_column_name"),
        sa.CheckConstraint("second_quite_long_column_name != 0", name="positive_number"),
    )
    sa.Index(None, child.c.second_quite_long_column_name, child.c.first_quite_long_column_name)
    return metadata


def ddl_if_index() -> sa.MetaData:
    metadata = sa.MetaData()
    things = table(metadata, sa.Column("n", sa.Integer))
    sa.Index("ix_things_n_pg", things.c.n).ddl_if(dialect="postgresql")
    return metadata


def system_column_and_tool_table() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.Column("xmin", sa.Integer, system=True))
    sa.Table("alembic_version", metadata, sa.Column("version_num", sa.String(32), primary_key=True))
    return metadata


def expressions() -> sa.MetaData:
    metadata = sa.MetaData()
    things = table(
        metadata,
        sa.Column("name", sa.String(40)),
        sa.Column("code", sa.String(10), server_default=sa.text("'abc'")),
        sa.Column("n", sa.Integer),
        sa.CheckConstraint("n != 3", name="ck_things_n"),
    )
    sa.Index("ix_things_name_asc", things.c.name.asc())
    sa.Index("ix_things_cast", sa.cast(things.c.code, sa.String(5)), things.c.n)
    return metadata


def functional_index() -> sa.MetaData:
    # MariaDB has no functional indexes: create_all fails there (a finding of its own).
    metadata = sa.MetaData()
    things = table(metadata, sa.Column("name", sa.String(40)))
    sa.Index("ix_things_lower", sa.func.lower(things.c.name))
    sa.Index("ix_things_part", sa.func.substr(things.c.name, 1, 3))
    return metadata


def sequence_default() -> sa.MetaData:
    metadata = sa.MetaData()
    counter = sa.Sequence("things_counter", metadata=metadata)
    table(metadata, sa.Column("n", sa.Integer, server_default=counter.next_value()))
    return metadata


def jsonb_indexes() -> sa.MetaData:
    metadata = sa.MetaData()
    things = table(metadata, sa.Column("data", postgresql.JSONB))
    sa.Index("ix_things_key", things.c.data["key"].astext)
    sa.Index("ix_things_raw", things.c.data["key"])
    sa.Index("ix_things_number", things.c.data["n"].as_integer())
    return metadata


def empty_comments_and_numeric_precision() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "things",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.Numeric(5), comment=""),
        comment="",
    )
    return metadata


def autoincrement_second_in_key() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "things",
        metadata,
        sa.Column("region", sa.String(10), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
    )
    return metadata


def percent_in_like() -> sa.MetaData:
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("s", sa.String(20)),
        sa.CheckConstraint(sa.column("s").like("a%"), name="ck_things_like"),
    )
    return metadata


def one_value_in_lists() -> sa.MetaData:
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("x", sa.Integer),
        sa.Column("s", sa.String(10)),
        sa.CheckConstraint("x IN (1)", name="ck_things_x"),
        sa.CheckConstraint("s NOT IN ('gone')", name="ck_things_s"),
    )
    return metadata


def substring_calls() -> sa.MetaData:
    # MariaDB stores SUBSTRING (and MID) as substr(); PostgreSQL compiles and gives back
    # func.substring as SUBSTRING(x FROM 1 FOR 3).
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("name", sa.String(40)),
        sa.Column("code", sa.String(40), server_default=sa.func.substring(sa.text("'abc'"), 1, 2)),
        sa.Column("part", sa.String(10), sa.Computed(sa.func.substring(sa.column("name"), 1, 3))),
        sa.CheckConstraint(sa.func.substring(sa.column("name"), 2, 3) != "zzz", name="ck_things_s"),
    )
    return metadata


def substring_from_for() -> sa.MetaData:
    # SQLite has no SUBSTRING(x FROM a FOR b) syntax.
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("name", sa.String(40)),
        sa.CheckConstraint("substring(name from 1 for 3) <> 'zzz'", name="ck_things_from_for"),
        sa.CheckConstraint("substring(name from 2) <> 'yyy'", name="ck_things_from"),
        sa.CheckConstraint("substring(name, 1, 3) <> 'xxx'", name="ck_things_commas"),
    )
    return metadata


def on_update_current_timestamp() -> sa.MetaData:
    # MySQL's documented spelling; MariaDB gives it back as current_timestamp() ON UPDATE ...
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column(
            "changed",
            mysql.TIMESTAMP,
            server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
            server_onupdate=sa.FetchedValue(),
        ),
        sa.Column(
            "changed6",
            mysql.DATETIME(fsp=6),
            server_default=sa.text("now(6) ON UPDATE now(6)"),
        ),
        sa.Column("created", sa.DateTime, server_default=sa.text("localtimestamp")),
        sa.Column("day", sa.Date, server_default=sa.text("(current_date)")),
        sa.Column("note", sa.String(80), server_default=sa.text("(concat('at ', now()))")),
    )
    return metadata


def postgresql_typed_literal_defaults() -> sa.MetaData:
    # PostgreSQL stores a literal default converted to the column's type and gives back the
    # value in its output format. The timestamptz and timetz literals without an offset are read
    # in the session's time zone (UTC on the test server, as schemaspec assumes).
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("i1", sa.Interval, server_default="24:00:00"),
        sa.Column("i2", sa.Interval, server_default="1 mon"),
        sa.Column("i3", sa.Interval, server_default=sa.text("'1 day'")),
        sa.Column("i4", sa.Interval, server_default=sa.text("interval '2 hours'")),
        sa.Column("i5", postgresql.INTERVAL(fields="DAY TO SECOND"), server_default="1 day"),
        sa.Column("i6", sa.Interval, server_default="P1DT30M"),
        sa.Column("i7", sa.Interval, server_default="1 year 14 months"),
        sa.Column("a1", postgresql.ARRAY(sa.Integer), server_default="{}"),
        sa.Column("a2", postgresql.ARRAY(sa.Text), server_default=sa.text("ARRAY['a', 'b']")),
        sa.Column("a3", postgresql.ARRAY(sa.Integer), server_default=sa.text("'{ 1, 2 }'")),
        sa.Column("a4", postgresql.ARRAY(sa.Text), server_default='{"a","b c"}'),
        sa.Column("t1", sa.DateTime(timezone=True), server_default="2020-01-01 00:00:00"),
        sa.Column("t2", sa.DateTime(timezone=True), server_default="2020-06-01T10:00:00+02:00"),
        sa.Column("t3", sa.Time(timezone=True), server_default="12:00"),
        sa.Column("t4", sa.DateTime, server_default="2020-01-01"),
        sa.Column("t5", sa.Date, server_default="2020-1-2"),
    )
    return metadata


def negated_checks() -> sa.MetaData:
    # MariaDB pushes NOT down when it parses a check: NOT (a > 1 AND b < 2) is a <= 1 OR b >= 2.
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.Integer),
        sa.Column("s", sa.String(10)),
        sa.CheckConstraint("NOT (a > 1 AND b < 2)", name="ck_things_and"),
        sa.CheckConstraint("NOT (a > 1 OR b IS NULL)", name="ck_things_or"),
        sa.CheckConstraint("NOT (a IN (1, 2)) AND NOT (s LIKE 'x%')", name="ck_things_in"),
        sa.CheckConstraint("NOT a BETWEEN 1 AND 3", name="ck_things_between"),
        sa.CheckConstraint("NOT (a > 1 AND NOT (b > 1))", name="ck_things_twice"),
        sa.CheckConstraint(sa.not_(sa.column("s").in_(["p", "q"])), name="ck_things_not_in"),
    )
    return metadata


def quotes_and_backslashes() -> sa.MetaData:
    # MariaDB reads backslash escapes and gives literals back re-escaped ('it\'s').
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("q", sa.String(20), server_default="it's"),
        sa.Column("t", sa.Text, server_default="it's"),
        sa.Column("u", sa.String(20), server_default=sa.text("'a''b'")),
        sa.CheckConstraint("q <> 'it''s'", name="ck_things_quote"),
        sa.CheckConstraint("t <> 'Tab''s'", name="ck_things_case"),
    )
    return metadata


def mysql_backslash_escapes() -> sa.MetaData:
    # SQL for MySQL only: a backslash escapes the next character there ('a\\b' is a\b, '\x' is
    # x, '\b' a backspace), and MariaDB gives the literal back escaped its own way.
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("s", sa.String(20), server_default=sa.text("'a\\\\b'")),
        sa.Column("t", sa.String(20), server_default=sa.text("'it\\'s'")),
        sa.CheckConstraint("s <> 'a\\\\b\\'c''d\\n\\%\\x'", name="ck_things_escapes"),
        sa.CheckConstraint("s <> 'a\\b'", name="ck_things_backspace"),
    )
    return metadata


def keyword_column_names() -> sa.MetaData:
    # Canonical text drops the quotes around "select", so the parser must read it as a name.
    metadata = sa.MetaData()
    select, order, user, key = (sa.column(name) for name in ("select", "order", "user", "key"))
    table(
        metadata,
        sa.Column("select", sa.Integer),
        sa.Column("order", sa.Integer),
        sa.Column("user", sa.String(20)),
        sa.Column("key", sa.String(20)),
        sa.Column("total", sa.Integer, sa.Computed(select + Grouping(order * 2))),
        sa.CheckConstraint(Grouping(select > 0) & Grouping(order < 10), name="ck_things_select"),
        sa.CheckConstraint(Grouping(user != "root") | key.is_(None), name="ck_things_user"),
    )
    return metadata


def keyword_index_expressions() -> sa.MetaData:
    # MariaDB has no functional indexes.
    metadata = sa.MetaData()
    things = table(metadata, sa.Column("select", sa.Integer), sa.Column("key", sa.String(20)))
    sa.Index("ix_things_sum", Grouping(things.c.select + 1) * 2)
    sa.Index("ix_things_key", sa.func.lower(things.c.key))
    return metadata


def text_index_elements() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.Column("name", sa.String(40)), sa.Column("n", sa.Integer))
    sa.Index("ix_things_desc", sa.text("name DESC"), sa.text("n"))
    return metadata


def text_operator_class() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.Column("name", sa.String(40)))
    sa.Index("ix_things_pattern", sa.text("name text_pattern_ops"), postgresql_using="btree")
    sa.Index("ix_things_lower_pattern", sa.text("lower(name) text_pattern_ops"))
    return metadata


def public_schema() -> sa.MetaData:
    metadata = sa.MetaData()
    owners = sa.Table(
        "owners", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="public"
    )
    table(metadata, sa.Column("owner_id", sa.ForeignKey(owners.c.id)))
    return metadata


def sized_blobs_and_texts() -> sa.MetaData:
    metadata = sa.MetaData()
    table(
        metadata,
        *(sa.Column(f"b{n}", sa.LargeBinary(n)) for n in (100, 1000, 100_000, 20_000_000)),
        *(sa.Column(f"t{n}", sa.Text(n)) for n in (50, 100, 16_383, 16_384, 20_000_000)),
    )
    return metadata


def mysql_character_sets() -> sa.MetaData:
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("latin", mysql.VARCHAR(10, charset="latin1")),
        sa.Column("latin_bin", mysql.VARCHAR(10, charset="latin1", collation="latin1_bin")),
        sa.Column("unicode", sa.String(10, collation="utf8mb4_unicode_ci")),
        sa.Column("letter", mysql.ENUM("a", "b", charset="ascii")),
        sa.Column("doc", sa.JSON),
    )
    return metadata


def unique_sorted_index() -> sa.MetaData:
    metadata = sa.MetaData()
    things = table(metadata, sa.Column("a", sa.Integer), sa.Column("c", sa.Integer))
    sa.Index("ix_things_a_desc", things.c.a.desc(), things.c.c, unique=True)
    return metadata


def check_for_one_database() -> sa.MetaData:
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("a", sa.Integer),
        sa.CheckConstraint("a > 0", name="ck_things_a").ddl_if(dialect="postgresql"),
    )
    return metadata


def unique_on_the_primary_key() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.UniqueConstraint("id"))
    return metadata


def mariadb_stored_defaults() -> sa.MetaData:
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("stamp", mysql.TIMESTAMP(fsp=3), server_default=sa.func.now()),
        sa.Column("moment", mysql.DATETIME(fsp=6), server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.Column("born", mysql.YEAR(), server_default="2020"),
        sa.Column("whole", sa.Numeric(8), server_default=sa.text("1.50")),
        sa.Column("tenths", sa.Numeric(8, 1), server_default=sa.text("-2.25")),
        sa.Column("said", sa.Text(), server_default="it's", comment="the user's name"),
    )
    return metadata


def partial_index_like_and_in() -> sa.MetaData:
    metadata = sa.MetaData()
    things = table(metadata, sa.Column("name", sa.String(40)))
    sa.Index(
        "ix_things_name",
        things.c.name,
        postgresql_where=sa.text("(name LIKE 'a%') AND (name IN ('x', 'y'))"),
    )
    return metadata


def sequences() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Sequence("invoice_numbers", start=1000, increment=10, metadata=metadata)
    sa.Sequence("countdown", increment=-1, metadata=metadata)
    table(metadata)
    sa.Table(
        "orders", metadata, sa.Column("id", sa.Integer, sa.Sequence("order_ids"), primary_key=True)
    )
    return metadata


def cross_schema_foreign_keys() -> sa.MetaData:
    metadata = sa.MetaData()
    members = table(metadata)
    actors = sa.Table(
        "actors", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="audit"
    )
    sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("thing_id", sa.ForeignKey(members.c.id)),
        sa.Column("actor_id", sa.ForeignKey(actors.c.id)),
        schema="audit",
    )
    return metadata


ALL = ("sqlite", "postgresql", "mysql")
CASES: list[tuple[str, Callable[[], sa.MetaData], tuple[str, ...]]] = [
    ("float precision", floats, ALL),
    ("char without length, numeric with scale only", char_and_numeric, ALL),
    ("mysql unsigned integer elsewhere", unsigned_integer, ("sqlite", "postgresql")),
    ("@compiles per database, no default", compiles_per_database, ALL),
    ("convention names over the identifier limit", long_convention_names, ALL),
    ("ddl_if index", ddl_if_index, ALL),
    ("system column, alembic_version table", system_column_and_tool_table, ALL),
    ("cast, asc, != in checks", expressions, ("sqlite", "postgresql")),
    ("functional index", functional_index, ("sqlite", "postgresql")),
    ("sequence next value", sequence_default, ("postgresql",)),
    ("empty comments, numeric(p)", empty_comments_and_numeric_precision, ALL),
    # SQLite refuses autoincrement in a composite key (SQLAlchemy's CompileError).
    (
        "autoincrement column second in the key",
        autoincrement_second_in_key,
        ("postgresql", "mysql"),
    ),
    ("percent sign in a literal", percent_in_like, ALL),
    ("one-value IN lists", one_value_in_lists, ALL),
    ("jsonb index expressions", jsonb_indexes, ("postgresql",)),
    ("substring calls", substring_calls, ALL),
    ("substring from/for", substring_from_for, ("postgresql", "mysql")),
    ("ON UPDATE CURRENT_TIMESTAMP, clock synonyms", on_update_current_timestamp, ("mysql",)),
    ("typed literal defaults", postgresql_typed_literal_defaults, ("postgresql",)),
    ("NOT in checks", negated_checks, ALL),
    ("quotes in literals", quotes_and_backslashes, ALL),
    ("backslash escapes", mysql_backslash_escapes, ("mysql",)),
    ("keyword column names", keyword_column_names, ALL),
    (
        "keyword column names in index expressions",
        keyword_index_expressions,
        ("sqlite", "postgresql"),
    ),
    ("text() index elements", text_index_elements, ALL),
    ("text() element with an operator class", text_operator_class, ("postgresql",)),
    ("unique index with a sorted element", unique_sorted_index, ALL),
    ("ddl_if check constraint", check_for_one_database, ALL),
    # Found by the generative test (tests/generative/FINDINGS.md, classes 1-5).
    ("unique constraint on the primary key", unique_on_the_primary_key, ALL),
    ("partial index with LIKE and IN", partial_index_like_and_in, ("postgresql",)),
    ("standalone and key sequences", sequences, ALL),
    ("foreign keys across schemas", cross_schema_foreign_keys, ("postgresql",)),
    ("defaults as MariaDB stores them, comments beside them", mariadb_stored_defaults, ("mysql",)),
    # PostgreSQL refuses a length on TEXT.
    ("sized BLOB and TEXT", sized_blobs_and_texts, ("sqlite", "mysql")),
    ("mysql character sets and collations", mysql_character_sets, ("mysql",)),
    # SQLite cannot hold a foreign key to a table in another (attached) database.
    ('schema="public" is the default schema', public_schema, ("postgresql",)),
]


def shadow_for(request: pytest.FixtureRequest, dialect: str) -> str | bool:
    return True if dialect == "sqlite" else _require_server(request.config, dialect)


@pytest.mark.parametrize(
    ("build", "dialect"),
    [
        pytest.param(build, dialect, id=f"{name}-{dialect}")
        for name, build, dialects in CASES
        for dialect in dialects
    ],
)
def test_models_compiled_for_a_database_equal_what_it_builds(
    request: pytest.FixtureRequest, build: Callable[[], sa.MetaData], dialect: str
) -> None:
    built = schemaspec.from_models(build(), dialect=dialect, shadow=shadow_for(request, dialect))
    assert schemaspec.diff(schemaspec.from_models(build(), dialect=dialect), built).changes == ()


@pytest.mark.parametrize(
    ("build", "dialect"),
    [
        pytest.param(build, dialect, id=f"{name}-{dialect}")
        for name, build, dialects in CASES
        for dialect in dialects
    ],
)
def test_a_neutral_spec_diffs_clean_against_what_the_database_builds(
    request: pytest.FixtureRequest, build: Callable[[], sa.MetaData], dialect: str
) -> None:
    built = schemaspec.from_models(build(), dialect=dialect, shadow=shadow_for(request, dialect))
    assert schemaspec.diff(schemaspec.from_models(build()), built).changes == ()


@pytest.mark.parametrize(("name", "build", "dialects"), CASES, ids=[case[0] for case in CASES])
def test_a_neutral_spec_never_fails(
    name: str, build: Callable[[], sa.MetaData], dialects: tuple[str, ...]
) -> None:
    assert schemaspec.from_models(build()).dialect is None


def test_a_functional_index_mariadb_cannot_build_is_named(request: pytest.FixtureRequest) -> None:
    with pytest.raises(schemaspec.SourceError) as caught:
        schemaspec.from_models(functional_index(), shadow=_require_server(request.config, "mysql"))
    # Either function index may be refused first: create_all's order of indexes is a set's.
    assert re.match(
        r"the models cannot be created on mysql: index ix_things_(lower|part): \(1064, ",
        str(caught.value),
    )


def test_a_ddl_if_index_is_expected_only_where_it_is_created() -> None:
    neutral = schemaspec.from_models(ddl_if_index())
    assert neutral.tables["things"].indexes["ix_things_n_pg"].created_on == ("postgresql",)
    assert (
        "ix_things_n_pg"
        not in schemaspec.from_models(ddl_if_index(), dialect="sqlite").tables["things"].indexes
    )
    pg = schemaspec.from_models(ddl_if_index(), dialect="postgresql").tables["things"]
    assert pg.indexes["ix_things_n_pg"] == schemaspec.IndexSpec(columns=("n",))


def test_convention_names_are_truncated_as_sqlalchemy_emits_them() -> None:
    spec = schemaspec.from_models(long_convention_names(), dialect="postgresql")
    (name,) = spec.tables["registration_activity_children_of_this_application"].indexes
    # SQLAlchemy's rule: the first 63 - 8 characters, "_", the last 4 of the name's md5.
    assert name == "ix_registration_activity_children_of_this_application_s_4181"


def test_a_name_given_outright_over_the_limit_is_refused_in_our_words() -> None:
    metadata = sa.MetaData()
    things = table(metadata, sa.Column("v", sa.Integer))
    sa.Index("ix_" + "x" * 70, things.c.v)
    with pytest.raises(schemaspec.SourceError) as caught:
        schemaspec.from_models(metadata, dialect="postgresql")
    assert str(caught.value) == (
        "the models cannot be created on postgresql: Identifier 'ix_" + "x" * 70 + "' exceeds "
        "maximum length of 63 characters"
    )
    # Neutral specs keep it: only the database that refuses it can say so.
    assert "ix_" + "x" * 70 in schemaspec.from_models(metadata).tables["things"].indexes


def duplicate_unnamed_checks() -> sa.MetaData:
    metadata = sa.MetaData()
    table(
        metadata,
        sa.Column("a", sa.Integer, sa.CheckConstraint("a > 0")),
        sa.CheckConstraint("a > 0"),
    )
    return metadata


DUPLICATE_CHECK_NAMES: dict[str, list[str | None]] = {
    "sqlite": [None, None],
    "postgresql": ["things_a_check", "things_a_check1"],
    "mysql": ["CONSTRAINT_1", "a"],
}


def backslash_in_a_plain_default() -> sa.MetaData:
    metadata = sa.MetaData()
    table(metadata, sa.Column("s", sa.String(20), server_default="a\\b"))
    return metadata


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_two_unnamed_checks_with_one_text_are_two(
    request: pytest.FixtureRequest, dialect: str
) -> None:
    built = schemaspec.from_models(duplicate_unnamed_checks(), shadow=shadow_for(request, dialect))
    assert list(built.tables["things"].checks.values()) == [
        CheckSpec(sqltext="a>0", name=name) for name in DUPLICATE_CHECK_NAMES[dialect]
    ]
    expected = schemaspec.from_models(duplicate_unnamed_checks(), dialect=dialect)
    assert schemaspec.diff(expected, built).changes == ()
    assert schemaspec.diff(schemaspec.from_models(duplicate_unnamed_checks()), built).changes == ()


def test_a_backslash_in_a_plain_string_default_on_mysql(request: pytest.FixtureRequest) -> None:
    built = schemaspec.from_models(
        backslash_in_a_plain_default(), shadow=shadow_for(request, "mysql")
    )
    expected = schemaspec.from_models(backslash_in_a_plain_default(), dialect="mysql")
    assert schemaspec.diff(expected, built).changes == ()
    # A neutral spec keeps MySQL's quoting for MySQL (SchemaSpec.variants).
    neutral = schemaspec.from_models(backslash_in_a_plain_default())
    assert schemaspec.diff(neutral, built).changes == ()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_a_neutral_snapshot_keeps_what_each_database_compiles(
    request: pytest.FixtureRequest, dialect: str, tmp_path: Path
) -> None:
    neutral = schemaspec.from_models(compiles_per_database())
    # Compiled per database: each one's own SQL for the default, kept beside the neutral one.
    assert sorted(neutral.variants) == ["mysql", "sqlite"]
    path = tmp_path / "schema.toml"
    schemaspec.dump(neutral, path)
    loaded = schemaspec.load(path)
    assert loaded == neutral
    built = schemaspec.from_models(compiles_per_database(), shadow=shadow_for(request, dialect))
    assert schemaspec.diff(loaded, built).changes == ()
