"""The seed's story, as schemaspec calls: six models whose migration was never generated.

Runs on every database kind: SQLite always, PostgreSQL and MariaDB on their loopback servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from unioncore.models import Base

import schemaspec
from schemaspec import Change

PHASE7 = [
    "book_registrations",
    "dispatches",
    "job_bids",
    "labor_requests",
    "referral_books",
    "registration_activities",
]
SNAPSHOT = Path(__file__).resolve().parent.parent / "specs" / "unioncore.toml"


@pytest.fixture
def engine(schemaspec_database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(schemaspec_database_url)
    yield engine
    engine.dispose()


def test_only_members_exists_so_exactly_the_six_phase7_tables_are_missing(
    engine: sa.Engine,
) -> None:
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["members"]])
    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_database(engine))
    assert [(c.kind, c.object, c.path) for c in result.changes] == [
        ("missing", "table", name) for name in PHASE7
    ]


def test_database_built_from_the_models_matches_them(engine: sa.Engine) -> None:
    Base.metadata.create_all(engine)
    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_database(engine))
    assert result.changes == ()
    assert not result


def test_an_integer_apn_is_one_type_change_on_exactly_that_column(engine: sa.Engine) -> None:
    # A copy of the models in which the APN is INTEGER, as a wrong migration would create it.
    metadata = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    registrations = metadata.tables["book_registrations"]
    registrations.c.applicant_priority_number.type = sa.Integer()
    metadata.create_all(engine)

    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_database(engine))

    assert result.changes == (
        Change(
            kind="changed",
            object="column",
            path="book_registrations.applicant_priority_number",
            attributes=frozenset({"type"}),
            expected={"type": "numeric(10,2)"},
            actual={"type": "integer"},
        ),
    )


def test_committed_snapshot_matches_the_models() -> None:
    # specs/unioncore.toml is the reviewed schema; regenerate it with
    #   PYTHONPATH=docs/examples python -m schemaspec snapshot unioncore.models:Base \
    #       -o specs/unioncore.toml
    assert schemaspec.diff(schemaspec.load(SNAPSHOT), schemaspec.from_models(Base)).changes == ()


def test_database_matches_the_committed_snapshot(engine: sa.Engine) -> None:
    Base.metadata.create_all(engine)
    result = schemaspec.diff(schemaspec.load(SNAPSHOT), schemaspec.from_database(engine))
    assert result.changes == ()
