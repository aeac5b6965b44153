"""SQL statements for what Alembic has no operation for: enums, sequences, views, extensions,
exclusion constraints and grants.

Each is built from the spec's own values; the proof runs it before anyone else does.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemaspec.spec import ExcludeSpec, PolicySpec, SequenceSpec, ViewSpec
from schemaspec.sql.types import dialect_instance, quote_literal

#: MariaDB's default sequence cache (PostgreSQL's is 1): what ``cache=None`` means there.
_DEFAULT_CACHE = {"postgresql": 1, "mysql": 1000}


def quote(key: str, dialect: str) -> str:
    """A possibly schema-qualified name, each part quoted where ``dialect`` needs it."""
    preparer = dialect_instance(dialect).identifier_preparer
    return ".".join(preparer.quote(part) for part in key.split("."))


def create_enum(name: str, values: Sequence[str]) -> str:
    listed = ", ".join(quote_literal(value) for value in values)
    return f"CREATE TYPE {quote(name, 'postgresql')} AS ENUM ({listed})"


def enum_additions(name: str, old: Sequence[str], new: Sequence[str]) -> list[str] | None:
    """``ALTER TYPE ... ADD VALUE`` statements turning ``old`` into ``new``; ``None`` when a value
    goes or the kept ones change order (PostgreSQL cannot drop or move a value)."""
    kept = [value for value in new if value in old]
    if kept != list(old):
        return None
    statements = []
    for position, value in enumerate(new):
        if value in old:
            continue
        if position + 1 < len(new) and new[position + 1] in old:
            where = f" BEFORE {quote_literal(new[position + 1])}"
        elif position > 0:
            where = f" AFTER {quote_literal(new[position - 1])}"
        else:
            where = ""
        statements.append(
            f"ALTER TYPE {quote(name, 'postgresql')} ADD VALUE {quote_literal(value)}{where}"
        )
    return statements


def _sequence_options(spec: SequenceSpec, dialect: str, *, altering: bool) -> list[str]:
    options = []
    if spec.increment is not None or altering:
        options.append(f"INCREMENT BY {spec.increment or 1}")
    if spec.min_value is not None:
        options.append(f"MINVALUE {spec.min_value}")
    elif altering:
        options.append("NO MINVALUE")
    if spec.max_value is not None:
        options.append(f"MAXVALUE {spec.max_value}")
    elif altering:
        options.append("NO MAXVALUE")
    if spec.start is not None:
        options.append(f"START WITH {spec.start}")
    if spec.cache is not None or altering:
        options.append(f"CACHE {spec.cache or _DEFAULT_CACHE.get(dialect, 1)}")
    if spec.cycle:
        options.append("CYCLE")
    elif altering:
        options.append("NO CYCLE" if dialect == "postgresql" else "NOCYCLE")
    return options


def create_sequence(key: str, spec: SequenceSpec, dialect: str) -> list[str]:
    options = " ".join(_sequence_options(spec, dialect, altering=False))
    statements = [f"CREATE SEQUENCE {quote(key, dialect)}{' ' + options if options else ''}"]
    statements.extend(_owned_by(key, spec, dialect))
    statements.extend(sequence_grants(key, None, spec, dialect))
    return statements


def alter_sequence(key: str, have: SequenceSpec, want: SequenceSpec, dialect: str) -> list[str]:
    statements = []
    apart = {"owned_by", "grants"}
    if have.model_dump(exclude=apart) != want.model_dump(exclude=apart):
        altered = " ".join(_sequence_options(want, dialect, altering=True))
        statements.append(f"ALTER SEQUENCE {quote(key, dialect)} {altered}")
    if have.owned_by != want.owned_by:
        statements.extend(_owned_by(key, want, dialect, none=True))
    statements.extend(sequence_grants(key, have, want, dialect))
    return statements


def sequence_grants(
    key: str, have: SequenceSpec | None, want: SequenceSpec, dialect: str
) -> list[str]:
    before = {} if have is None else have.grants
    statements = []
    for grantee in sorted(before.keys() | want.grants.keys()):
        old = before[grantee].privileges if grantee in before else ()
        new = want.grants[grantee].privileges if grantee in want.grants else ()
        statements.extend(grant_statements("SEQUENCE", key, grantee, old, new, dialect))
    return statements


def _owned_by(key: str, spec: SequenceSpec, dialect: str, *, none: bool = False) -> list[str]:
    if dialect != "postgresql" or (spec.owned_by is None and not none):
        return []
    owner = "NONE" if spec.owned_by is None else quote(spec.owned_by, dialect)
    return [f"ALTER SEQUENCE {quote(key, dialect)} OWNED BY {owner}"]


def create_extension(name: str, version: str | None) -> str:
    pinned = f" VERSION '{version}'" if version else ""
    return f"CREATE EXTENSION IF NOT EXISTS {quote(name, 'postgresql')}{pinned}"


def create_view(key: str, spec: ViewSpec, dialect: str) -> list[str]:
    kind = "MATERIALIZED VIEW" if spec.materialized else "VIEW"
    statements = [f"CREATE {kind} {quote(key, dialect)} AS {spec.definition}"]
    for name, index in spec.indexes.items():
        unique = "UNIQUE " if index.unique else ""
        columns = ", ".join(index.columns)
        statements.append(
            f"CREATE {unique}INDEX {quote(name, dialect)} ON {quote(key, dialect)} ({columns})"
        )
    return statements


def drop_view(key: str, spec: ViewSpec, dialect: str) -> str:
    kind = "MATERIALIZED VIEW" if spec.materialized else "VIEW"
    return f"DROP {kind} {quote(key, dialect)}"


def row_security(key: str, have: str | None, want: str | None, dialect: str) -> list[str]:
    """``ALTER TABLE ... ENABLE|DISABLE|FORCE|NO FORCE ROW LEVEL SECURITY``."""
    table = f"ALTER TABLE {quote(key, dialect)}"
    statements = []
    if (have is None) != (want is None):
        enable = "ENABLE" if want is not None else "DISABLE"
        statements.append(f"{table} {enable} ROW LEVEL SECURITY")
    if (have == "forced") != (want == "forced"):
        force = "FORCE" if want == "forced" else "NO FORCE"
        statements.append(f"{table} {force} ROW LEVEL SECURITY")
    return statements


def create_policy(key: str, name: str, spec: PolicySpec, dialect: str) -> str:
    kind = "PERMISSIVE" if spec.permissive else "RESTRICTIVE"
    roles = ", ".join(role if role == "public" else quote(role, dialect) for role in spec.roles)
    using = f" USING ({spec.using})" if spec.using else ""
    checked = f" WITH CHECK ({spec.with_check})" if spec.with_check else ""
    return (
        f"CREATE POLICY {quote(name, dialect)} ON {quote(key, dialect)} AS {kind}"
        f" FOR {spec.command.upper()} TO {roles}{using}{checked}"
    )


def drop_policy(key: str, name: str, dialect: str) -> str:
    return f"DROP POLICY {quote(name, dialect)} ON {quote(key, dialect)}"


def exclude_constraint(key: str, spec: ExcludeSpec, dialect: str) -> str:
    name = f"CONSTRAINT {quote(spec.name, dialect)} " if spec.name else ""
    return f"ALTER TABLE {quote(key, dialect)} ADD {name}EXCLUDE {spec.definition}"


def grant_statements(
    kind: str,
    key: str,
    grantee: str,
    before: Sequence[str],
    after: Sequence[str],
    dialect: str,
) -> list[str]:
    """``REVOKE`` what ``grantee`` should no longer have, ``GRANT`` what it lacks."""
    target = f"{kind} {quote(key, dialect)}" if dialect == "postgresql" else quote(key, dialect)
    who = grantee if grantee == "PUBLIC" or dialect == "mysql" else quote(grantee, dialect)
    statements = []
    revoked = sorted(set(before) - set(after))
    granted = sorted(set(after) - set(before))
    if revoked:
        statements.append(f"REVOKE {', '.join(revoked)} ON {target} FROM {who}")
    if granted:
        statements.append(f"GRANT {', '.join(granted)} ON {target} TO {who}")
    return statements
