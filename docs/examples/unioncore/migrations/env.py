"""Alembic environment for the UnionCore example.

Where the database comes from, first match wins:

1. ``config.attributes["connection"]``: a Connection handed in by code (Alembic's recipe for
   running migrations on an existing connection, used by tests and by schemaspec);
2. ``-x url=...`` on the command line;
3. ``config.attributes["url"]``: a URL handed in by code;
4. ``sqlalchemy.url`` in alembic.ini.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine, pool
from unioncore.models import Base

config = context.config

# Only when run from the command line: code that hands in a connection, or sets
# attributes["configure_logger"] = False (as test suites do), keeps its own logging setup.
if (
    config.config_file_name is not None
    and "connection" not in config.attributes
    and config.attributes.get("configure_logger", True)
):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.attributes.get("url")
    if url:
        return str(url)
    configured = config.get_main_option("sqlalchemy.url")
    if not configured:
        raise RuntimeError("no database URL: pass -x url=... or set sqlalchemy.url")
    return configured


def configure(connection: Connection | None = None, url: str | None = None) -> None:
    dialect_name = connection.dialect.name if connection is not None else url or ""
    context.configure(
        connection=connection,
        url=url if connection is None else None,
        target_metadata=target_metadata,
        literal_binds=connection is None,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=dialect_name.startswith("sqlite"),
        compare_type=True,
    )


def run_migrations_offline() -> None:
    configure(url=database_url())
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            run_on(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
