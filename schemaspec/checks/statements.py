"""The SQL a migration runs, captured as it runs, for the lock lint.

Listens on SQLAlchemy's engine events for the duration of one upgrade and keeps what ran on the
review's database: the statements on the migrator's own connection, and on any other connection
an ``env.py`` opened to the same database (one that builds its own engine from
``sqlalchemy.url`` instead of taking the connection it is given).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine

__all__ = ["captured_statements"]


@contextmanager
def captured_statements(connection: Connection) -> Iterator[list[str]]:
    """A list that fills with every statement run on ``connection``'s database meanwhile."""
    statements: list[str] = []
    where = _identity(connection.engine.url)

    def record(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if conn is connection or _identity(conn.engine.url) == where:
            statements.append(statement)

    # On the Engine class: an env.py's own engine is created after this point.
    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _identity(url: URL) -> tuple[str, str | None, int | None, str | None]:
    return (url.get_backend_name(), url.host, url.port, url.database)
