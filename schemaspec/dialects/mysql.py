"""MySQL and MariaDB: enums are inline, unique indexes are unique constraints, no time zones."""

from __future__ import annotations

from schemaspec.dialects import base as dialects
from schemaspec.spec import EnumSpec, TableSpec


class MySQLRules(dialects.DialectRules):
    name = "mysql"
    supports_named_enums = False
    # What SQLAlchemy emits for these types on MySQL/MariaDB, and so what reflection finds.
    emulation_checks = frozenset({"boolean"})
    stored_types = {  # noqa: RUF012
        "uuid": "char(32)",
        "interval": "timestamp",
        "timestamptz": "timestamp",
        "timetz": "time",
        "jsonb": "json",
        # REAL is a synonym for DOUBLE unless the REAL_AS_FLOAT SQL mode is set.
        "real": "double",
    }

    def table(self, table: TableSpec, enums: dict[str, EnumSpec]) -> TableSpec:
        table = super().table(table, enums)
        table = dialects._unique_indexes_as_constraints(table)
        # InnoDB creates an index for every foreign key that has none; it is named after the
        # constraint. It is the database's bookkeeping, not a schema difference.
        fk_indexes = {
            (fk.name, fk.columns) for fk in table.foreign_keys.values() if fk.name is not None
        }
        indexes = {
            name: index
            for name, index in table.indexes.items()
            if index.unique or (name, index.columns) not in fk_indexes
        }
        return table.model_copy(update={"indexes": indexes})


dialects.registry.register(MySQLRules())
