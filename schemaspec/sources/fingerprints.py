"""Catalog fingerprints of many schemas in one pass: which tenants are built alike.

A fleet of tenant schemas is mostly copies of one schema. Reading each through the reflector
costs about twenty catalog queries per schema whatever its size; a fingerprint of every schema
of a server costs one query per kind of catalog row for all of them together, hashed on the
server. Schemas with equal fingerprints have equal catalogs, so one of them is read and its spec
stands for the others (see :mod:`schemaspec.sources.tenants`).

A fingerprint covers every catalog fact the reader turns into a spec, and more (anything extra
only splits groups, never merges them). Each schema's own name is replaced by a placeholder in
the text the catalog shows (``tenant_1.orders`` in a foreign key or an index definition), since
that is the only way two schemas' definitions differ by construction; the reader checks that the
spec it shares mentions no schema name (see ``tenants._shareable``). What cannot be fingerprinted
cheaply (MariaDB's sequence options live in each sequence's own row) makes the schema unique, so
it is read on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, text

#: Stands for a schema's own name in the catalog text its fingerprint is computed from.
PLACEHOLDER = "\x01schema\x01"

# One query per kind of catalog row; each yields (schema, text) pairs that the server hashes per
# schema in _pg_fingerprints. `s` is the tenant's quoted name followed by a dot, `n.nspname` its
# name. Ordering is by the row text, never by oid or attnum: a column dropped and added again
# leaves a gap in attnum but not in the spec.
_PG_ROWS = {
    "relations": (
        "SELECT n.nspname, concat_ws('|', c.relname, c.relkind, c.relpersistence,"
        " c.reloptions::text, c.relispartition, pg_catalog.pg_get_expr(c.relpartbound, c.oid),"
        " pg_catalog.obj_description(c.oid, 'pg_class'),"
        " CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END,"
        " CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END)"
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
    ),
    "columns": (
        "SELECT n.nspname, concat_ws('|', c.relname, a.attname,"
        " pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,"
        " a.attgenerated, pg_catalog.pg_get_expr(d.adbin, d.adrelid), co.collname,"
        " ds.description, a.attndims)"
        " FROM pg_catalog.pg_attribute a"
        " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
        " LEFT JOIN pg_catalog.pg_collation co"
        " ON co.oid = a.attcollation AND a.attcollation <> 100"
        # A join, not col_description(): a function call per column costs 3x the query.
        " LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = c.oid"
        " AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum"
        " WHERE n.nspname = ANY(:schemas) AND a.attnum > 0 AND NOT a.attisdropped"
        " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
    ),
    "constraints": (
        "SELECT n.nspname, concat_ws('|', c.relname, t.typname, k.conname, k.contype,"
        " pg_catalog.pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred,"
        " k.convalidated)"
        " FROM pg_catalog.pg_constraint k"
        " JOIN pg_catalog.pg_namespace n ON n.oid = k.connamespace"
        " LEFT JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
        " LEFT JOIN pg_catalog.pg_type t ON t.oid = k.contypid"
        " WHERE n.nspname = ANY(:schemas)"
    ),
    "indexes": (
        "SELECT n.nspname, concat_ws('|', c.relname, i.relname,"
        " pg_catalog.pg_get_indexdef(x.indexrelid), x.indisprimary, x.indisunique)"
        " FROM pg_catalog.pg_index x"
        " JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
        " JOIN pg_catalog.pg_class c ON c.oid = x.indrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY(:schemas)"
    ),
    "sequences": (
        "SELECT n.nspname, concat_ws('|', c.relname, s.seqstart, s.seqincrement, s.seqmin,"
        " s.seqmax, s.seqcycle, s.seqcache, pg_catalog.format_type(s.seqtypid, NULL),"
        " d.deptype, t.relname, a.attname)"
        " FROM pg_catalog.pg_sequence s"
        " JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " LEFT JOIN pg_catalog.pg_depend d ON d.objid = c.oid"
        " AND d.classid = 'pg_catalog.pg_class'::regclass"
        " AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')"
        " LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
        " LEFT JOIN pg_catalog.pg_attribute a"
        " ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
        " WHERE n.nspname = ANY(:schemas)"
    ),
    "triggers": (
        "SELECT n.nspname, concat_ws('|', c.relname, g.tgname,"
        " pg_catalog.pg_get_triggerdef(g.oid), g.tgenabled, g.tgdeferrable, g.tginitdeferred)"
        " FROM pg_catalog.pg_trigger g"
        " JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY(:schemas) AND NOT g.tgisinternal"
    ),
    "routines": (
        "SELECT n.nspname, concat_ws('|', p.proname, pg_catalog.oidvectortypes(p.proargtypes),"
        " p.prokind, pg_catalog.pg_get_function_result(p.oid), l.lanname, p.provolatile,"
        " p.prosrc, p.prosecdef, p.proisstrict, p.proconfig::text,"
        " pg_catalog.pg_get_function_arguments(p.oid))"
        " FROM pg_catalog.pg_proc p"
        " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
        " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
        " WHERE n.nspname = ANY(:schemas)"
    ),
    "types": (
        "SELECT n.nspname, concat_ws('|', t.typname, t.typtype,"
        " pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,"
        " (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)"
        " FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid))"
        " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
        " WHERE n.nspname = ANY(:schemas) AND t.typtype IN ('e', 'd', 'r', 'm')"
    ),
    "privileges": (
        # Not read by a fleet, but cheap, and a table's row-level security is part of it.
        "SELECT n.nspname, concat_ws('|', c.relname, c.relrowsecurity, c.relforcerowsecurity,"
        " c.relacl::text)"
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = ANY(:schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
    ),
}


def pg_fingerprints(connection: Connection, schemas: Sequence[str]) -> dict[str, str]:
    """One fingerprint per schema of ``schemas`` (PostgreSQL), each kind of row hashed on the
    server in one query for all of them."""
    parts: dict[str, list[str]] = {schema: [] for schema in schemas}
    for kind, rows in _PG_ROWS.items():
        query = (
            "SELECT nspname, count(*), md5(string_agg(line, E'\\n' ORDER BY line))"
            f" FROM (SELECT r.nspname, replace(r.line,"
            " pg_catalog.quote_ident(r.nspname) || '.', :placeholder) AS line"
            f" FROM ({rows}) AS r(nspname, line)) AS q GROUP BY nspname"
        )
        found = {
            schema: f"{kind}:{count}:{digest}"
            for schema, count, digest in connection.execute(
                text(query), {"schemas": list(schemas), "placeholder": PLACEHOLDER}
            )
        }
        for schema in schemas:
            parts[schema].append(found.get(schema, f"{kind}:0"))
    return {schema: _digest(lines) for schema, lines in parts.items()}


# MariaDB/MySQL: the views and columns session.fingerprint checksums, and everything else the
# reader reads (views, triggers, routines, collations, index order). Each row's MD5 is cut to
# 60 bits and summed per schema with its count: order-independent, and a collision needs two
# different multisets of rows with equal sums of 60-bit hashes.
_MY_ROWS = {
    "TABLES": ("TABLE_SCHEMA", "TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, CREATE_OPTIONS"),
    "COLUMNS": (
        "TABLE_SCHEMA",
        "TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, "
        "EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION, CHARACTER_SET_NAME, COLLATION_NAME",
    ),
    "STATISTICS": (
        "TABLE_SCHEMA",
        "TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, COLLATION, "
        "INDEX_TYPE, INDEX_COMMENT",
    ),
    "KEY_COLUMN_USAGE": (
        "TABLE_SCHEMA",
        "TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, REFERENCED_TABLE_SCHEMA, "
        "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME",
    ),
    "REFERENTIAL_CONSTRAINTS": (
        "CONSTRAINT_SCHEMA",
        "TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE, UNIQUE_CONSTRAINT_SCHEMA, "
        "REFERENCED_TABLE_NAME",
    ),
    "CHECK_CONSTRAINTS": ("CONSTRAINT_SCHEMA", "TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE"),
    "TABLE_CONSTRAINTS": ("TABLE_SCHEMA", "TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE"),
    "VIEWS": ("TABLE_SCHEMA", "TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE"),
    "TRIGGERS": (
        "TRIGGER_SCHEMA",
        "TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, "
        "ACTION_ORIENTATION, ACTION_STATEMENT, ACTION_ORDER",
    ),
    "ROUTINES": (
        "ROUTINE_SCHEMA",
        "ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_BODY, IS_DETERMINISTIC, "
        "ROUTINE_DEFINITION, SECURITY_TYPE",
    ),
    "PARAMETERS": (
        "SPECIFIC_SCHEMA",
        "SPECIFIC_NAME, ORDINAL_POSITION, PARAMETER_NAME, DTD_IDENTIFIER",
    ),
}


def mysql_fingerprints(connection: Connection, schemas: Sequence[str]) -> dict[str, str]:
    """One fingerprint per database of ``schemas`` (MySQL/MariaDB; "schema" in their words)."""
    wanted = list(schemas)
    marks = ", ".join(["%s"] * len(wanted))
    parts: dict[str, list[str]] = {schema: [] for schema in wanted}
    for view, (schema_column, columns) in _MY_ROWS.items():
        # CONCAT_WS skips NULLs; IFNULL keeps NULL and '' apart. The database's own name, where
        # a definition qualifies with it, becomes the placeholder.
        values = ", ".join(
            # A column naming a schema (a foreign key's referred one) names the tenant itself
            # when it equals the row's own schema.
            f"IF({column} = {schema_column}, %s, IFNULL({column}, '\\0'))"
            if column.endswith("_SCHEMA")
            else f"REPLACE(REPLACE(IFNULL({column}, '\\0'), CONCAT('`', {schema_column}, '`.'),"
            f" %s), CONCAT({schema_column}, '.'), %s)"
            for column in columns.split(", ")
        )
        query = (
            f"SELECT {schema_column}, COUNT(*),"
            f" SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', {values})), 1, 15), 16, 10)"
            " AS UNSIGNED))"
            f" FROM information_schema.{view} WHERE {schema_column} IN ({marks})"
            f" GROUP BY {schema_column}"
        )
        marks_per_column = [1 if c.endswith("_SCHEMA") else 2 for c in columns.split(", ")]
        params = (PLACEHOLDER,) * sum(marks_per_column) + tuple(wanted)
        found = {
            str(schema): f"{view}:{count}:{total}"
            for schema, count, total in connection.exec_driver_sql(query, params)
        }
        for schema in wanted:
            parts[schema].append(found.get(schema, f"{view}:0"))
    with_sequences = {
        str(schema)
        for (schema,) in connection.exec_driver_sql(
            "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES"
            f" WHERE TABLE_TYPE = 'SEQUENCE' AND TABLE_SCHEMA IN ({marks})",
            tuple(wanted),
        )
    }
    for schema in with_sequences:
        # A sequence's options are rows of the sequence itself, not in the catalog views: such
        # a schema is its own group, read on its own.
        parts[schema].append(f"unique:{schema}")
    return {schema: _digest(lines) for schema, lines in parts.items()}


def sqlite_fingerprint(connection: Connection) -> str:
    """The fingerprint of a SQLite database: its DDL is the whole of its schema."""
    rows = connection.exec_driver_sql(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    ).all()
    return _digest("|".join("" if value is None else str(value) for value in row) for row in rows)


def _digest(lines: Iterable[str]) -> str:
    hasher = hashlib.sha256()
    for line in lines:
        hasher.update(str(line).encode())
        hasher.update(b"\n")
    return hasher.hexdigest()
