"""Schema objects beyond tables, read from the catalog: views, sequences, triggers, routines and
PostgreSQL extensions.

SQLAlchemy reflects none of these (views only by name), so each database has one function per
kind here, each a single read-only query (MariaDB's sequences: one per sequence). What an
extension installs (its functions, views) belongs to the extension, and is not read as the
schema's own. docs/types.md lists what is compared per database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from schemaspec.spec import (
    ExtensionSpec,
    GrantSpec,
    PolicySpec,
    RoutineSpec,
    SequenceSpec,
    TriggerSpec,
    ViewSpec,
)
from schemaspec.sql.constraints import canonical_deferrable
from schemaspec.sql.definitions import canonical_definition
from schemaspec.sql.identity import non_default_options


@dataclass
class Objects:
    views: dict[str, ViewSpec] = field(default_factory=dict)
    sequences: dict[str, SequenceSpec] = field(default_factory=dict)
    triggers: dict[str, TriggerSpec] = field(default_factory=dict)
    routines: dict[str, RoutineSpec] = field(default_factory=dict)
    extensions: dict[str, ExtensionSpec] = field(default_factory=dict)


def read_objects(connection: Connection, schema: str | None) -> Objects:
    """Every view, sequence, trigger, routine and extension of ``schema`` (default: the
    connection's own)."""
    name = connection.dialect.name
    if name == "postgresql":
        return _postgresql(connection, schema)
    if name in ("mysql", "mariadb"):
        return _mysql(connection, schema)
    if name == "sqlite":
        return _sqlite(connection, schema)
    return Objects()


# -- PostgreSQL -----------------------------------------------------------------------------

_PG_SCHEMA = "n.nspname = coalesce(:schema, current_schema())"
# Objects an extension created are its own (pg_depend 'e').
# The catalog (classid) is named so the lookup uses pg_depend's index, not a scan per row.
_PG_NOT_EXTENSION_TEMPLATE = (
    "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '{catalog}'::regclass"
    " AND e.objid = {oid} AND e.deptype = 'e')"
)
_PG_RELATION_NOT_EXTENSION = _PG_NOT_EXTENSION_TEMPLATE.format(
    catalog="pg_catalog.pg_class", oid="c.oid"
)
_PG_ROUTINE_NOT_EXTENSION = _PG_NOT_EXTENSION_TEMPLATE.format(
    catalog="pg_catalog.pg_proc", oid="p.oid"
)


def _postgresql(connection: Connection, schema: str | None) -> Objects:
    params = {"schema": schema}
    objects = Objects()
    for name, kind, definition in connection.execute(
        text(
            "SELECT c.relname, c.relkind, pg_catalog.pg_get_viewdef(c.oid)"
            " FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            f" WHERE c.relkind IN ('v', 'm') AND {_PG_SCHEMA}"
            f" AND {_PG_RELATION_NOT_EXTENSION}"
        ),
        params,
    ):
        objects.views[name] = ViewSpec(
            definition=canonical_definition(definition), materialized=kind == "m"
        )
    for row in connection.execute(
        text(
            "SELECT c.relname, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle,"
            " s.seqcache,"
            " format_type(s.seqtypid, NULL), t.relname, a.attname,"
            # Owned by the column whose default it feeds: SERIAL.
            " d.deptype = 'a' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend x"
            " WHERE x.classid = 'pg_catalog.pg_attrdef'::regclass AND x.refobjid = c.oid"
            " AND x.objid = ad.oid)"
            " FROM pg_catalog.pg_sequence s"
            " JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_catalog.pg_depend d ON d.objid = c.oid"
            " AND d.classid = 'pg_catalog.pg_class'::regclass"
            " AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')"
            " LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid"
            " LEFT JOIN pg_catalog.pg_attribute a"
            " ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            " LEFT JOIN pg_catalog.pg_attrdef ad"
            " ON ad.adrelid = d.refobjid AND ad.adnum = d.refobjsubid"
            f" WHERE {_PG_SCHEMA} AND (d.deptype IS NULL OR d.deptype = 'a')"
            f" AND {_PG_RELATION_NOT_EXTENSION}"
        ),
        params,
    ):
        name, start, increment, minimum, maximum, cycle, cache, type_, table, column, serial = row
        if serial and name.startswith(f"{table}_{column}"[:55]):
            # SERIAL: owned by the column it feeds and named after it, the sequence is how the
            # column autoincrements, compared on the column. A sequence of the models' own,
            # made OWNED BY later, keeps its name and is compared.
            continue
        objects.sequences[name] = sequence_spec(
            type_,
            start=start,
            increment=increment,
            minvalue=minimum,
            maxvalue=maximum,
            cycle=cycle,
            cache=cache,
            owned_by=f"{table}.{column}" if table is not None else None,
        )
    for table, name, definition, enabled, deferrable, deferred in connection.execute(
        text(
            "SELECT c.relname, t.tgname, pg_catalog.pg_get_triggerdef(t.oid), t.tgenabled,"
            " t.tgdeferrable, t.tginitdeferred"
            " FROM pg_catalog.pg_trigger t"
            " JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            f" WHERE NOT t.tgisinternal AND {_PG_SCHEMA}"
        ),
        params,
    ):
        trigger = _postgresql_trigger(table, definition)
        if trigger is not None:
            state = _PG_TRIGGER_STATES.get(str(enabled))
            objects.triggers[f"{table}.{name}"] = trigger.model_copy(
                update={
                    "state": state,
                    "deferrable": canonical_deferrable(
                        bool(deferrable), "DEFERRED" if deferred else None
                    ),
                }
            )
    for row in connection.execute(
        text(
            # The argument types alone identify a routine (names and OUT arguments do not).
            "SELECT p.proname, pg_catalog.oidvectortypes(p.proargtypes), p.prokind,"
            " pg_catalog.pg_get_function_result(p.oid), l.lanname, p.provolatile, p.prosrc,"
            " p.prosecdef, p.proisstrict, p.proconfig,"
            " pg_catalog.pg_get_function_arguments(p.oid)"
            " FROM pg_catalog.pg_proc p"
            " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
            " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
            f" WHERE {_PG_SCHEMA} AND {_PG_ROUTINE_NOT_EXTENSION}"
        ),
        params,
    ):
        name, arguments, kind, returns, language, volatility, body = row[:7]
        definer, strict, config, declared = row[7:]
        objects.routines[f"{name}({arguments})"] = RoutineSpec(
            kind=_PG_ROUTINE_KINDS.get(kind, "function"),
            returns=returns.lower() if returns else None,
            language=language,
            volatility=_PG_VOLATILITY.get(volatility),
            body=canonical_definition(body or ""),
            security="definer" if definer else None,
            strict=bool(strict),
            settings=tuple(sorted(config or ())),
            arguments=canonical_definition(declared) if declared else None,
        )
    for name, version in connection.execute(
        # PL/pgSQL is installed in every database PostgreSQL creates: part of the server.
        text("SELECT extname, extversion FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql'")
    ):
        objects.extensions[name] = ExtensionSpec(version=version)
    return objects


# pg_trigger.tgenabled: O fires normally; D never; R only for replication; A always.
_PG_TRIGGER_STATES = {"D": "disabled", "R": "replica", "A": "always"}
_PG_ROUTINE_KINDS = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_PG_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}

