"""Generative differential test: SQLite's native catalog reader against SQLAlchemy's.

hypothesis draws models from :mod:`generative.model_grammar`, ``create_all`` builds them in a
scratch SQLite file, and the file is read twice in one read transaction: by the native reader
(schemaspec/sources/native_sqlite.py) and by SQLAlchemy's reflection, the reference. The two
specs must be equal, value for value, before and after normalising. A second test first runs
one real DDL statement on the database (SQLite rewrites the stored ``CREATE TABLE`` text for
``ADD COLUMN`` and ``DROP COLUMN``, which the native reader parses). The settings (examples,
derandomised CI runs) are those of test_create_all_roundtrip.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from generative.model_grammar import metadatas
from generative.test_create_all_roundtrip import (
    GENERATIVE,
    Target,
    built,
    mutations,
    one_of_each_kind,
)
from hypothesis import given
from hypothesis import strategies as st

import schemaspec
from schemaspec.dialects import normalize
from schemaspec.sources import native_sqlite, reader_choice, session
from schemaspec.sources.database import DEFAULT_EXCLUDE, _read_once
from schemaspec.spec import SchemaSpec


@pytest.fixture(scope="module")
def target() -> Target:
    return Target("sqlite", "sqlite://")


def read_both(engine: sa.Engine) -> tuple[SchemaSpec, SchemaSpec]:
    """The spec as each reader reads it, in one read transaction: (native, SQLAlchemy)."""
    with engine.connect() as connection:
        session.begin(connection, None)
        try:
            native = native_sqlite.read(connection, None, _not_a_tool_table)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv(reader_choice.READER_VARIABLE, "sqlalchemy")
                reference = _read_once(connection, None, None, DEFAULT_EXCLUDE, "", None)
        finally:
            session.end(connection)
    assert native is not None, "the native reader gave up on a database create_all built"
    return native, reference


def _not_a_tool_table(name: str) -> bool:
    return name not in DEFAULT_EXCLUDE


def assert_same(native: SchemaSpec, reference: SchemaSpec) -> None:
    # Equal as read, table by table first (a failure names the table), then whole.
    assert set(native.tables) == set(reference.tables)
    for name, table in reference.tables.items():
        assert native.tables[name] == table, name
    assert native == reference
    assert normalize(native) == normalize(reference)


@GENERATIVE
@given(data=st.data())
def test_native_reader_reads_what_sqlalchemy_reads(target: Target, data: st.DataObject) -> None:
    models = data.draw(metadatas("sqlite"), label="models")
    with built(target, models.build()) as engine:
        native, reference = read_both(engine)
    assert_same(native, reference)


@GENERATIVE
@given(data=st.data())
def test_after_one_ddl_statement_both_readers_still_agree(
    target: Target, data: st.DataObject
) -> None:
    models = data.draw(metadatas("sqlite"), label="models")
    metadata = models.build()
    expected = schemaspec.from_models(metadata, dialect="sqlite")
    with built(target, metadata) as engine:
        mutation = data.draw(one_of_each_kind(mutations(engine, metadata, expected)), "mutation")
        with engine.begin() as connection:
            for statement in mutation.statements:
                connection.exec_driver_sql(statement)
        native, reference = read_both(engine)
    assert_same(native, reference)
