"""MySQL and MariaDB: enums are inline, unique indexes are unique constraints, no time zones."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from schemaspec.dialects import base as dialects
from schemaspec.spec import ColumnSpec, EnumSpec, TableSpec
from schemaspec.sql.expr import minimal_parentheses

# MariaDB gives ``length(x)`` back as ``octet_length(x)`` (they are synonyms in MySQL and
# MariaDB: both count bytes), ``substring(x, 1, 3)`` and ``mid(x, 1, 3)`` as ``substr(x,1,3)``,
# and ``NOW()``, ``LOCALTIMESTAMP``, ``LOCALTIME`` (synonyms there) as ``current_timestamp()``.
# A NOT it cannot push down is ``!(x)``. String literals are matched first and kept.
_FUNCTIONS = re.compile(
    r"('(?:[^']|'')*')|(?<![\w.])(length|substring|mid)\(|(?<![\w.])(now\(\)|localtimestamp"
    r"(?:\(\))?(?![\w(])|localtime(?:\(\))?(?![\w(]))|!(?!=)"
)
_FUNCTION_NAMES = {"length": "octet_length(", "substring": "substr(", "mid": "substr("}

# A MySQL string literal: backslash escapes and doubled quotes (backticked names are skipped).
_MYSQL_LITERAL = re.compile(r"(`(?:[^`]|``)*`)|'((?:[^'\\]|\\.|'')*)'", re.S)
# \% and \_ keep their backslash (LIKE's escapes); any other escaped character is itself.
_UNESCAPE = {
    **{"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"},
    **{"%": "\\%", "_": "\\_"},
}
_ESCAPE = {"\\": "\\\\", "'": "''", "\0": "\\0", "\b": "\\b", "\n": "\\n", "\r": "\\r"}
_ESCAPE.update({"\t": "\\t", "\x1a": "\\Z"})


def _function(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1)
    if match.group(2):
        return _FUNCTION_NAMES[match.group(2)]
    return "current_timestamp" if match.group(3) else " not "


def _literal(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1)
    value = re.sub(
        r"\\(.)|''",
        lambda m: _UNESCAPE.get(m.group(1), m.group(1)) if m.group(1) else "'",
        match.group(2),
        flags=re.S,
    )
    return "'" + "".join(_ESCAPE.get(char, char) for char in value) + "'"


class MySQLRules(dialects.DialectRules):
    name = "mysql"
    # MariaDB hands out sequence values 1,000 at a time unless told otherwise.
    default_sequence_cache = 1000
    supports_named_enums = False
    emulation_checks = frozenset({"boolean"})
    keeps_interval_fields = False
    # AUTO_INCREMENT stands for an identity; DEFERRABLE is refused; the primary key is always
    # named PRIMARY; collation names are lower case.
    stores_identity = False
    stores_deferrable = False
    stores_primary_key_name = False
    stores_postgresql_indexes = False
    collations_ignore_case = True
    # What SQLAlchemy emits on this database, and so what reflection finds: no UUID, time zone,
    # INTERVAL or JSONB types (DateTime(timezone=True) is a DATETIME).
    stored_types = {  # noqa: RUF012
        **dialects.WITHOUT_NATIVE_TYPES,
        # REAL is a synonym for DOUBLE unless the REAL_AS_FLOAT SQL mode is set.
        "real": "double",
        # DECIMAL without a precision is DECIMAL(10,0).
        "numeric": "numeric(10,0)",
        # CHAR without a length is CHAR(1).
        "char": "char(1)",
    }

    def column_type(self, type_: str, enums: dict[str, EnumSpec]) -> str:
        sized = re.fullmatch(r"float\((\d+)\)( unsigned)?", type_)
        if sized:
            # FLOAT(p) is stored as FLOAT up to 24 bits of precision and as DOUBLE above.
            stored = "float" if int(sized.group(1)) <= 24 else "double"
            return stored + (sized.group(2) or "")
        return super().column_type(dialects.zero_scale(type_), enums)

    def column(self, column: ColumnSpec, enums: dict[str, EnumSpec]) -> ColumnSpec:
        column = super().column(column, enums)
        if column.type == "json" and column.collation is not None:
            # MariaDB's JSON is LONGTEXT COLLATE utf8mb4_bin: the collation comes with the type.
            column = dialects.replace(column, collation=None)
        return dialects.replace(column, default=_stored_default(column.default, column.type))

    def literals(self, text: str | None) -> str | None:
        # Without NO_BACKSLASH_ESCAPES, a backslash escapes the next character, and MariaDB
        # gives literals back re-escaped its own way: 'it''s' as 'it\'s', a tab as '\t', 'a\x'
        # as 'ax'. One spelling of each value: quotes doubled, a backslash as \\, control
        # characters as their escapes.
        return None if text is None else _MYSQL_LITERAL.sub(_literal, text)

    def rewrite(self, text: str) -> str:
        text = _FUNCTIONS.sub(_function, text)
        # MariaDB pushes NOT down when it parses a check: NOT (a > 1 AND b IS NULL) is stored
        # as a <= 1 OR b IS NOT NULL (its negate_expression() and neg_transformer()).
        return minimal_parentheses(text, push_not=True)

    def table(self, table: TableSpec, enums: dict[str, EnumSpec]) -> TableSpec:
        table = super().table(table, enums)
        table = dialects._unique_indexes_as_constraints(table)
        # InnoDB creates an index for every foreign key that has none, named after the constraint
        # or, for an unnamed one, after its first column (then _2, _3...). It is the database's
        # bookkeeping, not a schema difference.
        fk_columns = {fk.columns: fk.name for fk in table.foreign_keys.values()}
        indexes = {
            name: index
            for name, index in table.indexes.items()
            if index.unique or not _innodb_fk_index(name, index.columns, fk_columns)
        }
        return dialects.replace(table, indexes=indexes)

    def generated_name(self, kind: str, table: str, columns: tuple[str, ...], name: str) -> bool:
        bare = table.rpartition(".")[2]
        if kind == "foreign_keys":
            return re.fullmatch(rf"{re.escape(bare)}_ibfk_\d+", name) is not None
        if kind == "unique":
            # An unnamed unique key is named after its first column (then _2, _3...).
            return (
                bool(columns) and re.fullmatch(rf"{re.escape(columns[0])}(_\d+)?", name) is not None
            )
        # MariaDB names a column check after its column and a table check CONSTRAINT_n.
        return re.fullmatch(r"CONSTRAINT_\d+", name) is not None


_FRACTIONAL = re.compile(r"^(?:mysql_)?timestamp\((\d+)\)$")
_PLAIN_NOW = re.compile(r"\bcurrent_timestamp\b(?!\()")
_SCALE = re.compile(r"^numeric\(\d+,(\d+)\)")


def _stored_default(default: str | None, type_: str) -> str | None:
    """A default as MariaDB stores it for a column of ``type_``.

    - ``CURRENT_TIMESTAMP`` (or ``now()``) on a ``DATETIME(6)``/``TIMESTAMP(3)`` is stored with
      the column's precision: ``current_timestamp(6)``;
    - a YEAR's quoted default is the number (``'2020'`` is ``2020``);
    - a number with more decimals than a DECIMAL's scale is rounded to the scale (half away
      from zero, as MariaDB rounds ``1.50`` to ``2`` for ``DECIMAL(8,0)``).
    """
    if default is None:
        return None
    fractional = _FRACTIONAL.match(type_)
    if fractional is not None and int(fractional.group(1)) > 0:
        return _PLAIN_NOW.sub(f"current_timestamp({fractional.group(1)})", default)
    if type_ == "year" and re.fullmatch(r"'\d+'", default):
        return default[1:-1]
    scale = _SCALE.match(type_)
    if scale is not None:
        try:
            number = Decimal(default)
        except InvalidOperation:
            return default
        places = Decimal(1).scaleb(-int(scale.group(1)))
        return format(number.quantize(places, rounding=ROUND_HALF_UP).normalize(), "f")
    return default


def _innodb_fk_index(
    name: str, columns: tuple[str, ...], fk_columns: dict[tuple[str, ...], str | None]
) -> bool:
    if columns not in fk_columns:
        return False
    return (
        name == fk_columns[columns]
        or re.fullmatch(rf"{re.escape(columns[0])}(_\d+)?", name) is not None
    )


dialects.registry.register(MySQLRules())