_PG_TRIGGER = re.compile(
    r"^CREATE (?:CONSTRAINT )?TRIGGER \S+ (?P<timing>BEFORE|AFTER|INSTEAD OF) (?P<events>.+?)"
    r" ON \S+(?P<middle>.*?) FOR EACH (?P<level>ROW|STATEMENT) (?P<body>.*)$",
    re.DOTALL,
)


def _postgresql_trigger(table: str, definition: str) -> TriggerSpec | None:
    match = _PG_TRIGGER.match(definition)
    if match is None:
        return None
    return TriggerSpec(
        table=table,
        timing=match.group("timing").lower(),
        events=trigger_events(match.group("events").split(" OR ")),
        level=match.group("level").lower(),
        body=canonical_definition(match.group("body")),
    )


# -- MySQL and MariaDB ---------------------------------------------------------------------

_MY_SCHEMA = "= coalesce(:schema, database())"


def _mysql(connection: Connection, schema: str | None) -> Objects:
    params = {"schema": schema}
    objects = Objects()
    database = schema or connection.execute(text("SELECT database()")).scalar_one()
    for name, definition in connection.execute(
        text(
            "SELECT table_name, view_definition FROM information_schema.views"
            f" WHERE table_schema {_MY_SCHEMA}"
        ),
        params,
    ):
        objects.views[name] = ViewSpec(
            definition=canonical_definition(definition, qualifier=database)
        )
    for row in connection.execute(
        text(
            "SELECT trigger_name, event_object_table, action_timing, event_manipulation,"
            " action_orientation, action_statement, action_order"
            " FROM information_schema.triggers"
            f" WHERE trigger_schema {_MY_SCHEMA}"
        ),
        params,
    ):
        name, table, timing, event, level, body, order = row
        objects.triggers[f"{table}.{name}"] = TriggerSpec(
            table=table,
            timing=timing.lower(),
            events=(event.lower(),),
            level=level.lower(),
            body=canonical_definition(body, qualifier=database),
            order=int(order) if order is not None else None,
        )
    parameters: dict[str, list[str]] = {}
    for routine, data_type in connection.execute(
        text(
            "SELECT specific_name, dtd_identifier FROM information_schema.parameters"
            f" WHERE specific_schema {_MY_SCHEMA} AND ordinal_position > 0"
            " ORDER BY specific_name, ordinal_position"
        ),
        params,
    ):
        parameters.setdefault(routine, []).append(data_type.lower())
    for row in connection.execute(
        text(
            "SELECT routine_name, routine_type, dtd_identifier, routine_body,"
            " is_deterministic, routine_definition, security_type"
            " FROM information_schema.routines"
            f" WHERE routine_schema {_MY_SCHEMA}"
        ),
        params,
    ):
        name, kind, returns, language, deterministic, body, security = row
        objects.routines[f"{name}({', '.join(parameters.get(name, []))})"] = RoutineSpec(
            kind=kind.lower(),
            returns=returns.lower() if returns else None,
            language=language.lower() if language else None,
            volatility="deterministic" if deterministic == "YES" else "not deterministic",
            body=canonical_definition(body or "", qualifier=database),
            # MariaDB's routines run as their definer unless told otherwise.
            security="invoker" if security == "INVOKER" else None,
        )
    quote = connection.dialect.identifier_preparer.quote
    # SHOW FULL TABLES reads table types from the data dictionary; information_schema.tables
    # would open every table of the schema to answer the same question.
    names = [
        row[0]
        for row in connection.exec_driver_sql(f"SHOW FULL TABLES FROM {quote(database)}")
        if row[1] == "SEQUENCE"
    ]
    for name in names:
        qualified = f"{quote(database)}.{quote(name)}"
        start, minimum, maximum, increment, cycle, cache = connection.execute(
            text(
                "SELECT start_value, minimum_value, maximum_value, increment, cycle_option,"
                f" cache_size FROM {qualified}"
            )
        ).one()
        objects.sequences[name] = sequence_spec(
            "mariadb",
            start=start,
            increment=increment,
            minvalue=minimum,
            maxvalue=maximum,
            cycle=bool(cycle),
            cache=cache,
        )
    return objects


