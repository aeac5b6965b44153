"""Turn a source given as text (on the command line, in config) into a spec, by its form.

``pkg.module:attr`` is models, a URL is a database, a path ending in ``.toml``/``.json`` is a
snapshot, ``alembic:path/to/alembic.ini[@revision]`` is an Alembic revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from schemaspec.errors import SourceError
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
    shadow: str | bool | None = None,
    connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float | None = DEFAULT_STATEMENT_TIMEOUT,
) -> SchemaSpec:
    """The spec of ``source``. ``dialect`` and ``shadow`` apply to models, ``schema`` to models
    and databases, the timeouts (seconds, ``None`` for none) to databases."""
    if isinstance(source, str):
        source = parse_source(source)
    if source.kind == "models":
        from schemaspec.sources.models import from_models

        return from_models(source.text, dialect=dialect, schema=schema, shadow=shadow)
    if source.kind == "database":
        from schemaspec.sources.database import from_database

        return from_database(
            source.text,
            schema=schema,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
        )
    if source.kind == "snapshot":
        from schemaspec.sources.snapshot import load

        return load(source.text)
    from schemaspec.sources.alembic import from_alembic_source

    return from_alembic_source(source.text)
