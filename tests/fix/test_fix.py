"""Fixes that close a diff, proven by applying them: the SQL script to the actual database
itself, the Alembic revision with ``alembic upgrade head`` and back with ``downgrade -1``.

Each case is a pair of model sets: ``before`` is built in a real database (the actual side),
``after`` are the models (the expected side). The fix must close every change the diff reports
and leave nothing behind.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.pool import NullPool

import schemaspec
from schemaspec import Change
from schemaspec.fix import Fix, render_fix
from schemaspec.pytest_plugin import _require_server
from schemaspec.sources.scratch import scratch_database

Models = Callable[[sa.MetaData, str], None]


def server_of(request: pytest.FixtureRequest, url: str) -> str | None:
    """The server fixes are proven on (a scratch database there); SQLite needs none."""
    kind = sa.engine.make_url(url).get_backend_name()
    return None if kind == "sqlite" else _require_server(request.config, kind)


def build(url: str, models: Models) -> None:
    metadata = sa.MetaData()
    models(metadata, sa.engine.make_url(url).get_backend_name())
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def expected_of(models: Models, dialect: str) -> schemaspec.SchemaSpec:
    metadata = sa.MetaData()
    models(metadata, dialect)
    return schemaspec.from_models(metadata, dialect=dialect)


def run_script(url: str, script: str) -> None:
    """Run a fix's SQL as a user would: statement after statement, comments included."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for statement in script.split(";\n"):
                code = "\n".join(
                    line for line in statement.splitlines() if not line.startswith("--")
                )
                if code.strip():
                    connection.exec_driver_sql(code)
    finally:
        engine.dispose()


def paths(changes: tuple[Change, ...]) -> list[str]:
    return [f"{c.kind} {c.object} {c.path}" for c in changes]


# -- the cases ---------------------------------------------------------------------------------


def members_before(metadata: sa.MetaData, dialect: str) -> None:
    sa.Table(
        "members",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("legacy_code", sa.Integer),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), server_default="new"),
        sa.Column("email", sa.String(100)),
        sa.Index("ix_members_email", "email"),
        sa.Index("ix_members_status", "status"),
        sa.UniqueConstraint("legacy_code", name="uq_members_legacy_code"),
    )
    sa.Table(
        "books",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.Integer),
    )
    sa.Table("old_audit", metadata, sa.Column("id", sa.Integer, primary_key=True))


def members_after(metadata: sa.MetaData, dialect: str) -> None:
    comments = dialect != "sqlite"
    sa.Table(
        "members",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, server_default="anonymous"),
        sa.Column("priority", sa.Numeric(10, 2), nullable=False),
        sa.Column("status", sa.String(10), server_default="active"),
        sa.Column("email", sa.String(100), comment="work address" if comments else None),
        sa.Column("joined_on", sa.Date),
        sa.Index("ix_members_email", "email", unique=True),
        sa.Index("ix_members_name", "name"),
        sa.CheckConstraint("priority >= 0", name="ck_members_priority"),
        sa.UniqueConstraint("email", "name", name="uq_members_email_name"),
        comment="people on the books" if comments else None,
    )
    sa.Table(
        "books",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id", ondelete="CASCADE")),
        sa.Column("title", sa.Text),
    )
    sa.Table(
        "dispatches",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("book_id", sa.Integer, sa.ForeignKey("books.id"), nullable=False),
        sa.Index("ix_dispatches_book_id", "book_id"),
    )


