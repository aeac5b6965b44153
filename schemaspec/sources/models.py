"""SQLAlchemy models to a spec: the schema the code expects.

The spec is built dialect-neutral and then, when a dialect is named, normalised the way that
database would store it; one path, so ``from_models(md, dialect="mysql")`` and a neutral spec
later compared against MySQL agree by construction.
"""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Sequence,
    Table,
    UniqueConstraint,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.engine import URL, Dialect
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.schema import Constraint, DefaultClause
from sqlalchemy.sql.elements import ClauseElement, TextClause

from schemaspec.dialects import known_dialect, normalize, rules_for
from schemaspec.errors import SchemaspecWarning, SourceError
from schemaspec.sources.importing import import_object
from schemaspec.sources.objects import sequence_spec
from schemaspec.spec import (
    MODEL_KINDS,
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ExcludeSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    SequenceSpec,
    TableSpec,
    UniqueSpec,
)
from schemaspec.sql.constraints import canonical_deferrable, canonical_exclusion
from schemaspec.sql.identity import OPTIONS as IDENTITY_OPTIONS
from schemaspec.sql.identity import identity_text
from schemaspec.sql.text import canonical_action
from schemaspec.sql.types import (
    SPEC_DIALECTS,
    canonical_type,
    dialect_instance,
    quote_literal,
    type_variants,
)
from schemaspec.util.gcpause import paused_gc
from schemaspec.util.interning import column_spec

# The neutral compiler; identifiers' quoting is stripped by normalisation.
_NEUTRAL = DefaultDialect()


@paused_gc()
def from_models(
    target: MetaData | Any | str,
    dialect: str | None = None,
    *,
    schema: str | None = None,
    shadow: str | URL | bool | None = None,
) -> SchemaSpec:
    """The spec the models in ``target`` expect.

    ``target`` is a ``MetaData``, a declarative base (anything with a ``.metadata``), or an
    import string ``"pkg.module:attr"``. ``dialect`` (``"postgresql"``, ``"mysql"``,
    ``"sqlite"``...) renders the models the way that database stores them. ``schema`` keeps only
    the tables of that schema, keyed by bare name.

    ``shadow`` builds the models for real instead: ``True`` in an in-memory SQLite database, a
    URL in a scratch database created on that server (and dropped afterwards), then reads it
    back as :func:`~schemaspec.from_database` reads the actual side. The comparison is then exact
    by construction; models the database refuses raise
    :class:`~schemaspec.sources.shadow.ModelsNotCreatableError` naming the object.
    """
    metadata = resolve_metadata(target)
    if not metadata.tables:
        # Comparing such a spec compares nothing, and would pass: almost always the modules
        # defining the models were not imported before the base was handed over.
        warnings.warn(
            f"the models {_described(target)} define no tables, so comparing them compares "
            "nothing: import the modules that define the models first",
            SchemaspecWarning,
            stacklevel=3,
        )
    dialect = None if dialect is None else known_dialect(dialect)
    if shadow is not None:
        from schemaspec.sources.shadow import shadow_spec

        return shadow_spec(metadata, dialect, shadow, schema=schema)
    spec = metadata_to_spec(metadata, schema=schema, dialect=dialect)
    if dialect is not None:
        return normalize(spec, dialect)
    variants = dialect_variants(metadata, spec, schema)
    return normalize(spec.model_copy(update={"variants": variants}) if variants else spec)


def _described(target: object) -> str:
    return repr(target) if isinstance(target, str) else f"of this {type(target).__name__}"


def resolve_metadata(target: MetaData | Any | str) -> MetaData:
    described = target if isinstance(target, str) else type(target).__name__
    if isinstance(target, str):
        target = import_object(target)
    if isinstance(target, MetaData):
        return target
    metadata = getattr(target, "metadata", None)
    if isinstance(metadata, MetaData):
        return metadata
    raise SourceError(
        f"{described!r} is neither a SQLAlchemy MetaData nor a declarative base with .metadata"
    )


def table_key(table_schema: str | None, name: str, schema: str | None) -> str:
    """Tables of the compared schema are keyed by bare name, others as ``schema.name``."""
    return name if table_schema in (None, schema) else f"{table_schema}.{name}"


#: Tables that belong to tools, not to the application's schema (from_database skips them too).
TOOL_TABLES = frozenset({"alembic_version"})


def _included(table: Table, schema: str | None) -> bool:
    if schema is not None and table.schema != schema:
        return False
    return not (table.name in TOOL_TABLES and table.schema in (None, schema))


