"""SQLite's catalog read in bulk: the same rows as the per-table pragmas, in a fixed number of
statements, without touching the engine's dialect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from zoo import schema_zoo, zoo

from schemaspec import from_database, from_models
from schemaspec.sources.sqlite_bulk import BulkCatalog

TABLE_PRAGMAS = ("table_info", "table_xinfo", "index_list", "foreign_key_list")
INDEX_PRAGMAS = ("index_info", "index_xinfo")


@pytest.fixture
def zoo_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    """The SQLite zoo in ``main`` and the other-schema zoo in an attached ``zoo_other``."""
    other = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'main.db'}")

    @sa.event.listens_for(engine, "connect")
    def attach(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.execute("ATTACH DATABASE ? AS zoo_other", (str(other),))

    zoo("sqlite").create_all(engine)
    schema_zoo("zoo_other").create_all(engine)
    yield engine
    engine.dispose()


def catalog_names(connection: sa.Connection, schema: str | None, kind: str) -> list[str]:
    master = f'"{schema}".sqlite_master' if schema else "sqlite_master"
    rows = connection.exec_driver_sql(f"SELECT name FROM {master} WHERE type = ?", (kind,))
    return sorted(row[0] for row in rows)


def pragma(connection: sa.Connection, schema: str | None, name: str, argument: str) -> list[Any]:
    prefix = f'"{schema}".' if schema else "main."
    rows = connection.exec_driver_sql(f'PRAGMA {prefix}{name}("{argument}")')
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("schema", [None, "zoo_other"])
def test_bulk_rows_are_each_pragmas_own_rows(zoo_engine: sa.Engine, schema: str | None) -> None:
    with zoo_engine.connect() as connection:
        tables = catalog_names(connection, schema, "table")
        indexes = catalog_names(connection, schema, "index")
        bulk = BulkCatalog(connection, schema, tables)
        compared = 0
        for table in tables:
            for name in TABLE_PRAGMAS:
                assert bulk.pragma(name, table) == pragma(connection, schema, name, table)
                compared += 1
        for index in indexes:
            for name in INDEX_PRAGMAS:
                assert bulk.pragma(name, index) == pragma(connection, schema, name, index)
                compared += 1
        master = f'"{schema}".sqlite_master' if schema else "sqlite_master"
        ddl = connection.exec_driver_sql(f"SELECT name, sql FROM {master} WHERE type = 'table'")
        assert bulk.table_sql == dict(ddl.all())
    # The zoo has automatic indexes (unique constraints) and named ones in both databases.
    assert any(name.startswith("sqlite_autoindex") for name in indexes)
    assert compared == len(tables) * 4 + len(indexes) * 2


def test_what_was_not_read_in_bulk_is_asked_of_sqlite(zoo_engine: sa.Engine) -> None:
    with zoo_engine.connect() as connection:
        bulk = BulkCatalog(connection, None, ["numbers"])
        # A table left out by the filters, and a pragma that is never read in bulk.
        assert bulk.pragma("table_xinfo", "lite_types") is None
        assert bulk.pragma("table_list", "numbers") is None
        assert bulk.rows("table_xinfo", "lite_types") == pragma(
            connection, None, "table_xinfo", "lite_types"
        )
        assert set(bulk.table_sql) == {"numbers"}


def numbered_tables(count: int) -> sa.MetaData:
    metadata = sa.MetaData()
    for number in range(count):
        sa.Table(
            f"t{number:03d}",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.ForeignKey(f"t{max(number - 1, 0):03d}.id")),
            sa.Column("code", sa.String(10), unique=True),
            sa.Index(f"ix_t{number:03d}_parent", "parent_id"),
        )
    return metadata


def statements_sent(url: str) -> list[str]:
    sent: list[str] = []
    engine = sa.create_engine(url)

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        from_database(engine)
    finally:
        engine.dispose()
    return sent


def test_reflection_sends_as_many_statements_for_60_tables_as_for_5(tmp_path: Path) -> None:
    counts = {}
    for count in (5, 60):
        url = f"sqlite:///{tmp_path / f'{count}.db'}"
        metadata = numbered_tables(count)
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        engine.dispose()
        sent = statements_sent(url)
        counts[count] = len(sent)
        assert not [statement for statement in sent if statement.startswith("PRAGMA main.")]
        # And what was read is the schema, exactly.
        assert from_database(url).tables == from_models(metadata, dialect="sqlite").tables
    assert counts[5] == counts[60]


def test_the_engines_dialect_is_left_as_it_was(zoo_engine: sa.Engine) -> None:
    from_database(zoo_engine)

    assert "_get_table_sql" not in vars(zoo_engine.dialect)
    assert "_get_table_pragma" not in vars(zoo_engine.dialect)


def test_temporary_objects_of_the_same_name_do_not_stand_in(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, a INT)")
        connection.exec_driver_sql("CREATE INDEX ix ON t (a)")
        connection.exec_driver_sql("CREATE TABLE u (a INT, b INT)")
        connection.exec_driver_sql("CREATE INDEX ix_u ON u (a)")
    expected = from_database(engine)
    with engine.connect() as connection:
        # On the very connection reflection uses: a temporary table named like a real one,
        # and a temporary index named like a real one on another table.
        connection.exec_driver_sql("CREATE TEMP TABLE t (z TEXT, w INT)")
        connection.exec_driver_sql("CREATE INDEX temp.ix2 ON t (z)")
        connection.exec_driver_sql("CREATE TEMP TABLE other (z TEXT)")
        connection.exec_driver_sql("CREATE INDEX temp.ix_u ON other (z)")
        actual = from_database(connection)
    engine.dispose()

    assert sorted(expected.tables["t"].columns) == ["a", "id"]
    assert expected.tables["u"].indexes["ix_u"].columns == ("a",)
    assert actual == expected
