"""The UnionCore worked example: its models, and its Alembic history against them."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import configure_mappers
from unioncore.models import Base, Dispatch, JobBid

INI = Path(__file__).resolve().parent.parent / "docs" / "examples" / "unioncore" / "alembic.ini"

MEMBERS = {"members"}
PHASE7 = {
    "referral_books",
    "book_registrations",
    "registration_activities",
    "labor_requests",
    "job_bids",
    "dispatches",
}
ALL_TABLES = MEMBERS | PHASE7


def alembic_config(url: str) -> Config:
    config = Config(str(INI))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture
def engine(schemaspec_database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(schemaspec_database_url)
    yield engine
    engine.dispose()


def tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def pg_enum_exists(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        query = "SELECT 1 FROM pg_type WHERE typname = 'member_status'"
        return conn.exec_driver_sql(query).first() is not None


def model_drift(engine: sa.Engine) -> list[Any]:
    """Alembic's own comparison of the database with the models."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                # MariaDB reflects now() as current_timestamp() and true as 1: Alembic reports
                # those as changed defaults although they are the same, so defaults are
                # compared only where reflection gives back what was written.
                "compare_server_default": conn.dialect.name != "mysql",
            },
        )
        return list(compare_metadata(context, Base.metadata))


# -- the models ----------------------------------------------------------------------------


def test_models_hold_exactly_the_seven_tables() -> None:
    assert set(Base.metadata.tables) == ALL_TABLES


def test_mappers_configure() -> None:
    configure_mappers()
    # The two foreign keys from dispatches to job_bids: each relationship follows its own.
    assert [c.name for c in Dispatch.bid.property.local_columns] == ["bid_id"]
    assert [c.name for c in Dispatch.replaced_bid.property.local_columns] == ["replaced_bid_id"]
    assert Dispatch.bid.property.back_populates == "dispatch"
    assert JobBid.dispatch.property.uselist is False


def test_phase7_columns_the_seed_document_checks() -> None:
    registrations = Base.metadata.tables["book_registrations"]
    apn = registrations.c.applicant_priority_number
    assert isinstance(apn.type, sa.Numeric)
    assert (apn.type.precision, apn.type.scale, apn.nullable) == (10, 2, False)
    assert Base.metadata.tables["referral_books"].c.contract_code.nullable is True
    assert {i.name for i in registrations.indexes} == {"ix_book_registrations_book_apn"}
    assert {fk.target_fullname for fk in Base.metadata.tables["dispatches"].foreign_keys} == {
        "labor_requests.id",
        "members.id",
        "job_bids.id",
    }
    for name in ALL_TABLES:
        columns = set(Base.metadata.tables[name].c.keys())
        assert {"created_at", "updated_at", "created_by", "updated_by"} <= columns, name


def test_create_all(engine: sa.Engine) -> None:
    Base.metadata.create_all(engine)
    assert tables(engine) == ALL_TABLES
    assert model_drift(engine) == []
    Base.metadata.drop_all(engine)
    assert tables(engine) == set()


# -- the Alembic history -------------------------------------------------------------------


def test_history_shape() -> None:
    script = ScriptDirectory.from_config(Config(str(INI)))
    assert script.get_heads() == ["7f3e2a1b9c0d"]
    assert script.get_bases() == ["1a2b3c4d5e6f"]
    merge = script.get_revision("9d48d853728b")
    assert merge is not None
    assert set(merge.down_revision or ()) == {"2c4e6a8b0d1f", "3d5f7b9c1e2a"}
    head = script.get_revision("7f3e2a1b9c0d")
    assert head is not None
    assert head.down_revision == "9d48d853728b"


def test_upgrade_head_matches_models_and_downgrade_base_is_clean(engine: sa.Engine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    is_pg = engine.dialect.name == "postgresql"

    command.upgrade(config, "9d48d853728b")
    assert tables(engine) == MEMBERS | {"alembic_version"}

    command.upgrade(config, "head")
    assert tables(engine) == ALL_TABLES | {"alembic_version"}
    assert model_drift(engine) == []
    if is_pg:
        assert pg_enum_exists(engine)

    # The Phase 7 rollback plan: one step down removes exactly the six tables.
    command.downgrade(config, "-1")
    assert tables(engine) == MEMBERS | {"alembic_version"}

    command.downgrade(config, "base")
    assert tables(engine) == {"alembic_version"}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").all() == []
    if is_pg:
        assert not pg_enum_exists(engine)

    # And back up again: the downgrades left nothing behind that blocks a second upgrade.
    command.upgrade(config, "head")
    assert model_drift(engine) == []


def test_upgrade_on_a_connection_handed_in(engine: sa.Engine) -> None:
    """The env.py recipe for code that already holds a connection."""
    config = Config(str(INI))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert tables(engine) == ALL_TABLES | {"alembic_version"}
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert tables(engine) == {"alembic_version"}


def test_command_line_url_argument(schemaspec_sqlite_url: str) -> None:
    """-x url=... wins over alembic.ini's sqlalchemy.url."""
    config = Config(str(INI), cmd_opts=argparse.Namespace(x=[f"url={schemaspec_sqlite_url}"]))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    engine = sa.create_engine(schemaspec_sqlite_url)
    try:
        assert tables(engine) == ALL_TABLES | {"alembic_version"}
    finally:
        engine.dispose()
