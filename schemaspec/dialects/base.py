"""The neutral normalisation rules and the registry of dialects.

Per-dialect normalisation of specs: what each database can store, and how it stores it.

Normalising happens once, before diffing, on plain specs (no SQLAlchemy here), so the differ never
asks which database it is looking at. Each dialect is a :class:`DialectRules` subclass in a module
of its own, registered by name; a new database is a new module, not new ``if``s. Every rule must be
idempotent: normalising a normalised spec changes nothing.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, TypeVar

from pydantic import BaseModel

from schemaspec.errors import SourceError
from schemaspec.spec import ColumnSpec, EnumSpec, IndexSpec, SchemaSpec, TableSpec, UniqueSpec
from schemaspec.sql.definitions import canonical_definition
from schemaspec.sql.identity import canonical_identity
from schemaspec.sql.text import canonical_default, canonical_expression
from schemaspec.util.interning import ColumnKey, column_key, shared_column

_NAMED_ENUM = re.compile(r"^enum\((\w+)\)$")
_PLAIN_NAME = re.compile(r"\w+")

_Model = TypeVar("_Model", bound=BaseModel)

_COLUMN_CACHE_SIZE = 65536
_column_cache: dict[tuple[DialectRules, ColumnKey], ColumnSpec] = {}
_column_cache_by_object: dict[tuple[DialectRules, int], tuple[ColumnSpec, ColumnSpec]] = {}


def replace(model: _Model, **changes: Any) -> _Model:
    """``model.model_copy(update=changes)``, or ``model`` itself when nothing would change.

    Normalising mostly finds values already in normal form (always, the second time), so not
    copying then keeps a 10,000-column schema from being copied object by object for nothing.
    """
    current = model.__dict__
    for field, value in changes.items():
        if current[field] is not value and current[field] != value:
            return model.model_copy(update=changes)
    return model


#: What SQLAlchemy emits on a database without these native types (MySQL, SQLite), and so what
#: reflection finds there.
WITHOUT_NATIVE_TYPES = {
    "uuid": "char(32)",
    "interval": "timestamp",
    "timestamptz": "timestamp",
    "timetz": "time",
    "jsonb": "json",
}


class DialectRules:
    """The neutral rules; a dialect overrides what its database does differently."""

    name: str | None = None
    supports_comments = True
    #: Named enum types stored on their own (PostgreSQL). Elsewhere a named enum is expanded.
    supports_named_enums = True
    #: Which emulated types need their check constraint here (see ``CheckSpec.emulates``);
    #: ``None`` keeps the marker (the neutral spec does not know yet).
    emulation_checks: frozenset[str] | None = None
    #: Map of canonical type to the type this database actually stores for it.
    stored_types: dict[str, str] = {}  # noqa: RUF012 - read-only class table
    #: Whether ``interval day to second`` stays apart from ``interval`` (PostgreSQL only).
    keeps_interval_fields = True
    #: What the database stores of the rest (the neutral rules keep everything): identity
    #: options, deferrable keys, a primary key's own name, PostgreSQL's index options (method,
    #: operator classes, INCLUDE, NULLS NOT DISTINCT) and exclusion constraints.
    stores_identity = True
    stores_deferrable = True
    stores_primary_key_name = True
    stores_postgresql_indexes = True
    stores_sequences = True
    #: A sequence's cache size when none is given (``None``: not known, kept as it is).
    default_sequence_cache: int | None = None
    #: Collation names compare without case (MySQL, SQLite); PostgreSQL's are case-sensitive.
    collations_ignore_case = False

    def normalize(self, spec: SchemaSpec) -> SchemaSpec:
        if self.name is None:
            # The neutral rules keep every dialect's tables, each normalised as the rest.
            variants = {
                dialect: {name: self.table(table, spec.enums) for name, table in tables.items()}
                for dialect, tables in spec.variants.items()
            }
            source = spec.tables
        else:
            variants = {}
            source = {**spec.tables, **spec.variants.get(self.name, {})}
        tables = {name: self.table(table, spec.enums) for name, table in source.items()}
        enums = spec.enums if self.supports_named_enums else {}
        return replace(
            spec,
            dialect=self.name or spec.dialect,
            tables=tables,
            enums=enums,
            variants=variants,
            sequences={
                name: replace(sequence, cache=None)
                if sequence.cache == self.default_sequence_cache
                else sequence
                for name, sequence in spec.sequences.items()
            }
            if self.stores_sequences
            else {},
            views={
                name: replace(view, definition=canonical_definition(view.definition))
                for name, view in spec.views.items()
            },
            triggers={
                key: replace(trigger, body=canonical_definition(trigger.body))
                for key, trigger in spec.triggers.items()
            },
            routines={
                key: replace(routine, body=canonical_definition(routine.body))
                for key, routine in spec.routines.items()
            },
        )

    def table(self, table: TableSpec, enums: dict[str, EnumSpec]) -> TableSpec:
        columns = {
            name: self.cached_column(column, enums) for name, column in table.columns.items()
        }
        # Primary key columns are NOT NULL by definition (SQLite reflects them as nullable).
        columns = {
            name: replace(column, nullable=False) if name in table.primary_key else column
            for name, column in columns.items()
        }
        columns = self.autoincrement(columns, table.primary_key)
        indexes = {
            name: self.index(index, table)
            for name, index in table.indexes.items()
            if self.name is None or index.created_on is None or self.name in index.created_on
        }
        checks = {
            key: replace(check, sqltext=self.expression(check.sqltext) or "")
            for key, check in table.checks.items()
            if self.keeps_check(check.emulates)
        }
        if self.emulation_checks is not None:
            checks = {key: replace(check, emulates=None) for key, check in checks.items()}
        foreign_keys = table.foreign_keys
        unique = table.unique
        if not self.stores_deferrable:
            foreign_keys = {k: replace(fk, deferrable=None) for k, fk in foreign_keys.items()}
        if not self.stores_postgresql_indexes:
            unique = {
                k: replace(u, nulls_not_distinct=False, include=()) for k, u in unique.items()
            }
        return replace(
            table,
            columns=columns,
            indexes=indexes,
            checks=checks,
            foreign_keys=foreign_keys,
            unique=unique,
            excludes=table.excludes if self.stores_postgresql_indexes else {},
            primary_key_name=table.primary_key_name if self.stores_primary_key_name else None,
            comment=table.comment if self.supports_comments else None,
        )

    def index(self, index: IndexSpec, table: TableSpec) -> IndexSpec:
        # A column's name is kept as it is, even "with space" or "it's": only what names no
        # column is an expression to canonicalise.
        elements = {
            element: element if element in table.columns else self.index_element(element)
            for element in index.columns
        }
        postgresql = self.stores_postgresql_indexes
        return replace(
            index,
            columns=tuple(elements[element] for element in index.columns),
            where=self.expression(self.partial(index)),
            where_dialects=index.where_dialects if self.name is None else None,
            created_on=index.created_on if self.name is None else None,
            # B-tree is every database's default method.
            method=index.method if postgresql and index.method != "btree" else None,
            operator_classes={
                elements.get(element, element): name
                for element, name in index.operator_classes.items()
            }
            if postgresql
            else {},
            include=index.include if postgresql else (),
            nulls_not_distinct=index.nulls_not_distinct and postgresql,
        )

    def keeps_check(self, emulates: str | None) -> bool:
        return (
            emulates is None or self.emulation_checks is None or emulates in self.emulation_checks
        )

    def cached_column(self, column: ColumnSpec, enums: dict[str, EnumSpec]) -> ColumnSpec:
        """``self.column(column, enums)``, computed once per distinct column and dialect.

        Rules are pure, so the result is cached on the column's values: a 1,000-table schema
        has a few dozen distinct columns, not 12,000. Columns are mostly the shared objects of
        :mod:`schemaspec.util.interning`, so the object itself is looked up first.
        """
        seen = _column_cache_by_object.get((self, id(column)))
        if seen is not None and seen[0] is column:
            return seen[1]
        if _NAMED_ENUM.match(column.type) or any(
            _NAMED_ENUM.match(variant) for variant in column.variants.values()
        ):
            # Depends on the schema's enum values too; rare enough not to cache.
            return self.column(column, enums)
        key = (self, column_key(column))
        normalized = _column_cache.get(key)
        if normalized is None:
            # Shared, so that equal normalised columns from two sources are one object and
            # comparing their tables compares them by identity.
            normalized = shared_column(self.column(column, enums))
            if len(_column_cache) >= _COLUMN_CACHE_SIZE:
                _column_cache.clear()
            _column_cache[key] = normalized
        if len(_column_cache_by_object) >= _COLUMN_CACHE_SIZE:
            _column_cache_by_object.clear()
        # The column is kept with its result, so its id cannot be reused by another object.
        _column_cache_by_object[(self, id(column))] = (column, normalized)
        return normalized

    def column(self, column: ColumnSpec, enums: dict[str, EnumSpec]) -> ColumnSpec:
        declared = column.variants.get(self.name, column.type) if self.name else column.type
        type_ = self.column_type(declared, enums)
        default = self.expression(canonical_default(self.literals(column.default), type_))
        default = self.typed_default(default, type_)
        if column.autoincrement and default is not None and default.startswith("nextval("):
            # PostgreSQL SERIAL: the sequence default is how autoincrement is implemented.
            default = None
        collation = column.collation
        if collation is not None and self.collations_ignore_case:
            collation = collation.lower()
        return replace(
            column,
            type=type_,
            default=default,
            computed=self.expression(column.computed),
            comment=column.comment if self.supports_comments else None,
            identity=canonical_identity(column.identity, type_) if self.stores_identity else None,
            collation=collation,
            # A dialect's rules have picked its variant; the neutral rules keep them all.
            variants=column.variants if self.name is None else {},
        )

    def expression(self, text: str | None) -> str | None:
        """Canonical text of a SQL expression as this database gives it back."""
        text = canonical_expression(self.literals(text))
        # Canonicalised again: a rewrite may leave spacing the canonical form does not have.
        return None if text is None else canonical_expression(self.rewrite(text))

    def literals(self, text: str | None) -> str | None:
        """``text`` with its string literals in this database's one spelling of each value,
        before anything else reads it (none for the neutral rules: standard SQL quoting).

        MySQL's backslash escapes make ``'it\\'s'`` and ``'it''s'`` one value, and a quote
        escaped with a backslash would end the literal for a standard SQL reader.
        """
        return text

    def typed_default(self, default: str | None, type_: str) -> str | None:
        """A canonical default as this database stores a literal of column type ``type_``
        (none for the neutral rules: a literal is kept as written)."""
        return default

    def rewrite(self, text: str) -> str:
        """This database's own rewrites of canonical expression text (none for the neutral rules).

        Applied to both sides, so a rewrite only has to map what the database returns and what
        the models say to one form; it must be idempotent.
        """
        return text

    def column_type(self, type_: str, enums: dict[str, EnumSpec]) -> str:
        if not self.keeps_interval_fields and type_.startswith("interval "):
            # PostgreSQL's interval fields (``interval day to second``) are an interval all the
            # same where no database keeps them.
            type_ = "interval"
        named = _NAMED_ENUM.match(type_)
        if named and not self.supports_named_enums and named.group(1) in enums:
            type_ = self.expand_enum(enums[named.group(1)].values)
        return self.stored_type(type_)

    def stored_type(self, type_: str) -> str:
        """``stored_types`` applied to ``type_``, also when it carries a size or precision.

        ``timestamptz(3)`` maps as ``timestamptz`` does, keeping its ``(3)``; an entry whose
        stored type has a size of its own (``numeric`` -> ``numeric(10,0)``) maps only itself.
        """
        if type_ in self.stored_types:
            return self.stored_types[type_]
        base, paren, arguments = type_.partition("(")
        stored = self.stored_types.get(base)
        if not paren or stored is None or "(" in stored:
            return type_
        return f"{stored}({arguments}"

    def expand_enum(self, values: tuple[str, ...]) -> str:
        """What a named enum becomes on a database without named enum types."""
        return "enum(" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + ")"

    def partial(self, index: IndexSpec) -> str | None:
        """The index's predicate on this database: a ``postgresql_where`` is no predicate on
        SQLite or MySQL, where SQLAlchemy creates a plain index."""
        declared_for = index.where_dialects
        if declared_for is None or self.name is None or self.name in declared_for:
            return index.where
        return None

    def index_element(self, element: str) -> str:
        # Plain column names stay as they are (case included); expressions are canonicalised.
        if _PLAIN_NAME.fullmatch(element):
            return element
        # ASC is every database's default order.
        element = re.sub(r"\s+asc$", "", element, flags=re.IGNORECASE)
        if re.fullmatch(r"\w+", element):
            return element
        return self.expression(element) or element

    def autoincrement(
        self, columns: dict[str, ColumnSpec], primary_key: tuple[str, ...]
    ) -> dict[str, ColumnSpec]:
        return columns

    def common(self, spec: SchemaSpec) -> SchemaSpec:
        """``spec`` as this database tells it apart from another database's.

        Used only when two dialects are compared (see :func:`common_ground`): what this
        database does not distinguish (SQLite: integer sizes) is merged on both sides. Within one
        dialect the declared form stays, because it is what the user wrote.
        """
        return forget_generated_names(spec, self.generated_name)

    def generated_name(self, kind: str, table: str, columns: tuple[str, ...], name: str) -> bool:
        """Whether ``name`` is the one this database gives an unnamed constraint of ``kind``
        (``foreign_keys``, ``unique`` or ``checks``) on ``columns`` of ``table``.

        Two databases name unnamed constraints differently (``books_author_id_fkey`` on
        PostgreSQL, ``books_ibfk_1`` on MySQL); across dialects such a name says nothing.
        """
        return False


def forget_generated_names(spec: SchemaSpec, generated: Any) -> SchemaSpec:
    """Blank the constraint names ``generated(kind, table, columns, name)`` says the database chose.

    A blank name is compared with nothing (see ``diff``), so only chosen names are compared.
    """
    tables = {}
    for table_name, table in spec.tables.items():
        changes: dict[str, Any] = {}
        for kind in ("foreign_keys", "unique", "checks"):
            members = getattr(table, kind)
            renamed = {
                key: replace(member, name=None)
                if member.name is not None
                and generated(kind, table_name, getattr(member, "columns", ()), member.name)
                else member
                for key, member in members.items()
            }
            if any(renamed[key] is not members[key] for key in members):
                changes[kind] = renamed
        tables[table_name] = replace(table, **changes) if changes else table
    return replace(spec, tables=tables)


class _Registry:
    def __init__(self) -> None:
        self._rules: dict[str, DialectRules] = {}

    def register(self, rules: DialectRules) -> None:
        assert rules.name is not None
        self._rules[rules.name] = rules

    def get(self, name: str | None) -> DialectRules:
        # Unknown dialects (mssql, oracle...) get the neutral rules: compared as reflected.
        return self._rules.get(name or "", NEUTRAL)


NEUTRAL = DialectRules()
registry = _Registry()


def rules_for(name: str | None) -> DialectRules:
    return registry.get(name)


def zero_scale(type_: str) -> str:
    """``numeric(p)`` as ``numeric(p,0)``: PostgreSQL's and MySQL's catalogs give the scale back."""
    return re.sub(r"^numeric\((\d+)\)", r"numeric(\1,0)", type_)


#: The dialect names a user may write; MariaDB is rendered as MySQL.
DIALECT_CHOICES = ("postgresql", "mysql", "mariadb", "sqlite")


def known_dialect(name: str) -> str:
    """``name`` as a user wrote it (``--dialect``, ``dialect=``), checked against the databases
    schemaspec renders; an unknown one is refused with the choices, never compared as foreign."""
    lowered = name.strip().lower()
    if lowered in DIALECT_CHOICES:
        return "mysql" if lowered == "mariadb" else lowered
    guess = difflib.get_close_matches(lowered, DIALECT_CHOICES, n=1, cutoff=0.5)
    hint = f"did you mean {guess[0]!r}? " if guess else ""
    raise SourceError(f"unknown dialect {name!r}: {hint}choose one of {', '.join(DIALECT_CHOICES)}")


def normalize(spec: SchemaSpec, dialect: str | None = None) -> SchemaSpec:
    """Render ``spec`` the way ``dialect`` (default: its own) stores it. Idempotent."""
    target = dialect if dialect is not None else spec.dialect
    # MariaDB stores schemas as MySQL does, and database specs of both say "mysql".
    target = "mysql" if target == "mariadb" else target
    rules = rules_for(target)
    normalized = rules.normalize(spec)
    if target is not None and normalized.dialect != target:
        normalized = normalized.model_copy(update={"dialect": target})
    return normalized


def common_ground(spec: SchemaSpec, dialects: tuple[str | None, ...]) -> SchemaSpec:
    """Apply the :meth:`DialectRules.common` step of each of ``dialects`` to ``spec``."""
    for name in sorted({name for name in dialects if name is not None}):
        spec = rules_for(name).common(spec)
    return spec


def _unique_indexes_as_constraints(table: TableSpec) -> TableSpec:
    """Treat a unique index on plain columns as a unique constraint (MySQL makes them one thing)."""
    unique = dict(table.unique)
    indexes: dict[str, IndexSpec] = {}
    for name, index in table.indexes.items():
        plain = all(element in table.columns for element in index.columns)
        if index.unique and plain and index.where is None:
            unique[",".join(index.columns)] = UniqueSpec(columns=index.columns, name=name)
        else:
            indexes[name] = index
    # A unique index with a sorted or expression element stays an index; MySQL reflects it as a
    # unique constraint of the same name too, which is the same object.
    unique = {
        key: constraint
        for key, constraint in unique.items()
        if not (constraint.name in indexes and indexes[constraint.name].unique)
    }
    return replace(table, unique=unique, indexes=indexes)