def metadata_to_spec(
    metadata: MetaData, *, schema: str | None = None, dialect: str | None = None
) -> SchemaSpec:
    """The spec of ``metadata``, its SQL compiled as ``dialect`` compiles it (neutral: ``None``).

    Compiling with the target database's own SQLAlchemy dialect is what makes ``@compiles``
    overrides, dialect-only constructs (``Sequence.next_value()``, JSONB operators) and
    ``ddl_if`` come out as ``create_all`` would emit them there.
    """
    compiler = _Compiler(dialect)
    tables: dict[str, TableSpec] = {}
    enums: dict[str, EnumSpec] = {}
    for table in metadata.tables.values():
        if not _included(table, schema):
            continue
        tables[table_key(table.schema, table.name, schema)] = _table_spec(table, schema, compiler)
        for column in table.columns:
            type_ = column.type
            if isinstance(type_, Enum) and type_.native_enum and type_.name:
                enums[type_.name] = EnumSpec(values=tuple(type_.enums))
    # Keyed like tables: the compared schema's bare, other schemas' qualified.
    sequences = {
        table_key(sequence.schema, sequence.name, schema): _sequence_spec(sequence)
        for sequence in metadata._sequences.values()
        if schema is None or sequence.schema == schema
    }
    return SchemaSpec(
        dialect=None, tables=tables, enums=enums, sequences=sequences, describes=MODEL_KINDS
    )


def _sequence_spec(sequence: Sequence) -> SequenceSpec:
    data_type = sequence.data_type
    return sequence_spec(
        canonical_type(data_type) if data_type is not None else "bigint",
        start=sequence.start,
        increment=sequence.increment,
        minvalue=sequence.minvalue,
        maxvalue=sequence.maxvalue,
        cycle=sequence.cycle,
        cache=sequence.cache,
    )


def dialect_variants(
    metadata: MetaData, neutral: SchemaSpec, schema: str | None
) -> dict[str, dict[str, TableSpec]]:
    """Per spec dialect, the tables its compiler emits differently from the neutral compile.

    Only tables with SQL or names a dialect may render its own way are compiled again, once per
    dialect, so a schema of plain columns costs nothing more. A table a dialect cannot compile
    (a JSONB operator on SQLite) cannot be created there either; its neutral form stands.
    """
    sensitive = [
        table
        for table in metadata.tables.values()
        if _included(table, schema) and _compiled_per_dialect(table)
    ]
    variants: dict[str, dict[str, TableSpec]] = {}
    for dialect in SPEC_DIALECTS if sensitive else ():
        compiler = _Compiler(dialect)
        rules = rules_for(dialect)
        for table in sensitive:
            key = table_key(table.schema, table.name, schema)
            try:
                compiled = _table_spec(table, schema, compiler)
            except SourceError:
                continue
            as_stored = rules.table(compiled, neutral.enums)
            if as_stored != rules.table(neutral.tables[key], neutral.enums):
                variants.setdefault(dialect, {})[key] = compiled
    return variants


#: The shortest identifier limit of the spec dialects (PostgreSQL's 63 bytes).
_SHORTEST_NAME_LIMIT = 63


def _compiled_per_dialect(table: Table) -> bool:
    """Whether ``table`` holds anything a dialect's compiler may emit its own way: SQL that is
    not plain ``text()``, ``ddl_if``, or a name some database cuts to its identifier limit."""
    for column in table.columns:
        default = column.server_default
        if isinstance(default, DefaultClause) and not _plain(default.arg):
            return True
        if isinstance(column.default, Sequence):
            return True
        if isinstance(default, DefaultClause) and "\\" in _literal_text(default.arg):
            return True
        if column.computed is not None and not _plain(column.computed.sqltext):
            return True
    items: list[Any] = [*table.constraints, *table.indexes]
    items += [constraint for column in table.columns for constraint in column.constraints]
    for item in items:
        if item._ddl_if is not None:
            return True
        name = _name(item.name)
        if name is not None and len(name.encode()) > _SHORTEST_NAME_LIMIT:
            return True
        if isinstance(item, CheckConstraint) and not _plain(item.sqltext):
            return True
        if isinstance(item, Index) and (
            any(not isinstance(element, Column) for element in item.expressions)
            or any(
                not _plain(item.dialect_options[dialect].get("where"))
                for dialect in ("postgresql", "sqlite")
                if dialect in item.dialect_options
                and item.dialect_options[dialect].get("where") is not None
            )
        ):
            return True
    return False


def _literal_text(argument: Any) -> str:
    """A server default's text when it is a plain string (quoted by each dialect's compiler)."""
    return argument if isinstance(argument, str) else ""


