"""Canonical SQL text: what each database gives back, and what the models say, meet in one form."""

from __future__ import annotations

import pytest

from schemaspec.dialects import rules_for
from schemaspec.sql.text import canonical_action, canonical_default, canonical_expression

EXPRESSIONS = [
    # (written or reflected, canonical)
    ("price >= 0", "price>=0"),
    ("(price >= (0))", "price>=0"),
    ("((price)::numeric >= (0)::numeric)", "price>=0"),
    ('"from" > 0', "from>0"),
    ("`from` > 0", "from>0"),
    ("LENGTH(code) > 1", "length(code)>1"),
    ("status IN ('a', 'b')", "status in('a','b')"),
    # Text inside literals is kept as written.
    ("name <> 'Mixed  Case'", "name<>'Mixed  Case'"),
    ("note = 'it''s'", "note='it''s'"),
    ("(a > 0) AND (b > 0)", "a>0 and b>0"),
    ("((a > 0) AND ((b > 0) OR (c IS NULL)))", "a>0 and (b>0 or c is null)"),
    ("((price * 2) + 1)", "price*2+1"),
    ("(price * (2 + 1))", "price*(2+1)"),
    ("(a - (b - c))", "a-(b-c)"),
    ("NOT (a > 0)", "not a>0"),
    ("x BETWEEN 1 AND 2", "x>=1 and x<=2"),
    ("((x >= 1) AND (x <= 2))", "x>=1 and x<=2"),
    ("NOT (x BETWEEN 1 AND 2)", "not (x>=1 and x<=2)"),
    ("x NOT BETWEEN 1 AND 2", "x<1 or x>2"),
    ("((a > 0) AND ((b > 0) AND (c > 0)))", "a>0 and b>0 and c>0"),
    ("((a > 0) OR ((b > 0) AND (c > 0)))", "a>0 or b>0 and c>0"),
    ("x NOT IN ('a')", "x<>'a'"),
    ("(x IS NOT NULL)", "x is not null"),
    ("CASE WHEN a THEN 1 END", "case when a then 1 end"),
    (
        "CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)",
        "current_timestamp(6) on update current_timestamp(6)",
    ),
    ("'active'::character varying", "'active'"),
    ("'{}'::jsonb", "'{}'"),
    ("ARRAY['x'::text]::text[]", "array['x']"),
]


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS)
def test_canonical_expression(text: str, expected: str) -> None:
    assert canonical_expression(text) == expected
    # Idempotent: a canonical text is its own canonical form.
    assert canonical_expression(expected) == expected


def test_canonical_expression_of_nothing_is_nothing() -> None:
    assert canonical_expression(None) is None


DEFAULTS = [
    # (text, column type, canonical)
    ("'active'::character varying", "varchar(10)", "'active'"),
    ("'active'", "varchar(10)", "'active'"),
    ("'it''s'", "varchar(10)", "'it''s'"),
    ("now()", "timestamp", "current_timestamp"),
    ("CURRENT_TIMESTAMP", "timestamptz", "current_timestamp"),
    ("current_timestamp()", "timestamp", "current_timestamp"),
    ("(datetime('now'))", "timestamp", "current_timestamp"),
    ("curdate()", "date", "current_date"),
    ("0", "numeric(10,2)", "0"),
    ("'0'", "smallint", "0"),
    ("(0)::numeric", "numeric(10,2)", "0"),
    ("0.00", "numeric(10,2)", "0"),
    ("1.50", "numeric(5,3)", "1.5"),
    ("true", "boolean", "true"),
    ("1", "boolean", "true"),
    ("'0'", "boolean", "false"),
    ("false", "boolean", "false"),
    ("NULL", "varchar(10)", None),
    ("null", "integer", None),
    (None, "integer", None),
    ("concat('a','b')", "varchar(40)", "concat('a','b')"),
]


@pytest.mark.parametrize(("text", "type_", "expected"), DEFAULTS)
def test_canonical_default(text: str | None, type_: str, expected: str | None) -> None:
    assert canonical_default(text, type_) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [(None, None), ("cascade", "CASCADE"), ("SET  NULL", "SET NULL"), ("NO ACTION", None)],
)
def test_canonical_action(action: str | None, expected: str | None) -> None:
    assert canonical_action(action) == expected


# What one database does to expression text, applied to both sides by its dialect rules.
DIALECT_REWRITES = [
    # PostgreSQL gives IN back as = ANY (ARRAY[...]) with casts on every element.
    (
        "postgresql",
        "((checked)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))",
        "checked in('x','y')",
    ),
    ("postgresql", "checked IN ('x', 'y')", "checked in('x','y')"),
    (
        "postgresql",
        "((kind)::text <> ALL ((ARRAY['a'::character varying])::text[]))",
        "kind<>'a'",
    ),
    ("postgresql", "kind NOT IN ('a')", "kind<>'a'"),
    ("postgresql", "((code)::text ~~ 'x%'::text)", "code like 'x%'"),
    ("postgresql", "((code)::text !~~* 'x%'::text)", "code not ilike 'x%'"),
    ("postgresql", "note = '~~'", "note='~~'"),
    # A typed literal comes back as a cast.
    ("postgresql", "(now() + '1 day'::interval)", "now()+'1 day'"),
    ("postgresql", "now() + interval '1 day'", "now()+'1 day'"),
    ("postgresql", "note = 'interval ''x'''", "note='interval ''x'''"),
    # MariaDB gives LENGTH() back as OCTET_LENGTH(); CHAR_LENGTH() is another function.
    ("mysql", "octet_length(`code`) > 1", "octet_length(code)>1"),
    ("mysql", "length(code) > 1", "octet_length(code)>1"),
    ("mysql", "char_length(code) > 1", "char_length(code)>1"),
    ("mysql", "note = 'length(x)'", "note='length(x)'"),
    # Neither rewrite exists elsewhere.
    ("sqlite", "length(code) > 1", "length(code)>1"),
    ("sqlite", "now() + interval '1 day'", "now()+interval '1 day'"),
]


@pytest.mark.parametrize(("dialect", "text", "expected"), DIALECT_REWRITES)
def test_dialect_expression(dialect: str, text: str, expected: str) -> None:
    rules = rules_for(dialect)
    assert rules.expression(text) == expected
    assert rules.expression(expected) == expected


@pytest.mark.parametrize(
    ("stored", "canonical"),
    [
        (
            "((x <> '-1'::integer) AND ((x >= '-10'::integer) AND (x <= 10)))",
            "x<>-1 and x>=-10 and x<=10",
        ),
        ("(amount > '-1.5'::numeric(10,2))", "amount>-1.5"),
        # A string that looks like a number stays a string.
        ("(code <> '-1'::text)", "code<>'-1'"),
    ],
)
def test_postgresql_negative_literals_lose_their_quotes(stored: str, canonical: str) -> None:
    assert canonical_expression(stored) == canonical
