"""PostgreSQL column types from ``format_type`` text, as SQLAlchemy's reflection builds them.

The native reader (native_postgresql.py) reads ``format_type(atttypid, atttypmod)`` from the
catalog and must end at the canonical type string SQLAlchemy's reflection ends at, so it builds
the very type object ``PGDialect._reflect_type`` builds (from ``dialect.ischema_names``, with
named enums and domains) and canonicalises that with :func:`schemaspec.sql.types.canonical_type`.
The rules follow SQLAlchemy 2.x's ``_reflect_type``; they are restated here rather than called
because that method is private and its signature changed within 2.0. Reading both ways and
comparing the specs (tests/generative/test_native_reader.py) keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
from sqlalchemy.dialects.postgresql import DOMAIN, ENUM, INTERVAL
from sqlalchemy.util import quoted_token_parser

#: A named type's key: ``(name,)`` when visible on the search path, else ``(schema, name)``.
NamedKey = tuple[str, ...]


@dataclass(frozen=True)
class EnumType:
    name: str
    schema: str
    visible: bool
    labels: tuple[str, ...]


@dataclass(frozen=True)
class DomainType:
    name: str
    schema: str
    visible: bool
    #: The base type's ``format_type`` without its parameters (SQLAlchemy drops them too).
    base: str
    nullable: bool
    default: str | None
    #: ``(name, check expression)`` in name order: the order PostgreSQL tests them in.
    checks: tuple[tuple[str, str], ...]
    collation: str | None
    collation_schema: str | None


_ARGUMENTS = re.compile(r"\((.*)\)")
_ARGUMENT_DELIMITER = re.compile(r"\s*,\s*")
_ARRAY_DIMENSIONS = re.compile(r"((?:\[\])*)$")


class TypeBuilder:
    """Builds column types; enums and domains come from callables run on first need, as a
    schema without them never needs the query."""

    def __init__(
        self,
        ischema_names: Mapping[str, Any],
        enums: Mapping[NamedKey, EnumType],
        domains: Callable[[], Mapping[NamedKey, DomainType]],
    ) -> None:
        self._names = ischema_names
        self._enums = enums
        self._load_domains = domains
        self._domains: Mapping[NamedKey, DomainType] | None = None

    def build(
        self, format_type: str | None, collation: str | None, collation_schema: str | None
    ) -> sqltypes.TypeEngine[Any]:
        """The type SQLAlchemy reflects a column of ``format_type`` with this collation as."""
        if format_type is None:
            return sqltypes.NULLTYPE
        found = _ARGUMENTS.search(format_type)
        arguments: tuple[str, ...] = ()
        if found and found.group(1):
            arguments = tuple(_ARGUMENT_DELIMITER.split(found.group(1)))
        dimensions = _ARRAY_DIMENSIONS.search(format_type)
        array_dimensions = len(dimensions.group(1) if dimensions else "") // 2
        name = _ARRAY_DIMENSIONS.sub("", _ARGUMENTS.sub("", format_type))
        type_class: Any = self._names.get(name.lower())
        args: tuple[Any, ...] = ()
        kwargs: dict[str, Any] = {}
        if name == "numeric":
            if len(arguments) == 2:
                args = (int(arguments[0]), int(arguments[1]))
        elif name == "double precision":
            args = (53,)
        elif name == "integer":
            args = ()
        elif name in ("timestamp with time zone", "time with time zone"):
            kwargs["timezone"] = True
            if len(arguments) == 1:
                kwargs["precision"] = int(arguments[0])
        elif name in ("timestamp without time zone", "time without time zone", "time"):
            kwargs["timezone"] = False
            if len(arguments) == 1:
                kwargs["precision"] = int(arguments[0])
        elif name == "bit varying":
            kwargs["varying"] = True
            if len(arguments) == 1:
                args = (int(arguments[0]),)
        elif name == "interval" or name.startswith("interval "):
            # A domain or enum may be named "interval something": the interval type wins, as
            # it does in SQLAlchemy.
            type_class = INTERVAL
            fields = re.match(r"interval (.+)", name)
            if fields:
                kwargs["fields"] = fields.group(1)
            if len(arguments) == 1:
                kwargs["precision"] = int(arguments[0])
        else:
            key = tuple(quoted_token_parser(name))  # type: ignore[no-untyped-call]
            domain = self.domains.get(key) if type_class is None else None
            if type_class is None and key in self._enums:
                enum = self._enums[key]
                type_class = ENUM
                kwargs["name"] = enum.name
                if not enum.visible:
                    kwargs["schema"] = enum.schema
                args = enum.labels
            elif domain is not None:
                type_class = DOMAIN
                args = (
                    domain.name,
                    self.build(domain.base, domain.collation, domain.collation_schema),
                )
                kwargs["collation"] = domain.collation
                kwargs["collation_schema"] = domain.collation_schema
                kwargs["default"] = domain.default
                kwargs["not_null"] = not domain.nullable
                kwargs["create_type"] = False
                if domain.checks:
                    # SQLAlchemy keeps only the first check of a domain.
                    kwargs["constraint_name"], kwargs["check"] = domain.checks[0]
                if not domain.visible:
                    kwargs["schema"] = domain.schema
            else:
                try:
                    args = (int(arguments[0]), *arguments[1:])
                except (ValueError, IndexError):
                    args = arguments
        if not type_class:
            # SQLAlchemy warns and gives up; the reader names the type from format_type.
            return sqltypes.NULLTYPE
        if collation is not None:
            kwargs["collation"] = collation
            if collation_schema is not None:
                kwargs["collation_schema"] = collation_schema
        built: sqltypes.TypeEngine[Any] = type_class(*args, **kwargs)
        if array_dimensions >= 1:
            # PostgreSQL keeps neither the dimensions nor the sizes of an array type.
            built = PG_ARRAY(built)
        return built

    @property
    def domains(self) -> Mapping[NamedKey, DomainType]:
        if self._domains is None:
            self._domains = self._load_domains()
        return self._domains


def named_key(name: str, schema: str, visible: bool) -> NamedKey:
    """How ``format_type`` names a type: bare when the search path finds it, else qualified."""
    return (name,) if visible else (schema, name)