def _plain(element: Any) -> bool:
    """Text every dialect compiles alike: a string, or ``text()`` without bound parameters."""
    if isinstance(element, str):
        return True
    return isinstance(element, TextClause) and not element._bindparams and "\\:" not in element.text


class _Compiler:
    """SQL text and names of model objects as one dialect emits them in ``create_all``.

    Neutral (no dialect): SQLAlchemy's default compiler; what only compiles for a particular
    database (a ``@compiles`` override with no default, ``Sequence.next_value()``, JSONB
    operators) is compiled as the first of the spec dialects that can, so a neutral spec never
    fails on a construct that SQLAlchemy can create somewhere.
    """

    def __init__(self, dialect: str | None) -> None:
        self.dialect_name = dialect
        self.dialect: Dialect = _NEUTRAL if dialect is None else dialect_instance(dialect)

    def sql(self, element: Any) -> str:
        if isinstance(element, str):
            return element
        if isinstance(element, TextClause) and _plain(element):
            # What text() compiles to, without a compiler per column: plain text() is by far
            # the most common server default, and compiling is most of the cost of a column.
            return element.text
        if not isinstance(element, ClauseElement):
            return str(element)
        try:
            return _compiled(element, self.dialect)
        except _NOT_COMPILABLE as error:
            if self.dialect_name is not None:
                cause = " ".join(str(error).split())
                raise SourceError(
                    f"the models cannot be compiled for {self.dialect_name}: {cause}"
                ) from None
        for name in SPEC_DIALECTS:
            try:
                return _compiled(element, dialect_instance(name))
            except _NOT_COMPILABLE:
                continue
        raise SourceError(f"cannot compile {element!r} for any of {', '.join(SPEC_DIALECTS)}")

    def name(self, item: Index | Constraint) -> str | None:
        """The name the database gets: a naming convention's name is truncated (with a hash
        suffix) to the dialect's identifier limit, as SQLAlchemy does when it emits DDL."""
        if _name(item.name) is None:
            return None
        preparer = self.dialect.identifier_preparer
        try:
            formatted = preparer.format_constraint(item, _alembic_quote=False)
        except sa_exc.IdentifierError as error:
            # A name given outright (not by a convention) is never shortened: create_all fails.
            where = self.dialect_name or "the database"
            raise SourceError(f"the models cannot be created on {where}: {error}") from None
        return str(formatted) if formatted is not None else None

    def literal(self, value: str) -> str:
        """A plain string default as ``create_all`` quotes it: MySQL's compiler doubles a
        backslash (an escape character there), the standard quoting does not."""
        if self.dialect_name is None or "\\" not in value:
            return quote_literal(value)
        compiler = self.dialect.statement_compiler(self.dialect, None)
        return str(compiler.render_literal_value(value, sqltypes.STRINGTYPE))

    def exclusion(self, constraint: ExcludeConstraint) -> str:
        """An exclusion constraint's definition as PostgreSQL's compiler emits it (it exists on
        PostgreSQL only, so a neutral spec compiles it as PostgreSQL's too)."""
        dialect = (
            self.dialect if self.dialect_name == "postgresql" else dialect_instance("postgresql")
        )
        compiler = dialect.ddl_compiler(dialect, None)  # type: ignore[arg-type]
        return str(compiler.process(constraint))

    def created(self, item: Index | Constraint) -> bool:
        """Whether ``create_all`` on this dialect creates ``item`` (``ddl_if(dialect=...)``)."""
        created_on = _created_on(item)
        return created_on is None or self.dialect_name is None or self.dialect_name in created_on


def _created_on(item: Index | Constraint) -> tuple[str, ...] | None:
    """The spec dialects a ``ddl_if(dialect=...)`` limits ``item`` to (``None``: all)."""
    condition = item._ddl_if
    if condition is None or condition.dialect is None:
        return None
    wanted = {condition.dialect} if isinstance(condition.dialect, str) else condition.dialect
    return tuple(sorted({"mysql" if name == "mariadb" else name for name in wanted}))


#: What a compiler raises for a construct it cannot render (``@compiles`` for other databases
#: only, an operator of another database's type).
_NOT_COMPILABLE = (sa_exc.CompileError, sa_exc.UnsupportedCompilationError, NotImplementedError)


def _compiled(element: ClauseElement, dialect: Dialect) -> str:
    return str(
        element.compile(
            dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
        )
    )


