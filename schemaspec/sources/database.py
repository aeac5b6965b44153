"""A live database to a spec: the schema the database has.

Reflection uses SQLAlchemy's bulk ``Inspector.get_multi_*`` calls: one query per kind of object
for the whole schema, instead of several per table. That is both the fastest way through
SQLAlchemy and immune to the recursion ``MetaData.reflect()`` hits on long foreign-key chains.
Reflection only reads, in a read-only transaction that is always rolled back (see session.py).
"""

from __future__ import annotations

import fnmatch
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ENUM as PG_ENUM
from sqlalchemy.engine import URL, Dialect, Inspector, make_url
from sqlalchemy.engine.interfaces import (
    ReflectedColumn,
    ReflectedForeignKeyConstraint,
    ReflectedIndex,
)
from sqlalchemy.engine.reflection import ObjectKind

from schemaspec.dialects import normalize
from schemaspec.errors import DatabaseConnectionError, SourceError
from schemaspec.sources import (
    catalog,
    namespaces,
    native_postgresql,
    native_sqlite,
    objects,
    quoted_names,
    session,
    sqlite_bulk,
)
from schemaspec.sources.models import TOOL_TABLES, check_key, dialect_name, table_key
from schemaspec.spec import (
    DEFAULT_KINDS,
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ExcludeSpec,
    ExtensionSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
    UniqueSpec,
)
from schemaspec.sql.constraints import canonical_deferrable, canonical_exclusion
from schemaspec.sql.identity import identity_text
from schemaspec.sql.text import canonical_action
from schemaspec.sql.types import canonical_type
from schemaspec.util.gcpause import paused_gc
from schemaspec.util.interning import column_spec
from schemaspec.util.redact import describe_url, scrub, unescaped_userinfo

#: Tables that belong to tools, not to the application's schema.
DEFAULT_EXCLUDE = tuple(sorted(TOOL_TABLES))

#: The drivers schemaspec's own extras install (pyproject.toml): only these get
#: ``pip install 'schemaspec[extra]'`` as advice. Any other extra name would not exist, and
#: ``[postgresql]`` (psycopg 3) would not give a psycopg2 URL its driver.
_DRIVER_EXTRAS = {"psycopg": "postgresql", "pymysql": "mysql"}
#: The pip package of each other driver SQLAlchemy knows, by its SQLAlchemy driver name.
_DRIVER_PACKAGES = {
    "psycopg2": "psycopg2-binary",
    "psycopg2cffi": "psycopg2cffi",
    "pg8000": "pg8000",
    "mysqldb": "mysqlclient",
    "mysqlconnector": "mysql-connector-python",
    "mariadbconnector": "mariadb",
    "cymysql": "cymysql",
    "oracledb": "oracledb",
    "cx_oracle": "cx_Oracle",
    "pyodbc": "pyodbc",
    "pymssql": "pymssql",
}
#: asyncio drivers: installing one would not help, schemaspec connects synchronously.
_ASYNC_DRIVERS = frozenset(
    {"asyncpg", "psycopg_async", "aiomysql", "asyncmy", "aiosqlite", "aioodbc"}
)
#: The supported URL form of each backend with an extra, offered next to another driver.
_SUPPORTED_FORMS = {
    "postgresql": ("postgresql+psycopg://", "postgresql"),
    "mysql": ("mysql+pymysql://", "mysql"),
    "mariadb": ("mariadb+pymysql://", "mysql"),
}


