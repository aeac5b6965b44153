"""PostgreSQL: FLOAT without precision is DOUBLE PRECISION; named enum types are objects."""

from __future__ import annotations

import re

from schemaspec.dialects import base as dialects
from schemaspec.spec import EnumSpec, SchemaSpec, TableSpec
from schemaspec.sql.literals import postgresql_literal

# ``col = ANY (ARRAY['a', 'b'])`` is how PostgreSQL gives back ``col IN ('a', 'b')`` (and
# ``<> ALL`` a ``NOT IN``); the casts around it are already gone in canonical text.
# Where the rest of the expression is beyond the parser, the array keeps its own parentheses.
_ANY_ARRAY = re.compile(r"(=any|<>all)\((\()?array\[((?:'(?:[^']|'')*'|[^\]'])*)\](?(2)\))\)")
# A typed literal (``interval '1 day'``) comes back as a cast (``'1 day'::interval``), and
# canonical text drops casts, so the type keyword in front of a literal goes too. String
# literals are matched first and kept, so the keyword is only removed outside of them.
_TYPED_LITERAL = re.compile(
    r"('(?:[^']|'')*')|\b(?:interval|date|time|timestamp|timestamptz|jsonb|json|uuid|inet|cidr"
    r"|numeric|integer|bigint|smallint|text|boolean)\s*(?=')"
)

# A default that is one string literal, nothing else.
_LITERAL = re.compile(r"'(?:[^']|'')*'")

# LIKE comes back as its operator: ~~ (ILIKE ~~*, and negated with a leading !).
_LIKE = re.compile(r"('(?:[^']|'')*')|\s*(!?)~~(\*?)\s*")


def _like(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1)
    return f" {'not ' if match.group(2) else ''}{'ilike' if match.group(3) else 'like'} "


class PostgreSQLRules(dialects.DialectRules):
    name = "postgresql"
    default_sequence_cache = 1
    emulation_checks = frozenset()
    stored_types = {  # noqa: RUF012
        "float": "double",
        # CHAR without a length is CHAR(1) (the SQL standard's rule, which PostgreSQL follows).
        "char": "char(1)",
        # The rest is for comparing with a MySQL spec: what PostgreSQL would store instead.
        "tinyint": "smallint",
        "mediumint": "integer",
        "tinytext": "text",
        "mediumtext": "text",
        "longtext": "text",
        "tinyblob": "bytes",
        "mediumblob": "bytes",
        "longblob": "bytes",
        "year": "smallint",
        # MySQL's TIMESTAMP converts to and from the session time zone, as timestamptz does.
        "mysql_timestamp": "timestamptz",
    }

    def column_type(self, type_: str, enums: dict[str, EnumSpec]) -> str:
        sized = re.fullmatch(r"float\((\d+)\)", type_)
        if sized:
            # PostgreSQL picks REAL up to 24 bits of precision, DOUBLE PRECISION above.
            return "real" if int(sized.group(1)) <= 24 else "double"
        # PostgreSQL has no unsigned integers (a MySQL spec's do not survive the comparison).
        type_ = super().column_type(dialects.zero_scale(type_.removesuffix(" unsigned")), enums)
        # Array dimensions are not enforced and the catalog shows one pair of brackets
        # whatever was declared: ``integer[][]`` is stored as ``integer[]``.
        return re.sub(r"(\[\])+$", "[]", type_)

    def normalize(self, spec: SchemaSpec) -> SchemaSpec:
        return super().normalize(_public_is_the_default(spec))

    def table(self, table: TableSpec, enums: dict[str, EnumSpec]) -> TableSpec:
        table = super().table(table, enums)
        # ``flag IN (0, 1)`` on a boolean column is the check that emulates BOOLEAN on SQLite
        # and MySQL; PostgreSQL's boolean needs none (and would reject that comparison), so a
        # spec from those databases compared with PostgreSQL loses it.
        checks = {
            key: check
            for key, check in table.checks.items()
            if not _emulates_boolean(check.sqltext, table)
        }
        # A UNIQUE constraint on exactly the primary key's columns is not created: PostgreSQL
        # leaves only the key (the same columns in another order are created).
        unique = {
            key: constraint
            for key, constraint in table.unique.items()
            if constraint.columns != table.primary_key
        }
        return dialects.replace(table, checks=checks, unique=unique)

    def index_element(self, element: str) -> str:
        element = super().index_element(element)
        # NULLS LAST is the default of ascending order, NULLS FIRST of descending order.
        element = re.sub(r" desc nulls first$", " desc", element)
        return re.sub(r"(?<! desc) nulls last$", "", element)

    def typed_default(self, default: str | None, type_: str) -> str | None:
        # PostgreSQL converts a literal default to the column's type when the table is created
        # and gives the value back in its own output format: '2 hours' on an INTERVAL is
        # '02:00:00', '2020-01-01' on a TIMESTAMP '2020-01-01 00:00:00', '{ 1, 2 }' '{1,2}'.
        if default is None or not _LITERAL.fullmatch(default):
            return default
        return postgresql_literal(default, type_)

    def rewrite(self, text: str) -> str:
        text = _ANY_ARRAY.sub(
            lambda m: (" in(" if m.group(1) == "=any" else " not in(") + m.group(3) + ")", text
        )
        text = _LIKE.sub(_like, text)
        return _TYPED_LITERAL.sub(lambda m: m.group(1) or "", text)

    def generated_name(self, kind: str, table: str, columns: tuple[str, ...], name: str) -> bool:
        # PostgreSQL's ChooseConstraintName: table, columns and a suffix, cut to 63 bytes.
        suffix = {"foreign_keys": "fkey", "unique": "key", "checks": "check"}[kind]
        label = "_".join((table.rpartition(".")[2], *columns))
        return name == f"{label}_{suffix}"[:63] or (
            kind == "checks"
            and re.fullmatch(rf"{re.escape(table)}(_\w+)?_check\d*", name) is not None
        )


def _public_is_the_default(spec: SchemaSpec) -> SchemaSpec:
    """``public.members`` is ``members``: PostgreSQL's default schema, where a table declared
    with ``schema="public"`` and one declared without both live (and are read back bare)."""
    if not any(key.startswith(_PUBLIC) for key in spec.tables) and not spec.variants:
        return spec
    variants = {
        dialect: {_bare(key): _bare_references(table) for key, table in tables.items()}
        for dialect, tables in spec.variants.items()
    }
    tables = {_bare(key): _bare_references(table) for key, table in spec.tables.items()}
    return dialects.replace(spec, tables=tables, variants=variants)


_PUBLIC = "public."


def _bare(key: str) -> str:
    return key.removeprefix(_PUBLIC)


def _bare_references(table: TableSpec) -> TableSpec:
    foreign_keys = {
        key: dialects.replace(fk, referred_table=_bare(fk.referred_table))
        for key, fk in table.foreign_keys.items()
    }
    return dialects.replace(table, foreign_keys=foreign_keys)


def _emulates_boolean(sqltext: str, table: TableSpec) -> bool:
    match = re.fullmatch(r"(\w+) in\(0,1\)", sqltext)
    column = table.columns.get(match.group(1)) if match else None
    return column is not None and column.type == "boolean"


dialects.registry.register(PostgreSQLRules())