# -- SQLite ---------------------------------------------------------------------------------

_SQLITE_VIEW = re.compile(r"^\s*CREATE\s+(?:TEMP\w*\s+)?VIEW\s+.+?\s+AS\s+(.*)$", re.I | re.S)
_SQLITE_TRIGGER = re.compile(
    r"^\s*CREATE\s+(?:TEMP\w*\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+"
    r"(?P<timing>BEFORE|AFTER|INSTEAD\s+OF)?\s*(?P<event>DELETE|INSERT|UPDATE(?:\s+OF\s+.+?)?)"
    r"\s+ON\s+\S+\s+(?P<row>FOR\s+EACH\s+ROW\s+)?(?P<body>(?:WHEN\s+.*?\s+)?BEGIN\s.*)$",
    re.I | re.S,
)


def _sqlite(connection: Connection, schema: str | None) -> Objects:
    objects = Objects()
    quote = connection.dialect.identifier_preparer.quote
    master = f"{quote(schema)}.sqlite_master" if schema else "sqlite_master"
    rows = connection.exec_driver_sql(
        f"SELECT type, name, tbl_name, sql FROM {master} WHERE type IN ('view', 'trigger')"
    ).all()
    for kind, name, table, sql in rows:
        if kind == "view":
            match = _SQLITE_VIEW.match(sql or "")
            if match is not None:
                objects.views[name] = ViewSpec(definition=canonical_definition(match.group(1)))
            continue
        trigger = _SQLITE_TRIGGER.match(sql or "")
        if trigger is None:
            continue
        objects.triggers[f"{table}.{name}"] = TriggerSpec(
            table=table,
            # BEFORE is SQLite's default timing, and every SQLite trigger is a row trigger.
            timing=" ".join((trigger.group("timing") or "before").lower().split()),
            events=trigger_events([trigger.group("event")]),
            level="row",
            body=canonical_definition(trigger.group("body")),
        )
    return objects


# -- shared ---------------------------------------------------------------------------------

_EVENT_ORDER = ("insert", "update", "delete", "truncate")


def trigger_events(events: list[str]) -> tuple[str, ...]:
    """Trigger events in one order, ``update of a, b`` kept with its columns."""
    cleaned = [" ".join(event.lower().replace(",", ", ").split()) for event in events]
    return tuple(sorted(cleaned, key=lambda event: _EVENT_ORDER.index(event.split()[0])))


#: The largest value of a MariaDB sequence (its maximum default, one below BIGINT's; the
#: smallest, for a descending one, is BIGINT's smallest plus one).
_MARIADB_MAX = 2**63 - 2