@paused_gc()
def from_database(
    bind: str | URL | Engine | Connection,
    schema: str | None = None,
    *,
    schemas: Sequence[str] | str | None = None,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    connect_timeout: float | None = session.DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float | None = session.DEFAULT_STATEMENT_TIMEOUT,
    extension_versions: bool = False,
    privileges: bool = False,
) -> SchemaSpec:
    """The spec of the tables a live database has.

    ``bind`` is a URL (string or ``URL``), an ``Engine`` or a ``Connection``. ``schema`` picks a
    non-default schema, its tables keyed by bare name. ``schemas`` reads several into one spec
    (``"*"``: every schema but the database's own): the default schema's objects keep bare keys,
    the others' are qualified (``audit.events``), as models key ``Table(..., schema="audit")``.
    ``include``/``exclude`` are glob patterns on table names (qualified ones in other schemas),
    applied before reflection so unwanted tables are never queried; ``alembic_version`` is
    excluded by default.

    Reflection runs in a read-only transaction on one consistent snapshot where the database
    offers them (a ``Connection`` handed in is used as it is). ``connect_timeout`` (URLs only)
    and ``statement_timeout`` are in seconds; ``None`` waits forever. Extensions are read by
    name; ``extension_versions=True`` keeps their versions too (a server upgrade changes them).
    ``privileges=True`` also reads grants on tables and PostgreSQL's row-level security and
    policies (the spec then describes ``privileges``; see docs/objects.md).
    """
    if schema is not None and schemas is not None:
        raise SourceError("give schema= (one schema, bare keys) or schemas=, not both")
    try:
        with _connection(bind, connect_timeout, statement_timeout) as connection:
            if schemas is None:
                spec = _read(connection, schema, include, exclude)
                read = {schema: ""}
            else:
                spec, read = _read_schemas(connection, schemas, include, exclude)
            if privileges:
                spec = _with_privileges(connection, read, spec)
    except sa_exc.DBAPIError as error:
        url = _bind_url(bind)
        failure = DatabaseConnectionError(
            f"reading the schema of {describe_url(url)} failed: {scrub(_first_line(error), url)}"
        )
    else:
        if not extension_versions:
            spec = spec.model_copy(
                update={"extensions": {name: ExtensionSpec() for name in spec.extensions}}
            )
        return normalize(spec)
    # Raised outside the except block so the driver's exception is not chained as __context__:
    # it is the one place a URL or a password could still hide.
    raise failure


def _with_privileges(
    connection: Connection, read: Mapping[str | None, str], spec: SchemaSpec
) -> SchemaSpec:
    """``spec`` with the grants of its tables and sequences and its tables' row-level security
    and policies, from each schema ``read`` names (with the prefix of its keys in ``spec``)."""
    found = {
        prefix + name: privileges
        for schema, prefix in read.items()
        for name, privileges in objects.read_privileges(connection, schema).items()
    }
    tables = {
        name: table.model_copy(
            update={
                "grants": found[name].grants,
                "row_security": found[name].row_security,
                "policies": found[name].policies,
            }
        )
        if name in found
        else table
        for name, table in spec.tables.items()
    }
    sequences = {
        name: sequence.model_copy(update={"grants": found[name].grants})
        if name in found
        else sequence
        for name, sequence in spec.sequences.items()
    }
    return spec.model_copy(
        update={
            "tables": tables,
            "sequences": sequences,
            "describes": (*DEFAULT_KINDS, "privileges"),
        }
    )


def _read_schemas(
    connection: Connection,
    schemas: Sequence[str] | str,
    include: Sequence[str] | None,
    exclude: Sequence[str],
) -> tuple[SchemaSpec, dict[str | None, str]]:
    """Several schemas in one spec (see :func:`from_database`), and the schemas read with the
    prefix of their objects' keys (``None``: the default schema, bare keys)."""
    inspector = inspect(connection)
    existing = inspector.get_schema_names()
    default = inspector.default_schema_name
    if schemas == "*":
        wanted = [name for name in existing if not namespaces.is_system_schema(name)]
    else:
        wanted = [schemas] if isinstance(schemas, str) else list(schemas)
        if not wanted:
            # An empty list would read nothing and compare as "every table missing".
            raise SourceError("schemas= names no schema: give their names, or '*' for all")
        missing = [name for name in wanted if name not in existing]
        if missing:
            where = describe_url(connection.engine.url)
            raise SourceError(f"{where} has no schema {missing[0]!r}")
    read: dict[str | None, str] = {}
    if default in wanted or default is None:
        spec = _read(connection, None, include, exclude)
        read[None] = ""
    else:
        spec = SchemaSpec(dialect=dialect_name(connection.dialect))
    for other in sorted(set(wanted) - {default}):
        references = _references_from(other, default, connection.dialect.name == "postgresql")
        found = _read(
            connection, other, include, exclude, prefix=f"{other}.", references=references
        )
        spec = namespaces.merged(spec, other, found)
        read[other] = f"{other}."
    return spec, read


