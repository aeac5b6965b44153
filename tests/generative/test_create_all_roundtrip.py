"""Generative differential test: random models, built by ``create_all``, read back unchanged.

For each database kind, hypothesis draws models from :mod:`generative.model_grammar` and checks:

1. the models' spec for that database (``from_models(md, dialect=...)``) diffs empty against
   the database ``create_all`` built from them, and against the shadow spec (the same models
   built in a scratch database by schemaspec itself);
2. after one real DDL statement on that database (a column dropped, added, retyped, made
   NULL/NOT NULL, a default changed, an index or constraint dropped or created), the diff is
   exactly the one ``Change`` that statement stands for.

Settings: 12 examples per test by default; ``derandomize`` (and no example database) when
``CI`` is set, so CI runs are reproducible; ``SCHEMASPEC_HYPOTHESIS_EXAMPLES=N`` for a long
local run. A server that is down skips its tests (fails them under ``CI=true``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from generative.model_grammar import DIALECTS, metadatas
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import NullPool

import schemaspec
from schemaspec.pytest_plugin import _require_server
from schemaspec.sources.scratch import scratch_database
from schemaspec.testing.snapshot_fixture import in_ci

settings.register_profile(
    "schemaspec-generative",
    max_examples=int(os.environ.get("SCHEMASPEC_HYPOTHESIS_EXAMPLES") or 12),
    derandomize=in_ci(),
    # A derandomized run replays nothing; a local run keeps failures to replay them first.
    **({"database": None} if in_ci() else {}),
    # Each example creates databases: seconds, not milliseconds, and uneven.
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
GENERATIVE = settings.get_profile("schemaspec-generative")


@dataclass(frozen=True)
class Target:
    dialect: str
    #: Where scratch databases are made: a server URL, or "sqlite://" for a temporary file.
    server: str

    @property
    def shadow(self) -> str | bool:
        return True if self.dialect == "sqlite" else self.server


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
        pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
    ],
)
def target(request: pytest.FixtureRequest) -> Target:
    # Module scope: hypothesis runs many examples in one test call, and a function-scoped
    # fixture would be shared between them without being reset.
    dialect: str = request.param
    assert dialect in DIALECTS
    if dialect == "sqlite":
        return Target("sqlite", "sqlite://")
    return Target(dialect, _require_server(request.config, dialect))


@contextmanager
def built(target: Target, metadata: sa.MetaData) -> Iterator[sa.Engine]:
    """A fresh scratch database holding ``create_all(metadata)``; dropped afterwards."""
    with scratch_database(target.server) as url:
        # NullPool: no connection outlives its use, so the scratch database can be dropped.
        engine = sa.create_engine(url, poolclass=NullPool)
        try:
            metadata.create_all(engine)
            yield engine
        finally:
            engine.dispose()


def rendered(result: schemaspec.SchemaDiff) -> list[str]:
    """Changes as one line each: pytest's assertion output then reads as a report."""
    return [
        f"{c.kind} {c.object} {c.path} {sorted(c.attributes)}: {c.expected!r} -> {c.actual!r}"
        for c in result.changes
    ]


@GENERATIVE
@given(data=st.data())
def test_create_all_reads_back_as_the_models(target: Target, data: st.DataObject) -> None:
    models = data.draw(metadatas(target.dialect), label="models")
    expected = schemaspec.from_models(models.build(), dialect=target.dialect)
    with built(target, models.build()) as engine:
        actual = schemaspec.from_database(engine)
    assert rendered(schemaspec.diff(expected, actual)) == []
    shadow = schemaspec.from_models(models.build(), dialect=target.dialect, shadow=target.shadow)
    assert rendered(schemaspec.diff(expected, shadow)) == []


# --- mutations -------------------------------------------------------------------------------

ExpectedChange = tuple[str, str, str, frozenset[str]]


@dataclass(frozen=True)
class Mutation:
    """DDL statements and the one change they must read as: (kind, object, path, attributes)."""

    statements: tuple[str, ...]
    expected: ExpectedChange


def _mentions(text: str | None, column: str) -> bool:
    return (
        text is not None and re.search(rf"(?<!\w){re.escape(column)}(?!\w)", text, re.I) is not None
    )


