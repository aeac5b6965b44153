"""The canonical type registry: one short string per type, the same from models and reflection."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.types import TypeDecorator, UserDefinedType

from schemaspec.sql.types import canonical_type, type_variants


class Point(UserDefinedType[Any]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "POINT"


class Money(TypeDecorator[Any]):
    """A user type over NUMERIC(12, 4)."""

    impl = sa.Numeric(12, 4)
    cache_ok = True


class PerDialect(TypeDecorator[Any]):
    """A user type that picks its implementation per database."""

    impl = sa.String(36)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID())
        return dialect.type_descriptor(sa.String(36))


NEUTRAL_CASES: list[tuple[Any, str]] = [
    (sa.Integer(), "integer"),
    (sa.SmallInteger(), "smallint"),
    (sa.BigInteger(), "bigint"),
    (sa.Numeric(10, 2), "numeric(10,2)"),
    (sa.Numeric(), "numeric"),
    (sa.Float(), "float"),
    (sa.Float(53), "float(53)"),
    (sa.Double(), "double"),
    (sa.REAL(), "real"),
    (sa.String(20), "varchar(20)"),
    (sa.String(), "varchar"),
    (sa.Unicode(5), "varchar(5)"),
    (sa.CHAR(3), "char(3)"),
    (sa.NCHAR(3), "char(3)"),
    (sa.Text(), "text"),
    (sa.UnicodeText(), "text"),
    (sa.Boolean(), "boolean"),
    (sa.Date(), "date"),
    (sa.Time(), "time"),
    (sa.Time(timezone=True), "timetz"),
    (sa.DateTime(), "timestamp"),
    (sa.DateTime(timezone=True), "timestamptz"),
    (sa.TIMESTAMP(), "timestamp"),
    # An Interval is a TypeDecorator over DateTime where there is no interval type; it is still
    # an interval (the dialect rules say what each database stores for it).
    (sa.Interval(), "interval"),
    (sa.LargeBinary(), "bytes"),
    (sa.JSON(), "json"),
    (sa.Uuid(), "uuid"),
    (sa.Enum("a", "b", name="kind"), "enum(kind)"),
    (sa.Enum("a", "b"), "enum('a','b')"),
    (sa.Enum("a", "it's", native_enum=False), "varchar(4)"),
    (Money(), "numeric(12,4)"),
    (Point(), "point"),
    # PostgreSQL
    (postgresql.JSONB(), "jsonb"),
    (postgresql.ARRAY(sa.Text), "text[]"),
    (postgresql.ARRAY(sa.Integer, dimensions=2), "integer[][]"),
    (postgresql.INET(), "inet"),
    (postgresql.CIDR(), "cidr"),
    (postgresql.MACADDR(), "macaddr"),
    (postgresql.CITEXT(), "citext"),
    (postgresql.TSVECTOR(), "tsvector"),
    (postgresql.HSTORE(), "hstore"),
    (postgresql.MONEY(), "money"),
    (postgresql.INT4RANGE(), "int4range"),
    (postgresql.TIMESTAMP(timezone=True, precision=3), "timestamptz(3)"),
    (postgresql.INTERVAL(), "interval"),
    (postgresql.INTERVAL(fields="DAY TO SECOND", precision=3), "interval day to second(3)"),
    (postgresql.DOUBLE_PRECISION(), "double"),
    (postgresql.BYTEA(), "bytes"),
    (postgresql.UUID(), "uuid"),
    # MySQL / MariaDB
    (mysql.INTEGER(unsigned=True), "integer unsigned"),
    (mysql.BIGINT(unsigned=True), "bigint unsigned"),
    (mysql.TINYINT(), "tinyint"),
    (mysql.TINYINT(unsigned=True), "tinyint unsigned"),
    # MySQL has no BOOLEAN: it stores TINYINT(1), and reflects it back so.
    (mysql.TINYINT(1), "boolean"),
    (mysql.MEDIUMINT(), "mediumint"),
    (mysql.DECIMAL(8, 2, unsigned=True), "numeric(8,2) unsigned"),
    (mysql.DOUBLE(), "double"),
    (mysql.TINYTEXT(), "tinytext"),
    (mysql.MEDIUMTEXT(), "mediumtext"),
    (mysql.LONGTEXT(), "longtext"),
    (mysql.MEDIUMBLOB(), "mediumblob"),
    (mysql.SET("a", "b"), "set('a','b')"),
    (mysql.ENUM("small", "large"), "enum('small','large')"),
    (mysql.YEAR(), "year"),
    (mysql.BIT(), "bit(1)"),
    (mysql.DATETIME(fsp=6), "timestamp(6)"),
    # MySQL's TIMESTAMP is not its DATETIME (range, time zone conversion).
    (mysql.TIMESTAMP(), "mysql_timestamp"),
    (mysql.TIMESTAMP(fsp=3), "mysql_timestamp(3)"),
    (mysql.NCHAR(2), "char(2)"),
    # SQLite
    (sqlite.DATETIME(), "timestamp"),
    (sa.types.NullType(), "unknown"),
]


@pytest.mark.parametrize(("type_", "expected"), NEUTRAL_CASES, ids=lambda value: repr(value))
def test_canonical_type(type_: Any, expected: str) -> None:
    assert canonical_type(type_) == expected


DIALECT_CASES: list[tuple[Any, Any, str]] = [
    # sa.TIMESTAMP is the TIMESTAMP keyword: a MySQL TIMESTAMP there, a timestamp elsewhere.
    (sa.TIMESTAMP(), mysql.dialect(), "mysql_timestamp"),
    (sa.TIMESTAMP(), postgresql.dialect(), "timestamp"),
    (sa.DateTime(), mysql.dialect(), "timestamp"),
    (sa.BigInteger().with_variant(sa.Integer, "sqlite"), sqlite.dialect(), "integer"),
    (sa.BigInteger().with_variant(sa.Integer, "sqlite"), postgresql.dialect(), "bigint"),
    (PerDialect(), postgresql.dialect(), "uuid"),
    (PerDialect(), mysql.dialect(), "varchar(36)"),
    (sa.Interval(), mysql.dialect(), "interval"),
]


@pytest.mark.parametrize(("type_", "dialect", "expected"), DIALECT_CASES)
def test_canonical_type_for_a_dialect(type_: Any, dialect: Any, expected: str) -> None:
    assert canonical_type(type_, dialect) == expected


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        (sa.Integer(), {}),
        (sa.BigInteger().with_variant(sa.Integer, "sqlite"), {"sqlite": "integer"}),
        (sa.TIMESTAMP(), {"mysql": "mysql_timestamp"}),
        (PerDialect(), {"postgresql": "uuid"}),
        (sa.String(10).with_variant(mysql.VARCHAR(20), "mysql"), {"mysql": "varchar(20)"}),
    ],
)
def test_type_variants_name_only_what_differs(type_: Any, expected: dict[str, str]) -> None:
    assert type_variants(type_) == expected


def test_unknown_type_that_cannot_compile_gets_its_class_name() -> None:
    class Broken(UserDefinedType[Any]):
        cache_ok = True

        def get_col_spec(self, **kw: Any) -> str:
            raise RuntimeError("no DDL")

    assert canonical_type(Broken()) == "broken"


def test_canonical_types_are_cached_by_class_and_plain_attributes() -> None:
    from schemaspec.sql import types

    types._canonical_cache.clear()
    pg = postgresql.dialect()
    assert canonical_type(sa.String(40)) == "varchar(40)"
    assert canonical_type(sa.String(41)) == "varchar(41)"
    assert canonical_type(sa.String(40)) == "varchar(40)"  # a new object, the same values
    assert canonical_type(postgresql.VARCHAR(40), pg) == "varchar(40)"
    assert len(types._canonical_cache) == 3
    # Not plain values: an enum's list of labels, a variant mapping. Rendered, never cached.
    assert canonical_type(sa.Enum("a", "b", name="e")) == "enum(e)"
    varies = sa.String(10).with_variant(sa.Text(), "postgresql")
    assert canonical_type(varies, pg) == "text"
    assert canonical_type(varies) == "varchar(10)"
    assert len(types._canonical_cache) == 3