def _references_from(schema: str, default: str | None, search_path: bool) -> ReferenceKey:
    """Keys of tables referred to from ``schema``: bare in the default schema, else qualified.

    SQLAlchemy leaves ``referred_schema`` out for a table on PostgreSQL's search path (the
    default schema), and elsewhere for a table in the referring table's own schema.
    """

    def key(referred: str | None, table: str) -> str:
        if referred is None:
            return table if search_path else f"{schema}.{table}"
        return table if referred == default else f"{referred}.{table}"

    return key


def _read(
    connection: Connection,
    schema: str | None,
    include: Sequence[str] | None,
    exclude: Sequence[str],
    *,
    prefix: str = "",
    references: ReferenceKey | None = None,
) -> SchemaSpec:
    """Reflect, again if the catalog changed meanwhile (see session.fingerprint)."""
    for _attempt in range(session.ATTEMPTS):
        before = session.fingerprint(connection, schema)
        spec = _read_once(connection, schema, include, exclude, prefix, references)
        if session.fingerprint(connection, schema) == before:
            return spec
    raise DatabaseConnectionError(session.KEPT_CHANGING)


def read_tables(connection: Connection, tables: Collection[str] | None) -> SchemaSpec:
    """The default schema of ``connection`` with only its tables named in ``tables`` reflected
    (``None``: all of them).

    Every other kind of object (views, sequences, triggers, routines, extensions, enum types)
    is read whole, and the result is normalised as :func:`from_database` normalises it. For a
    caller that keeps the specs of the tables that did not change and owns the database while
    it reads (sources/incremental.py): there is no second pass for a catalog that changed
    meanwhile. A driver error propagates as it is.
    """
    spec = _read_once(connection, None, None, DEFAULT_EXCLUDE, "", None, tables)
    spec = spec.model_copy(
        update={"extensions": {name: ExtensionSpec() for name in spec.extensions}}
    )
    return normalize(spec)


def _read_once(
    connection: Connection,
    schema: str | None,
    include: Sequence[str] | None,
    exclude: Sequence[str],
    prefix: str,
    references: ReferenceKey | None,
    tables: Collection[str] | None = None,
) -> SchemaSpec:
    if native_postgresql.available(connection):
        # PostgreSQL's catalog read directly (SCHEMASPEC_READER=sqlalchemy: the code below).
        return native_postgresql.read(
            connection,
            schema,
            lambda name: _wanted(prefix + name, include, exclude),
            references,
            tables,
        )
    if native_sqlite.available(connection):
        # SQLite's catalog read directly; None: a table its pragmas fail on, read below instead.
        spec = native_sqlite.read(
            connection,
            schema,
            lambda name: _wanted(prefix + name, include, exclude),
            references,
            tables,
        )
        if spec is not None:
            return spec
    inspector = inspect(connection)  # a new one each time: it caches what it read
    if schema is not None and schema not in inspector.get_schema_names():
        # PostgreSQL would answer an empty spec: every table "missing", wrongly.
        where = describe_url(connection.engine.url)
        raise SourceError(f"{where} has no schema {schema!r}")
    # No table asked for: the list of them is not needed either.
    listed = inspector.get_table_names(schema=schema) if tables is None or tables else []
    names = [
        name
        for name in listed
        if _wanted(prefix + name, include, exclude) and (tables is None or name in tables)
    ]
    bulk = None
    if connection.dialect.name == "sqlite":
        bulk = sqlite_bulk.BulkCatalog(connection, schema, names)
        sqlite_bulk.read_through(inspector, bulk)
    with warnings.catch_warnings():
        # SQLAlchemy warns about what it cannot reflect (expression indexes on SQLite,
        # types it does not know); catalog.supplement reads those itself, so the warnings
        # are noise to a schemaspec user.
        warnings.simplefilter("ignore", sa_exc.SAWarning)
        return _reflect(
            connection,
            inspector,
            names,
            schema,
            bulk,
            lambda name: _wanted(prefix + name, include, exclude),
            references,
        )


def _bind_url(bind: str | URL | Engine | Connection) -> URL:
    if isinstance(bind, Engine | Connection):
        return bind.engine.url
    return make_url(bind)


def _wanted(name: str, include: Sequence[str] | None, exclude: Sequence[str]) -> bool:
    if include is not None and not any(fnmatch.fnmatchcase(name, p) for p in include):
        return False
    return not any(fnmatch.fnmatchcase(name, pattern) for pattern in exclude)


