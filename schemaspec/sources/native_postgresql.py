"""PostgreSQL's catalog to a spec directly: the reader ``from_database`` uses there.

SQLAlchemy's bulk inspector answers with about a dozen queries, some slower than they need be
(per-element subqueries, ``pg_get_constraintdef`` parsed with regular expressions), and builds a
dict per object before schemaspec builds its spec from those dicts. This reader asks
``pg_catalog`` directly, each query once for every wanted table (filtered by an array of table
oids), and builds the spec from the rows:

1. the tables of the schema (``pg_class``, with their comments), before the include/exclude
   patterns choose among them;
2. columns: ``pg_attribute`` with ``format_type``, defaults (``pg_get_expr`` of ``pg_attrdef``),
   comments, identity options, generated columns and non-default collations;
3. constraints: ``pg_constraint`` (primary keys, uniques and their indexes' columns, foreign
   keys with their referred columns, checks, exclusions);
4. indexes: ``pg_index`` with expressions (``pg_get_indexdef`` per expression element),
   predicates, methods, non-default operator classes, sort flags;
5. enum types, from every schema (column types name them); domains only when a column's type
   is one.

Views, sequences, triggers, routines and extensions come from objects.py, as on the SQLAlchemy
path. The spec is the one SQLAlchemy's reflection gives after schemaspec's canonicalisation,
value for value: the column types are SQLAlchemy's own type objects (pg_types.py) through the
same ``canonical_type``. ``SCHEMASPEC_READER=sqlalchemy`` selects SQLAlchemy's reflection
instead; tests/generative/test_native_reader.py reads both ways and compares.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import DOMAIN
from sqlalchemy.util import strip_outer_parens

from schemaspec.errors import SourceError
from schemaspec.sources import objects
from schemaspec.sources.catalog import _squeeze as catalog_type_name
from schemaspec.sources.models import check_key, dialect_name
from schemaspec.sources.pg_types import DomainType, EnumType, NamedKey, TypeBuilder, named_key
from schemaspec.sources.reader_choice import chosen_reader
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ExcludeSpec,
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
from schemaspec.util.interning import column_spec
from schemaspec.util.redact import describe_url

#: The oldest server the queries here know: generated columns (``attgenerated``) came in 12.
MINIMUM_SERVER = (12,)

#: The key a foreign key's referred table gets, from its schema (``None``: on the search path,
#: as SQLAlchemy reports it) and name.
ReferenceKey = Callable[[str | None, str], str]


def available(connection: Connection) -> bool:
    """Whether this reader reads ``connection``: PostgreSQL 12 or later, unless
    ``SCHEMASPEC_READER=sqlalchemy`` asks for SQLAlchemy's reflection."""
    if connection.dialect.name != "postgresql":
        return False
    return chosen_reader() == "native" and server_version(connection) >= MINIMUM_SERVER


def server_version(connection: Connection) -> tuple[int, ...]:
    """The server's version numbers (``(15, 4)``)."""
    info = connection.dialect.server_version_info or ()
    return tuple(part for part in info if isinstance(part, int))