def sequence_spec(
    type_: str,
    *,
    start: Any,
    increment: Any,
    minvalue: Any,
    maxvalue: Any,
    cycle: Any,
    cache: Any = None,
    owned_by: str | None = None,
) -> SequenceSpec:
    """A sequence with the options equal to the database's defaults left out.

    ``type_`` is the sequence's data type (PostgreSQL: ``bigint`` unless declared), or
    ``mariadb``, whose sequences are BIGINT with a maximum one below BIGINT's.
    """
    if type_ == "mariadb":
        # MariaDB's defaults differ from the SQL standard's in the maximum (and minimum).
        ascending = int(increment or 1) > 0
        if ascending and maxvalue is not None and int(maxvalue) == _MARIADB_MAX:
            maxvalue = None
        if not ascending and minvalue is not None and int(minvalue) == -(2**63 - 1):
            minvalue = None
        type_ = "bigint"
    given: dict[str, int | bool] = {
        option: int(value)
        for option, value in (
            ("start", start),
            ("increment", increment),
            ("minvalue", minvalue),
            ("maxvalue", maxvalue),
        )
        if value is not None
    }
    if cycle:
        given["cycle"] = True
    kept = non_default_options(given, type_ or "bigint")
    return SequenceSpec(
        start=_integer(kept.get("start")),
        increment=_integer(kept.get("increment")),
        min_value=_integer(kept.get("minvalue")),
        max_value=_integer(kept.get("maxvalue")),
        cycle=bool(kept.get("cycle", False)),
        # Kept as read: the database's default (PostgreSQL 1, MariaDB 1000) is its rules' to drop.
        cache=None if cache is None else int(cache),
        owned_by=owned_by,
    )


# -- privileges (on request) ----------------------------------------------------------------


@dataclass
class TablePrivileges:
    """What ``read_privileges`` found on one table or sequence (a sequence has grants only)."""

    grants: dict[str, GrantSpec] = field(default_factory=dict)
    row_security: str | None = None
    policies: dict[str, PolicySpec] = field(default_factory=dict)


def read_privileges(connection: Connection, schema: str | None) -> dict[str, TablePrivileges]:
    """Grants on each table and sequence of ``schema`` (not its owner's own, which follow from
    owning it) and, on PostgreSQL, row-level security and its policies. SQLite has none."""
    name = connection.dialect.name
    found: dict[str, TablePrivileges] = {}
    if name == "postgresql":
        # From the ACLs themselves: information_schema's grant views list only grants the
        # reading role gave or received, and leave sequences out.
        rows = connection.execute(
            text(
                "SELECT c.relname,"
                " CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
                " ELSE pg_catalog.pg_get_userbyid(a.grantee) END,"
                " a.privilege_type"
                " FROM pg_catalog.pg_class c"
                " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                " CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a"
                f" WHERE c.relkind IN ('r', 'p', 'S') AND {_PG_SCHEMA}"
                " AND a.grantee <> c.relowner"
            ),
            {"schema": schema},
        ).all()
        _add_grants(found, rows)
        for table, enabled, forced in connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity"
                " FROM pg_catalog.pg_class c"
                " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                f" WHERE c.relkind IN ('r', 'p') AND {_PG_SCHEMA} AND c.relrowsecurity"
            ),
            {"schema": schema},
        ):
            found.setdefault(table, TablePrivileges()).row_security = (
                "forced" if forced else "enabled" if enabled else None
            )
        for row in connection.execute(
            text(
                "SELECT tablename, policyname, permissive, roles, cmd, qual, with_check"
                " FROM pg_catalog.pg_policies"
                " WHERE schemaname = coalesce(:schema, current_schema())"
            ),
            {"schema": schema},
        ):
            table, policy, permissive, roles, command, using, with_check = row
            found.setdefault(table, TablePrivileges()).policies[policy] = PolicySpec(
                command=command.lower(),
                permissive=permissive == "PERMISSIVE",
                roles=tuple(sorted(roles)),
                using=canonical_definition(using) if using else None,
                with_check=canonical_definition(with_check) if with_check else None,
            )
    elif name in ("mysql", "mariadb"):
        rows = connection.execute(
            # A MariaDB sequence is a table to the grant system: its grants are here too.
            text(
                "SELECT table_name, grantee, privilege_type"
                f" FROM information_schema.table_privileges WHERE table_schema {_MY_SCHEMA}"
            ),
            {"schema": schema},
        ).all()
        _add_grants(found, rows)
    return found


def _add_grants(found: dict[str, TablePrivileges], rows: Any) -> None:
    privileges: dict[tuple[str, str], set[str]] = {}
    for table, grantee, privilege in rows:
        privileges.setdefault((table, grantee), set()).add(str(privilege).upper())
    for (table, grantee), granted in privileges.items():
        found.setdefault(table, TablePrivileges()).grants[grantee] = GrantSpec(
            privileges=tuple(sorted(granted))
        )


def _integer(value: int | bool | None) -> int | None:
    return None if value is None else int(value)
