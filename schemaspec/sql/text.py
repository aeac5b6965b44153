"""Canonical text for SQL fragments: server defaults, check constraints, computed and index
expressions.

Databases hand back what they were given rewritten: PostgreSQL adds casts
(``'active'::character varying``, ``(0)::numeric``), MariaDB adds backticks and ``()`` to
``current_timestamp``, SQLite keeps the text as written. Both sides of a comparison pass through
these functions, so only a difference in meaning survives. Pure string work, no SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from schemaspec.sql.expr import minimal_parentheses

# A PostgreSQL cast suffix: ::character varying, ::numeric(10,2), ::text[], ::"MyType", and
# an interval's fields (a default of an INTERVAL DAY TO SECOND column is '1 day'::interval day
# to second).
_CAST = re.compile(
    r'::(?:"[^"]+"|[a-z_][a-z0-9_]*'
    r"(?:\s+(?:varying|precision|without\s+time\s+zone|with\s+time\s+zone"
    r"|(?:year|month|day|hour|minute|second)(?:\s+to\s+(?:month|hour|minute|second))?))?)"
    r"(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*",
    re.I,
)
# MySQL's spellings of the SQL standard's clock functions, which MariaDB gives back in its
# own (CURRENT_TIMESTAMP as current_timestamp(), CURRENT_DATE as curdate(), CURRENT_TIME as
# curtime()), while a model compiled for it may say either. No other database has these
# spellings, so they are one form everywhere; NOW(6) is MySQL's CURRENT_TIMESTAMP(6).
_CLOCK = re.compile(
    r"(?<![\w.])(?:(current_timestamp)\(\)|now\((?=\d)|(curdate|current_date)\(\)"
    r"|(curtime|current_time)\(\))"
)


def _clock(match: re.Match[str]) -> str:
    if match.group(1):
        return "current_timestamp"
    if match.group(2):
        return "current_date"
    if match.group(3):
        return "current_time"
    return "current_timestamp("


# PostgreSQL stores a negative literal as a string cast to its type: x > '-3'::integer.
_NUMBER_CAST = re.compile(
    r"'(-?\d+(?:\.\d+)?)'::(?:integer|bigint|smallint|real|double\s+precision"
    r"|numeric(?:\(\d+(?:,\s*\d+)?\))?)(?![\w(])",
    re.I,
)
_QUOTED = re.compile(r"('(?:[^']|'')*')")
_NOW = re.compile(
    r"^(now\(\)|current_timestamp(\(\))?|localtimestamp(\(\))?|getdate\(\)|datetime\('now'\))$"
)
_NUMERIC_TYPE = re.compile(
    r"^(integer|smallint|bigint|tinyint|mediumint|numeric|float|double|real)\b"
)
_TRUE = {"true", "1", "'1'", "'t'", "'true'", "b'1'", "'y'"}
_FALSE = {"false", "0", "'0'", "'f'", "'false'", "b'0'", "'n'"}


def _outside_quotes(text: str, transform: Callable[[str], str]) -> str:
    """Apply ``transform`` to the parts of ``text`` that are not string literals."""
    parts = _QUOTED.split(text)
    return "".join(part if index % 2 else transform(part) for index, part in enumerate(parts))


def _strip_outer_parentheses(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for part_index, part in enumerate(_QUOTED.split(text)):
        if part_index % 2:
            continue
        for char in part:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth < 0:
                return False
    return depth == 0


@lru_cache(maxsize=4096)
def canonical_expression(text: str | None) -> str | None:
    """Canonical text of a SQL expression (check, computed column, index expression, predicate)."""
    if text is None:
        return None

    def tidy(part: str) -> str:
        part = _CAST.sub("", part)
        part = part.replace('"', "").replace("`", "").lower()
        part = re.sub(r"\s+", " ", part)
        # Spaces around punctuation and operators carry no meaning.
        part = re.sub(r"\s*([(),=<>!+\-*/|])\s*", r"\1", part)
        # ...but a word after a closing parenthesis stays a word: "now() on update ...".
        part = re.sub(r"\)(?=[a-z_])", ") ", part)
        part = _CLOCK.sub(_clock, part)
        # != and <> are one operator everywhere; PostgreSQL and MariaDB give back <>.
        return part.replace("!=", "<>")

    previous = None
    text = _without_cast_calls(_NUMBER_CAST.sub(r"\1", text.strip()))
    while previous != text:
        previous = text
        text = _outside_quotes(text, tidy)
        # "(0)" and "('x')" around a single literal or name are noise added by the database
        # (string literals are matched first and kept: 'f (a)' is text).
        text = _SINGLE_PARENTHESISED.sub(lambda m: m[1] or m[2], text)
        text = _strip_outer_parentheses(text)
        # A one-value IN list is stored as = (NOT IN as <>) by PostgreSQL and MariaDB.
        text = _ONE_VALUE_IN.sub(lambda m: f"{m[1]}{'<>' if m[2] else '='}{m[3]}", text)
        # PostgreSQL wraps every operator: ((a > 0) AND (b > 0)) is a > 0 AND b > 0.
        text = minimal_parentheses(text)
    return text


_SINGLE_PARENTHESISED = re.compile(r"('(?:[^']|'')*')|(?<!\w)\((\w+|'(?:[^']|'')*')\)")
_ONE_VALUE_IN = re.compile(
    r"(?<![\w.'])([a-z_][\w.]*) (not )?in\(('(?:[^']|'')*'|-?[\d.]+|[a-z_]\w*)\)(?![\w'])"
)
_CAST_CALL = re.compile(r"(?<![\w.])cast\s*\(", re.IGNORECASE)


def _without_cast_calls(text: str) -> str:
    """``CAST(x AS t)`` as ``(x)``: the same as PostgreSQL's ``x::t``, whose casts are dropped
    (PostgreSQL gives ``CAST`` back as ``::``, other databases keep what they were given)."""
    while (match := _CAST_CALL.search(text)) is not None:
        depth, quoted, split = 0, False, -1
        for position in range(match.end(), len(text)):
            char = text[position]
            if char == "'":
                quoted = not quoted
            elif quoted:
                continue
            elif char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            elif char == ")":
                if split < 0:
                    return text  # not CAST(x AS t): leave it as written
                inner = text[match.end() : split]
                text = f"{text[: match.start()]}({inner}){text[position + 1 :]}"
                break
            elif depth == 0 and text[position : position + 4].lower() == " as ":
                split = position
        else:
            return text
    return text


@lru_cache(maxsize=4096)
def canonical_default(text: str | None, type_: str) -> str | None:
    """Canonical text of a server default for a column of canonical type ``type_``."""
    if text is None:
        return None
    text = canonical_expression(text)
    if text is None or text == "" or text == "null":
        return None
    if _NOW.match(text):
        return "current_timestamp"
    if text in ("curdate()", "current_date()"):
        return "current_date"
    if type_ == "boolean":
        if text in _TRUE:
            return "true"
        if text in _FALSE:
            return "false"
    if _NUMERIC_TYPE.match(type_):
        return _canonical_number(text)
    return text


def _canonical_number(text: str) -> str:
    bare = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text
    try:
        number = Decimal(bare)
    except InvalidOperation:
        return text
    # 0, 0.0 and '0.00' are the same default for a numeric column.
    return format(number.normalize(), "f")


def canonical_action(action: str | None) -> str | None:
    """A foreign key's ON DELETE/ON UPDATE action; ``None`` for the default behaviour.

    NO ACTION is what every database does when told nothing, and MySQL reports it as RESTRICT
    (which differs from NO ACTION only in when a deferred check fires, and MySQL does not defer).
    """
    if action is None:
        return None
    action = " ".join(action.upper().split())
    return None if action in ("NO ACTION", "RESTRICT") else action