def _referenced(table: schemaspec.TableSpec, column: str) -> bool:
    """Whether any key, index, constraint or generated column of ``table`` uses ``column``."""
    texts: list[str | None] = [*table.primary_key]
    for index in table.indexes.values():
        texts += [*index.columns, index.where]
    for unique in table.unique.values():
        texts += unique.columns
    for fk in table.foreign_keys.values():
        texts += fk.columns
    texts += [check.sqltext for check in table.checks.values()]
    texts += [spec.computed for spec in table.columns.values()]
    return any(_mentions(text, column) for text in texts)


def _indexable(column: sa.Column[object], dialect: str) -> bool:
    # MariaDB indexes no TEXT/BLOB without a prefix; PostgreSQL has no btree for json.
    if dialect == "mysql":
        return not isinstance(column.type, sa.Text | sa.LargeBinary | sa.JSON)
    return dialect != "postgresql" or type(column.type) is not sa.JSON


def _plain(column: sa.Column[object], table: schemaspec.TableSpec, dialect: str) -> bool:
    """A column no constraint, index, generated column or type-made check depends on."""
    made_check = getattr(column.type, "create_constraint", False) or (
        dialect == "mysql" and isinstance(column.type, sa.JSON)
    )
    return not (
        column.primary_key
        or column.foreign_keys
        or column.computed is not None
        or made_check
        or _referenced(table, column.name)
    )


def _modify(engine: sa.Engine, column: sa.Column[object], **changes: object) -> str:
    """MariaDB's ``MODIFY``: the whole column again, as SQLAlchemy creates it, with changes.

    MODIFY resets whatever it does not restate (default, comment), so the column definition is
    compiled from a copy of the model's column rather than written by hand.
    """
    copy = column._copy()
    for name, value in changes.items():
        setattr(copy, name, value)
    sa.Table(column.table.name, sa.MetaData(), copy)
    definition = sa.schema.CreateColumn(copy).compile(dialect=engine.dialect)
    return f"ALTER TABLE {_quote(engine, column.table.name)} MODIFY {definition}"


def _quote(engine: sa.Engine, name: str) -> str:
    return str(engine.dialect.identifier_preparer.quote(name))


