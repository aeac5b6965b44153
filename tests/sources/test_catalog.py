"""Catalog reads that fill SQLAlchemy's reflection gaps, against real databases."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sqlalchemy as sa

from schemaspec import from_database
from schemaspec.sources.catalog import _sqlite_index, split_top_level
from schemaspec.spec import CheckSpec, ColumnSpec, IndexSpec


def run(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("a, b", ["a", " b"]),
        ("lower(a), 'x,y', f(b, c)", ["lower(a)", " 'x,y'", " f(b, c)"]),
        ('"we,ird" INTEGER, b', ['"we,ird" INTEGER', " b"]),
    ],
)
def test_split_top_level(sql: str, expected: list[str]) -> None:
    assert split_top_level(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CREATE INDEX ix ON t (lower(name))",
            {"expressions": ["lower(name)"], "unique": False, "dialect_options": {}},
        ),
        (
            "CREATE INDEX ix ON t (email DESC, lower(name) ASC)",
            {"expressions": ["email DESC", "lower(name)"], "unique": False, "dialect_options": {}},
        ),
        (
            'CREATE UNIQUE INDEX "Ix" ON "T" ("Name", lower("Name") DESC) WHERE "Name" > \'a\'',
            {
                "expressions": ["Name", 'lower("Name") DESC'],
                "unique": True,
                "dialect_options": {"sqlite_where": "\"Name\" > 'a'"},
            },
        ),
    ],
)
def test_sqlite_index_from_its_sql(sql: str, expected: dict[str, Any]) -> None:
    assert _sqlite_index("ix", sql) == {"name": "ix", "column_names": [], **expected}


def test_sqlite_expression_indexes_and_computed_columns(schemaspec_sqlite_url: str) -> None:
    run(
        schemaspec_sqlite_url,
        'CREATE TABLE "Things" (id INTEGER PRIMARY KEY, "Name" VARCHAR(20),'
        " price NUMERIC(10, 2), total NUMERIC(12, 2) GENERATED ALWAYS AS (price * 2) STORED)",
        'CREATE UNIQUE INDEX "ix_Things_upper" ON "Things" (upper("Name"))',
        'CREATE INDEX ix_things_partial ON "Things" (lower("Name")) WHERE price > 0',
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = from_database(schemaspec_sqlite_url).tables["Things"]
    assert table.indexes == {
        "ix_Things_upper": IndexSpec(columns=("upper(name)",), unique=True),
        "ix_things_partial": IndexSpec(columns=("lower(name)",), where="price>0"),
    }
    assert table.columns["total"] == ColumnSpec(type="numeric(12,2)", computed="price*2")


def test_postgresql_unknown_types_keep_their_own_name(schemaspec_postgresql_url: str) -> None:
    run(
        schemaspec_postgresql_url,
        "CREATE SCHEMA geo",
        'CREATE TYPE geo."Pair" AS (a integer, b integer)',
        'CREATE TABLE geo.places (id integer PRIMARY KEY, at point, area box, pair geo."Pair")',
        "CREATE TABLE public.places (id integer PRIMARY KEY, at line)",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        geo = from_database(schemaspec_postgresql_url, schema="geo").tables["places"]
        public = from_database(schemaspec_postgresql_url).tables["places"]
    assert {name: column.type for name, column in geo.columns.items()} == {
        "id": "integer",
        "at": "point",
        "area": "box",
        "pair": "geo.pair",
    }
    assert public.columns["at"].type == "line"


def test_mariadb_json_column_level_checks_and_expression_defaults(
    schemaspec_mysql_url: str,
) -> None:
    run(
        schemaspec_mysql_url,
        "CREATE TABLE docs (id INT PRIMARY KEY, body JSON, raw LONGTEXT,"
        " checked LONGTEXT, qty INT CHECK (qty >= 0),"
        " label VARCHAR(20) DEFAULT concat('a', 'b'),"
        " CONSTRAINT checked_is_json CHECK (json_valid(checked)))",
    )
    table = from_database(schemaspec_mysql_url).tables["docs"]
    assert {name: column.type for name, column in table.columns.items()} == {
        "id": "integer",
        "body": "json",
        "raw": "longtext",
        # A table-level json_valid check is the user's own: the column stays LONGTEXT.
        "checked": "longtext",
        "qty": "integer",
        "label": "varchar(20)",
    }
    assert table.checks == {
        "checked_is_json": CheckSpec(sqltext="json_valid(checked)", name="checked_is_json"),
        "qty": CheckSpec(sqltext="qty>=0", name="qty"),
    }
    assert table.columns["label"].default == "concat('a','b')"