@contextmanager
def _connection(
    bind: str | URL | Engine | Connection,
    connect_timeout: float | None = session.DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float | None = session.DEFAULT_STATEMENT_TIMEOUT,
) -> Iterator[Connection]:
    if isinstance(bind, Connection):
        yield bind
        return
    engine = bind if isinstance(bind, Engine) else _engine(bind, connect_timeout)
    failure: DatabaseConnectionError | None
    try:
        try:
            connection = engine.connect()
        except sa_exc.DBAPIError as error:
            cause = scrub(_first_line(error), engine.url)
            failure = DatabaseConnectionError(
                f"cannot connect to {describe_url(engine.url)}: {cause}"
            )
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            # Not a DB-API error: the driver choked on an option from the URL's query
            # (PyMySQL: TypeError for an unknown keyword, AttributeError for an unknown charset).
            cause = scrub(f"{type(error).__name__}: {_first_line(error)}", engine.url)
            failure = DatabaseConnectionError(
                f"cannot connect to {describe_url(engine.url)}: the driver rejected the URL's "
                f"connection options ({cause})"
            )
        else:
            failure = None
        if failure is not None:
            raise failure  # outside the except block: no driver exception chained
        with connection:
            # Read-only, one snapshot, bounded statements; rolled back whatever happens.
            session.begin(connection, statement_timeout)
            try:
                yield connection
            finally:
                session.end(connection)
    finally:
        if engine is not bind:
            engine.dispose()


def _engine(url: str | URL, connect_timeout: float | None) -> Engine:
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError as error:
        raise SourceError(f"not a database URL: {scrub(str(error), None)}") from None
    except ValueError:
        # SQLAlchemy's own int() of the port. Its message quotes the text after the last ':',
        # which is part of the password when the password holds a raw '@' or ':'.
        raise SourceError(
            "not a database URL: its port is not a number (or its user name or password holds a "
            "raw '@', '/' or ':': percent-encode them as %40, %2F and %3A)"
        ) from None
    if unescaped_userinfo(parsed):
        raise SourceError(
            "the database URL has an '@' after its password, so part of the password would be "
            "read as the host or database name: percent-encode '@' as %40 and '/' as %2F in "
            "the user name and password"
        )
    _require_sqlite_file(parsed)
    try:
        return create_engine(parsed, connect_args=session.connect_args(parsed, connect_timeout))
    except sa_exc.NoSuchModuleError:
        raise SourceError(f"no SQLAlchemy dialect for {parsed.drivername!r}") from None
    except ImportError as error:
        raise SourceError(
            f"the driver for {parsed.drivername!r} is not installed ({error.name or error}); "
            f"{_install_advice(parsed, error.name)}"
        ) from None


def _install_advice(url: URL, module: str | None) -> str:
    """What to install: an extra that exists, else the driver's own pip package, and for a
    backend schemaspec has an extra for, the supported URL form too."""
    driver = url.get_driver_name()
    extra = _DRIVER_EXTRAS.get(driver)
    if extra is not None:
        return f"install it with: pip install 'schemaspec[{extra}]'"
    supported = _SUPPORTED_FORMS.get(url.get_backend_name())
    if driver in _ASYNC_DRIVERS:
        advice = "it is an asyncio driver, and schemaspec connects synchronously"
        if supported is None:
            return advice + ": name a synchronous driver in the URL"
        form, supported_extra = supported
        return advice + f": use {form} with: pip install 'schemaspec[{supported_extra}]'"
    package = _DRIVER_PACKAGES.get(driver)
    advice = (
        f"install it with: pip install {package}"
        if package is not None
        else f"install the package that provides the module {module or driver!r}"
    )
    if supported is not None:
        form, supported_extra = supported
        advice += f", or use {form} with: pip install 'schemaspec[{supported_extra}]'"
    return advice