def read(
    connection: Connection,
    schema: str | None,
    wanted: Callable[[str], bool],
    references: ReferenceKey | None = None,
    tables: Collection[str] | None = None,
) -> SchemaSpec:
    """The spec of ``schema`` (``None``: the tables the search path finds), its tables those
    ``wanted`` accepts by name (and, when ``tables`` is given, named in it)."""
    if schema is not None and not _schema_exists(connection, schema):
        # PostgreSQL would answer an empty spec: every table "missing", wrongly.
        raise SourceError(f"{describe_url(connection.engine.url)} has no schema {schema!r}")
    relations = _relations(connection, schema)
    names = {
        oid: name
        for oid, (name, kind, _) in relations.items()
        if kind in ("r", "p") and wanted(name) and (tables is None or name in tables)
    }
    found = objects.read_objects(connection, schema)
    views = {name: view for name, view in found.views.items() if wanted(name)}
    materialized = {
        oid: name
        for oid, (name, kind, _) in relations.items()
        if kind == "m" and name in views and views[name].materialized
    }
    enums = _enums(connection)
    reader = _Reader(connection, schema, enums, references)
    # A materialized view's columns are read for its indexes' column names.
    columns = reader.columns([*names, *materialized])
    constraints = reader.constraints(names)
    indexes = reader.indexes([*names, *materialized], constraints.index_oids)
    for oid, name in materialized.items():
        views[name] = views[name].model_copy(update={"indexes": indexes.get(oid, {})})
    spec_tables = {
        name: TableSpec(
            columns=columns.get(oid, {}),
            primary_key=constraints.primary_keys.get(oid, ((), None))[0],
            primary_key_name=constraints.primary_keys.get(oid, ((), None))[1],
            foreign_keys=constraints.foreign_keys.get(oid, {}),
            indexes=indexes.get(oid, {}),
            unique=constraints.uniques.get(oid, {}),
            excludes=constraints.excludes.get(oid, {}),
            checks=constraints.checks.get(oid, {}),
            comment=relations[oid][2],
        )
        for oid, name in names.items()
    }
    return SchemaSpec(
        dialect=dialect_name(connection.dialect),
        tables=spec_tables,
        # Every enum type of the schema, used or not (SQLAlchemy's get_enums: "public" when no
        # schema is named).
        enums={
            enum.name: EnumSpec(values=enum.labels)
            for enum in enums.values()
            if enum.schema == (schema or "public")
        },
        views=views,
        sequences={name: s for name, s in found.sequences.items() if wanted(name)},
        triggers={key: t for key, t in found.triggers.items() if wanted(t.table)},
        # Patterns match a routine's name, not its arguments.
        routines={key: r for key, r in found.routines.items() if wanted(key.split("(")[0])},
        extensions=found.extensions,
    )


# -- the queries (the benchmark's floor runs them too: tests/bench/floor.py) -----------------


def relations_query(schema: str | None) -> str:
    """The schema's tables and materialized views (``:schema`` when ``schema`` is given)."""
    return (
        "SELECT c.oid, c.relname, c.relkind, d.description"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid"
        " AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0"
        " WHERE c.relkind IN ('r', 'p', 'm') AND c.relpersistence <> 't'"
        f" AND {_VISIBLE if schema is None else _IN_SCHEMA}"
        " ORDER BY c.relname"
    )


ENUMS_QUERY = (
    "SELECT t.typname, n.nspname, pg_catalog.pg_type_is_visible(t.oid),"
    " ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e"
    " WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)"
    " FROM pg_catalog.pg_type t"
    " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    " WHERE t.typtype = 'e' ORDER BY n.nspname, t.typname"
)
DOMAINS_QUERY = (
    "SELECT t.typname, n.nspname, pg_catalog.pg_type_is_visible(t.oid),"
    " pg_catalog.format_type(t.typbasetype, t.typtypmod), NOT t.typnotnull,"
    " t.typdefault, co.collname,"
    " CASE WHEN co.oid IS NULL OR pg_catalog.pg_collation_is_visible(co.oid) THEN NULL"
    " ELSE cn.nspname END,"
    " ARRAY(SELECT ARRAY[k.conname::text, pg_catalog.pg_get_constraintdef(k.oid, true)]"
    " FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid ORDER BY k.conname)"
    " FROM pg_catalog.pg_type t"
    " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    " LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation"
    " LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
    " WHERE t.typtype = 'd'"
)
#: Columns of the tables ``:oids``.
COLUMNS_QUERY = (
    "SELECT a.attrelid, a.attnum, a.attname,"
    " pg_catalog.format_type(a.atttypid, a.atttypmod),"
    " CASE WHEN a.atthasdef THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,"
    " a.attnotnull, ds.description, a.attgenerated,"
    " CASE WHEN a.attidentity <> '' THEN (SELECT ARRAY[(a.attidentity = 'a')::text,"
    " s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text,"
    " s.seqcache::text, s.seqcycle::text]"
    " FROM pg_catalog.pg_depend dep"
    " JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid"
    " WHERE dep.refclassid = 'pg_catalog.pg_class'::regclass"
    " AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum"
    " AND dep.classid = 'pg_catalog.pg_class'::regclass AND dep.deptype = 'i')"
    " END,"
    " co.collname,"
    " CASE WHEN co.oid IS NULL OR pg_catalog.pg_collation_is_visible(co.oid)"
    " THEN NULL ELSE cn.nspname END"
    " FROM pg_catalog.pg_attribute a"
    " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
    " LEFT JOIN pg_catalog.pg_attrdef ad"
    " ON a.atthasdef AND ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
    " LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = a.attrelid"
    " AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum"
    # The collation where it is not the type's own (SQLAlchemy's rule).
    " LEFT JOIN pg_catalog.pg_collation co"
    " ON co.oid = a.attcollation AND a.attcollation <> t.typcollation"
    " LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
    " WHERE a.attrelid = ANY(:oids) AND a.attnum > 0 AND NOT a.attisdropped"
)
#: The operator classes that are not their type's default (a few dozen).
OPERATOR_CLASSES_QUERY = "SELECT oid, opcname FROM pg_catalog.pg_opclass WHERE NOT opcdefault"