def mutations(
    engine: sa.Engine, metadata: sa.MetaData, spec: schemaspec.SchemaSpec
) -> list[Mutation]:
    """Every single-statement change this database supports on these models."""
    dialect = engine.dialect.name
    server = dialect != "sqlite"
    inspector = sa.inspect(engine)
    found: list[Mutation] = []
    for table in metadata.sorted_tables:
        name, t = table.name, _quote(engine, table.name)
        want = spec.tables[name]

        def add(statement: str, kind: str, object_: str, path: str, *attrs: str) -> None:
            found.append(Mutation((statement,), (kind, object_, path, frozenset(attrs))))

        add(
            f"ALTER TABLE {t} ADD COLUMN mutation_added INTEGER",
            "unexpected",
            "column",
            f"{name}.mutation_added",
        )
        for column in table.columns:
            c, path = _quote(engine, column.name), f"{name}.{column.name}"
            plain = _plain(column, want, dialect)
            if plain:
                add(f"ALTER TABLE {t} DROP COLUMN {c}", "missing", "column", path)
            if _indexable(column, dialect) and column.computed is None and not column.primary_key:
                add(
                    f"CREATE INDEX mutation_ix ON {t} ({c})",
                    "unexpected",
                    "index",
                    f"{name}.indexes.mutation_ix",
                )
            if not server or column.primary_key or column.computed is not None:
                continue
            if column.autoincrement is True or column.identity is not None:
                continue
            if plain and column.server_default is None:
                new = sa.BigInteger() if isinstance(column.type, sa.String) else sa.Text()
                if dialect == "postgresql":
                    sql = new.compile(dialect=engine.dialect)
                    add(
                        f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {sql} USING NULL::{sql}",
                        "changed",
                        "column",
                        path,
                        "type",
                    )
                else:
                    add(_modify(engine, column, type=new), "changed", "column", path, "type")
            if not column.foreign_keys:
                if dialect == "postgresql":
                    flip = "DROP NOT NULL" if not column.nullable else "SET NOT NULL"
                    add(
                        f"ALTER TABLE {t} ALTER COLUMN {c} {flip}",
                        "changed",
                        "column",
                        path,
                        "nullable",
                    )
                else:
                    add(
                        _modify(engine, column, nullable=not column.nullable),
                        "changed",
                        "column",
                        path,
                        "nullable",
                    )
            if column.server_default is not None:
                add(
                    f"ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT",
                    "changed",
                    "column",
                    path,
                    "default",
                )
            elif isinstance(column.type, sa.Integer):
                add(
                    f"ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT 7",
                    "changed",
                    "column",
                    path,
                    "default",
                )
        fk_firsts = {fk.columns[0] for fk in want.foreign_keys.values()}
        for index_name, index in want.indexes.items():
            if dialect == "mysql" and index.columns[0] in fk_firsts:
                continue  # MariaDB refuses to drop the index a foreign key uses (1553).
            on = f" ON {t}" if dialect == "mysql" else ""
            add(
                f"DROP INDEX {_quote(engine, index_name)}{on}",
                "missing",
                "index",
                f"{name}.indexes.{index_name}",
            )
        if not server:
            continue
        for check_key, check in want.checks.items():
            if check.name is not None:
                add(
                    f"ALTER TABLE {t} DROP CONSTRAINT {_quote(engine, check.name)}",
                    "missing",
                    "check",
                    f"{name}.checks.{check_key}",
                )
        comment = "changed by a mutation"
        if dialect == "postgresql":
            add(f"COMMENT ON TABLE {t} IS '{comment}'", "changed", "table", name, "comment")
        else:
            add(f"ALTER TABLE {t} COMMENT = '{comment}'", "changed", "table", name, "comment")
        if dialect != "postgresql":
            continue
        # Dropped by the name the database gave them; found in the spec by their columns.
        for fk in inspector.get_foreign_keys(name):
            key = next(
                k
                for k, v in want.foreign_keys.items()
                if list(v.columns) == fk["constrained_columns"]
            )
            add(
                f"ALTER TABLE {t} DROP CONSTRAINT {_quote(engine, fk['name'])}",
                "missing",
                "foreign_key",
                f"{name}.foreign_keys.{key}",
            )
        for unique in inspector.get_unique_constraints(name):
            key = next(
                k for k, v in want.unique.items() if list(v.columns) == unique["column_names"]
            )
            add(
                f"ALTER TABLE {t} DROP CONSTRAINT {_quote(engine, unique['name'])}",
                "missing",
                "unique",
                f"{name}.unique.{key}",
            )
    return found


def one_of_each_kind(found: list[Mutation]) -> st.SearchStrategy[Mutation]:
    """A kind of change first, then one of its statements: every table offers an added column,
    so a flat choice would mostly add columns."""
    kinds: dict[tuple[str, str, frozenset[str]], list[Mutation]] = {}
    for mutation in found:
        kind, object_, _, attributes = mutation.expected
        kinds.setdefault((kind, object_, attributes), []).append(mutation)
    groups = [kinds[key] for key in sorted(kinds, key=lambda k: (k[0], k[1], sorted(k[2])))]
    return st.sampled_from(groups).flatmap(st.sampled_from)


@GENERATIVE
@given(data=st.data())
def test_one_ddl_statement_reads_as_exactly_its_change(target: Target, data: st.DataObject) -> None:
    models = data.draw(metadatas(target.dialect), label="models")
    metadata = models.build()
    expected = schemaspec.from_models(metadata, dialect=target.dialect)
    with built(target, metadata) as engine:
        # The round trip is the other test's property; checked here so that a mutation's
        # change is known to be the only one.
        assert rendered(schemaspec.diff(expected, schemaspec.from_database(engine))) == []
        mutation = data.draw(one_of_each_kind(mutations(engine, metadata, expected)), "mutation")
        with engine.begin() as connection:
            for statement in mutation.statements:
                connection.exec_driver_sql(statement)
        actual = schemaspec.from_database(engine)
    result = schemaspec.diff(expected, actual)
    got = [(c.kind, c.object, c.path, c.attributes) for c in result.changes]
    assert got == [mutation.expected], rendered(result)
