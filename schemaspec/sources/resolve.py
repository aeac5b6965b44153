"""Turn a source given as text (on the command line, in config) into a spec, by its form.

``pkg.module:attr`` is models, a URL is a database, a path ending in ``.toml``/``.json`` is a
snapshot, ``alembic:path/to/alembic.ini[@revision]`` is an Alembic revision.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import MetaData
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from schemaspec.errors import SchemaspecWarning, SourceError
from schemaspec.sources.session import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT
from schemaspec.sources.snapshot import SUFFIXES
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import mask_url

SourceKind = Literal["models", "database", "snapshot", "alembic"]

_IMPORT_STRING = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_URL = re.compile(r"^[A-Za-z][\w+.\-]*://")


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    text: str

    def __str__(self) -> str:
        """How reports name the source: URLs always with the password masked."""
        return mask_url(self.text) if self.kind == "database" else self.text


def parse_source(text: str) -> Source:
    if text.startswith("alembic:"):
        return Source("alembic", text)
    if text.lower().endswith(SUFFIXES):
        return Source("snapshot", text)
    if _URL.match(text) or text.startswith("sqlite:"):
        return Source("database", text)
    if _IMPORT_STRING.match(text):
        return Source("models", text)
    raise SourceError(
        f"cannot tell what {mask_url(text)!r} is: expected models ('pkg.module:attr'), a database "
        "URL ('postgresql+psycopg://...'), a snapshot ('.toml'/'.json') or "
        "'alembic:path/to/alembic.ini[@revision]'"
    )


def load_source(
    source: Source | str,
    *,
    dialect: str | None = None,
    schema: str | None = None,
    schemas: str | Sequence[str] | None = None,
    privileges: bool = False,
    shadow: str | bool | None = None,
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float | None = DEFAULT_STATEMENT_TIMEOUT,
) -> SchemaSpec:
    """The spec of ``source``. ``dialect`` and ``shadow`` apply to models, ``schema`` and
    ``schemas`` (several in one spec, ``"*"`` all) to models and databases, the timeouts
    (seconds, ``None`` for none) to databases."""
    if isinstance(source, str):
        source = parse_source(source)
    if source.kind == "models":
        from schemaspec.sources.models import from_models

        with warnings.catch_warnings():
            # Models without tables are refused by the commands in their own words.
            warnings.simplefilter("ignore", SchemaspecWarning)
            spec = from_models(source.text, dialect=dialect, schema=schema, shadow=shadow)
        if schema is not None and not spec.tables:
            raise _no_tables_in_schema(source.text, schema)
        # With several schemas, models give all of theirs: other schemas' tables are keyed
        # schema.name already, as the database's are then.
        return spec
    if source.kind == "database":
        from schemaspec.sources.database import from_database

        check_sqlite_url(source.text)

        return from_database(
            source.text,
            schema=schema,
            schemas=schemas,
            privileges=privileges,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
        )
    if source.kind == "snapshot":
        from schemaspec.sources.snapshot import load

        return load(source.text)
    from schemaspec.sources.alembic import from_alembic_source

    return from_alembic_source(source.text)


def _no_tables_in_schema(target: str, schema: str) -> SourceError:
    """``--schema`` that matches none of the models' tables would compare nothing, and read as
    "every table unexpected" or, against an empty side, "no differences"."""
    from schemaspec.sources.importing import import_object

    found: Any = import_object(target)  # imported already: sys.modules answers
    metadata = getattr(found, "metadata", found)
    schemas: list[str] = []
    if isinstance(metadata, MetaData):
        named = {table.schema for table in metadata.tables.values()}
        schemas = sorted(repr(name) for name in named if name is not None)
        if None in named:
            schemas.insert(0, "the default schema")
    where = f" (their tables are in {', '.join(schemas)})" if schemas else ""
    return SourceError(f"models {target} have no tables in schema {schema!r}{where}")


def check_sqlite_url(url: str | URL) -> None:
    """Refuse ``sqlite://x.db``: two slashes make ``x.db`` the host, which SQLite has none of
    (SQLAlchemy would only say "Invalid SQLite URL")."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return  # not a URL at all: the database source says so in its own words
    if parsed.get_backend_name() != "sqlite" or not (parsed.host or parsed.port):
        return
    raise SourceError(
        f"{mask_url(str(url))!r} is not a SQLite URL: a file takes three slashes "
        "(sqlite:///app.db, relative) or four (sqlite:////srv/app.db, absolute); "
        "'sqlite://' alone is an in-memory database"
    )


def is_in_memory_sqlite(url: str | URL) -> bool:
    """``sqlite://``, ``sqlite:///:memory:`` and ``mode=memory`` URIs: a database that lives
    only as long as one connection, and a different one on every connection."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return False
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return True
    return database.startswith("file:") and (
        ":memory:" in database or "mode=memory" in database or parsed.query.get("mode") == "memory"
    )
