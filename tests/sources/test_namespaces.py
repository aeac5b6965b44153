"""Several schemas in one spec: the default schema's tables bare, the others qualified."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import schemaspec
from schemaspec import Change, SourceError
from schemaspec.cli import main
from schemaspec.pytest_plugin import _require_server
from schemaspec.sources.scratch import scratch_database


def models(audit: str, *, to_default: bool = True) -> sa.MetaData:
    metadata = sa.MetaData()
    members = sa.Table("members", metadata, sa.Column("id", sa.Integer, primary_key=True))
    actors = sa.Table(
        "actors", metadata, sa.Column("id", sa.Integer, primary_key=True), schema=audit
    )
    sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.ForeignKey(members.c.id) if to_default else sa.Integer),
        sa.Column("actor_id", sa.ForeignKey(actors.c.id)),
        schema=audit,
    )
    return metadata


def test_postgresql_schemas_in_one_spec(schemaspec_postgresql_url: str) -> None:
    engine = sa.create_engine(schemaspec_postgresql_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE SCHEMA audit")
        models("audit").create_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE VIEW audit.recent AS SELECT id FROM audit.events")
        spec = schemaspec.from_database(engine, schemas="*")
        assert sorted(spec.tables) == ["audit.actors", "audit.events", "members"]
        # Foreign keys across schemas keep their targets' keys.
        assert {
            key: fk.referred_table for key, fk in spec.tables["audit.events"].foreign_keys.items()
        } == {"actor_id": "audit.actors", "member_id": "members"}
        assert list(spec.views) == ["audit.recent"]
        assert schemaspec.diff(schemaspec.from_models(models("audit")), spec).changes == ()
        # Patterns apply to qualified names.
        without = schemaspec.from_database(
            engine, schemas=["public", "audit"], exclude=["audit.actors"]
        )
        assert sorted(without.tables) == ["audit.events", "members"]
        with pytest.raises(SourceError, match=r"^schemas= names no schema: give their names"):
            schemaspec.from_database(engine, schemas=[])
        with pytest.raises(SourceError, match=r"has no schema 'nope'$"):
            schemaspec.from_database(engine, schemas=["public", "nope"])
        with pytest.raises(SourceError, match=r"^give schema= .* or schemas=, not both$"):
            schemaspec.from_database(engine, schema="audit", schemas=["audit"])
    finally:
        engine.dispose()


def test_mariadb_databases_are_its_schemas(
    schemaspec_mysql_url: str, request: pytest.FixtureRequest
) -> None:
    # On MariaDB a schema is a database: a second scratch database plays "audit".
    with scratch_database(_require_server(request.config, "mysql")) as other_url:
        audit = str(make_url(other_url).database)
        engine = sa.create_engine(schemaspec_mysql_url)
        try:
            # SQLAlchemy emits a reference to the default database unqualified, which MariaDB
            # reads inside another database as that database's own table: none here.
            models(audit, to_default=False).create_all(engine)
            main_database = str(make_url(schemaspec_mysql_url).database)
            spec = schemaspec.from_database(engine, schemas=[main_database, audit])
        finally:
            engine.dispose()
    assert sorted(spec.tables) == sorted([f"{audit}.actors", f"{audit}.events", "members"])
    assert {
        key: fk.referred_table for key, fk in spec.tables[f"{audit}.events"].foreign_keys.items()
    } == {"actor_id": f"{audit}.actors"}
    assert (
        schemaspec.diff(schemaspec.from_models(models(audit, to_default=False)), spec).changes == ()
    )


def test_the_command_line_reads_every_schema(
    schemaspec_postgresql_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(schemaspec_postgresql_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE SCHEMA audit")
            connection.exec_driver_sql("CREATE TABLE audit.events (id integer PRIMARY KEY)")
            connection.exec_driver_sql("CREATE TABLE members (id integer PRIMARY KEY)")
    finally:
        engine.dispose()
    assert main(["snapshot", schemaspec_postgresql_url, "--all-schemas"]) == 0
    out = capsys.readouterr().out
    assert "[tables.members]" in out
    assert '[tables."audit.events"]' in out
    assert main(["snapshot", schemaspec_postgresql_url, "--schema", "audit", "--all-schemas"]) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: give --schema or --all-schemas, not both\n"
    )


def test_a_change_in_another_schema_has_a_qualified_path(schemaspec_postgresql_url: str) -> None:
    engine = sa.create_engine(schemaspec_postgresql_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE SCHEMA audit")
        models("audit").create_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE audit.events ADD COLUMN note text")
        spec = schemaspec.from_database(engine, schemas="*")
    finally:
        engine.dispose()
    assert schemaspec.diff(schemaspec.from_models(models("audit")), spec).changes == (
        Change(
            kind="unexpected",
            object="column",
            path="audit.events.note",
            actual=schemaspec.ColumnSpec(type="text"),
        ),
    )
