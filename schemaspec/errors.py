"""The exceptions schemaspec raises.

One root, :class:`SchemaspecError`, so callers (and the CLI) catch a single type; one subclass
per failure a user can act on, each with a message that says what to fix.
"""

from __future__ import annotations

from pathlib import Path


class SchemaspecError(Exception):
    """Root of every error schemaspec raises on purpose."""


class SchemaspecWarning(UserWarning):
    """Something schemaspec did is probably not what the caller meant (it still did it)."""


class SourceError(SchemaspecError):
    """A source (import string, URL, file, Alembic config) could not be turned into a spec."""


class DatabaseConnectionError(SchemaspecError):
    """A database could not be reached or refused us.

    The message names the host, never the password.
    """


class SnapshotError(SchemaspecError):
    """A snapshot file is malformed or invalid.

    Carries the file and, where known, the line or the field at fault.
    """

    def __init__(
        self, path: str | Path, reason: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        self.field = field
        where = str(self.path)
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}")
