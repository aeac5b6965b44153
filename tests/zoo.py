"""The model zoo: every common SQLAlchemy construct, in portable and per-dialect parts.

``zoo(dialect)`` builds a fresh ``MetaData`` for one database: the portable tables every
database gets, plus that database's own types and features. ``test_dialects`` creates it with
``create_all`` on a real server, reflects it back and requires an empty diff, then mutates it one
change at a time and requires exactly the expected ``Change``.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import UserDefinedType

#: The schema the ``schema=`` part lives in (PostgreSQL: a schema; MariaDB: a database).
OTHER_SCHEMA = "zoo_other"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Mood(enum.Enum):
    happy = "happy"
    sad = "sad"


class Point(UserDefinedType[str]):
    """A type schemaspec has no rule for: PostgreSQL's geometric ``point``."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "POINT"


def zoo(dialect: str) -> sa.MetaData:
    """The zoo for ``dialect`` ("sqlite", "postgresql", "mysql"), all in the default schema."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    _portable(md, dialect)
    {"postgresql": _postgresql, "mysql": _mysql, "sqlite": _sqlite}[dialect](md)
    return md


def portable_zoo(dialect: str) -> sa.MetaData:
    """Only the portable tables: the same schema on every database, for cross-dialect diffs."""
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    _portable(md, dialect)
    return md


def schema_zoo(schema: str) -> sa.MetaData:
    """Tables in the non-default ``schema`` (which must exist), compared with ``schema=``.

    A metadata of their own: a spec describes one schema, and ``from_models`` keys tables of
    other schemas as ``schema.table``.
    """
    md = sa.MetaData(naming_convention=NAMING_CONVENTION)
    _other_schema(md, schema)
    return md


def _portable(md: sa.MetaData, dialect: str) -> None:
    numbers = sa.Table(
        "numbers",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("small", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("big", sa.BigInteger),
        sa.Column("price", sa.Numeric(10, 2), nullable=False, server_default=sa.text("0")),
        sa.Column("rate", sa.Numeric(5, 3), server_default=sa.text("1.5")),
        sa.Column("ratio", sa.Float),
        sa.Column("dbl", sa.Double),
        sa.Column("plain_numeric", sa.Numeric),
        # A column-level check (MariaDB accepts only unnamed ones there: a table-level one
        # stands in, and the mutations cover MariaDB's column-level checks).
        sa.Column(
            "qty",
            sa.Integer,
            *([sa.CheckConstraint("qty >= 0", name="qty_positive")] if dialect != "mysql" else []),
        ),
        *([sa.CheckConstraint("qty >= 0", name="qty_positive")] if dialect == "mysql" else []),
        # Compound: PostgreSQL gives it back with every operator in parentheses.
        sa.CheckConstraint("small >= 0 AND (big IS NULL OR big > 0)", name="compound"),
        sa.CheckConstraint("small BETWEEN 0 AND 1000", name="small_range"),
        sa.CheckConstraint("rate IS NULL OR rate NOT BETWEEN 2 AND 3", name="rate_gap"),
        comment="all the numbers",
    )
    # A descending index: the order is part of the index.
    sa.Index("ix_numbers_big_desc", numbers.c.big.desc(), numbers.c.small)
    sa.Table(
        "texts",
        md,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, comment="a short code"),
        sa.Column("status", sa.String(10), nullable=False, server_default="active"),
        sa.Column("quote", sa.String(10), server_default="it's"),
        sa.Column("body", sa.Text),
        sa.Column("fixed", sa.CHAR(3)),
        sa.Column("flag", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("off", sa.Boolean, server_default=sa.false()),
        sa.Column("checked_flag", sa.Boolean(create_constraint=True, name="checked_flag")),
        sa.UniqueConstraint("code"),
        sa.CheckConstraint("length(code) > 1", name="code_long"),
        sa.CheckConstraint(
            "status IN ('active', 'inactive') OR status LIKE 'x%'", name="status_known"
        ),
        sa.Index(None, "status"),
    )
    sa.Table(
        "times",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date),
        sa.Column("created_on", sa.Date, server_default=sa.text("CURRENT_DATE")),
        sa.Column("at", sa.Time),
        sa.Column("at_tz", sa.Time(timezone=True)),
        sa.Column("ratio", sa.Float, server_default=sa.text("0.5")),
        sa.Column("stamp", sa.DateTime, server_default=sa.func.now()),
        sa.Column(
            "stamp_tz",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP"),
        ),
        sa.Column("span", sa.Interval),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("doc", sa.JSON),
        sa.Column("uid", sa.Uuid),
    )
    sa.Table(
        "moods",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        # Native where the database has enums (PostgreSQL: a type; MySQL: inline ENUM).
        sa.Column("mood", sa.Enum(Mood, name="mood"), nullable=False, server_default="happy"),
        # Non-native, with and without the check constraint.
        sa.Column(
            "checked",
            sa.Enum("x", "y", name="checked_kind", native_enum=False, create_constraint=True),
        ),
        sa.Column("unchecked", sa.Enum("long_value", "b", native_enum=False)),
        # Native with create_constraint: the check exists only where the type is emulated.
        sa.Column("strict_mood", sa.Enum(Mood, name="strict_mood", create_constraint=True)),
    )
    parents = sa.Table(
        "parents",
        md,
        sa.Column("region", sa.String(10), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.UniqueConstraint("name", "region", name="parents_name_region"),
    )
    sa.Table(
        "children",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_region", sa.String(10), nullable=False),
        sa.Column("parent_number", sa.Integer, nullable=False),
        sa.Column("other_parent_region", sa.String(10)),
        sa.Column("other_parent_number", sa.Integer),
        sa.Column("number_id", sa.ForeignKey("numbers.id", ondelete="SET NULL")),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("doubled", sa.Numeric(12, 2), sa.Computed("price * 2")),
        sa.ForeignKeyConstraint(
            ["parent_region", "parent_number"],
            [parents.c.region, parents.c.number],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["other_parent_region", "other_parent_number"],
            [parents.c.region, parents.c.number],
            name="children_other_parent",
        ),
        sa.CheckConstraint("price >= 0", name="price_positive"),
        sa.Index("children_number_unique", "number_id", unique=True),
        sa.Index(None, "parent_number", "price"),
    )
    # Mixed case and reserved words: quoted everywhere, compared by their real names.
    sa.Table(
        "Order",
        md,
        sa.Column("ID", sa.Integer, primary_key=True),
        sa.Column("select", sa.String(30)),
        sa.Column("Group", sa.Integer, sa.ForeignKey("children.id")),
        sa.Column("from", sa.Integer),
        sa.Index("ix_Order_select", "select"),
        sa.UniqueConstraint("Group", "from"),
        sa.CheckConstraint('"from" > 0', name="from_positive")
        if dialect != "mysql"
        else sa.CheckConstraint("`from` > 0", name="from_positive"),
    )


def _postgresql(md: sa.MetaData) -> None:
    sa.Table(
        "pg_types",
        md,
        sa.Column("id", sa.Integer, sa.Identity(start=10), primary_key=True),
        sa.Column("always", sa.BigInteger, sa.Identity(always=True)),
        sa.Column("tags", postgresql.ARRAY(sa.Text), server_default=sa.text("'{}'")),
        sa.Column("token", sa.Uuid, server_default=sa.func.gen_random_uuid()),
        sa.Column("score", sa.Integer, server_default=sa.text("-1")),
        sa.Column("ratio", sa.Numeric(4, 2), server_default=sa.text("-0.5")),
        sa.Column("grid", postgresql.ARRAY(sa.Integer, dimensions=2)),
        sa.Column("doc", postgresql.JSONB, server_default=sa.text("'{}'::jsonb")),
        sa.Column("addr", postgresql.INET),
        sa.Column("net", postgresql.CIDR),
        sa.Column("mac", postgresql.MACADDR),
        sa.Column("email", postgresql.CITEXT),
        sa.Column("search", postgresql.TSVECTOR),
        sa.Column("attrs", postgresql.HSTORE),
        sa.Column("cash", postgresql.MONEY),
        sa.Column("at", postgresql.TIMESTAMP(timezone=True, precision=3)),
        sa.Column("span", postgresql.INTERVAL(fields="DAY TO SECOND")),
        sa.Column("where", Point()),
        sa.Column("kind", sa.Enum("a", "b", name="pg_kind"), server_default="a"),
        sa.Column("name", sa.String(40)),
        sa.Column("total", sa.Numeric(10, 2), sa.Computed("id * 2", persisted=True)),
        sa.Column("created", sa.DateTime, server_default=sa.text("now() + interval '1 day'")),
        sa.Index("ix_pg_types_lower_name", sa.func.lower(sa.text("name"))),
        sa.Index(
            "ix_pg_types_kind_partial",
            "kind",
            postgresql_where=sa.text("kind = 'a'"),
        ),
        sa.Index("ix_pg_types_email", "email", unique=True),
        comment="PostgreSQL's own types",
    )
    # What PostgreSQL keeps beyond types: identity options, deferrable keys, index methods,
    # operator classes, INCLUDE, NULLS NOT DISTINCT, exclusion constraints, collations.
    keys = sa.Table(
        "pg_keys",
        md,
        sa.Column(
            "id",
            sa.Integer,
            sa.Identity(start=100, increment=5, cache=10, cycle=True),
            primary_key=True,
        ),
        sa.Column(
            "type_id",
            sa.ForeignKey("pg_types.id", deferrable=True, initially="DEFERRED"),
        ),
        sa.Column("other_id", sa.ForeignKey("pg_types.id", deferrable=True)),
        sa.Column("code", sa.String(20, collation="C")),
        sa.Column("label", sa.Text),
        sa.Column("during", postgresql.TSRANGE),
        sa.UniqueConstraint("code", "label", postgresql_nulls_not_distinct=True),
        postgresql.ExcludeConstraint((sa.column("during"), "&&"), name="ex_pg_keys_during"),
    )
    sa.Index("ix_pg_keys_code_hash", keys.c.code, postgresql_using="hash")
    sa.Index(
        "ix_pg_keys_label_pattern",
        keys.c.label,
        postgresql_ops={"label": "text_pattern_ops"},
        postgresql_include=["code"],
    )
    sa.Index(
        "ix_pg_keys_label_code",
        keys.c.label,
        keys.c.other_id,
        unique=True,
        postgresql_nulls_not_distinct=True,
    )


def _mysql(md: sa.MetaData) -> None:
    sa.Table(
        "my_types",
        md,
        sa.Column("id", mysql.INTEGER(unsigned=True), primary_key=True),
        sa.Column("tiny", mysql.TINYINT),
        sa.Column("tiny_unsigned", mysql.TINYINT(unsigned=True)),
        sa.Column("medium", mysql.MEDIUMINT),
        sa.Column("big_unsigned", mysql.BIGINT(unsigned=True)),
        sa.Column("medium_text", mysql.MEDIUMTEXT),
        sa.Column("long_text", mysql.LONGTEXT),
        sa.Column("flags", mysql.SET("a", "b", "c")),
        sa.Column("born", mysql.YEAR),
        sa.Column("size", mysql.ENUM("small", "large"), server_default="small"),
        sa.Column("stamp", mysql.TIMESTAMP, nullable=True),
        sa.Column(
            "touched",
            mysql.DATETIME(fsp=6),
            server_default=sa.text("CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)"),
        ),
        sa.Column("score", sa.Integer, server_default=sa.text("-1")),
        sa.Column("moment", mysql.DATETIME(fsp=6)),
        sa.Column("doc", mysql.JSON),
        sa.Column("price", mysql.DECIMAL(8, 2, unsigned=True)),
        sa.Column("where", Point()),
        sa.Column("name", sa.String(40), server_default=sa.text("concat('a', 'b')")),
        sa.Column("code", sa.String(20, collation="utf8mb4_bin")),
        sa.Index("ix_my_types_name_prefix", "name", mysql_length=10),
        comment="MySQL's own types",
    )


def _sqlite(md: sa.MetaData) -> None:
    sa.Table(
        "lite_types",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40)),
        sa.Column("kind", sa.String(5)),
        sa.Column("code", sa.String(20, collation="NOCASE")),
        sa.Column("mood_id", sa.ForeignKey("moods.id", deferrable=True, initially="DEFERRED")),
        # SQLite keeps any declared type name; this one it has never heard of.
        sa.Column("where", Point()),
        sa.Column("created", sa.DateTime, server_default=sa.text("(datetime('now'))")),
        sa.Index("ix_lite_types_lower_name", sa.func.lower(sa.text("name"))),
        sa.Index("ix_lite_types_kind_partial", "kind", sqlite_where=sa.text("kind = 'a'")),
    )


def _other_schema(md: sa.MetaData, schema: str) -> None:
    owners = sa.Table(
        "owners",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(30), nullable=False, unique=True),
        schema=schema,
    )
    sa.Table(
        "pets",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.ForeignKey(owners.c.id, ondelete="CASCADE"), nullable=False),
        sa.Index(None, "owner_id"),
        schema=schema,
    )
