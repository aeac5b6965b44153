"""SQLAlchemy type objects to canonical type strings.

A registry keyed by type class, looked up along the class's MRO, in the spirit of Alembic's
``Dispatcher``: the most specific registered class wins, so ``JSONB`` (a ``JSON`` subclass) renders
``jsonb`` and every other ``JSON`` renders ``json``. Model types and reflected types go through
the same table, which is what makes the two sides comparable. What a given database does with a
type (MySQL stores ``BOOLEAN`` as ``TINYINT(1)``) is not decided here but in
:mod:`schemaspec.dialects`, on the strings.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultDialect

TypeRenderer = Callable[[Any], str]

#: (dialect name or "default", type class) -> renderer. A dialect's entry wins over "default"
#: for the same class: ``sa.TIMESTAMP`` is ``timestamp`` everywhere but on MySQL, where the
#: ``TIMESTAMP`` keyword names a different type from ``DATETIME``.
_RENDERERS: dict[tuple[str, type], TypeRenderer] = {}

#: The dialect names specs use; MariaDB stores schemas as MySQL does.
SPEC_DIALECTS = ("postgresql", "mysql", "sqlite")


def _renders(*classes: type, dialect: str = "default") -> Callable[[TypeRenderer], TypeRenderer]:
    def register(renderer: TypeRenderer) -> TypeRenderer:
        for cls in classes:
            _RENDERERS[(dialect, cls)] = renderer
        return renderer

    return register


def canonical_type(type_: sqltypes.TypeEngine[Any], dialect: Dialect | None = None) -> str:
    """The canonical string for ``type_``, as rendered for ``dialect`` (neutral when ``None``)."""
    key = _cache_key(type_, dialect)
    if key is not None:
        cached = _canonical_cache.get(key)
        if cached is not None:
            return cached
    name = _spec_dialect(dialect)
    variants = getattr(type_, "_variant_mapping", None)
    if dialect is not None and variants and dialect.name in variants:
        type_ = variants[dialect.name]
    renderer = _lookup(type(type_), name, stop_at=sqltypes.TypeDecorator)
    if renderer is None:
        type_ = _effective_type(type_, dialect)
        renderer = _lookup(type(type_), name)
    if renderer is None:
        # Compiled DDL may depend on the dialect object itself (a server version): not cached.
        return _compiled_name(type_, dialect)
    rendered = renderer(type_)
    if key is not None:
        if len(_canonical_cache) >= _CANONICAL_CACHE_SIZE:
            _canonical_cache.clear()
        _canonical_cache[key] = rendered
    return rendered


#: Attribute values that make a type a plain value: two types of one class with equal plain
#: attributes render the same. Anything else (a variant mapping, a decorator's impl, an enum's
#: list of values) is not cached.
_PLAIN_VALUES = frozenset({str, int, float, bool, type(None)})
_CANONICAL_CACHE_SIZE = 4096
_canonical_cache: dict[tuple[Any, ...], str] = {}


def _cache_key(type_: sqltypes.TypeEngine[Any], dialect: Dialect | None) -> tuple[Any, ...] | None:
    """A key for types that are plain values (most of them: ``VARCHAR(40)``, ``NUMERIC(10, 2)``).

    A schema has thousands of columns and a few dozen distinct types, and SQLAlchemy makes a
    new type object for each column, so the cache is keyed by the type's class and attributes.
    """
    attributes = getattr(type_, "__dict__", None)
    if attributes is None:
        return None
    for value in attributes.values():
        if type(value) not in _PLAIN_VALUES:
            return None
    return (type(type_), dialect.name if dialect is not None else None, *attributes.items())


def type_variants(type_: sqltypes.TypeEngine[Any], neutral: str | None = None) -> dict[str, str]:
    """The canonical type per spec dialect, where it differs from the neutral one.

    ``with_variant()``, a ``TypeDecorator``'s ``load_dialect_impl`` and dialect-specific
    spellings (``sa.TIMESTAMP`` on MySQL) make one model type several database types; a neutral
    spec keeps them so that normalising it for a dialect picks the right one. ``neutral`` is
    ``canonical_type(type_)`` when the caller has it already.
    """
    if not _may_vary(type_):
        return {}
    if neutral is None:
        neutral = canonical_type(type_)
    variants = {}
    for name in SPEC_DIALECTS:
        rendered = canonical_type(type_, dialect_instance(name))
        if rendered != neutral:
            variants[name] = rendered
    return variants


def _may_vary(type_: sqltypes.TypeEngine[Any]) -> bool:
    """Whether ``type_`` can render differently per dialect (checked first: it is cheap)."""
    if getattr(type_, "_variant_mapping", None) or isinstance(type_, sqltypes.TypeDecorator):
        return True
    cls = type(type_)
    varies = _class_varies.get(cls)
    if varies is None:
        varies = _class_varies[cls] = _class_may_vary(cls)
    return varies


#: ``_class_may_vary`` per class: every renderer is registered when this module is imported.
_class_varies: dict[type, bool] = {}


def _class_may_vary(cls: type) -> bool:
    for klass in cls.__mro__:
        if any((name, klass) in _RENDERERS for name in SPEC_DIALECTS):
            return True
        if ("default", klass) in _RENDERERS:
            return False
    # No rule at all: the compiled DDL may differ per dialect.
    return True


@functools.cache
def dialect_instance(name: str) -> Dialect:
    """SQLAlchemy's own dialect for a spec dialect name, to compile with as that database.

    One per name: it is only compiled with, never connected, and making one costs more than
    rendering a column's type.
    """
    # The named paramstyle: with the drivers' pyformat, literal binds double every % sign.
    dialect: Dialect = {
        "postgresql": postgresql.dialect,
        "mysql": mysql.dialect,
        "sqlite": sqlite.dialect,
    }[name](paramstyle="named")
    return dialect


def _spec_dialect(dialect: Dialect | None) -> str | None:
    if dialect is None:
        return None
    return "mysql" if dialect.name == "mariadb" else dialect.name


def _lookup(cls: type, dialect: str | None, stop_at: type | None = None) -> TypeRenderer | None:
    """The renderer for the most specific registered class in ``cls``'s MRO.

    ``stop_at`` ends the walk there: an ``Interval`` is a ``TypeDecorator`` over ``DateTime`` on
    databases without an interval type, but its canonical name is ``interval`` everywhere (the
    dialect rules map it to what each database stores), so registered decorators are looked up
    before they are unwrapped.
    """
    for klass in cls.__mro__:
        if stop_at is not None and klass is stop_at:
            return None
        if dialect is not None and (dialect, klass) in _RENDERERS:
            return _RENDERERS[(dialect, klass)]
        if ("default", klass) in _RENDERERS:
            return _RENDERERS[("default", klass)]
    return None


def _effective_type(
    type_: sqltypes.TypeEngine[Any], dialect: Dialect | None
) -> sqltypes.TypeEngine[Any]:
    """Resolve ``with_variant()`` and ``TypeDecorator`` to the type the database really stores."""
    variants = getattr(type_, "_variant_mapping", None)
    if dialect is not None and variants and dialect.name in variants:
        type_ = variants[dialect.name]
    if isinstance(type_, sqltypes.TypeDecorator):
        impl = type_.load_dialect_impl(dialect) if dialect is not None else type_.impl_instance
        return _effective_type(impl, dialect)
    return type_


def _compiled_name(type_: sqltypes.TypeEngine[Any], dialect: Dialect | None) -> str:
    """Fallback for types we have no rule for: the DDL the dialect would emit, lowercased.

    An extension or user type still gets a faithful string of its own and compares as such.
    """
    try:
        text = type_.compile(dialect=dialect or DefaultDialect())
    except Exception:
        text = type(type_).__name__
    return _squeeze(text)


def _squeeze(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return re.sub(r"\s*,\s*", ",", re.sub(r"\s*\(\s*", "(", re.sub(r"\s*\)", ")", text)))


def _sized(name: str, *args: int | None) -> str:
    given = [str(arg) for arg in args if arg is not None]
    return f"{name}({','.join(given)})" if given else name


def _unsigned(type_: Any, name: str) -> str:
    # MySQL only: UNSIGNED changes the value range, so it is part of the type.
    return f"{name} unsigned" if getattr(type_, "unsigned", False) else name


@_renders(sqltypes.Integer)
def _integer(type_: Any) -> str:
    return _unsigned(type_, "integer")


@_renders(sqltypes.SmallInteger)
def _smallint(type_: Any) -> str:
    return _unsigned(type_, "smallint")


@_renders(sqltypes.BigInteger)
def _bigint(type_: Any) -> str:
    return _unsigned(type_, "bigint")


@_renders(mysql.TINYINT)
def _tinyint(type_: Any) -> str:
    # MySQL and MariaDB store BOOLEAN as TINYINT(1) and reflect it back that way.
    if getattr(type_, "display_width", None) == 1 and not getattr(type_, "unsigned", False):
        return "boolean"
    return _unsigned(type_, "tinyint")


@_renders(mysql.MEDIUMINT)
def _mediumint(type_: Any) -> str:
    return _unsigned(type_, "mediumint")


@_renders(sqltypes.Numeric)
def _numeric(type_: Any) -> str:
    # A scale without a precision is not emitted: SQLAlchemy compiles Numeric(scale=5) as NUMERIC.
    scale = type_.scale if type_.precision is not None else None
    return _unsigned(type_, _sized("numeric", type_.precision, scale))


@_renders(sqltypes.Float)
def _float(type_: Any) -> str:
    return _unsigned(type_, _sized("float", type_.precision))


@_renders(sqltypes.Double, postgresql.DOUBLE_PRECISION, mysql.DOUBLE)
def _double(type_: Any) -> str:
    return _unsigned(type_, "double")


@_renders(sqltypes.REAL, mysql.REAL)
def _real(type_: Any) -> str:
    return _unsigned(type_, "real")


@_renders(sqltypes.String)
def _varchar(type_: Any) -> str:
    return _sized("varchar", type_.length)


@_renders(sqltypes.CHAR)
def _char(type_: Any) -> str:
    return _sized("char", type_.length)


@_renders(sqltypes.NCHAR, mysql.NCHAR)
def _nchar(type_: Any) -> str:
    # NCHAR is a Unicode string, not a CHAR subclass, but it is fixed-length all the same.
    return _sized("char", type_.length)


@_renders(mysql.BIT)
def _mysql_bit(type_: Any) -> str:
    # BIT without a length is BIT(1), and MySQL reflects it so.
    return _sized("bit", type_.length or 1)


@_renders(mysql.TINYTEXT, mysql.MEDIUMTEXT, mysql.LONGTEXT)
def _mysql_text(type_: Any) -> str:
    return type(type_).__name__.lower()


@_renders(sqltypes.Time)
def _time(type_: Any) -> str:
    name = "timetz" if type_.timezone else "time"
    return _sized(name, getattr(type_, "precision", None) or getattr(type_, "fsp", None))


@_renders(sqltypes.DateTime)
def _timestamp(type_: Any) -> str:
    name = "timestamptz" if type_.timezone else "timestamp"
    return _sized(name, getattr(type_, "precision", None) or getattr(type_, "fsp", None))


@_renders(sqltypes.TIMESTAMP, dialect="mysql")
def _mysql_timestamp(type_: Any) -> str:
    # MySQL's TIMESTAMP is not its DATETIME: it holds 1970-2038 only and converts to and from
    # the session time zone. Both used to read ``timestamp``, hiding a real change.
    return _sized("mysql_timestamp", getattr(type_, "fsp", None))


@_renders(mysql.TIMESTAMP)
def _mysql_timestamp_type(type_: Any) -> str:
    return _mysql_timestamp(type_)


@_renders(postgresql.INTERVAL)
def _pg_interval(type_: Any) -> str:
    # PostgreSQL can restrict an interval to some fields and a seconds precision.
    fields = getattr(type_, "fields", None)
    name = f"interval {' '.join(fields.lower().split())}" if fields else "interval"
    return _sized(name, getattr(type_, "precision", None))


@_renders(mysql.TINYBLOB, mysql.MEDIUMBLOB, mysql.LONGBLOB)
def _mysql_blob(type_: Any) -> str:
    return type(type_).__name__.lower()


#: MySQL's BLOB and TEXT sizes: the largest byte length each holds, smallest first.
_MYSQL_SIZES = ((2**8 - 1, "tiny"), (2**16 - 1, ""), (2**24 - 1, "medium"), (2**32 - 1, "long"))
#: Bytes per character of utf8mb4, the default character set of MySQL 8 and current MariaDB.
_MYSQL_CHARACTER_BYTES = 4


def _mysql_size(length: int) -> str:
    return next((prefix for limit, prefix in _MYSQL_SIZES if length <= limit), "long")


@_renders(sqltypes.LargeBinary, dialect="mysql")
def _mysql_sized_blob(type_: Any) -> str:
    # BLOB(n) is created as the smallest BLOB type that holds n bytes (TINYBLOB up to 255).
    if not type_.length:
        return "bytes"
    prefix = _mysql_size(type_.length)
    return f"{prefix}blob" if prefix else "bytes"


@_renders(sqltypes.Text, dialect="mysql")
def _mysql_sized_text(type_: Any) -> str:
    # TEXT(n) is created as the smallest TEXT type that holds n characters of the column's
    # character set (utf8mb4 assumed: 4 bytes each, so TEXT(100) is a TEXT, TEXT(50) a TINYTEXT).
    if not type_.length:
        return "text"
    return f"{_mysql_size(type_.length * _MYSQL_CHARACTER_BYTES)}text"


@_renders(sqltypes.BINARY)
def _binary(type_: Any) -> str:
    return _sized("binary", type_.length)


@_renders(sqltypes.VARBINARY)
def _varbinary(type_: Any) -> str:
    return _sized("varbinary", type_.length)


@_renders(sqltypes.Enum)
def _enum(type_: Any) -> str:
    if not type_.native_enum:
        # A non-native Enum is a VARCHAR on every database.
        return _sized("varchar", type_.length)
    if type_.name:
        # A named enum is a type of its own (PostgreSQL CREATE TYPE); its values live once in
        # SchemaSpec.enums, so changing them is one change, not one per column.
        return f"enum({type_.name})"
    return inline_enum(type_.enums)


def inline_enum(values: Sequence[str]) -> str:
    """``enum('a','b')``: an enum whose values belong to the column (MySQL's ENUM)."""
    return "enum(" + ",".join(quote_literal(value) for value in values) + ")"


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@_renders(mysql.SET)
def _set(type_: Any) -> str:
    return "set(" + ",".join(quote_literal(value) for value in type_.values) + ")"


@_renders(sqltypes.ARRAY)
def _array(type_: Any) -> str:
    return canonical_type(type_.item_type) + "[]" * max(1, type_.dimensions or 1)


#: Types whose canonical string takes no parameters.
_FIXED_NAMES: dict[type, str] = {
    sqltypes.Text: "text",
    # A TEXT subclass in SQLAlchemy, but a type of its own: it compares case-insensitively.
    postgresql.CITEXT: "citext",
    sqltypes.Boolean: "boolean",
    sqltypes.Date: "date",
    sqltypes.Interval: "interval",
    sqltypes.LargeBinary: "bytes",
    sqltypes.JSON: "json",
    postgresql.JSONB: "jsonb",
    sqltypes.Uuid: "uuid",
    mysql.YEAR: "year",
    # Reflection could not name the type; say so rather than guess.
    sqltypes.NullType: "unknown",
}


def _fixed(name: str) -> TypeRenderer:
    return lambda type_: name


for _cls, _name in _FIXED_NAMES.items():
    _renders(_cls)(_fixed(_name))