def check_key(checks: dict[str, CheckSpec], check: CheckSpec) -> str:
    """A check's key in its table: its name, or its text when unnamed, numbered from the second
    unnamed check with the same text on (``a > 0#2``): a database keeps both, under two names."""
    if check.name is not None:
        return check.name
    key, count = check.sqltext, 1
    while key in checks:
        count += 1
        key = f"{check.sqltext}#{count}"
    return key


def _table_spec(table: Table, schema: str | None, compiler: _Compiler) -> TableSpec:
    autoincrement_column = table.autoincrement_column
    if (
        compiler.dialect_name in ("postgresql", "mysql")
        and autoincrement_column is not None
        and isinstance(autoincrement_column.default, Sequence)
        and autoincrement_column.server_default is None
    ):
        # A key with its own Sequence is a plain INTEGER on PostgreSQL (no SERIAL) and MariaDB
        # (no AUTO_INCREMENT): SQLAlchemy calls the sequence in each INSERT.
        autoincrement_column = None
    columns = {
        column.name: _column_spec(column, column is autoincrement_column, compiler)
        for column in table.columns
        # System columns (PostgreSQL's xmin, ctid...) are never part of CREATE TABLE.
        if not column.system
    }
    foreign_keys: dict[str, ForeignKeySpec] = {}
    unique: dict[str, UniqueSpec] = {}
    checks: dict[str, CheckSpec] = {}
    excludes: dict[str, ExcludeSpec] = {}
    # A CheckConstraint given to a Column lives on the column, not in table.constraints.
    column_constraints = [c for column in table.columns for c in column.constraints]
    for constraint in [*table.constraints, *column_constraints]:
        if not compiler.created(constraint):
            continue
        if isinstance(constraint, ForeignKeyConstraint):
            fk = _foreign_key_spec(constraint, schema, compiler)
            foreign_keys[",".join(fk.columns)] = fk
        elif isinstance(constraint, UniqueConstraint):
            names = tuple(column.name for column in constraint.columns)
            unique[",".join(names)] = UniqueSpec(
                columns=names,
                name=compiler.name(constraint),
                nulls_not_distinct=bool(_postgresql_option(constraint, "nulls_not_distinct")),
                include=tuple(
                    getattr(column, "name", column)
                    for column in _postgresql_option(constraint, "include") or ()
                ),
            )
        elif isinstance(constraint, ExcludeConstraint):
            exclude = ExcludeSpec(
                definition=canonical_exclusion(compiler.exclusion(constraint), table.name),
                name=compiler.name(constraint),
            )
            excludes[exclude.definition] = exclude
        elif isinstance(constraint, CheckConstraint):
            check = _check_spec(constraint, compiler)
            checks[check_key(checks, check)] = check
    indexes = {
        str(compiler.name(index) or index.name): _index_spec(index, compiler)
        for index in table.indexes
        if compiler.created(index)
    }
    return TableSpec(
        columns=columns,
        primary_key=_primary_key(table),
        primary_key_name=compiler.name(table.primary_key) if table.primary_key.columns else None,
        foreign_keys=foreign_keys,
        indexes=indexes,
        unique=unique,
        checks=checks,
        excludes=excludes,
        # An empty comment is no comment: the databases that keep comments store none for ''.
        comment=table.comment or None,
    )


def _primary_key(table: Table) -> tuple[str, ...]:
    # A key made from primary_key=True columns is emitted autoincrement column first, which
    # is the order the database then keeps; a declared PrimaryKeyConstraint keeps its own.
    key = table.primary_key
    columns = key.columns_autoinc_first if key._implicit_generated else list(key.columns)
    return tuple(column.name for column in columns)


def _column_spec(column: Column[Any], autoincrement: bool, compiler: _Compiler) -> ColumnSpec:
    computed = column.computed
    neutral = canonical_type(column.type)
    default = _server_default(column, compiler)
    # A sequence's next value as the default is what SERIAL is: PostgreSQL reflects it as an
    # autoincrementing column, so the models say so too.
    from_sequence = default is not None and default.lower().startswith("nextval(")
    return column_spec(
        type=neutral,
        variants=type_variants(column.type, neutral),
        nullable=bool(column.nullable),
        default=default,
        autoincrement=autoincrement or from_sequence or column.identity is not None,
        computed=compiler.sql(computed.sqltext) if computed is not None else None,
        comment=column.comment or None,
        identity=_identity(column),
        collation=_collation(column.type),
    )


def _identity(column: Column[Any]) -> str | None:
    identity = column.identity
    if identity is None:
        return None
    options = {option: getattr(identity, option, None) for option in IDENTITY_OPTIONS}
    return identity_text(bool(identity.always), options)


