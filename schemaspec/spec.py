"""The spec model: a database schema as a frozen, comparable value.

Every collection is keyed by name (or, for constraints a database may name on its own, by what
they constrain), never by position, so two specs compare by plain equality and diff paths read
like ``book_registrations.applicant_priority_number``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: Version of the spec model and of the snapshot file format. Bump on incompatible changes.
FORMAT_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ColumnSpec(_Frozen):
    """One column. ``type`` is a canonical type string such as ``numeric(10,2)``."""

    type: str
    nullable: bool = True
    #: The server default as canonical SQL text (``'active'``, ``0``, ``current_timestamp``).
    default: str | None = None
    #: True for SERIAL, IDENTITY, AUTO_INCREMENT and SQLite's INTEGER PRIMARY KEY.
    autoincrement: bool = False
    #: The generation expression of a computed (generated) column.
    computed: str | None = None
    comment: str | None = None
    #: An identity column (``GENERATED ALWAYS|BY DEFAULT AS IDENTITY``): ``always`` or
    #: ``by default``, then the sequence options that differ from the database's defaults
    #: (``by default start 10 increment 5 cycle``). Kept where the database stores it (PostgreSQL).
    identity: str | None = None
    #: The column's collation where it is not the default one (``C``, ``utf8mb4_bin``, ``nocase``).
    collation: str | None = None
    #: Set only on specs straight from models: the canonical type per dialect where it is not
    #: ``type`` (``with_variant()``, a ``TypeDecorator`` choosing its type per dialect, or a
    #: spelling one database reads differently). Normalising for a dialect picks its entry, then
    #: clears this.
    variants: dict[str, str] = Field(default_factory=dict)


class ForeignKeySpec(_Frozen):
    """A foreign key, keyed in its table by its constrained columns (``"member_id"``)."""

    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    #: ``None`` when the constraint is unnamed in the source; names are compared only when both
    #: sides have one, because databases invent names for unnamed constraints.
    name: str | None = None
    on_delete: str | None = None
    on_update: str | None = None
    #: ``immediate`` or ``deferred`` for a ``DEFERRABLE INITIALLY ...`` key (``None``: not
    #: deferrable).
    deferrable: str | None = None


class IndexSpec(_Frozen):
    """An index, keyed by its name. ``columns`` holds column names or expression text."""

    columns: tuple[str, ...]
    unique: bool = False
    #: The predicate of a partial index (PostgreSQL, SQLite).
    where: str | None = None
    #: Set only on specs straight from models: the databases ``where`` was declared for
    #: (``postgresql_where``, ``sqlite_where``); elsewhere the index is a plain one. Normalising
    #: for a dialect keeps or drops the predicate, then clears this.
    where_dialects: tuple[str, ...] | None = None
    #: Set only on specs straight from models: the databases ``create_all`` makes the index on
    #: (``Index(...).ddl_if(dialect=...)``). Normalising for another dialect drops the index;
    #: normalising for one of these clears this.
    created_on: tuple[str, ...] | None = None
    #: The index method where it is not the database's default (PostgreSQL ``gin``, ``hash``...).
    method: str | None = None
    #: Operator classes other than the default, by element (PostgreSQL ``text_pattern_ops``).
    operator_classes: dict[str, str] = Field(default_factory=dict)
    #: Columns carried in the index without being part of its key (PostgreSQL ``INCLUDE``).
    include: tuple[str, ...] = ()
    #: A unique index treating NULLs as equal (PostgreSQL 15 ``NULLS NOT DISTINCT``).
    nulls_not_distinct: bool = False


class UniqueSpec(_Frozen):
    """A unique constraint, keyed in its table by its columns (``"member_id,book_id"``)."""

    columns: tuple[str, ...]
    name: str | None = None
    #: NULLs count as equal (PostgreSQL 15 ``NULLS NOT DISTINCT``).
    nulls_not_distinct: bool = False
    #: Columns carried in its index without being part of the key (PostgreSQL ``INCLUDE``).
    include: tuple[str, ...] = ()


class ExcludeSpec(_Frozen):
    """A PostgreSQL exclusion constraint, keyed in its table by its definition
    (``using gist (room with =, during with &&)``)."""

    definition: str
    name: str | None = None


class CheckSpec(_Frozen):
    """A check constraint, keyed by its name (or by its expression when unnamed)."""

    sqltext: str
    name: str | None = None
    #: Set only on specs straight from models: the check SQLAlchemy adds for a ``Boolean`` or
    #: native ``Enum`` with ``create_constraint=True``, which exists only on databases without
    #: that native type. Normalising for a dialect keeps or drops it, then clears this.
    emulates: str | None = None


class GrantSpec(_Frozen):
    """What one grantee may do with a table or sequence, keyed in it by the grantee (a role)."""

    #: ``SELECT``, ``INSERT``... in alphabetical order.
    privileges: tuple[str, ...]


class PolicySpec(_Frozen):
    """A PostgreSQL row-level security policy, keyed in its table by name."""

    #: ``all``, ``select``, ``insert``, ``update`` or ``delete``.
    command: str = "all"
    permissive: bool = True
    #: The roles it applies to (``public``: everyone).
    roles: tuple[str, ...] = ("public",)
    using: str | None = None
    with_check: str | None = None


class TableSpec(_Frozen):
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    #: The primary key constraint's name; compared only when both sides name it, because
    #: databases name an unnamed key themselves (``members_pkey``, MySQL's ``PRIMARY``).
    primary_key_name: str | None = None
    foreign_keys: dict[str, ForeignKeySpec] = Field(default_factory=dict)
    indexes: dict[str, IndexSpec] = Field(default_factory=dict)
    unique: dict[str, UniqueSpec] = Field(default_factory=dict)
    checks: dict[str, CheckSpec] = Field(default_factory=dict)
    excludes: dict[str, ExcludeSpec] = Field(default_factory=dict)
    comment: str | None = None
    #: Read only on request (``from_database(..., privileges=True)``), compared only when both
    #: sides describe ``privileges``: grants by grantee, row-level security (``enabled`` or
    #: ``forced``) and its policies.
    grants: dict[str, GrantSpec] = Field(default_factory=dict)
    row_security: str | None = None
    policies: dict[str, PolicySpec] = Field(default_factory=dict)


class EnumSpec(_Frozen):
    """A named enum type the database stores on its own (PostgreSQL ``CREATE TYPE ... AS ENUM``)."""

    values: tuple[str, ...]


class ViewSpec(_Frozen):
    """A view, keyed by name: its query as the database stores it, in canonical text."""

    definition: str
    #: A PostgreSQL materialized view (its indexes are the view's table's, see ``indexes``).
    materialized: bool = False
    #: Indexes of a materialized view, keyed by name.
    indexes: dict[str, IndexSpec] = Field(default_factory=dict)


class SequenceSpec(_Frozen):
    """A sequence, keyed by name. Options equal to the database's defaults are ``None``."""

    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool = False
    #: How many values are handed out at once (PostgreSQL's default 1, MariaDB's 1000: none).
    cache: int | None = None
    #: ``table.column`` a PostgreSQL sequence is ``OWNED BY``.
    owned_by: str | None = None
    #: Read only on request, like a table's (see ``TableSpec.grants``).
    grants: dict[str, GrantSpec] = Field(default_factory=dict)