def constraints_query(server: tuple[int, ...]) -> str:
    """Primary keys, uniques, foreign keys, checks and exclusions of the tables ``:oids``."""
    # ON DELETE SET NULL (columns) and NULLS NOT DISTINCT are PostgreSQL 15's.
    set_columns = "k.confdelsetcols IS NOT NULL" if server >= (15,) else "false"
    nulls_not_distinct = "i.indnullsnotdistinct" if server >= (15,) else "false"
    return (
        "SELECT k.conrelid, k.conname, k.contype, k.conindid, k.conkey,"
        f" i.indkey::int2[], i.indnkeyatts, {nulls_not_distinct},"
        # Checks as SQLAlchemy reads them (pretty); exclusions as catalog.py did.
        " CASE WHEN k.contype = 'c' THEN pg_catalog.pg_get_constraintdef(k.oid, true)"
        " WHEN k.contype = 'x' OR " + set_columns + " THEN"
        " pg_catalog.pg_get_constraintdef(k.oid) END,"
        # pg_get_constraintdef qualifies a referred table the search path misses.
        " CASE WHEN pg_catalog.pg_table_is_visible(r.oid) THEN NULL ELSE rn.nspname END,"
        " rn.nspname, r.relname,"
        " CASE WHEN k.contype = 'f' THEN ARRAY(SELECT ra.attname::text"
        " FROM unnest(k.confkey) WITH ORDINALITY AS f(attnum, position)"
        " JOIN pg_catalog.pg_attribute ra"
        " ON ra.attrelid = k.confrelid AND ra.attnum = f.attnum ORDER BY f.position) END,"
        " k.confupdtype, k.confdeltype, k.condeferrable, k.condeferred"
        " FROM pg_catalog.pg_constraint k"
        " LEFT JOIN pg_catalog.pg_index i"
        " ON k.contype IN ('p', 'u') AND i.indexrelid = k.conindid"
        " LEFT JOIN pg_catalog.pg_class r ON r.oid = k.confrelid"
        " LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace"
        " WHERE k.conrelid = ANY(:oids) AND k.contype IN ('p', 'u', 'f', 'c', 'x')"
        " ORDER BY k.conrelid, k.conname"
    )


def indexes_query(server: tuple[int, ...]) -> str:
    """The indexes of the tables (and materialized views) ``:oids``, but primary keys'."""
    nulls_not_distinct = "i.indnullsnotdistinct" if server >= (15,) else "false"
    return (
        "SELECT i.indrelid, c.relname, i.indexrelid, i.indisunique, i.indkey::int2[],"
        f" i.indoption::int2[], i.indnkeyatts, {nulls_not_distinct}, am.amname,"
        " CASE WHEN i.indpred IS NOT NULL"
        " THEN pg_catalog.pg_get_expr(i.indpred, i.indrelid) END,"
        # An expression element's text; NULL for a column (named from attnum).
        " CASE WHEN i.indexprs IS NOT NULL THEN ARRAY(SELECT CASE WHEN k.attnum = 0"
        " THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.position::int, true) END"
        " FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)"
        " ORDER BY k.position) END,"
        " i.indclass::oid[]"
        " FROM pg_catalog.pg_index i"
        " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
        " JOIN pg_catalog.pg_am am ON am.oid = c.relam"
        " WHERE i.indrelid = ANY(:oids) AND NOT i.indisprimary"
    )


