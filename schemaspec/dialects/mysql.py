"""MySQL and MariaDB: enums are inline, unique indexes are unique constraints, no time zones."""

from __future__ import annotations

import re

from schemaspec.dialects import base as dialects
from schemaspec.spec import EnumSpec, TableSpec

# MariaDB gives ``length(x)`` back as ``octet_length(x)`` (they are synonyms in MySQL and
# MariaDB: both count bytes). String literals are matched first and kept.
_LENGTH = re.compile(r"('(?:[^']|'')*')|(?<![\w.])length\(")


class MySQLRules(dialects.DialectRules):
    name = "mysql"
    supports_named_enums = False
    emulation_checks = frozenset({"boolean"})
    keeps_interval_fields = False
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

    def rewrite(self, text: str) -> str:
        return _LENGTH.sub(lambda m: m.group(1) or "octet_length(", text)

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
