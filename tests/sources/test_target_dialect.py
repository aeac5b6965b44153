"""Models compiled for the target database equal what that database builds.

The oracle is shadow mode: the same models built with ``create_all`` in a scratch database of the
target kind and read back with the actual side's reader. Each case is a construct that real
projects' models use and that once crashed ``from_models`` or read as a false difference.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

import schemaspec
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


def table(metadata: sa.MetaData, *columns: sa.Column[object] | sa.Index) -> sa.Table:
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
        # Neutral specs keep whole names and compile per-database SQL as PostgreSQL's (documented).
        if build not in (long_convention_names, compiles_per_database)
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