def _require_sqlite_file(url: URL) -> None:
    """SQLite creates a missing file on connect; reflecting must never create a database."""
    if url.get_backend_name() != "sqlite":
        return
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    if not Path(database).is_file():
        raise DatabaseConnectionError(f"no SQLite database file at {database!r}")


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def _reflect(
    connection: Connection,
    inspector: Inspector,
    names: list[str],
    schema: str | None,
    bulk: sqlite_bulk.BulkCatalog | None,
    wanted: Callable[[str], bool],
    references: ReferenceKey | None = None,
) -> SchemaSpec:
    dialect = dialect_name(connection.dialect)
    found = objects.read_objects(connection, schema)
    views = {name: view for name, view in found.views.items() if wanted(name)}
    if any(view.materialized for view in views.values()):
        # A materialized view has indexes of its own (PostgreSQL).
        for (_, view_name), view_indexes in inspector.get_multi_indexes(
            schema=schema, kind=ObjectKind.MATERIALIZED_VIEW
        ).items():
            if view_name in views:
                view = views[view_name]
                views[view_name] = view.model_copy(update={"indexes": _indexes(view_indexes)})
    others: dict[str, Any] = {
        "views": views,
        "sequences": {name: s for name, s in found.sequences.items() if wanted(name)},
        "triggers": {key: t for key, t in found.triggers.items() if wanted(t.table)},
        # Patterns match a routine's name, not its arguments.
        "routines": {key: r for key, r in found.routines.items() if wanted(key.split("(")[0])},
        "extensions": found.extensions,
    }
    if not names:
        # No table is no reason to skip anything else: enum types live on their own.
        return SchemaSpec(dialect=dialect, enums=_enums(inspector, schema, {}), **others)
    kwargs: dict[str, Any] = {"schema": schema, "filter_names": names}
    columns = inspector.get_multi_columns(**kwargs)
    primary_keys = inspector.get_multi_pk_constraint(**kwargs)
    foreign_keys = inspector.get_multi_foreign_keys(**kwargs)
    indexes = inspector.get_multi_indexes(**kwargs)
    uniques = _optional(inspector.get_multi_unique_constraints, kwargs)
    if dialect == "sqlite":
        quoted_names.add_lost_sqlite_uniques(inspector, schema, names, uniques)
    checks = _optional(inspector.get_multi_check_constraints, kwargs)
    comments = _optional(inspector.get_multi_table_comment, kwargs)
    reflected = catalog.Reflected(columns, indexes, checks, foreign_keys)
    catalog.supplement(connection, schema, reflected, bulk)

    tables: dict[str, TableSpec] = {}
    for key in columns:
        table_schema, name = key
        tables[table_key(table_schema, name, schema)] = TableSpec(
            columns={c["name"]: _column_spec(c, connection.dialect) for c in columns[key]},
            primary_key=tuple(
                primary_keys[key]["constrained_columns"] if key in primary_keys else ()
            ),
            primary_key_name=primary_keys[key].get("name") if key in primary_keys else None,
            foreign_keys=_foreign_keys(
                foreign_keys.get(key, []),
                references or (lambda referred, table: table_key(referred, table, schema)),
            ),
            indexes=_indexes(indexes.get(key, [])),
            unique={
                ",".join(u["column_names"]): UniqueSpec(
                    columns=tuple(u["column_names"]),
                    name=u.get("name"),
                    nulls_not_distinct=bool(
                        (u.get("dialect_options") or {}).get("postgresql_nulls_not_distinct")
                    ),
                    include=tuple((u.get("dialect_options") or {}).get("postgresql_include") or ()),
                )
                for u in uniques.get(key, [])
            },
            excludes=_excludes(reflected.excludes.get(key, []), name),
            checks=_checks(checks.get(key, [])),
            comment=(comments.get(key) or {}).get("text"),
        )
    spec = SchemaSpec(
        dialect=dialect, tables=tables, enums=_enums(inspector, schema, columns), **others
    )
    return quoted_names.unescape(spec)


def _checks(reflected: list[Any]) -> dict[str, CheckSpec]:
    result: dict[str, CheckSpec] = {}
    for check in reflected:
        spec = CheckSpec(sqltext=check["sqltext"], name=check.get("name"))
        result[check_key(result, spec)] = spec
    return result


def _excludes(reflected: list[tuple[str, str]], table: str) -> dict[str, ExcludeSpec]:
    """Exclusion constraints from ``(name, pg_get_constraintdef)`` pairs, keyed by definition."""
    specs = [
        ExcludeSpec(definition=canonical_exclusion(text, table), name=name)
        for name, text in reflected
    ]
    return {spec.definition: spec for spec in specs}


