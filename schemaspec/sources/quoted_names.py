"""Undo SQLAlchemy's misreading of quoted names in DDL it parses (MySQL, SQLite).

SQLAlchemy reflects MySQL tables by parsing ``SHOW CREATE TABLE`` and SQLite constraints by
parsing the table's ``CREATE TABLE`` text. In both it keeps a doubled quote character as it is
(``back``tick`` for the column ``back`tick``, ``"quo""te"`` for the constraint ``quo"te``), and
on SQLite it drops a unique constraint whose column name holds a ``"`` altogether. Found by
tests/test_identifiers.py; every other database object name is read from the catalog, intact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Inspector

from schemaspec.spec import SchemaSpec, TableSpec, UniqueSpec


def unescape(spec: SchemaSpec) -> SchemaSpec:
    """The spec with the names SQLAlchemy parsed out of DDL unescaped."""
    if spec.dialect == "mysql":
        # Every column and constraint name comes from SHOW CREATE TABLE.
        fix, columns_too = _undouble("`"), True
    elif spec.dialect == "sqlite":
        # Columns come from PRAGMA table_info (intact); constraint names from the DDL.
        fix, columns_too = _undouble('"'), False
    else:
        return spec
    return spec.model_copy(
        update={"tables": {name: _table(t, fix, columns_too) for name, t in spec.tables.items()}}
    )


def add_lost_sqlite_uniques(
    inspector: Inspector, schema: str | None, names: list[str], uniques: dict[Any, Any]
) -> None:
    """Add, unnamed, the unique constraints SQLAlchemy could not parse out of SQLite DDL.

    SQLite backs every unique constraint with a ``sqlite_autoindex_*`` index; one that is
    neither the primary key's nor a parsed constraint's is a constraint SQLAlchemy lost.
    """
    for name in names:
        key = (schema, name)
        found = {tuple(u["column_names"]) for u in uniques.get(key, [])}
        primary = tuple(inspector.get_pk_constraint(name, schema=schema)["constrained_columns"])
        for index in inspector.get_indexes(name, schema=schema, include_auto_indexes=True):
            columns = tuple(index["column_names"])
            if not str(index["name"]).startswith("sqlite_autoindex_"):
                continue
            if columns in found or columns == primary:
                continue
            uniques.setdefault(key, []).append({"name": None, "column_names": list(columns)})


Fix = Callable[[str], str]


def _undouble(quote: str) -> Fix:
    def fix(text: str) -> str:
        return text.replace(quote * 2, quote)

    return fix


def _same(text: str) -> str:
    return text


def _table(table: TableSpec, fix: Fix, columns_too: bool) -> TableSpec:
    column = fix if columns_too else _same

    def columns_of(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(column(name) for name in names)

    def name(text: str | None) -> str | None:
        return fix(text) if text is not None else None

    return table.model_copy(
        update={
            "columns": {column(key): spec for key, spec in table.columns.items()},
            "primary_key": columns_of(table.primary_key),
            "foreign_keys": {
                ",".join(columns_of(fk.columns)): fk.model_copy(
                    update={
                        "columns": columns_of(fk.columns),
                        "referred_columns": columns_of(fk.referred_columns),
                        "referred_table": column(fk.referred_table),
                        "name": name(fk.name),
                    }
                )
                for fk in table.foreign_keys.values()
            },
            "indexes": {
                column(key): index.model_copy(update={"columns": columns_of(index.columns)})
                for key, index in table.indexes.items()
            },
            "unique": {
                ",".join(columns_of(u.columns)): UniqueSpec(
                    columns=columns_of(u.columns), name=name(u.name)
                )
                for u in table.unique.values()
            },
            "checks": {
                (name(c.name) or key): c.model_copy(update={"name": name(c.name)})
                for key, c in table.checks.items()
            },
        }
    )