# -- the tables ---------------------------------------------------------------------------

_VISIBLE = "pg_catalog.pg_table_is_visible(c.oid) AND n.nspname <> 'pg_catalog'"
_IN_SCHEMA = "n.nspname = :schema"


def _schema_exists(connection: Connection, schema: str) -> bool:
    # The schemas SQLAlchemy lists: the server's own (pg_*) are not among them.
    return bool(
        connection.execute(
            text(
                "SELECT 1 FROM pg_catalog.pg_namespace"
                " WHERE nspname = :schema AND nspname NOT LIKE 'pg\\_%'"
            ),
            {"schema": schema},
        ).first()
    )


def _relations(connection: Connection, schema: str | None) -> dict[int, tuple[str, str, Any]]:
    """``oid: (name, relkind, comment)`` of the schema's tables and materialized views, by name.

    Without a schema, the tables the search path finds, as SQLAlchemy lists them; temporary
    tables are not the schema's.
    """
    rows = connection.execute(text(relations_query(schema)), {"schema": schema})
    return {oid: (name, kind, comment) for oid, name, kind, comment in rows}


# -- enums and domains ----------------------------------------------------------------------


def _enums(connection: Connection) -> dict[NamedKey, EnumType]:
    """Every enum type, keyed as ``format_type`` names it."""
    rows = connection.execute(text(ENUMS_QUERY))
    found = {}
    for name, schema, visible, labels in rows:
        enum = EnumType(name, schema, bool(visible), tuple(labels))
        found[named_key(name, schema, enum.visible)] = enum
    return found


def _domains(connection: Connection) -> dict[NamedKey, DomainType]:
    """Every domain, keyed as ``format_type`` names it."""
    rows = connection.execute(text(DOMAINS_QUERY))
    found = {}
    for name, schema, visible, base, nullable, default, collation, collation_schema, cons in rows:
        checks = tuple(
            # "CHECK (expression)"; a domain's NOT NULL is typnotnull.
            (constraint, definition[7:-1])
            for constraint, definition in cons
            if definition.casefold().startswith("check")
        )
        domain = DomainType(
            name=name,
            schema=schema,
            visible=bool(visible),
            # character varying(30): the base type without its parameters, as SQLAlchemy has it.
            base=re.match(r"[^(]+", base).group(0),  # type: ignore[union-attr]
            nullable=bool(nullable),
            default=default,
            checks=checks,
            collation=collation,
            collation_schema=collation_schema,
        )
        found[named_key(name, schema, domain.visible)] = domain
    return found


# -- columns, constraints, indexes ----------------------------------------------------------