def _collation(type_: Any) -> str | None:
    # A TypeDecorator's collation is its implementation's.
    implementation = getattr(type_, "impl_instance", type_)
    collation = getattr(implementation, "collation", None)
    if collation:
        return str(collation)
    # A MySQL string type with a character set and no collation gets that set's default
    # collation, which MySQL's reader reports by the character set's name.
    charset = getattr(implementation, "charset", None)
    return str(charset).lower() if charset else None


def _postgresql_option(item: Index | Constraint, option: str) -> Any:
    """A ``postgresql_*`` option of ``item`` (``None`` when not set): SQLAlchemy emits them on
    PostgreSQL only; the other dialects' rules drop what they came to."""
    # Membership first: looking an absent dialect up would build its table of defaults.
    if "postgresql" not in item.dialect_options:
        return None
    return item.dialect_options["postgresql"].get(option)


def _server_default(column: Column[Any], compiler: _Compiler) -> str | None:
    default = column.server_default
    if not isinstance(default, DefaultClause):
        # Computed and Identity live in server_default too; they are recorded elsewhere.
        return None
    argument = default.arg
    if isinstance(argument, str):
        return compiler.literal(argument)
    return compiler.sql(argument)


def _name(name: Any) -> str | None:
    # SQLAlchemy's "no name yet" sentinel and None both mean: the database will choose.
    return str(name) if isinstance(name, str) and name != "_NONE_NAME" else None


def _foreign_key_spec(
    constraint: ForeignKeyConstraint, schema: str | None, compiler: _Compiler
) -> ForeignKeySpec:
    referred = constraint.referred_table
    return ForeignKeySpec(
        columns=tuple(column.name for column in constraint.columns),
        referred_table=table_key(referred.schema, referred.name, schema),
        referred_columns=tuple(element.column.name for element in constraint.elements),
        name=compiler.name(constraint),
        on_delete=canonical_action(constraint.ondelete),
        on_update=canonical_action(constraint.onupdate),
        deferrable=canonical_deferrable(constraint.deferrable, constraint.initially),
    )


def _check_spec(constraint: CheckConstraint, compiler: _Compiler) -> CheckSpec:
    emulates: str | None = None
    if getattr(constraint, "_type_bound", False):
        # Added by a Boolean/Enum(create_constraint=True); whether it exists depends on the
        # database (see CheckSpec.emulates). A non-native Enum's check exists everywhere.
        column_types = [
            column.type for column in getattr(constraint, "columns", []) if column is not None
        ]
        if any(isinstance(type_, sqltypes.Boolean) for type_ in column_types):
            emulates = "boolean"
        elif any(isinstance(type_, Enum) and type_.native_enum for type_ in column_types):
            emulates = "enum"
    return CheckSpec(
        sqltext=compiler.sql(constraint.sqltext),
        name=compiler.name(constraint),
        emulates=emulates,
    )


def _index_spec(index: Index, compiler: _Compiler) -> IndexSpec:
    elements = tuple(
        element.name if isinstance(element, Column) else compiler.sql(element)
        for element in index.expressions
    )
    predicates = {
        dialect: compiler.sql(value)
        for dialect in ("postgresql", "sqlite")
        if dialect in index.dialect_options
        and (value := index.dialect_options[dialect].get("where")) is not None
    }
    # One predicate for the databases it was declared for (PostgreSQL's wins if they differ).
    where = predicates.get("postgresql", predicates.get("sqlite"))
    where_dialects = tuple(d for d, text in predicates.items() if text == where) or None
    method = _postgresql_option(index, "using")
    # postgresql_ops is keyed by column name, or by an expression's label.
    ops = _postgresql_option(index, "ops") or {}
    labels = [getattr(expression, "name", None) for expression in index.expressions]
    include = _postgresql_option(index, "include") or ()
    return IndexSpec(
        columns=elements,
        unique=bool(index.unique),
        where=where,
        where_dialects=where_dialects,
        created_on=_created_on(index) if compiler.dialect_name is None else None,
        method=str(method).lower() if method else None,
        operator_classes={
            element: str(ops[label])
            for element, label in zip(elements, labels, strict=True)
            if label is not None and label in ops
        },
        include=tuple(getattr(column, "name", column) for column in include),
        nulls_not_distinct=bool(_postgresql_option(index, "nulls_not_distinct")),
    )


def dialect_name(dialect: Dialect) -> str:
    """The spec's name for a SQLAlchemy dialect; MariaDB stores schemas as MySQL does."""
    return "mysql" if dialect.name == "mariadb" else dialect.name
