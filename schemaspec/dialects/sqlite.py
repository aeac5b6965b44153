"""SQLite: no comments, no enum or UUID types, no time zones; INTEGER PRIMARY KEY is the rowid."""

from __future__ import annotations

import re

from schemaspec.dialects import base as dialects
from schemaspec.spec import ColumnSpec, EnumSpec, SchemaSpec


class SQLiteRules(dialects.DialectRules):
    name = "sqlite"
    supports_comments = False
    supports_named_enums = False
    emulation_checks = frozenset({"boolean", "enum"})
    keeps_interval_fields = False
    # SQLite has no identity columns (SQLAlchemy emits a plain column) and compares collation
    # names without case; deferrable keys and named primary keys are kept in its DDL.
    stores_identity = False
    stores_postgresql_indexes = False
    # SQLite has no sequences (SQLAlchemy creates none there).
    stores_sequences = False
    collations_ignore_case = True
    # What SQLAlchemy emits on this database, and so what reflection finds: no UUID, time zone,
    # INTERVAL or JSONB types (DateTime(timezone=True) is a DATETIME).
    stored_types = {  # noqa: RUF012
        **dialects.WITHOUT_NATIVE_TYPES,
        # For comparing with a MySQL spec: SQLite keeps a timestamp without a time zone.
        "mysql_timestamp": "timestamp",
    }

    def column_type(self, type_: str, enums: dict[str, EnumSpec]) -> str:
        # SQLite reads a declared type by its affinity name: FLOAT(53) is a FLOAT, and a MySQL
        # INTEGER UNSIGNED an INTEGER (SQLAlchemy's reflection parses it the same way).
        type_ = re.sub(r"^float\(\d+\)", "float", type_.removesuffix(" unsigned"))
        type_ = super().column_type(type_, enums)
        inline = re.fullmatch(r"enum\((.*)\)", type_)
        if inline and inline.group(1).startswith("'"):
            # A non-native enum is a VARCHAR as long as its longest value (SQLAlchemy's rule).
            values = [
                v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", inline.group(1))
            ]
            return f"varchar({max(len(value) for value in values)})"
        return type_

    def column(self, column: ColumnSpec, enums: dict[str, EnumSpec]) -> ColumnSpec:
        column = super().column(column, enums)
        # BINARY is every column's collation unless told otherwise.
        if column.collation == "binary":
            return dialects.replace(column, collation=None)
        return column

    def autoincrement(
        self, columns: dict[str, ColumnSpec], primary_key: tuple[str, ...]
    ) -> dict[str, ColumnSpec]:
        # A single INTEGER PRIMARY KEY aliases the rowid and always autoincrements; nothing else
        # can, and reflection does not report it, so both sides are derived from the key alone.
        rowid = primary_key[0] if len(primary_key) == 1 else None
        return {
            name: dialects.replace(column, autoincrement=name == rowid and column.type == "integer")
            for name, column in columns.items()
        }

    def common(self, spec: SchemaSpec) -> SchemaSpec:
        # Every integer type has the same 64-bit storage in SQLite; only the rowid alias
        # (INTEGER PRIMARY KEY) differs, and it is derived again from the merged type.
        tables = {}
        for name, table in spec.tables.items():
            columns = {
                key: column.model_copy(update={"type": "integer"})
                if column.type in _INTEGERS
                else column
                for key, column in table.columns.items()
            }
            columns = self.autoincrement(columns, table.primary_key)
            tables[name] = table.model_copy(update={"columns": columns})
        return spec.model_copy(update={"tables": tables})


_INTEGERS = frozenset({"smallint", "integer", "bigint", "tinyint", "mediumint"})

dialects.registry.register(SQLiteRules())
