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
    ("note = 'f (a)'", "note='f (a)'"),
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
    # Columns named like keywords: canonical text drops their quotes, the parser reads names.
    ('(("select" > 0) AND ("order" < 10))', "select>0 and order<10"),
    ('("not" > 1) OR ("and" > 2) OR ("is" IS NULL)', "not>1 or and>2 or is is null"),
    ('("select" + ("order" * 2))', "select+order*2"),
    ('lower("user") || "key"', "lower(user)||key"),
    ("not -1", "not -1"),
    ("case when a then 1 end > 0", "case when a then 1 end>0"),
    # SUBSTRING(x FROM a FOR b) is SUBSTRING(x, a, b) (PostgreSQL gives back the former).
    ("SUBSTRING((name)::text FROM 1 FOR 3) <> 'x'::text", "substring(name,1,3)<>'x'"),
    ("substring(name from 2)", "substring(name,2)"),
    ("substring(name for 2)", "substring(name,1,2)"),
    ("substring(name, 1, 3)", "substring(name,1,3)"),
    # MySQL's spellings of the standard clock functions.
    (
        "current_timestamp() ON UPDATE current_timestamp()",
        "current_timestamp on update current_timestamp",
    ),
    ("NOW(6) ON UPDATE NOW(6)", "current_timestamp(6) on update current_timestamp(6)"),
    ("concat(curdate(), current_time())", "concat(current_date,current_time)"),
    ("note <> 'now()'", "note<>'now()'"),
    # An interval's fields are part of its cast.
    ("'1 day'::interval day to second", "'1 day'"),
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
    (
        "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP",
        "mysql_timestamp",
        "current_timestamp on update current_timestamp",
    ),
    (
        "current_timestamp() ON UPDATE current_timestamp()",
        "mysql_timestamp",
        "current_timestamp on update current_timestamp",
    ),
    ("current_date", "date", "current_date"),
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
    # MariaDB gives SUBSTRING() and MID() back as substr(), NOW() and LOCALTIMESTAMP as
    # current_timestamp().
    ("mysql", "substr(`name`,1,3) <> 'x'", "substr(name,1,3)<>'x'"),
    ("mysql", "SUBSTRING(name FROM 1 FOR 3) <> 'x'", "substr(name,1,3)<>'x'"),
    ("mysql", "mid(name, 2) = 'substring(x'", "substr(name,2)='substring(x'"),
    (
        "mysql",
        "concat(now(), localtimestamp, localtime())",
        "concat(current_timestamp,current_timestamp,current_timestamp)",
    ),
    # MariaDB pushes NOT down into what it negates; what it cannot negate is !(x).
    ("mysql", "NOT (a > 1 AND b < 2)", "a<=1 or b>=2"),
    ("mysql", "`a` <= 1 or `b` >= 2", "a<=1 or b>=2"),
    (
        "mysql",
        "NOT (a > 1 OR b IS NULL OR s LIKE 'x%')",
        "a<=1 and b is not null and s not like 'x%'",
    ),
    ("mysql", "NOT (a IN (1, 2)) AND NOT (x NOT LIKE 'y')", "a not in(1,2) and x like 'y'"),
    ("mysql", "NOT (a BETWEEN 1 AND 3)", "a<1 or a>3"),
    ("mysql", "NOT (NOT (a > 1))", "a>1"),
    ("mysql", "NOT (a > 1 AND NOT (b > 1))", "a<=1 or b>1"),
    ("mysql", "NOT (a > 1 AND (b + 1))", "a<=1 or not b+1"),
    ("mysql", "`a` <= 1 or !(`b` + 1)", "a<=1 or not b+1"),
    ("mysql", "NOT a", "a=0"),
    ("mysql", "note = 'not (a)'", "note='not (a)'"),
    # MySQL's backslash escapes: one spelling of each value (quotes doubled, \\ a backslash).
    ("mysql", "s <> 'it\\'s'", "s<>'it''s'"),
    ("mysql", "s <> 'it''s'", "s<>'it''s'"),
    ("mysql", "s <> 'a\\\\b\\'c\\'d\\n\\\\%x'", "s<>'a\\\\b''c''d\\n\\\\%x'"),
    ("mysql", "s <> 'a\\\\b\\'c''d\\n\\%\\x'", "s<>'a\\\\b''c''d\\n\\\\%x'"),
    ("mysql", "s = 'It\\'S'", "s='It''S'"),
    # PostgreSQL keeps NOT where it was written, and backslashes are plain characters.
    ("postgresql", "NOT ((a > 1) AND (b < 2))", "not (a>1 and b<2)"),
    ("postgresql", "s <> 'a\\b'", "s<>'a\\b'"),
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


@pytest.mark.parametrize(
    ("written", "type_", "stored"),
    [
        # PostgreSQL converts a literal default to the column's type and prints the value.
        ("'24:00:00'", "interval", "'24:00:00'"),
        ("'2 hours'", "interval", "'02:00:00'"),
        ("'P1DT30M'", "interval", "'1 day 00:30:00'"),
        ("'1 year 14 months'", "interval", "'2 years 2 mons'"),
        ("'1.5 days'", "interval", "'1 day 12:00:00'"),
        ("'-1 day 02:00:00'", "interval", "'-1 days +02:00:00'"),
        ("'1 day ago'", "interval day to second", "'-1 days'"),
        ("'{ 1, 2 }'", "integer[]", "'{1,2}'"),
        ('\'{"a","b c","",NULL,"NULL"}\'', "text[]", '\'{a,"b c","",NULL,"NULL"}\''),
        ("'{{1, 2}, {3, 4}}'", "integer[]", "'{{1,2},{3,4}}'"),
        ("'{it''s}'", "varchar(10)[]", "'{it''s}'"),
        ("'2020-06-01T10:00:00+02'", "timestamptz", "'2020-06-01 08:00:00+00'"),
        ("'2020-01-01 00:00:00'", "timestamptz", "'2020-01-01 00:00:00+00'"),
        ("'2020-01-01 10:00:00.1234567'", "timestamp(6)", "'2020-01-01 10:00:00.123457'"),
        ("'2020-01-01'", "timestamp", "'2020-01-01 00:00:00'"),
        ("'2020-1-2'", "date", "'2020-01-02'"),
        ("'9:00'", "time", "'09:00:00'"),
        ("'12:00'", "timetz", "'12:00:00+00'"),
        ("'12:00:00+05:30'", "timetz", "'12:00:00+05:30'"),
        # What it cannot read stays as written.
        ("'infinity'", "timestamp", "'infinity'"),
        ("'a fortnight'", "interval", "'a fortnight'"),
        ("'{1,2'", "integer[]", "'{1,2'"),
        ("'x'", "varchar(10)", "'x'"),
    ],
)
def test_postgresql_typed_literal_defaults(written: str, type_: str, stored: str) -> None:
    rules = rules_for("postgresql")
    assert rules.typed_default(written, type_) == stored
    assert rules.typed_default(stored, type_) == stored
    # Only PostgreSQL stores the converted value.
    assert rules_for("sqlite").typed_default(written, type_) == written