def _optional(method: Any, kwargs: dict[str, Any]) -> dict[Any, Any]:
    """Some dialects cannot reflect some objects (comments on SQLite); then there are none."""
    try:
        return dict(method(**kwargs))
    except NotImplementedError:
        return {}


def _column_spec(column: ReflectedColumn, dialect: Dialect) -> ColumnSpec:
    computed = column.get("computed")
    return column_spec(
        type=catalog.decided_type(column) or canonical_type(column["type"], dialect),
        nullable=bool(column["nullable"]),
        default=column.get("default"),
        autoincrement=column.get("autoincrement") is True or bool(column.get("identity")),
        computed=computed["sqltext"] if computed else None,
        comment=column.get("comment"),
        identity=_identity(column.get("identity")),
        collation=catalog.collation(column),
    )


def _identity(reflected: Mapping[str, Any] | None) -> str | None:
    # Every option the catalog has; the dialect's rules drop those equal to the defaults.
    return None if not reflected else identity_text(bool(reflected.get("always")), reflected)


#: The key a foreign key's referred table gets, from SQLAlchemy's ``referred_schema`` and name.
ReferenceKey = Callable[[str | None, str], str]


def _foreign_keys(
    reflected: list[ReflectedForeignKeyConstraint], references: ReferenceKey
) -> dict[str, ForeignKeySpec]:
    result = {}
    for fk in reflected:
        options = fk.get("options") or {}
        spec = ForeignKeySpec(
            columns=tuple(fk["constrained_columns"]),
            referred_table=references(fk.get("referred_schema"), fk["referred_table"]),
            referred_columns=tuple(fk["referred_columns"]),
            name=fk.get("name"),
            on_delete=canonical_action(options.get("ondelete")),
            on_update=canonical_action(options.get("onupdate")),
            deferrable=canonical_deferrable(options.get("deferrable"), options.get("initially")),
        )
        result[",".join(spec.columns)] = spec
    return result


_SORTING = {"asc": "asc", "desc": "desc", "nulls_first": "nulls first", "nulls_last": "nulls last"}


def _indexes(reflected: list[ReflectedIndex]) -> dict[str, IndexSpec]:
    result = {}
    for index in reflected:
        if index.get("duplicates_constraint"):
            # The index behind a unique constraint; the constraint itself is recorded.
            continue
        expressions = index.get("expressions") or index["column_names"]
        options = index.get("dialect_options") or {}
        where = options.get("postgresql_where") or options.get("sqlite_where")
        # DESC and NULLS FIRST/LAST belong to the element, as they do in the models.
        sorting: dict[Any, tuple[str, ...]] = dict(index.get("column_sorting") or {})
        columns = tuple(
            " ".join([str(element), *(_SORTING[word] for word in sorting.get(element, ()))])
            for element in expressions
        )
        # PostgreSQL's non-default operator classes, by the element they belong to.
        ops: dict[Any, str] = dict(options.get("postgresql_ops") or {})
        method = options.get("postgresql_using")
        result[str(index["name"])] = IndexSpec(
            columns=columns,
            unique=bool(index.get("unique")),
            where=str(where) if where is not None else None,
            method=str(method).lower() if method else None,
            operator_classes={
                column: str(ops[element])
                for column, element in zip(columns, expressions, strict=True)
                if element in ops
            },
            include=tuple(options.get("postgresql_include") or ()),
            nulls_not_distinct=bool(options.get("postgresql_nulls_not_distinct")),
        )
    return result


def _enums(
    inspector: Inspector, schema: str | None, columns: dict[Any, list[ReflectedColumn]]
) -> dict[str, EnumSpec]:
    get_enums = getattr(inspector, "get_enums", None)
    if get_enums is not None:
        # PostgreSQL: every enum type of the schema, used or not.
        return {
            enum["name"]: EnumSpec(values=tuple(enum["labels"]))
            for enum in get_enums(schema=schema or "public")
        }
    found = {}
    for table_columns in columns.values():
        for column in table_columns:
            type_ = column["type"]
            if isinstance(type_, PG_ENUM) and type_.name:
                found[type_.name] = EnumSpec(values=tuple(type_.enums))
    return found