def keys_before(metadata: sa.MetaData, dialect: str) -> None:
    sa.Table(
        "regions",
        metadata,
        sa.Column("code", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    sa.Table(
        "offices",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("region", sa.String(10), nullable=False),
        sa.Column("floor", sa.Integer, nullable=False),
        sa.Column("rooms", sa.Integer),
        sa.ForeignKeyConstraint(["region"], ["regions.code"], name="fk_offices_region"),
        sa.CheckConstraint("rooms > 0", name="ck_offices_rooms"),
        sa.Index("ix_offices_floor", "floor"),
    )


def keys_after(metadata: sa.MetaData, dialect: str) -> None:
    sa.Table(
        "regions",
        metadata,
        sa.Column("code", sa.String(10), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    sa.Table(
        "offices",
        metadata,
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("region", sa.String(10), nullable=False),
        sa.Column("floor", sa.Integer, nullable=False),
        sa.Column("rooms", sa.Integer),
        sa.PrimaryKeyConstraint("id", "region", name="pk_offices"),
        sa.ForeignKeyConstraint(
            ["region"], ["regions.code"], name="fk_offices_region", ondelete="CASCADE"
        ),
        sa.CheckConstraint("rooms >= 1", name="ck_offices_rooms"),
        sa.Index("ix_offices_floor", "floor", "rooms"),
    )


CASES = [
    pytest.param(members_before, members_after, id="tables-columns-indexes"),
    pytest.param(keys_before, keys_after, id="keys-and-constraints-changed"),
]


@pytest.mark.parametrize(("before_models", "after_models"), CASES)
def test_the_sql_fix_closes_every_change(
    schemaspec_database_url: str,
    request: pytest.FixtureRequest,
    before_models: Models,
    after_models: Models,
) -> None:
    url = schemaspec_database_url
    dialect = sa.engine.make_url(url).get_backend_name()
    build(url, before_models)
    expected = expected_of(after_models, dialect)
    before = schemaspec.from_database(url)
    result = schemaspec.diff(expected, before)
    fix = render_fix(expected, before, allow_destructive=True, scratch=server_of(request, url))
    assert (fix.refused, fix.unexpressed, fix.downgrade_unexpressed) == ((), (), ())
    assert sorted(paths(fix.closed)) == sorted(paths(result.changes))
    assert fix.complete
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()


def test_destructive_steps_are_refused_unless_allowed(
    schemaspec_database_url: str, request: pytest.FixtureRequest
) -> None:
    url = schemaspec_database_url
    dialect = sa.engine.make_url(url).get_backend_name()
    build(url, members_before)
    expected = expected_of(members_after, dialect)
    before = schemaspec.from_database(url)
    fix = render_fix(expected, before, scratch=server_of(request, url))
    refused = {left.change.path: left.reason for left in fix.refused}
    prefix = "destructive, left out without allow_destructive: "
    assert refused == {
        "members.legacy_code": prefix + "drops column members.legacy_code and its values",
        "members.name": prefix + "makes members.name NOT NULL: fails while a row holds NULL there",
        "members.priority": prefix + "changes the type of members.priority from integer to "
        "numeric(10,2): values that do not fit are cut, rounded or refused",
        "old_audit": prefix + "drops table old_audit and every row in it",
    }
    assert not fix.complete
    assert "DROP TABLE old_audit" not in fix.text
    # What was left out is still a difference, and only that.
    run_script(url, fix.text)
    after = schemaspec.diff(expected, schemaspec.from_database(url))
    assert sorted(c.path for c in after.changes) == sorted(refused)


@pytest.mark.parametrize(("before_models", "after_models"), CASES)
def test_the_alembic_revision_upgrades_and_downgrades(
    schemaspec_database_url: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    before_models: Models,
    after_models: Models,
) -> None:
    url = schemaspec_database_url
    dialect = sa.engine.make_url(url).get_backend_name()
    build(url, before_models)
    expected = expected_of(after_models, dialect)
    before = schemaspec.from_database(url)
    config = alembic_project(tmp_path, url)
    fix = render_fix(
        expected,
        before,
        style="alembic",
        allow_destructive=True,
        scratch=server_of(request, url),
        alembic_config=config.config_file_name,
        revision="0000fix00001",
    )
    assert fix.complete and fix.downgrade_unexpressed == ()
    (tmp_path / "migrations" / "versions" / "0000fix00001_fix.py").write_text(fix.text)
    command.upgrade(config, "head")
    # alembic_version is the migrations' own table, excluded by default.
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()
    command.downgrade(config, "-1")
    assert schemaspec.diff(before, schemaspec.from_database(url)).changes == ()


def alembic_project(folder: Path, url: str) -> Config:
    """An Alembic project with no revisions, migrating ``url``."""
    versions = folder / "migrations" / "versions"
    versions.mkdir(parents=True)
    (folder / "migrations" / "env.py").write_text(
        textwrap.dedent(
            """\
            from alembic import context
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            engine = create_engine(context.config.get_main_option("sqlalchemy.url"),
                                   poolclass=NullPool)
            with engine.connect() as connection:
                context.configure(connection=connection, target_metadata=None)
                with context.begin_transaction():
                    context.run_migrations()
            engine.dispose()
            """
        )
    )
    ini = folder / "alembic.ini"
    ini.write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        f"sqlalchemy.url = {url.replace('%', '%%')}\n"
    )
    return Config(str(ini))


def test_the_revision_follows_the_projects_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    build(url, members_before)
    config = alembic_project(tmp_path / "project", url)
    versions = tmp_path / "project" / "migrations" / "versions"
    (versions / "aaaa_first.py").write_text(
        'revision = "aaaa"\ndown_revision = None\n\ndef upgrade():\n    pass\n\n\n'
        "def downgrade():\n    pass\n"
    )
    expected = expected_of(members_after, "sqlite")
    fix = render_fix(
        expected,
        schemaspec.from_database(url),
        style="alembic",
        allow_destructive=True,
        alembic_config=config.config_file_name,
        revision="bbbb",
    )
    assert "revision: str = 'bbbb'\ndown_revision: str | None = 'aaaa'\n" in fix.text
    (versions / "aaaa_second_head.py").write_text(
        'revision = "cccc"\ndown_revision = None\n\ndef upgrade():\n    pass\n\n\n'
        "def downgrade():\n    pass\n"
    )
    with pytest.raises(schemaspec.SourceError, match=r"the migrations have 2 heads \(aaaa, cccc\)"):
        render_fix(
            expected,
            schemaspec.from_database(url),
            style="alembic",
            alembic_config=config.config_file_name,
        )


def test_renames_are_made_only_when_asked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"

    def before(metadata: sa.MetaData, _dialect: str) -> None:
        sa.Table(
            "people",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("nm", sa.String(50)),
        )

    def after(metadata: sa.MetaData, _dialect: str) -> None:
        sa.Table(
            "members",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50)),
        )

    build(url, before)
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO people (id, nm) VALUES (1, 'Ada')")
    expected = expected_of(after, "sqlite")
    actual = schemaspec.from_database(url)
    # Not asked: a drop and a create, refused as destructive.
    guessed = render_fix(expected, actual)
    assert [left.change.path for left in guessed.refused] == ["people"]
    fix = render_fix(expected, actual, renames={"people": "members", "people.nm": "people.name"})
    assert fix.complete
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT id, name FROM members").all() == [(1, "Ada")]
    engine.dispose()
    with pytest.raises(schemaspec.SourceError, match="the actual side has no table 'nobody'"):
        render_fix(expected, actual, renames={"nobody": "members"})


BEFORE_OBJECTS = (
    "CREATE TYPE member_status AS ENUM ('active', 'inactive')",
    "CREATE TYPE legacy_kind AS ENUM ('a')",
    "CREATE TABLE members (id integer PRIMARY KEY, status member_status, name text)",
    "CREATE SEQUENCE ticket_no_seq INCREMENT BY 5",
    "CREATE SEQUENCE unused_seq",
    "CREATE VIEW member_names AS SELECT name FROM members",
    "CREATE VIEW stale AS SELECT id FROM members",
    "CREATE TABLE rooms (id integer PRIMARY KEY, area box)",
)
CHANGED_OBJECTS = (
    "ALTER TABLE rooms ADD CONSTRAINT rooms_no_overlap EXCLUDE USING gist (area WITH &&)",
    "ALTER TYPE member_status ADD VALUE 'suspended' BEFORE 'inactive'",
    "CREATE TYPE book_state AS ENUM ('open', 'closed')",
    "DROP VIEW stale",
    "DROP VIEW member_names",
    "CREATE VIEW member_names AS SELECT id, name FROM members WHERE status = 'active'",
    "CREATE VIEW active_ids AS SELECT id FROM members",
    "ALTER SEQUENCE ticket_no_seq INCREMENT BY 10 CACHE 20",
    "DROP SEQUENCE unused_seq",
    "DROP TYPE legacy_kind",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
)


def run(url: str, statements: tuple[str, ...]) -> None:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_postgresql_schema_objects(
    schemaspec_postgresql_url: str, request: pytest.FixtureRequest
) -> None:
    server = server_of(request, schemaspec_postgresql_url)
    assert server is not None
    with scratch_database(server) as changed_url:
        run(changed_url, BEFORE_OBJECTS + CHANGED_OBJECTS)
        expected = schemaspec.from_database(changed_url)
    url = schemaspec_postgresql_url
    run(url, BEFORE_OBJECTS)
    before = schemaspec.from_database(url)
    result = schemaspec.diff(expected, before)
    assert sorted(paths(result.changes)) == [
        "changed enum enums.member_status",
        "changed sequence sequences.ticket_no_seq",
        "changed view views.member_names",
        "missing enum enums.book_state",
        "missing exclude rooms.excludes.using gist (area with &&)",
        "missing extension extensions.pg_trgm",
        "missing view views.active_ids",
        "unexpected enum enums.legacy_kind",
        "unexpected sequence sequences.unused_seq",
        "unexpected view views.stale",
    ]
    fix = render_fix(expected, before, allow_destructive=True, scratch=server)
    assert fix.unexpressed == ()
    assert sorted(paths(fix.closed)) == sorted(paths(result.changes))
    assert "ALTER TYPE member_status ADD VALUE 'suspended' BEFORE 'inactive'" in fix.text
    # PostgreSQL cannot take an enum value back: the downgrade says so instead of guessing.
    assert [(u.change.path, u.reason) for u in fix.downgrade_unexpressed] == [
        (
            "enums.member_status",
            "removing or reordering enum values needs the type recreated and every column "
            "using it converted: write it by hand",
        )
    ]
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()


def test_what_cannot_be_written_faithfully_is_said(
    schemaspec_postgresql_url: str, request: pytest.FixtureRequest
) -> None:
    url = schemaspec_postgresql_url
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TYPE member_status AS ENUM ('active', 'inactive')")
        connection.exec_driver_sql(
            "CREATE FUNCTION add(a integer, b integer) RETURNS integer LANGUAGE sql "
            "AS 'SELECT a + b'"
        )
    before = schemaspec.from_database(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TYPE member_status")
        connection.exec_driver_sql("CREATE TYPE member_status AS ENUM ('active')")
        connection.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION add(a integer, b integer) RETURNS integer "
            "LANGUAGE sql AS 'SELECT a + b + 0'"
        )
    engine.dispose()
    expected = schemaspec.from_database(url)
    fix = render_fix(expected, before, allow_destructive=True, scratch=server_of(request, url))
    assert [(left.change.path, left.reason) for left in fix.unexpressed] == [
        (
            "enums.member_status",
            "removing or reordering enum values needs the type recreated and every column "
            "using it converted: write it by hand",
        ),
        (
            "routines.add(integer, integer)",
            "a routine is kept as canonical text, not as it was written, so it can neither be "
            "rebuilt faithfully nor proven on a scratch copy: write its CREATE OR REPLACE (or "
            "DROP) from your source",
        ),
    ]
    assert fix.closed == () and not fix.complete


def test_a_server_to_prove_on_is_required(schemaspec_postgresql_url: str) -> None:
    build(schemaspec_postgresql_url, members_before)
    actual = schemaspec.from_database(schemaspec_postgresql_url)
    with pytest.raises(
        schemaspec.SourceError,
        match=r"a fix for postgresql is proven on a scratch database: give the URL of a "
        r"postgresql server you may create databases on \(scratch=\.\.\., --scratch-server URL\)",
    ):
        render_fix(expected_of(members_after, "postgresql"), actual)


def test_nothing_to_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    build(url, members_after)
    fix: Fix = render_fix(expected_of(members_after, "sqlite"), schemaspec.from_database(url))
    assert fix.complete and fix.closed == ()
    assert fix.text == (
        "-- schemaspec fix: proven on a scratch sqlite copy of the actual schema\n"
        "-- nothing to do\n"
    )


def test_postgresql_indexes_concurrently(
    schemaspec_postgresql_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = schemaspec_postgresql_url
    build(url, members_before)
    expected = expected_of(members_after, "postgresql")
    before = schemaspec.from_database(url)
    config = alembic_project(tmp_path, url)
    fix = render_fix(
        expected,
        before,
        style="alembic",
        allow_destructive=True,
        scratch=server_of(request, url),
        concurrently=True,
        revision="0000fix00002",
    )
    assert fix.complete
    assert (
        "    # runs outside a transaction (CONCURRENTLY)\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('ix_members_name', 'members', ['name'], unique=False, "
        "postgresql_concurrently=True)"
    ) in fix.text
    (tmp_path / "migrations" / "versions" / "0000fix00002_fix.py").write_text(fix.text)
    command.upgrade(config, "head")
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()
    command.downgrade(config, "-1")
    assert schemaspec.diff(before, schemaspec.from_database(url)).changes == ()


def test_mariadb_views_and_sequences(
    schemaspec_mysql_url: str, request: pytest.FixtureRequest
) -> None:
    server = server_of(request, schemaspec_mysql_url)
    assert server is not None
    before_statements = (
        "CREATE TABLE members (id int PRIMARY KEY, name varchar(50))",
        "CREATE VIEW member_names AS SELECT name FROM members",
        "CREATE SEQUENCE ticket_no_seq INCREMENT BY 5",
    )
    with scratch_database(server) as changed_url:
        run(
            changed_url,
            (
                *before_statements,
                "CREATE OR REPLACE VIEW member_names AS SELECT id, name FROM members",
                "CREATE VIEW member_ids AS SELECT id FROM members",
                "ALTER SEQUENCE ticket_no_seq INCREMENT BY 10",
                "CREATE SEQUENCE invoice_no_seq",
            ),
        )
        expected = schemaspec.from_database(changed_url)
    url = schemaspec_mysql_url
    run(url, before_statements)
    before = schemaspec.from_database(url)
    result = schemaspec.diff(expected, before)
    assert sorted(paths(result.changes)) == [
        "changed sequence sequences.ticket_no_seq",
        "changed view views.member_names",
        "missing sequence sequences.invoice_no_seq",
        "missing view views.member_ids",
    ]
    fix = render_fix(expected, before, scratch=server)
    assert fix.complete and fix.downgrade_unexpressed == ()
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()


def test_postgresql_privileges(
    schemaspec_postgresql_url: str, request: pytest.FixtureRequest
) -> None:
    server = server_of(request, schemaspec_postgresql_url)
    assert server is not None
    before_statements = (
        "CREATE TABLE members (id integer PRIMARY KEY, owner text)",
        "CREATE SEQUENCE ticket_no_seq",
        "GRANT SELECT, INSERT ON members TO PUBLIC",
        "CREATE POLICY own_rows ON members FOR SELECT USING (owner = current_user)",
    )
    with scratch_database(server) as changed_url:
        run(
            changed_url,
            (
                *before_statements,
                "REVOKE INSERT ON members FROM PUBLIC",
                "GRANT USAGE ON SEQUENCE ticket_no_seq TO PUBLIC",
                "ALTER TABLE members ENABLE ROW LEVEL SECURITY",
                "DROP POLICY own_rows ON members",
                "CREATE POLICY own_rows ON members FOR UPDATE USING (owner = current_user)",
            ),
        )
        expected = schemaspec.from_database(changed_url, privileges=True)
    url = schemaspec_postgresql_url
    run(url, before_statements)
    before = schemaspec.from_database(url, privileges=True)
    result = schemaspec.diff(expected, before)
    assert sorted(paths(result.changes)) == [
        "changed grant members.grants.PUBLIC",
        "changed policy members.policies.own_rows",
        "changed sequence sequences.ticket_no_seq",
        "changed table members",
    ]
    fix = render_fix(expected, before, scratch=server)
    assert fix.complete and fix.downgrade_unexpressed == ()
    assert "REVOKE INSERT ON TABLE members FROM PUBLIC" in fix.text
    assert "GRANT USAGE ON SEQUENCE ticket_no_seq TO PUBLIC" in fix.text
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url, privileges=True)).changes == ()


def test_sqlite_views(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    changed_url = f"sqlite:///{tmp_path / 'changed.db'}"
    before_statements = (
        "CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT, active BOOLEAN)",
        "CREATE VIEW member_names AS SELECT name FROM members",
        "CREATE VIEW stale AS SELECT id FROM members",
    )
    run(
        changed_url,
        (
            *before_statements,
            "DROP VIEW stale",
            "DROP VIEW member_names",
            "CREATE VIEW member_names AS SELECT id, name FROM members WHERE active",
        ),
    )
    expected = schemaspec.from_database(changed_url)
    run(url, before_statements)
    before = schemaspec.from_database(url)
    fix = render_fix(expected, before)
    assert fix.complete and fix.downgrade_unexpressed == ()
    assert sorted(paths(fix.closed)) == [
        "changed view views.member_names",
        "unexpected view views.stale",
    ]
    run_script(url, fix.text)
    assert schemaspec.diff(expected, schemaspec.from_database(url)).changes == ()
