"""Many tenants of one server, or many SQLite files, read in one pass.

Reading tenant schemas one ``from_database(url, schema=s)`` at a time costs about twenty catalog
queries per schema, most of it fixed cost, and a fleet is mostly copies of one schema. So a
server is read in one session (one connection, one consistent snapshot where the database
offers one, see session.py):

1. the tenant schemas are listed (a glob over the server's non-system schemas: PostgreSQL
   schemas, MySQL/MariaDB databases),
2. every tenant's catalog fingerprint is computed in one query per kind of catalog row for all of
   them (:mod:`schemaspec.sources.fingerprints`),
3. tenants are grouped by fingerprint, and one tenant of each group is read by the ordinary
   reader (``from_database(connection, schema=tenant)``: the very spec a per-tenant loop gets,
   bare table keys and all); that spec stands for the whole group.

A spec is shared only when it names no schema at all (a default or a definition that mentions
the tenant's own schema would be wrong for the others): otherwise each tenant of the group is
read on its own. MySQL/MariaDB do not version their catalog, so the fingerprints are taken again
after reading and the pass is repeated when they changed meanwhile, as ``from_database`` does.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from schemaspec.errors import DatabaseConnectionError, SchemaspecError, SourceError
from schemaspec.sources import fingerprints, namespaces, session
from schemaspec.sources.database import _connection, _first_line, from_database
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import describe_url, scrub

#: A tenant's spec, or why it could not be read.
Outcome = SchemaSpec | SchemaspecError


@dataclass
class TenantReads:
    """What one pass over a server found: an outcome per tenant schema, and what it cost."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    #: Specs read with the reader (the rest were shared within their group).
    reads: int = 0


def server_schemas(connection: Connection, pattern: str) -> list[str]:
    """The server's schemas (MySQL/MariaDB: databases) matching ``pattern``, sorted; never the
    database's own system schemas."""
    names = inspect(connection).get_schema_names()
    return sorted(
        name
        for name in names
        if not namespaces.is_system_schema(name) and fnmatch.fnmatchcase(name, pattern)
    )


def read_tenants(
    engine: Engine,
    pattern: str,
    *,
    keep: Callable[[str], bool] = lambda name: True,
    statement_timeout: float | None = session.DEFAULT_STATEMENT_TIMEOUT,
) -> TenantReads:
    """Every tenant schema of the server behind ``engine`` whose name matches ``pattern``, a
    glob (``tenant_*``) and that ``keep`` keeps (a shard's own).

    Raises :class:`DatabaseConnectionError` when the server cannot be reached or listed, and
    :class:`SourceError` when the glob matches no schema; a tenant that fails on its own is an
    outcome, the others are still read.
    """
    backend = engine.dialect.name
    if backend == "postgresql":
        fingerprint: Callable[[Connection, Sequence[str]], dict[str, str]] = (
            fingerprints.pg_fingerprints
        )
    elif backend in ("mysql", "mariadb"):
        fingerprint = fingerprints.mysql_fingerprints
    else:
        raise SourceError(
            f"{describe_url(engine.url)} has no schemas to read as tenants: --schemas works on "
            "PostgreSQL (schemas) and MySQL/MariaDB (databases); give SQLite tenants as files"
        )
    try:
        return _read_server(engine, pattern, keep, fingerprint, statement_timeout)
    except sa_exc.DBAPIError as error:
        # A catalog query of the pass failed (a timeout, the server gone): the server's
        # failure, said without the driver's exception chained (it may quote the URL).
        message = scrub(_first_line(error), engine.url)
    raise DatabaseConnectionError(
        f"reading the schemas of {describe_url(engine.url)} failed: {message}"
    )


def _read_server(
    engine: Engine,
    pattern: str,
    keep: Callable[[str], bool],
    fingerprint: Callable[[Connection, Sequence[str]], dict[str, str]],
    statement_timeout: float | None,
) -> TenantReads:
    backend = engine.dialect.name
    for _attempt in range(session.ATTEMPTS):
        with _connection(engine, None, statement_timeout) as connection:
            names = [name for name in _names(connection, pattern) if keep(name)]
            if not names:
                return TenantReads()
            before = fingerprint(connection, names)
            reads = _read_groups(connection, _groups(before))
            # Where the catalog is not one snapshot (MySQL/MariaDB), a migration that ran
            # meanwhile could have made a shared spec wrong for some of the group.
            if backend == "postgresql" or fingerprint(connection, names) == before:
                return reads
    raise DatabaseConnectionError(session.KEPT_CHANGING)


def _names(connection: Connection, pattern: str) -> list[str]:
    names = server_schemas(connection, pattern)
    if not names:
        where = describe_url(connection.engine.url)
        raise SourceError(
            f"{where} has no schema matching {pattern!r}: check the pattern (a glob such as "
            "'tenant_*', case-sensitive)"
        )
    return names


def _groups(prints: dict[str, str]) -> list[list[str]]:
    """Tenants by fingerprint, each group and the groups in name order."""
    groups: dict[str, list[str]] = {}
    for name in sorted(prints):
        groups.setdefault(prints[name], []).append(name)
    return sorted(groups.values())


def _read_groups(connection: Connection, groups: Iterable[list[str]]) -> TenantReads:
    found = TenantReads()
    for members in groups:
        first = members[0]
        outcome = _read_one(connection, first, found)
        if isinstance(outcome, SchemaSpec) and not _shareable(outcome, members):
            for member in members[1:]:
                found.outcomes[member] = _read_one(connection, member, found)
            found.outcomes[first] = outcome
            continue
        for member in members:
            found.outcomes[member] = outcome
    return found


def _read_one(connection: Connection, schema: str, found: TenantReads) -> Outcome:
    found.reads += 1
    try:
        return from_database(connection, schema=schema)
    except SchemaspecError as error:
        # The transaction may be aborted now (PostgreSQL): start a new one for the next tenant.
        session.end(connection)
        session.begin(connection, None)
        return error


def _shareable(spec: SchemaSpec, members: Sequence[str]) -> bool:
    """True when ``spec`` can stand for every tenant of its group: it names none of them (a
    default, view or routine naming its own schema would be wrong for the others)."""
    if len(members) == 1:
        return True
    dumped = spec.model_dump_json()
    return not any(member in dumped for member in members)


@dataclass
class FileReads:
    """SQLite files: an outcome per URL, and how many were read rather than shared."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    reads: int = 0


def read_sqlite_files(
    engines: Callable[[str], Engine],
    urls: Sequence[str],
    *,
    statement_timeout: float | None = session.DEFAULT_STATEMENT_TIMEOUT,
) -> FileReads:
    """Each SQLite database of ``urls``; files whose DDL (``sqlite_master``) is equal share one
    spec. Each file is fingerprinted and, when new, read in one read transaction, so the spec
    is of the DDL that was fingerprinted."""
    found = FileReads()
    by_print: dict[str, SchemaSpec] = {}
    for url in urls:
        try:
            with _connection(engines(url), None, statement_timeout) as connection:
                digest = fingerprints.sqlite_fingerprint(connection)
                spec = by_print.get(digest)
                if spec is None:
                    found.reads += 1
                    spec = by_print[digest] = from_database(connection)
        except SchemaspecError as error:
            found.outcomes[url] = error
        except sa_exc.DBAPIError as error:
            # The fingerprint query is the first read: a file that is not a SQLite database
            # fails there.
            where = describe_url(make_url(url))
            found.outcomes[url] = DatabaseConnectionError(
                f"reading the schema of {where} failed: {scrub(_first_line(error), None)}"
            )
        else:
            found.outcomes[url] = spec
    return found
