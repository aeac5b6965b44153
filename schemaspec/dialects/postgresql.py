"""PostgreSQL: FLOAT without precision is DOUBLE PRECISION; named enum types are objects."""

from __future__ import annotations

import re

from schemaspec.dialects import base as dialects
from schemaspec.spec import EnumSpec


class PostgreSQLRules(dialects.DialectRules):
    name = "postgresql"
    emulation_checks = frozenset()
    stored_types = {"float": "double"}  # noqa: RUF012

    def column_type(self, type_: str, enums: dict[str, EnumSpec]) -> str:
        type_ = super().column_type(type_, enums)
        sized = re.fullmatch(r"float\((\d+)\)", type_)
        if sized:
            # PostgreSQL picks REAL up to 24 bits of precision, DOUBLE PRECISION above.
            return "real" if int(sized.group(1)) <= 24 else "double"
        return type_


dialects.registry.register(PostgreSQLRules())
