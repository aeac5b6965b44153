"""Generative differential test: PostgreSQL's native catalog reader against SQLAlchemy's.

hypothesis draws models from :mod:`generative.model_grammar`, ``create_all`` builds them in a
scratch database, and the database is read twice in one transaction: by the native reader
(schemaspec/sources/native_postgresql.py) and by SQLAlchemy's bulk inspector, the reference.
The two specs must be equal, value for value, before and after normalising: speed must never
cost trust. The settings (examples, derandomised CI runs) are those of
test_create_all_roundtrip.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from generative.model_grammar import metadatas
from generative.test_create_all_roundtrip import GENERATIVE, Target, built
from hypothesis import given
from hypothesis import strategies as st

from schemaspec.dialects import normalize
from schemaspec.pytest_plugin import _require_server
from schemaspec.sources import native_postgresql, reader_choice, session
from schemaspec.sources.database import DEFAULT_EXCLUDE, _read_once
from schemaspec.spec import SchemaSpec

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest) -> Target:
    return Target("postgresql", _require_server(request.config, "postgresql"))


def read_both(engine: sa.Engine, schema: str | None = None) -> tuple[SchemaSpec, SchemaSpec]:
    """The spec as each reader reads it, from one read-only snapshot: (native, SQLAlchemy)."""
    with engine.connect() as connection:
        session.begin(connection, None)
        try:
            native = native_postgresql.read(connection, schema, _not_a_tool_table)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv(reader_choice.READER_VARIABLE, "sqlalchemy")
                reference = _read_once(connection, schema, None, DEFAULT_EXCLUDE, "", None)
        finally:
            session.end(connection)
    return native, reference


def _not_a_tool_table(name: str) -> bool:
    return name not in DEFAULT_EXCLUDE


@GENERATIVE
@given(data=st.data())
def test_native_reader_reads_what_sqlalchemy_reads(target: Target, data: st.DataObject) -> None:
    models = data.draw(metadatas("postgresql"), label="models")
    with built(target, models.build()) as engine:
        native, reference = read_both(engine)
    # Equal as read, table by table first (a failure names the table), then whole.
    assert set(native.tables) == set(reference.tables)
    for name, table in reference.tables.items():
        assert native.tables[name] == table, name
    assert native == reference
    assert normalize(native) == normalize(reference)
