"""Several schemas in one spec: the default schema's objects keep bare keys, the others are
qualified (``audit.events``), as models key a ``Table(..., schema="audit")``."""

from __future__ import annotations

from schemaspec.spec import SchemaSpec

#: Schemas the databases keep for themselves, never the application's.
SYSTEM_SCHEMAS = frozenset(
    {
        # PostgreSQL
        "information_schema",
        "pg_catalog",
        "pg_toast",
        # MySQL and MariaDB
        "mysql",
        "performance_schema",
        "sys",
        # SQLite's temporary schema holds this connection's temporary tables only.
        "temp",
    }
)


def is_system_schema(name: str) -> bool:
    return name in SYSTEM_SCHEMAS or name.startswith(("pg_temp_", "pg_toast_temp_"))


def merged(spec: SchemaSpec, schema: str, other: SchemaSpec) -> SchemaSpec:
    """``spec`` plus the objects of ``other``, read with ``schema=schema``, as ``schema.name``.

    ``other``'s foreign keys already name the tables they refer to by their keys in the merged
    spec (see ``database._references_from``).
    """

    def qualified(name: str) -> str:
        return f"{schema}.{name}"

    triggers = {
        qualified(key): trigger.model_copy(update={"table": qualified(trigger.table)})
        for key, trigger in other.triggers.items()
    }
    update = {
        "tables": {**spec.tables, **{qualified(k): t for k, t in other.tables.items()}},
        "enums": {**other.enums, **spec.enums},
        "views": {**spec.views, **{qualified(k): v for k, v in other.views.items()}},
        "sequences": {**spec.sequences, **{qualified(k): v for k, v in other.sequences.items()}},
        "routines": {**spec.routines, **{qualified(k): v for k, v in other.routines.items()}},
        "triggers": {**spec.triggers, **triggers},
    }
    return spec.model_copy(update=update)
