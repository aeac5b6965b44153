"""Repeated snapshots of one database that changes a little between them, each equal to a
full :func:`~schemaspec.sources.database.from_database` and costing about what changed.

A migration review snapshots its scratch database around every step of a history (up, down,
up), and a step touches a table or two of the many the schema has by then. Reflecting the whole
schema each time made a review grow with the square of the history's length. Instead,
:class:`IncrementalReader` asks the catalog for a fingerprint of every table (one query), and
reflects only the tables whose fingerprint it has not seen: every table spec it reads is kept by
its fingerprint, so a table unchanged since the last snapshot, or back as it was (the upgrade
after a downgrade), costs no reflection. A fingerprint covers every catalog fact the reader puts
in a :class:`~schemaspec.spec.TableSpec`:

- SQLite: the ``CREATE`` text of the table and of its indexes in ``sqlite_master``, from which
  SQLite itself derives everything its pragmas report.
- PostgreSQL: an MD5 over the table's kind, its columns (name, type as printed, not null,
  identity, generation, collation; a domain's NOT NULL and default), defaults and every
  constraint as the database prints them, comments, indexes (name, method, the ``pg_index``
  row; expression and partial ones as printed) and its identity sequences' options. Hashing
  costs a dozen deparsing calls per table, so the transaction ids of each table's catalog rows
  are listed first, and only the tables whose rows changed are hashed again (see
  :class:`_PostgresqlVersions`).
- MySQL and MariaDB: per table, a hash over its rows in ``information_schema`` ``TABLES``
  (engine, collation, options, comment; not the auto-increment counter), ``COLUMNS``,
  ``STATISTICS``, ``KEY_COLUMN_USAGE``, ``REFERENTIAL_CONSTRAINTS`` and ``CHECK_CONSTRAINTS``.

Two facts live outside a table's own rows, and are handled here:

- A column of an enum type carries the type's values (PostgreSQL): when a type's values change
  (``ALTER TYPE ... ADD VALUE`` touches no table) or a type goes, every table is read again.
- A foreign key names the table it refers to, and SQLite resolves one written without columns
  (``REFERENCES parent``) to that table's primary key, whatever it is now: a kept spec is used
  only while the tables it refers to are as they were when it was read.

Views, sequences, triggers, routines, extensions and enum types are read whole at every
snapshot, as :func:`~schemaspec.sources.database.from_database` reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlalchemy import exc as sa_exc

from schemaspec.errors import DatabaseConnectionError
from schemaspec.sources.database import DEFAULT_EXCLUDE, read_tables
from schemaspec.spec import EnumSpec, SchemaSpec, TableSpec
from schemaspec.util.gcpause import paused_gc
from schemaspec.util.redact import describe_url, scrub

__all__ = ["IncrementalReader", "table_fingerprints"]

#: ``{table name: what its definition in the catalog hashes to}``
Fingerprints = dict[str, Hashable]


@dataclass(frozen=True)
class _Known:
    """A table spec as read, and what it was read from."""

    spec: TableSpec
    #: ``(table, fingerprint)`` of each table its foreign keys refer to, when it was read
    #: (``None``: no such table then).
    referred: tuple[tuple[str, Hashable | None], ...]


@dataclass
class IncrementalReader:
    """Snapshots of the default schema of the database behind ``connection``.

    Each :meth:`snapshot` equals ``from_database(connection)`` at that moment. Only one reader
    per database at a time, and nothing else changing the database while it reads: the
    migrations and the reader take turns on one connection.
    """

    connection: Connection
    #: Every table spec read so far, by table name and fingerprint: a table that comes back
    #: as it was (a downgrade undone by the upgrade after it) is not read again either.
    _known: dict[tuple[str, Hashable], _Known] = field(default_factory=dict)
    _enums: dict[str, EnumSpec] | None = None
    #: PostgreSQL: what the last snapshot saw (see _PostgresqlVersions).
    _versions: _PostgresqlVersions | None = None
    #: The tables the last snapshot reflected; the others kept their specs.
    last_read: frozenset[str] = frozenset()

    @paused_gc()
    def snapshot(self) -> SchemaSpec:
        """The spec of the database now, reflecting only the tables not seen as they are."""
        try:
            return self._snapshot()
        except sa_exc.DBAPIError as error:
            url = self.connection.engine.url
            cause = scrub(_first_line(error), url)
            failure = DatabaseConnectionError(
                f"reading the schema of {describe_url(url)} failed: {cause}"
            )
        # Raised outside the except block: the driver's exception, which may hold the URL, is
        # not chained (as from_database does).
        raise failure

    def _snapshot(self) -> SchemaSpec:
        if self.connection.dialect.name == "postgresql":
            self._versions = _PostgresqlVersions.read(self.connection, self._versions)
            current: Fingerprints | None = self._versions.fingerprints
        else:
            current = table_fingerprints(self.connection)
        if current is None:
            # No fingerprint query for this database: every snapshot reads every table.
            spec = read_tables(self.connection, None)
            self.last_read = frozenset(spec.tables)
            return spec
        kept = self._reusable(current)
        read = read_tables(self.connection, current.keys() - kept.keys())
        if self._enums is not None and _altered(self._enums, read.enums):
            # A column of an enum type carries the type's values (PostgreSQL), yet altering
            # the type touches no table's rows in the catalog: read them all again.
            self._known.clear()
            kept = {}
            read = read_tables(self.connection, current.keys())
        self._enums = dict(read.enums)
        for name, table in read.tables.items():
            if name in current:
                referred = {key.referred_table for key in table.foreign_keys.values()}
                self._known[(name, current[name])] = _Known(
                    table, tuple((other, current.get(other)) for other in sorted(referred))
                )
        self.last_read = frozenset(read.tables)
        tables = {**kept, **read.tables}
        return read.model_copy(update={"tables": {name: tables[name] for name in sorted(tables)}})

    def _reusable(self, current: Fingerprints) -> dict[str, TableSpec]:
        """The known specs of the tables as they are now.

        A spec is kept only while the tables its foreign keys refer to are as they were too:
        SQLite resolves ``REFERENCES parent`` (no columns) to parent's primary key, whatever
        it is now, and a renamed parent changes the name the spec holds.
        """
        kept = {}
        for name, print_ in current.items():
            known = self._known.get((name, print_))
            if known is not None and all(current.get(t) == p for t, p in known.referred):
                kept[name] = known.spec
        return kept


def _altered(before: Mapping[str, EnumSpec], after: Mapping[str, EnumSpec]) -> bool:
    """Whether a type of ``before`` changed or went (a new type is in no table yet)."""
    return any(after.get(name) != enum for name, enum in before.items())


def table_fingerprints(connection: Connection) -> Fingerprints | None:
    """A fingerprint of each table of the connection's default schema (see the module's notes);
    ``None`` for a database schemaspec has no fingerprint query for.

    The tables are those :func:`~schemaspec.sources.database.from_database` reads (tool tables
    such as ``alembic_version`` left out); equal fingerprints mean equal table specs.
    """
    reader = _READERS.get(connection.dialect.name)
    if reader is None:
        return None
    found = reader(connection)
    return {name: print_ for name, print_ in found.items() if name not in DEFAULT_EXCLUDE}


def _sqlite(connection: Connection) -> Fingerprints:
    rows = connection.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_master"
        " WHERE type IN ('table', 'index') ORDER BY tbl_name, type, name"
    ).all()
    texts: dict[str, list[tuple[str, str, str | None]]] = {}
    tables = set()
    for kind, name, table, sql in rows:
        texts.setdefault(table, []).append((kind, name, sql))
        if kind == "table" and not name.startswith("sqlite_"):
            # SQLite's own tables (sqlite_sequence, sqlite_stat1) are never reflected.
            tables.add(name)
    return {name: tuple(texts[name]) for name in tables}


# One row per table of the current schema: its name and an MD5 over everything reflection
# reads for it, and no oid of its own, so a table dropped and created again as it was hashes
# as before. Catalog rows are hashed as stored where that is exact and cheap; definitions
# that name other objects (defaults, constraints, expression and partial indexes) are hashed
# as the database prints them, so renaming a sequence or a function a default calls changes
# them too. string_agg with ORDER BY keeps each part in one order, so equal definitions hash
# alike; a foreign key's referred table is known by its oid here, and a renamed referred table
# is a changed table whose referrers are read again (see IncrementalReader._referring_to).
_PG_FINGERPRINTS = """
SELECT c.relname, md5(concat_ws(E'\\x1f', c.relkind,
  coalesce((SELECT string_agg(concat_ws(E'\\x1e', a.attnum, a.attname,
      pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
      a.attgenerated, a.attcollation, t.typnotnull, t.typdefault, t.typbasetype, t.typtypmod),
      E'\\x1d' ORDER BY a.attnum)
   FROM pg_catalog.pg_attribute a
   -- A domain's NOT NULL and default are read as its columns' own.
   LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid AND t.typtype = 'd'
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ''),
  coalesce((SELECT string_agg(concat_ws(E'\\x1e', d.adnum,
      pg_catalog.pg_get_expr(d.adbin, d.adrelid)), E'\\x1d' ORDER BY d.adnum)
   FROM pg_catalog.pg_attrdef d WHERE d.adrelid = c.oid), ''),
  coalesce((SELECT string_agg(concat_ws(E'\\x1e', ds.objsubid, ds.description), E'\\x1d'
      ORDER BY ds.objsubid)
   FROM pg_catalog.pg_description ds
   WHERE ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objoid = c.oid), ''),
  coalesce((SELECT string_agg(concat_ws(E'\\x1e', k.conname,
      pg_catalog.pg_get_constraintdef(k.oid)), E'\\x1d' ORDER BY k.conname, k.contype)
   FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid), ''),
  coalesce((SELECT string_agg(concat_ws(E'\\x1e', ic.relname, ic.relam,
      pg_catalog.to_jsonb(i) - 'indexrelid' - 'indrelid',
      CASE WHEN i.indexprs IS NOT NULL OR i.indpred IS NOT NULL
      THEN pg_catalog.pg_get_indexdef(i.indexrelid) END), E'\\x1d' ORDER BY ic.relname)
   FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
   WHERE i.indrelid = c.oid), ''),
  coalesce((SELECT string_agg(concat_ws(E'\\x1e', dep.refobjsubid,
      pg_catalog.to_jsonb(s) - 'seqrelid'), E'\\x1d'
      ORDER BY dep.refobjsubid)
   FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid
   WHERE dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjid = c.oid
     AND dep.classid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'i'), '')
))
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
"""


def _postgresql(connection: Connection, names: Collection[str] | None = None) -> Fingerprints:
    if names is None:
        rows = connection.exec_driver_sql(_PG_FINGERPRINTS)
    else:
        rows = connection.execute(
            text(_PG_FINGERPRINTS + " AND c.relname = ANY(:names)"), {"names": sorted(names)}
        )
    return {str(name): str(digest) for name, digest in rows}


# Per table of the current schema: the transaction ids (xmin) of its own catalog rows. A
# transaction that inserts or updates a catalog row stamps it with its own id, which no row
# had before it, and one that deletes a row removes that row's id: so while a table's list is
# unchanged, none of its rows changed, and its fingerprint is the one from before. Each catalog
# is aggregated once for all the tables (a correlated subquery per table costs twice as much).
_PG_VERSIONS = """
WITH t AS (
  SELECT c.oid, c.relname, c.xmin FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
)
SELECT t.relname, concat_ws(' ', t.oid, t.xmin, a.x, d.x, k.x, i.x, ds.x, s.x)
FROM t
LEFT JOIN (SELECT attrelid AS r, string_agg(xmin::text, ',' ORDER BY attnum) AS x
  FROM pg_catalog.pg_attribute WHERE attrelid IN (SELECT oid FROM t) GROUP BY attrelid) a
  ON a.r = t.oid
LEFT JOIN (SELECT adrelid AS r, string_agg(xmin::text, ',' ORDER BY adnum) AS x
  FROM pg_catalog.pg_attrdef WHERE adrelid IN (SELECT oid FROM t) GROUP BY adrelid) d ON d.r = t.oid
LEFT JOIN (SELECT conrelid AS r, string_agg(xmin::text, ',' ORDER BY oid) AS x
  FROM pg_catalog.pg_constraint WHERE conrelid IN (SELECT oid FROM t) GROUP BY conrelid) k
  ON k.r = t.oid
LEFT JOIN (SELECT i.indrelid AS r,
  string_agg(i.xmin::text || '/' || ic.xmin::text, ',' ORDER BY i.indexrelid) AS x
  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  WHERE i.indrelid IN (SELECT oid FROM t) GROUP BY i.indrelid) i ON i.r = t.oid
LEFT JOIN (SELECT objoid AS r, string_agg(xmin::text, ',' ORDER BY objsubid) AS x
  FROM pg_catalog.pg_description WHERE classoid = 'pg_catalog.pg_class'::regclass
  AND objoid IN (SELECT oid FROM t) GROUP BY objoid) ds ON ds.r = t.oid
LEFT JOIN (SELECT dep.refobjid AS r, string_agg(s.xmin::text, ',' ORDER BY s.seqrelid) AS x
  FROM pg_catalog.pg_depend dep JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid
  WHERE dep.refclassid = 'pg_catalog.pg_class'::regclass
  AND dep.classid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'i'
  AND dep.refobjid IN (SELECT oid FROM t) GROUP BY dep.refobjid) s ON s.r = t.oid
"""

# What a table's definition names besides its own rows: sequences (nextval in a default),
# functions, types (a domain's NOT NULL and default), collations; the user's own (oid from
# 16384 up), array types left out (they follow their element type). By xmin again.
_PG_NAMED = """
SELECT 'S', oid, xmin::text FROM pg_catalog.pg_class WHERE relkind = 'S' AND oid >= 16384
UNION ALL SELECT 'f', oid, xmin::text FROM pg_catalog.pg_proc WHERE oid >= 16384
UNION ALL SELECT 't', t.oid, t.xmin::text FROM pg_catalog.pg_type t
  WHERE t.oid >= 16384 AND t.typelem = 0 AND (t.typtype <> 'c' OR EXISTS
  (SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c'))
UNION ALL SELECT 'c', oid, xmin::text FROM pg_catalog.pg_collation WHERE oid >= 16384
"""


@dataclass(frozen=True)
class _PostgresqlVersions:
    """PostgreSQL's table fingerprints, hashed again only for the tables whose rows changed.

    Hashing a table's definition costs a dozen deparsing calls per table; listing the
    transaction ids of its catalog rows costs none. A table whose ids are as at the last
    snapshot keeps its fingerprint, unless an object its definition may name by its name was
    altered meanwhile (renamed, a domain made NOT NULL): then every table is hashed again. An
    object created or dropped since changes no table that does not change itself.
    """

    versions: dict[str, str]
    named: dict[tuple[str, int], str]
    fingerprints: Fingerprints

    @classmethod
    def read(cls, connection: Connection, last: _PostgresqlVersions | None) -> _PostgresqlVersions:
        versions = {
            str(name): str(version)
            for name, version in connection.exec_driver_sql(_PG_VERSIONS)
            if name not in DEFAULT_EXCLUDE
        }
        named = {
            (kind, int(oid)): xmin for kind, oid, xmin in connection.exec_driver_sql(_PG_NAMED)
        }
        kept: Fingerprints = {}
        if last is not None and all(
            named.get(key, xmin) == xmin for key, xmin in last.named.items()
        ):
            kept = {
                name: last.fingerprints[name]
                for name, version in versions.items()
                if last.versions.get(name) == version and name in last.fingerprints
            }
        rest = versions.keys() - kept.keys()
        fingerprints = {**kept, **(_postgresql(connection, rest) if rest else {})}
        return cls(
            versions, named, {name: fingerprints[name] for name in versions if name in fingerprints}
        )


#: Per ``information_schema`` view: the column naming the table, the one naming its schema,
#: and the columns that hold what reflection reads. MariaDB answers each view by opening every
#: table, so none is read twice: TABLE_CONSTRAINTS would only repeat what STATISTICS (primary
#: and unique keys), KEY_COLUMN_USAGE (foreign keys) and CHECK_CONSTRAINTS say.
_MYSQL_VIEWS: dict[str, tuple[str, str, str]] = {
    "TABLES": (
        "TABLE_NAME",
        "TABLE_SCHEMA",
        "TABLE_TYPE, ENGINE, TABLE_COLLATION, CREATE_OPTIONS, TABLE_COMMENT",
    ),
    "COLUMNS": (
        "TABLE_NAME",
        "TABLE_SCHEMA",
        "COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE,"
        " CHARACTER_SET_NAME, COLLATION_NAME, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION",
    ),
    "STATISTICS": (
        "TABLE_NAME",
        "TABLE_SCHEMA",
        "INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, COLLATION, INDEX_TYPE,"
        " INDEX_COMMENT",
    ),
    "KEY_COLUMN_USAGE": (
        "TABLE_NAME",
        "TABLE_SCHEMA",
        "CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, POSITION_IN_UNIQUE_CONSTRAINT,"
        " REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME",
    ),
    "REFERENTIAL_CONSTRAINTS": (
        "TABLE_NAME",
        "CONSTRAINT_SCHEMA",
        "CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE, MATCH_OPTION, REFERENCED_TABLE_NAME",
    ),
    # MariaDB's view names the table; MySQL 8's does not (joined below).
    "CHECK_CONSTRAINTS": (
        "TABLE_NAME",
        "CONSTRAINT_SCHEMA",
        "CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL",
    ),
}
_MYSQL8_CHECKS = (
    "SELECT 'CHECK_CONSTRAINTS', t.TABLE_NAME, COUNT(*), SUM(CONV(LEFT(MD5(CONCAT_WS('|',"
    " IFNULL(t.CONSTRAINT_NAME, '\\0'), IFNULL(c.CHECK_CLAUSE, '\\0'))), 15), 16, 10))"
    " FROM information_schema.TABLE_CONSTRAINTS t JOIN information_schema.CHECK_CONSTRAINTS c"
    " ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME"
    " WHERE t.TABLE_SCHEMA = DATABASE() AND t.CONSTRAINT_TYPE = 'CHECK' GROUP BY t.TABLE_NAME"
)


def _mysql_query(mariadb: bool) -> str:
    parts = []
    for view, (table, schema, columns) in _MYSQL_VIEWS.items():
        if view == "CHECK_CONSTRAINTS" and not mariadb:
            parts.append(_MYSQL8_CHECKS)
            continue
        # IFNULL keeps NULL and '' apart (CONCAT_WS skips NULLs). The sum of each row's hash
        # (60 bits of its MD5) does not depend on the order rows come in.
        values = ", ".join(f"IFNULL({column.strip()}, '\\0')" for column in columns.split(","))
        parts.append(
            f"SELECT '{view}', {table}, COUNT(*),"
            f" SUM(CONV(LEFT(MD5(CONCAT_WS('|', {values})), 15), 16, 10))"
            f" FROM information_schema.{view} WHERE {schema} = DATABASE() GROUP BY {table}"
        )
    return " UNION ALL ".join(parts)


def _mysql(connection: Connection) -> Fingerprints:
    mariadb = bool(getattr(connection.dialect, "is_mariadb", False))
    parts: dict[str, list[tuple[str, int, str]]] = {}
    tables = set()
    for view, table, count, total in connection.exec_driver_sql(_mysql_query(mariadb)):
        parts.setdefault(table, []).append((view, int(count), str(total)))
        if view == "TABLES":
            tables.add(table)
    base = {
        name
        for name, kind in connection.exec_driver_sql("SHOW FULL TABLES")
        if kind == "BASE TABLE"
    }
    # The tables SQLAlchemy lists (SHOW FULL TABLES' base tables): not views or sequences.
    return {name: tuple(sorted(parts[name])) for name in tables & base}


_READERS: dict[str, Callable[[Connection], Fingerprints]] = {
    "sqlite": _sqlite,
    "postgresql": _postgresql,
    "mysql": _mysql,
    "mariadb": _mysql,
}


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__