class TriggerSpec(_Frozen):
    """A trigger, keyed by ``table.name`` (PostgreSQL names triggers per table)."""

    table: str
    #: ``before``, ``after`` or ``instead of``.
    timing: str
    #: ``insert``, ``update``, ``delete``, ``truncate``, in that order.
    events: tuple[str, ...]
    #: ``row`` or ``statement``.
    level: str = "row"
    #: What it runs, canonical text: PostgreSQL's ``execute function f()`` (with its ``when``
    #: condition), MariaDB's and SQLite's statement body.
    body: str
    #: PostgreSQL: ``disabled``, ``replica`` or ``always`` when not simply enabled.
    state: str | None = None
    #: A PostgreSQL constraint trigger's ``immediate``/``deferred`` (none: not deferrable).
    deferrable: str | None = None
    #: MariaDB: its place among the table's triggers of one timing and event (they run in order).
    order: int | None = None


class RoutineSpec(_Frozen):
    """A function or procedure, keyed by ``name(argument types)``."""

    kind: str = "function"
    returns: str | None = None
    language: str | None = None
    #: PostgreSQL ``immutable``/``stable``/``volatile``; MariaDB ``deterministic`` or not.
    volatility: str | None = None
    #: The body as the database stores it, in canonical text.
    body: str
    #: ``definer`` or ``invoker`` where the database does not default to it (PostgreSQL:
    #: ``definer`` for ``SECURITY DEFINER``; MariaDB: ``invoker`` for ``SQL SECURITY INVOKER``).
    security: str | None = None
    #: PostgreSQL ``STRICT`` (``RETURNS NULL ON NULL INPUT``).
    strict: bool = False
    #: PostgreSQL ``SET`` options (``search_path=public``).
    settings: tuple[str, ...] = ()
    #: PostgreSQL: the arguments as declared, names and defaults included (the key has their
    #: types only, so renaming one or changing a default is a change of this routine).
    arguments: str | None = None


class ExtensionSpec(_Frozen):
    """A PostgreSQL extension, keyed by name. ``version`` only when asked for."""

    version: str | None = None


#: The kinds of objects a spec may describe, in report order.
OBJECT_KINDS = (
    "tables",
    "enums",
    "sequences",
    "views",
    "triggers",
    "routines",
    "extensions",
    "privileges",
)
#: What a spec that does not say (``describes`` is ``None``) describes: everything but
#: privileges, which are read only on request.
DEFAULT_KINDS = tuple(kind for kind in OBJECT_KINDS if kind != "privileges")
#: What SQLAlchemy models can declare (views and triggers only through DDL events, which
#: shadow mode sees).
MODEL_KINDS = ("tables", "enums", "sequences")


class SchemaSpec(_Frozen):
    """A whole schema.

    ``dialect`` says which database rendered it (``None``: straight from models, dialect-neutral).
    """

    dialect: str | None = None
    tables: dict[str, TableSpec] = Field(default_factory=dict)
    enums: dict[str, EnumSpec] = Field(default_factory=dict)
    views: dict[str, ViewSpec] = Field(default_factory=dict)
    sequences: dict[str, SequenceSpec] = Field(default_factory=dict)
    triggers: dict[str, TriggerSpec] = Field(default_factory=dict)
    routines: dict[str, RoutineSpec] = Field(default_factory=dict)
    extensions: dict[str, ExtensionSpec] = Field(default_factory=dict)
    #: The kinds of objects (``OBJECT_KINDS``) this spec says anything about; ``None``: all but
    #: ``privileges`` (``DEFAULT_KINDS``). Models describe tables, enums and sequences, and
    #: nothing about views or triggers, so a view a database has is not "unexpected" next to
    #: them: a kind only one side describes is not compared.
    describes: tuple[str, ...] | None = None
    #: Set only on specs straight from models: per dialect, the tables that dialect's SQLAlchemy
    #: compiler emits differently from the neutral one (``@compiles`` overrides, dialect-only
    #: functions, ``ddl_if``, convention names cut to the identifier limit). Normalising for a
    #: dialect puts its tables in place, then clears this.
    variants: dict[str, dict[str, TableSpec]] = Field(default_factory=dict)
