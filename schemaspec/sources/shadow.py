"""Shadow mode: the models' spec as a real database builds it.

``from_models(models, shadow=...)`` runs ``create_all`` in a scratch database of the target kind,
reads it back with the very reader :func:`~schemaspec.from_database` uses on the actual side,
and drops it. Both sides of a comparison then pass through one database and one reader, so what
SQLAlchemy's compiler and the database decide (types, defaults, truncated names, ``ddl_if``,
``@compiles`` overrides, objects made by DDL events) is never re-derived by our own rules.

Nothing here touches a database the user has: a server URL only hosts a new scratch database
(removed afterwards, also on failure), and ``shadow=True`` is an in-memory SQLite database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool, StaticPool

from schemaspec.errors import DatabaseConnectionError, SourceError
from schemaspec.sources.alembic import lost_connection
from schemaspec.sources.database import from_database
from schemaspec.sources.scratch import scratch_database
from schemaspec.spec import DEFAULT_KINDS, MODEL_KINDS, SchemaSpec
from schemaspec.util.redact import describe_url, scrub

ShadowTarget = str | URL | bool

#: DDL statement openings, for naming the object a database refused to create.
_DDL_OBJECT = re.compile(
    r"^\s*(CREATE|ALTER|DROP)\s+(?:UNIQUE\s+)?(?:OR\s+REPLACE\s+)?"
    r"(TABLE|INDEX|TYPE|SEQUENCE|VIEW|TRIGGER|FUNCTION|SCHEMA|EXTENSION)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?(\S+)",
    re.IGNORECASE,
)


class ModelsNotCreatableError(SourceError):
    """The models cannot be created on the shadow database: a defect of the models themselves."""


def shadow_spec(
    metadata: MetaData,
    dialect: str | None,
    shadow: ShadowTarget,
    *,
    schema: str | None = None,
) -> SchemaSpec:
    """The spec of a scratch database of the target kind after ``metadata.create_all``."""
    url = shadow_url(dialect, shadow)
    with _shadow_connection(url, metadata) as connection:
        _create(connection, metadata)
        if schema is not None:
            return _described(from_database(connection, schema=schema))
        # Tables declared in the default schema (schema="public") are read with the rest; the
        # others are read as from_database reads several schemas, foreign keys across included.
        default = connection.dialect.default_schema_name
        others = sorted(_schemas(metadata) - {default})
        if not others:
            return _described(from_database(connection))
        return _described(from_database(connection, schemas=[default or "", *others]))


def shadow_url(dialect: str | None, shadow: ShadowTarget) -> URL:
    """Where to build: ``True`` is an in-memory SQLite database; a URL names a server."""
    if shadow is True:
        if dialect not in (None, "sqlite"):
            raise SourceError(
                f"shadow=True builds the models in an in-memory SQLite database, not {dialect}: "
                f"give the URL of a {dialect} server to create a scratch database on"
            )
        return make_url("sqlite://")
    if shadow is False:
        raise SourceError("shadow=False: leave shadow out (None) to build the spec without one")
    try:
        url = make_url(shadow)
    except sa_exc.ArgumentError:
        raise SourceError(
            f"shadow: not a database URL: {scrub(str(shadow), None)!r} "
            "(expected e.g. postgresql+psycopg://user@host/postgres, or True for SQLite)"
        ) from None
    kind = "mysql" if url.get_backend_name() == "mariadb" else url.get_backend_name()
    if dialect is not None and dialect != kind:
        raise SourceError(
            f"the shadow database is {kind} but the models are rendered for {dialect}: "
            "give a shadow server of the same kind"
        )
    return url


@contextmanager
def _shadow_connection(url: URL, metadata: MetaData) -> Iterator[Connection]:
    if url.get_backend_name() == "sqlite":
        # Always in memory (a file named in the URL is never written): one connection holds the
        # whole database, and each schema of the models is an in-memory database attached to it.
        engine = sa.create_engine("sqlite://", poolclass=StaticPool)
        try:
            with engine.connect() as connection:
                for name in sorted(_schemas(metadata)):
                    quoted = connection.dialect.identifier_preparer.quote(name)
                    connection.exec_driver_sql(f"ATTACH DATABASE ':memory:' AS {quoted}")
                yield connection
        finally:
            engine.dispose()
        return
    if url.get_backend_name() in ("mysql", "mariadb") and _schemas(metadata):
        raise SourceError(
            "shadow on MySQL/MariaDB builds in one scratch database, and a MySQL schema is a "
            f"database of its own: tables in {sorted(_schemas(metadata))} cannot be built; "
            "compare one schema at a time with schema=..."
        )
    with scratch_database(url) as scratch:
        engine = sa.create_engine(scratch, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                for name in sorted(_schemas(metadata)):
                    quoted = connection.dialect.identifier_preparer.quote(name)
                    connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
                connection.commit()
                yield connection
        finally:
            engine.dispose()


def _described(spec: SchemaSpec) -> SchemaSpec:
    """What models describe, plus every kind their DDL events created (a view, a trigger): a
    database the models were built in says nothing about the kinds they left out."""
    created = [kind for kind in DEFAULT_KINDS if kind not in MODEL_KINDS and getattr(spec, kind)]
    # Extensions a server has in every database (plpgsql) are not the models' doing.
    created = [kind for kind in created if kind != "extensions"]
    return spec.model_copy(update={"describes": (*MODEL_KINDS, *created)})


def _schemas(metadata: MetaData) -> set[str]:
    return {table.schema for table in metadata.tables.values() if table.schema is not None}


def _create(connection: Connection, metadata: MetaData) -> None:
    """``create_all``; a refusal names the object and the database's own words."""
    dialect = connection.dialect.name
    try:
        metadata.create_all(connection)
        connection.commit()
    except sa_exc.DBAPIError as error:
        # Asked before the rollback, which would reconnect and hide that the session died.
        lost = lost_connection(error, connection)
        connection.rollback()
        if lost is None:
            statement = str(error.statement or "")
            cause = " ".join(str(error.orig).split())
            raise ModelsNotCreatableError(
                f"the models cannot be created on {dialect}: {_object_of(statement)}: {cause}"
            ) from None
    except sa_exc.SQLAlchemyError as error:
        # Refused before reaching the database (e.g. an index with no columns cannot compile).
        connection.rollback()
        cause = " ".join(str(error).split())
        raise ModelsNotCreatableError(
            f"the models cannot be created on {dialect}: {cause}"
        ) from None
    else:
        return
    # A lost connection is no fault of the models: a connection error (exit 2), raised outside
    # the except block so the driver's exception, with its SQL, is not chained.
    raise DatabaseConnectionError(
        f"lost the connection to {describe_url(connection.engine.url)}"
        f" while creating the models: {lost}"
    )


def _object_of(statement: str) -> str:
    match = _DDL_OBJECT.match(statement)
    if match is None:
        return " ".join(statement.split())[:120] or "a statement"
    return f"{match.group(2).lower()} {match.group(3).strip(chr(34) + '`[]')}"