@dataclass
class _Constraints:
    primary_keys: dict[int, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    foreign_keys: dict[int, dict[str, ForeignKeySpec]] = field(default_factory=dict)
    uniques: dict[int, dict[str, UniqueSpec]] = field(default_factory=dict)
    checks: dict[int, dict[str, CheckSpec]] = field(default_factory=dict)
    excludes: dict[int, dict[str, ExcludeSpec]] = field(default_factory=dict)
    #: The indexes behind primary keys, uniques and exclusions: the constraint is recorded.
    index_oids: set[int] = field(default_factory=set)


#: A column default that takes values from a sequence: SERIAL, or nextval() written out.
_NEXTVAL = re.compile(r"(nextval\(')([^']+)('.*$)")
#: pg_constraint's foreign key action codes (``a``, no action, is the default).
_ACTIONS = {"r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
#: PostgreSQL 15's ``ON DELETE SET NULL (columns)``, as pg_get_constraintdef writes it.
_DELETE_SET_COLUMNS = re.compile(r"ON DELETE (SET (?:NULL|DEFAULT) \(.+\))")
#: A check constraint as pg_get_constraintdef gives it (SQLAlchemy's own pattern).
_CHECK = re.compile(r"^CHECK *\((.+)\)( NO INHERIT)?( NOT VALID)?$", re.DOTALL)
_SORTING = {"asc": "asc", "desc": "desc", "nulls_first": "nulls first", "nulls_last": "nulls last"}


class _Reader:
    def __init__(
        self,
        connection: Connection,
        schema: str | None,
        enums: Mapping[NamedKey, EnumType],
        references: ReferenceKey | None,
    ) -> None:
        self.connection = connection
        self.schema = schema
        self.types = TypeBuilder(
            connection.dialect.ischema_names,  # type: ignore[attr-defined]
            enums,
            lambda: _domains(connection),
        )
        self.references = references or self._reference
        #: attnum -> name per table oid, from the column query (keys and indexes name columns
        #: by number).
        self.attributes: dict[int, dict[int, str]] = {}
        self.operator_classes: dict[int, str] = {}
        # Many columns, few distinct types: each type is built and canonicalised once a read.
        self._types: dict[tuple[str | None, str | None, str | None], _ColumnType] = {}
        self.server = server_version(connection)

    def _reference(self, referred: str | None, table: str) -> str:
        return table if referred in (None, self.schema) else f"{referred}.{table}"

    # -- columns

    def columns(self, tables: Sequence[int]) -> dict[int, dict[str, ColumnSpec]]:
        if not tables:
            return {}
        rows = self.connection.execute(text(COLUMNS_QUERY), {"oids": list(tables)}).all()
        # Sorted here rather than by the server, which spills a sort this wide to disk.
        rows = sorted(rows, key=_BY_TABLE_AND_NUMBER)
        found: dict[int, dict[str, ColumnSpec]] = {oid: {} for oid in tables}
        # Most columns repeat a definition read before (``id integer not null``): the spec of
        # each distinct catalog row is built once.
        built: dict[tuple[Any, ...], ColumnSpec] = {}
        for row in rows:
            oid, number, name = row[0], row[1], row[2]
            self.attributes.setdefault(oid, {})[number] = name
            identity = row[8]
            definition = (*row[3:8], None if identity is None else tuple(identity), *row[9:])
            spec = built.get(definition)
            if spec is None:
                spec = built[definition] = self._column(*row[3:])
            found[oid][name] = spec
        return found

    def _column(
        self,
        format_type: str | None,
        default: str | None,
        not_null: bool,
        comment: str | None,
        generated: str | None,
        identity: Sequence[str] | None,
        collation: str | None,
        collation_schema: str | None,
    ) -> ColumnSpec:
        type_ = self._column_type(format_type, collation, collation_schema)
        nullable = not not_null
        if type_.domain:
            # A domain's default applies where the column has none; its NOT NULL always does.
            if not default and type_.domain_default is not None:
                default = type_.domain_default
            nullable = nullable and not type_.domain_not_null
        computed = None
        if generated not in (None, "", "\x00"):
            # "s": stored (the only kind PostgreSQL has so far); the expression is the default.
            computed, default = default, None
        autoincrement = identity is not None
        if default is not None and "nextval(" in default:
            match = _NEXTVAL.search(default)
            if match is not None:
                autoincrement = autoincrement or type_.integer
                if "." not in match.group(2) and self.schema is not None:
                    # SQLAlchemy qualifies the sequence with the schema read, quoted.
                    default = f'{match.group(1)}"{self.schema}".{match.group(2)}{match.group(3)}'
        return column_spec(
            type=type_.canonical,
            nullable=nullable,
            default=default,
            autoincrement=autoincrement,
            computed=computed,
            comment=comment,
            identity=_identity(identity),
            collation=type_.collation,
        )

    def _column_type(
        self, format_type: str | None, collation: str | None, collation_schema: str | None
    ) -> _ColumnType:
        key = (format_type, collation, collation_schema)
        known = self._types.get(key)
        if known is None:
            built = self.types.build(format_type, collation, collation_schema)
            if isinstance(built, sqltypes.NullType):
                # A type SQLAlchemy does not know (point, an extension's): the catalog's name.
                canonical = catalog_type_name(format_type) if format_type else "unknown"
            else:
                canonical = canonical_type(built, self.connection.dialect)
            found_collation = getattr(built, "collation", None)
            known = self._types[key] = _ColumnType(
                canonical=canonical,
                integer=issubclass(built._type_affinity or type(built), sqltypes.Integer),
                collation=str(found_collation) if found_collation else None,
                domain=isinstance(built, DOMAIN),
                domain_default=_text(getattr(built, "default", None)),
                domain_not_null=bool(getattr(built, "not_null", False)),
            )
        return known

    # -- constraints

    def constraints(self, tables: Mapping[int, str]) -> _Constraints:
        found = _Constraints()
        if not tables:
            return found
        rows = self.connection.execute(
            text(constraints_query(self.server)), {"oids": list(tables)}
        ).all()
        for row in rows:
            oid, name, kind, index_oid, key, index_key, key_count, nulls_not_distinct = row[:8]
            definition = row[8]
            names = self.attributes.get(oid, {})
            if kind in ("p", "u", "x"):
                found.index_oids.add(index_oid)
            if kind in ("p", "u"):
                # The index's columns: the key, then the INCLUDE columns.
                columns = tuple(names[number] for number in index_key)
                key_columns, included = columns[:key_count], columns[key_count:]
                if kind == "p":
                    found.primary_keys[oid] = (key_columns, name)
                else:
                    found.uniques.setdefault(oid, {})[",".join(key_columns)] = UniqueSpec(
                        columns=key_columns,
                        name=name,
                        nulls_not_distinct=bool(nulls_not_distinct),
                        include=included,
                    )
            elif kind == "f":
                spec = self._foreign_key(name, tuple(names[n] for n in key), definition, row)
                found.foreign_keys.setdefault(oid, {})[",".join(spec.columns)] = spec
            elif kind == "c":
                checks = found.checks.setdefault(oid, {})
                check = CheckSpec(sqltext=_check_text(definition), name=name)
                checks[check_key(checks, check)] = check
            else:
                exclusion = ExcludeSpec(
                    definition=canonical_exclusion(definition, tables[oid]), name=name
                )
                found.excludes.setdefault(oid, {})[exclusion.definition] = exclusion
        return found

    def _foreign_key(
        self, name: str, columns: tuple[str, ...], definition: str | None, row: Any
    ) -> ForeignKeySpec:
        shown_schema, referred_schema, referred_table, referred_columns = row[9:13]
        update, delete, deferrable, deferred = row[13:17]
        if shown_schema is None and self.schema is not None and self.schema == referred_schema:
            # Not qualified on the search path, but in the schema read: SQLAlchemy names it.
            shown_schema = self.schema
        on_delete = _ACTIONS.get(delete)
        if definition is not None:
            set_columns = _DELETE_SET_COLUMNS.search(definition)
            if set_columns is not None:
                on_delete = set_columns.group(1)
        return ForeignKeySpec(
            columns=columns,
            referred_table=self.references(shown_schema, referred_table),
            referred_columns=tuple(referred_columns),
            name=name,
            on_delete=canonical_action(on_delete),
            on_update=canonical_action(_ACTIONS.get(update)),
            # pg_get_constraintdef shows DEFERRABLE and INITIALLY DEFERRED, never their opposites.
            deferrable=canonical_deferrable(
                True if deferrable else None, "DEFERRED" if deferred else None
            ),
        )

    # -- indexes

    def indexes(
        self, relations: Iterable[int], constraint_indexes: Collection[int]
    ) -> dict[int, dict[str, IndexSpec]]:
        oids = list(relations)
        if not oids:
            return {}
        rows = self.connection.execute(text(indexes_query(self.server)), {"oids": oids}).all()
        if not rows:
            return {}
        # The operator classes that are not their type's default, by oid (a few dozen): an
        # index element with one of these names it, as SQLAlchemy's postgresql_ops does.
        self.operator_classes = dict(self.connection.execute(text(OPERATOR_CLASSES_QUERY)).all())
        rows = sorted(rows, key=_BY_TABLE_AND_NAME)
        found: dict[int, dict[str, IndexSpec]] = {}
        for row in rows:
            if row[2] in constraint_indexes:
                # The index behind a unique or exclusion constraint; the constraint is recorded.
                continue
            found.setdefault(row[0], {})[row[1]] = self._index(row)
        return found

    def _index(self, row: Any) -> IndexSpec:
        table, _, _, unique, key, options, key_count, nulls_not_distinct, method = row[:9]
        where, expressions, classes = row[9:12]
        opclasses = [self.operator_classes.get(opclass) for opclass in classes]
        names = self.attributes.get(table, {})
        elements = [
            expressions[position]
            if expressions is not None and number == 0
            else names.get(number, "")
            for position, number in enumerate(key)
        ]
        key_elements, included = elements[:key_count], elements[key_count:]
        columns = tuple(
            " ".join([element, *_sorting(flags)]) if flags else element
            for element, flags in zip(key_elements, options, strict=False)
        )
        operator_classes = tuple(
            (column, opclass)
            for column, opclass in zip(columns, opclasses, strict=False)
            if opclass is not None
        )
        # btree is the default, left out as SQLAlchemy leaves it out.
        key_ = (
            columns,
            bool(unique),
            where or None,
            method.lower() if method != "btree" else None,
            operator_classes,
            tuple(included),
            bool(nulls_not_distinct),
        )
        # Indexes are keyed by name, so tables of one shape have equal index specs: one each.
        spec = _indexes.get(key_)
        if spec is None:
            if len(_indexes) >= _MAX_SHARED:
                _indexes.clear()
            spec = _indexes[key_] = IndexSpec(
                columns=columns,
                unique=key_[1],
                where=key_[2],
                method=key_[3],
                operator_classes=dict(operator_classes),
                include=key_[5],
                nulls_not_distinct=key_[6],
            )
        return spec


_IndexKey = tuple[
    tuple[str, ...],
    bool,
    str | None,
    str | None,
    tuple[tuple[str, str], ...],
    tuple[str, ...],
    bool,
]
#: Index specs by their values: frozen, so equal ones can be one object (as columns are, see
#: util/interning.py). Beyond this many the table starts over.
_indexes: dict[_IndexKey, IndexSpec] = {}
_MAX_SHARED = 16384


#: Rows in the order SQLAlchemy reads them: by table, then column number or index name (by code
#: point, as PostgreSQL's "C" collation of the ``name`` type orders them).
_BY_TABLE_AND_NUMBER = itemgetter(0, 1)
_BY_TABLE_AND_NAME = itemgetter(0, 1)


@dataclass(frozen=True)
class _ColumnType:
    canonical: str
    #: Integer affinity: a nextval() default makes such a column autoincrement.
    integer: bool
    collation: str | None
    #: A domain's default and NOT NULL, which are its columns' too.
    domain: bool
    domain_default: str | None
    domain_not_null: bool


def _sorting(flags: int) -> list[str]:
    """pg_index.indoption's words for one element, where they differ from the defaults
    (bit 0: DESC; bit 1: NULLS FIRST), as SQLAlchemy words them."""
    if flags & 0x01:
        return [_SORTING["desc"]] if flags & 0x02 else [_SORTING["desc"], _SORTING["nulls_last"]]
    return [_SORTING["nulls_first"]] if flags & 0x02 else []


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _check_text(definition: str) -> str:
    match = _CHECK.match(definition)
    return strip_outer_parens(match.group(1)) if match else ""


def _identity(options: Sequence[str] | None) -> str | None:
    """``identity_text`` of ``[always, start, increment, min, max, cache, cycle]`` as text."""
    if options is None:
        return None
    always, start, increment, minimum, maximum, cache, cycle = options
    return identity_text(
        always == "true",
        {
            "start": start,
            "increment": increment,
            "minvalue": minimum,
            "maxvalue": maximum,
            "cache": cache,
            "cycle": cycle == "true",
        },
    )
