"""The hand-written floor: the fewest catalog queries that fetch the facts a spec holds.

Where schemaspec reads a database's catalog itself (PostgreSQL: schemaspec/sources/
native_postgresql.py), the floor is those same queries on a fresh connection, their rows fetched
and dropped: what the server and the driver cost, with nothing of schemaspec's on top. The
*raw inspector* column stays the floor of reading through SQLAlchemy; this one is the floor of
reading at all.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from schemaspec.sources import native_postgresql as pg
from schemaspec.sources import native_sqlite, objects


def hand_written(kind: str, url: str) -> int | None:
    """Run the floor's queries; the number of tables they found (``None``: no floor for
    ``kind`` yet)."""
    if kind == "sqlite":
        return _sqlite(url)
    if kind != "postgresql":
        return None
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            server = pg.server_version(connection)
            relations = connection.execute(text(pg.relations_query(None))).all()
            oids = [oid for oid, _, kind_, _ in relations if kind_ in ("r", "p")]
            # Views, sequences, triggers, routines, extensions: already one query each.
            objects.read_objects(connection, None)
            connection.execute(text(pg.ENUMS_QUERY)).all()
            for query in (
                pg.COLUMNS_QUERY,
                pg.constraints_query(server),
                pg.indexes_query(server),
            ):
                connection.execute(text(query), {"oids": oids}).all()
            connection.execute(text(pg.OPERATOR_CLASSES_QUERY)).all()
            return len(oids)
    finally:
        engine.dispose()


def _sqlite(url: str) -> int:
    """SQLite's floor: ``sqlite_master`` once, views and triggers, and the one statement joining
    the tables to the pragma functions (schemaspec/sources/native_sqlite.py)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(native_sqlite.master_statement('"main"')).all()
            names = [name for kind, name, _, _ in rows if kind == "table"]
            objects.read_objects(connection, None)
            if names:
                statement = native_sqlite.catalog_statement(len(names))
                connection.exec_driver_sql(statement, (*names, *["main"] * 4)).all()
            return len(names)
    finally:
        engine.dispose()
