"""What the SQLite DDL parser reads from a CREATE TABLE / CREATE INDEX statement, exactly."""

from __future__ import annotations

import pytest

from schemaspec.sources.sqlite_ddl import (
    ForeignKeyDDL,
    IndexDDL,
    TableDDL,
    parse_index,
    parse_table,
    split_top_level,
)

TABLES = [
    pytest.param(
        "CREATE TABLE t (id INTEGER NOT NULL, code VARCHAR(40), PRIMARY KEY (id), UNIQUE (code))",
        {},
        TableDDL(),
        id="nothing beyond the pragmas: not parsed",
    ),
    pytest.param(
        "CREATE TABLE t (id INTEGER, CONSTRAINT pk_t PRIMARY KEY (id),"
        ' CONSTRAINT uq_t UNIQUE (a, "b c"), CONSTRAINT ck_t CHECK (id > 0))',
        {},
        TableDDL(
            primary_key_name="pk_t",
            uniques=[("uq_t", ("a", "b c"))],
            checks=[("ck_t", "id > 0")],
        ),
        id="named table constraints",
    ),
    pytest.param(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code VARCHAR(40), UNIQUE (code))",
        {"uniques": True},
        TableDDL(uniques=[(None, ("code",))]),
        id="unnamed unique, when asked for",
    ),
    pytest.param(
        'CREATE TABLE "t(x)" ([a b] TEXT COLLATE "No""Case"'
        ' CONSTRAINT "c,1" CHECK (length([a b]) > 1),'
        " `d` INT REFERENCES p ON DELETE SET NULL NOT DEFERRABLE,"
        ' e INT CONSTRAINT fk_e REFERENCES "p" ("id") MATCH FULL DEFERRABLE INITIALLY DEFERRED)',
        {},
        TableDDL(
            checks=[("c,1", "length([a b]) > 1")],
            foreign_keys=[
                ForeignKeyDDL(("d",), "p", (), deferrable=False),
                ForeignKeyDDL(("e",), "p", ("id",), "fk_e", True, "DEFERRED"),
            ],
            collations={"a b": 'No"Case'},
        ),
        id="quoting styles, column constraints",
    ),
    pytest.param(
        "CREATE TABLE t (\n  -- CONSTRAINT in a comment, (unbalanced\n"
        "  a INT DEFAULT 'CHECK (x)' /* CHECK (y) */ CHECK (a IN (1, (2), 3)),\n"
        "  b NUMERIC(10, 2) GENERATED ALWAYS AS (a * (2 + 1)) STORED,\n"
        "  c TEXT AS (upper(b)) VIRTUAL\n) STRICT",
        {"generated": True},
        TableDDL(
            checks=[(None, "a IN (1, (2), 3)")],
            generated={"b": "a * (2 + 1)", "c": "upper(b)"},
        ),
        id="comments, literals, generated columns, table options",
    ),
    pytest.param(
        "CREATE TABLE t (a INT, b INT AS (a + 1))",
        {},
        TableDDL(),
        id="generated expressions only when asked for",
    ),
]


@pytest.mark.parametrize(("sql", "options", "expected"), TABLES)
def test_parse_table(sql: str, options: dict[str, bool], expected: TableDDL) -> None:
    assert parse_table(sql, **options) == expected


INDEXES = [
    pytest.param("CREATE INDEX ix ON t (a)", IndexDDL(("a",), None), id="one column"),
    pytest.param(
        'CREATE UNIQUE INDEX "ix" ON "t" ("a b" ASC, lower(c), d DESC)'
        " WHERE d > 0\n  AND c <> 'x)'",
        IndexDDL(("a b", "lower(c)", "d DESC"), "d > 0\n  AND c <> 'x)'"),
        id="quoted, expression, descending, predicate over lines",
    ),
    pytest.param("CREATE INDEX ix ON t", None, id="no column list"),
]


@pytest.mark.parametrize(("sql", "expected"), INDEXES)
def test_parse_index(sql: str, expected: IndexDDL | None) -> None:
    assert parse_index(sql) == expected


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a INT, b NUMERIC(10, 2)", ["a INT", " b NUMERIC(10, 2)"]),
        ("a TEXT DEFAULT 'x, y', \"c,d\" INT", ["a TEXT DEFAULT 'x, y'", ' "c,d" INT']),
        ("a INT CHECK (f(g(h(i(1, 2)))) > 0), b", ["a INT CHECK (f(g(h(i(1, 2)))) > 0)", " b"]),
        ("a INT, -- note, here\n b INT", ["a INT", " -- note, here\n b INT"]),
    ],
    ids=["types", "quotes", "deep nesting", "comment"],
)
def test_split_top_level(text: str, parts: list[str]) -> None:
    assert split_top_level(text) == parts
