"""Canonical type strings back to SQLAlchemy types, for the database a fix is rendered for.

A spec holds ``numeric(10,2)``, ``timestamptz``, ``enum(member_status)``; a fix needs the type
object SQLAlchemy compiles for that database (and an Alembic file needs one it can write as
``sa.Numeric(precision=10, scale=2)``). Where no SQLAlchemy class says the type (an extension's
``ltree``, a domain), the type is :class:`LiteralType`: its DDL is the text itself, and an
Alembic file carries the statement through ``op.execute``. Whatever is chosen here is proven by
building it (see :mod:`schemaspec.fix.prove`), so a wrong guess is a reported failure, never a
wrong fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeEngine, UserDefinedType

_SIZED = re.compile(r"(?P<name>[a-z_ ]+?)\s*(?:\((?P<args>[^()]*)\))?(?P<rest>(?: unsigned)?)")
_INLINE_ENUM = re.compile(r"(?P<kind>enum|set)\((?P<body>'.*')\)", re.S)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


class LiteralType(UserDefinedType[Any]):
    """A type SQLAlchemy has no class for: its DDL is the canonical text as it is."""

    cache_ok = True

    def __init__(self, text: str) -> None:
        self.text = text

    def get_col_spec(self, **_: Any) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"LiteralType({self.text!r})"


def sqlalchemy_type(
    canonical: str,
    dialect: str,
    *,
    enums: Mapping[str, tuple[str, ...]] | None = None,
    collation: str | None = None,
) -> TypeEngine[Any]:
    """The SQLAlchemy type that ``dialect`` compiles to the type ``canonical`` names.

    ``enums`` holds the values of the spec's named enums (``enum(member_status)`` is a
    PostgreSQL type created on its own, never by the column).
    """
    text = canonical.strip()
    if text.endswith("[]") and dialect == "postgresql":
        item = text.removesuffix("[]")
        dimensions = 1
        while item.endswith("[]"):
            item, dimensions = item.removesuffix("[]"), dimensions + 1
        return postgresql.ARRAY(sqlalchemy_type(item, dialect, enums=enums), dimensions=dimensions)
    inline = _INLINE_ENUM.fullmatch(text)
    if inline is not None:
        values = [value.replace("''", "'") for value in _LITERAL.findall(inline.group("body"))]
        if inline.group("kind") == "set":
            return mysql.SET(*values)
        return mysql.ENUM(*values) if dialect == "mysql" else sa.Enum(*values, native_enum=False)
    named = re.fullmatch(r"enum\((\w+)\)", text)
    if named is not None:
        name = named.group(1)
        members = (enums or {}).get(name, ())
        return postgresql.ENUM(*members, name=name, create_type=False)
    match = _SIZED.fullmatch(text)
    if match is None:
        return LiteralType(text)
    name, unsigned = match.group("name").strip(), bool(match.group("rest"))
    args = [int(a) for a in match.group("args").split(",")] if match.group("args") else []
    maker = _MAKERS.get((dialect, name)) or _MAKERS.get(("*", name))
    if maker is None:
        return _from_dialect(text, name, args, dialect)
    type_ = maker(args, unsigned)
    if collation is not None and isinstance(type_, sa.String):
        type_.collation = collation
    return type_


def _from_dialect(text: str, name: str, args: list[int], dialect: str) -> TypeEngine[Any]:
    """A type the dialect itself knows by that name (``inet``, ``tsvector``), else literal."""
    names: dict[str, Any] = {
        "postgresql": postgresql.dialect.ischema_names,
        "mysql": mysql.dialect.ischema_names,
    }.get(dialect, {})
    cls = names.get(name)
    if cls is None or args:
        return LiteralType(text)
    try:
        type_: TypeEngine[Any] = cls()
    except TypeError:
        return LiteralType(text)
    return type_


def _int(cls: type, my_cls: type) -> Callable[[list[int], bool], TypeEngine[Any]]:
    def make(_args: list[int], unsigned: bool) -> TypeEngine[Any]:
        return my_cls(unsigned=True) if unsigned else cls()  # type: ignore[no-any-return]

    return make


def _time(cls: Callable[..., TypeEngine[Any]], timezone: bool, dialect: str) -> Any:
    def make(args: list[int], _unsigned: bool) -> TypeEngine[Any]:
        precision = args[0] if args else None
        if dialect == "postgresql":
            pg = postgresql.TIMESTAMP if cls is sa.DateTime else postgresql.TIME
            return pg(timezone=timezone, precision=precision)
        if dialect == "mysql" and precision is not None:
            my = mysql.DATETIME if cls is sa.DateTime else mysql.TIME
            return my(fsp=precision)
        return cls(timezone=timezone)

    return make


def _numeric(args: list[int], unsigned: bool) -> TypeEngine[Any]:
    precision = args[0] if args else None
    scale = args[1] if len(args) > 1 else None
    if unsigned:
        return mysql.DECIMAL(precision=precision, scale=scale, unsigned=True)
    return sa.Numeric(precision=precision, scale=scale)


def _float(args: list[int], unsigned: bool) -> TypeEngine[Any]:
    if unsigned:
        return mysql.FLOAT(precision=args[0] if args else None, unsigned=True)
    return sa.Float(precision=args[0] if args else None)


def _sized(cls: Callable[..., TypeEngine[Any]]) -> Any:
    return lambda args, _unsigned: cls(args[0]) if args else cls()


def _fixed(make: Callable[[], TypeEngine[Any]]) -> Any:
    return lambda _args, _unsigned: make()


_MAKERS: dict[tuple[str, str], Callable[[list[int], bool], TypeEngine[Any]]] = {
    ("*", "integer"): _int(sa.Integer, mysql.INTEGER),
    ("*", "smallint"): _int(sa.SmallInteger, mysql.SMALLINT),
    ("*", "bigint"): _int(sa.BigInteger, mysql.BIGINT),
    ("*", "tinyint"): _int(mysql.TINYINT, mysql.TINYINT),
    ("*", "mediumint"): _int(mysql.MEDIUMINT, mysql.MEDIUMINT),
    ("*", "numeric"): _numeric,
    ("*", "float"): _float,
    ("*", "double"): lambda _a, unsigned: mysql.DOUBLE(unsigned=True) if unsigned else sa.Double(),
    ("*", "real"): lambda _a, unsigned: mysql.REAL(unsigned=True) if unsigned else sa.REAL(),
    ("*", "varchar"): _sized(sa.String),
    ("*", "char"): _sized(sa.CHAR),
    ("*", "text"): _fixed(sa.Text),
    ("*", "tinytext"): _fixed(mysql.TINYTEXT),
    ("*", "mediumtext"): _fixed(mysql.MEDIUMTEXT),
    ("*", "longtext"): _fixed(mysql.LONGTEXT),
    ("*", "citext"): _fixed(postgresql.CITEXT),
    ("*", "boolean"): _fixed(sa.Boolean),
    ("*", "date"): _fixed(sa.Date),
    ("*", "bytes"): _fixed(sa.LargeBinary),
    ("*", "tinyblob"): _fixed(mysql.TINYBLOB),
    ("*", "mediumblob"): _fixed(mysql.MEDIUMBLOB),
    ("*", "longblob"): _fixed(mysql.LONGBLOB),
    ("*", "binary"): _sized(sa.BINARY),
    ("*", "varbinary"): _sized(sa.VARBINARY),
    ("*", "json"): _fixed(sa.JSON),
    ("*", "jsonb"): _fixed(postgresql.JSONB),
    ("*", "uuid"): _fixed(sa.Uuid),
    ("*", "year"): _fixed(mysql.YEAR),
    ("*", "bit"): lambda args, _u: mysql.BIT(args[0] if args else None),
    ("*", "interval"): _fixed(sa.Interval),
    ("postgresql", "interval"): lambda args, _u: postgresql.INTERVAL(
        precision=args[0] if args else None
    ),
    ("mysql", "mysql_timestamp"): lambda args, _u: mysql.TIMESTAMP(fsp=args[0] if args else None),
    ("mysql", "uuid"): _fixed(lambda: LiteralType("uuid")),
}
for _dialect in ("postgresql", "mysql", "sqlite"):
    _MAKERS[(_dialect, "timestamp")] = _time(sa.DateTime, False, _dialect)
    _MAKERS[(_dialect, "timestamptz")] = _time(sa.DateTime, True, _dialect)
    _MAKERS[(_dialect, "time")] = _time(sa.Time, False, _dialect)
    _MAKERS[(_dialect, "timetz")] = _time(sa.Time, True, _dialect)
