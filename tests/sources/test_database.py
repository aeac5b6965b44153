"""from_database: bulk reflection of a live database into a spec, read-only, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from schemaspec import (
    CheckSpec,
    ColumnSpec,
    DatabaseConnectionError,
    EnumSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    SourceError,
    TableSpec,
    UniqueSpec,
    from_database,
)
from schemaspec.sources.scratch import scratch_database

DDL = [
    "CREATE TABLE members (id INTEGER PRIMARY KEY, member_number VARCHAR(20) NOT NULL,"
    " CONSTRAINT uq_members_number UNIQUE (member_number))",
    "CREATE TABLE registrations ("
    " id INTEGER PRIMARY KEY,"
    " member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,"
    " apn NUMERIC(10, 2) NOT NULL DEFAULT 0,"
    " status VARCHAR(20) DEFAULT 'open',"
    " created_at DATETIME DEFAULT CURRENT_TIMESTAMP,"
    " CONSTRAINT ck_apn CHECK (apn >= 0))",
    "CREATE INDEX ix_registrations_apn ON registrations (member_id, apn)",
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
]

EXPECTED = SchemaSpec(
    dialect="sqlite",
    tables={
        "members": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False, autoincrement=True),
                "member_number": ColumnSpec(type="varchar(20)", nullable=False),
            },
            primary_key=("id",),
            unique={
                "member_number": UniqueSpec(columns=("member_number",), name="uq_members_number")
            },
        ),
        "registrations": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False, autoincrement=True),
                "member_id": ColumnSpec(type="integer", nullable=False),
                "apn": ColumnSpec(type="numeric(10,2)", nullable=False, default="0"),
                "status": ColumnSpec(type="varchar(20)", default="'open'"),
                "created_at": ColumnSpec(type="timestamp", default="current_timestamp"),
            },
            primary_key=("id",),
            foreign_keys={
                "member_id": ForeignKeySpec(
                    columns=("member_id",),
                    referred_table="members",
                    referred_columns=("id",),
                    on_delete="CASCADE",
                )
            },
            indexes={"ix_registrations_apn": IndexSpec(columns=("member_id", "apn"))},
            checks={"ck_apn": CheckSpec(sqltext="apn>=0", name="ck_apn")},
        ),
    },
)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "app.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        for statement in DDL:
            connection.exec_driver_sql(statement)
    engine.dispose()
    return path


def test_reflects_every_object_and_skips_alembic_version(sqlite_file: Path) -> None:
    assert from_database(f"sqlite:///{sqlite_file}") == EXPECTED


def test_accepts_a_url_object_an_engine_and_a_connection(sqlite_file: Path) -> None:
    url = sa.make_url(f"sqlite:///{sqlite_file}")
    engine = sa.create_engine(url)
    assert from_database(url) == EXPECTED
    assert from_database(engine) == EXPECTED
    with engine.connect() as connection:
        assert from_database(connection) == EXPECTED
        # The caller's connection is left usable.
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()


def test_include_and_exclude_patterns(sqlite_file: Path) -> None:
    url = f"sqlite:///{sqlite_file}"
    assert set(from_database(url, include=["reg*"]).tables) == {"registrations"}
    assert set(from_database(url, exclude=["members"]).tables) == {
        "registrations",
        "alembic_version",
    }


def test_empty_database_is_an_empty_spec(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{path}").connect().close()
    assert from_database(f"sqlite:///{path}") == SchemaSpec(dialect="sqlite")


def test_reflection_does_not_write(sqlite_file: Path) -> None:
    before = sqlite_file.read_bytes()
    from_database(f"sqlite:///{sqlite_file}")
    assert sqlite_file.read_bytes() == before


def test_a_missing_sqlite_file_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(DatabaseConnectionError) as raised:
        from_database(f"sqlite:///{path}")
    assert str(raised.value) == f"no SQLite database file at '{path}'"
    assert not path.exists()


def test_unreachable_host_is_named_and_the_password_never_shown() -> None:
    with pytest.raises(DatabaseConnectionError) as raised:
        from_database("postgresql+psycopg://app:s3cret-pw@127.0.0.1:1/appdb")
    message = str(raised.value)
    assert message.startswith("cannot connect to postgresql database 'appdb' at 127.0.0.1:1: ")
    assert "s3cret-pw" not in message
    assert raised.value.__cause__ is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL: Could not parse SQLAlchemy URL from given URL string"),
        ("nosuchdb://host/db", "no SQLAlchemy dialect for 'nosuchdb'"),
        (
            "postgresql+psycopg2://u:pw@127.0.0.1/db",
            "the driver for 'postgresql+psycopg2' is not installed (psycopg2); "
            "install it with: pip install psycopg2-binary, or use postgresql+psycopg:// with: "
            "pip install 'schemaspec[postgresql]'",
        ),
    ],
)
def test_bad_urls_and_missing_drivers(url: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        from_database(url)
    assert str(raised.value) == message


def test_a_database_without_tables_still_has_its_enum_types(
    schemaspec_postgresql_url: str,
) -> None:
    # A first revision whose downgrade forgets DROP TYPE leaves exactly this behind.
    with scratch_database(schemaspec_postgresql_url) as url:
        engine = sa.create_engine(url)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("CREATE TYPE mood AS ENUM ('happy', 'sad')")
            spec = from_database(engine)
        finally:
            engine.dispose()
    assert spec == SchemaSpec(
        dialect="postgresql", enums={"mood": EnumSpec(values=("happy", "sad"))}
    )
