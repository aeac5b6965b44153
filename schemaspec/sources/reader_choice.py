"""Which reader reads a database: schemaspec's own catalog readers (the default) or
SQLAlchemy's reflection, which stays as their oracle (``SCHEMASPEC_READER=sqlalchemy``)."""

from __future__ import annotations

import os

from schemaspec.errors import SourceError

#: The environment variable choosing the reader: ``native`` (the default) or ``sqlalchemy``.
READER_VARIABLE = "SCHEMASPEC_READER"
READERS = ("native", "sqlalchemy")


def chosen_reader() -> str:
    """The reader ``SCHEMASPEC_READER`` names (``native`` when unset)."""
    value = os.environ.get(READER_VARIABLE, "").strip().lower() or "native"
    if value not in READERS:
        raise SourceError(
            f"{READER_VARIABLE}={os.environ[READER_VARIABLE]!r} names no reader: "
            f"set it to {' or '.join(READERS)}, or unset it"
        )
    return value
