"""from_alembic: the schema an Alembic revision builds, on a scratch database or an empty one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.config import Config
from example_project import (
    INI,
    MERGE_REVISION,
    PHASE7,
    PHASE7_REVISION,
    add_revision,
    copy_example,
    enum_types,
    tables,
)
from unioncore.models import Base

import schemaspec
from schemaspec import SourceError
from schemaspec.cli import main
from schemaspec.sources.alembic import from_alembic_source, parse_alembic_source

MODELS = "unioncore.models:Base"

MINIMAL_ENV = '''\
"""An env.py like Alembic's template: it knows only sqlalchemy.url, not attributes."""
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}),
    prefix="sqlalchemy.",
    poolclass=pool.NullPool,
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
'''


def shape(result: schemaspec.SchemaDiff) -> list[tuple[str, str, str]]:
    return [(change.kind, change.object, change.path) for change in result.changes]


@pytest.fixture
def private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scratch SQLite files go here, so a test can see that none is left behind."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


# -- the seed's story ----------------------------------------------------------------------


def test_before_phase7_the_models_have_exactly_the_six_missing_tables() -> None:
    result = schemaspec.diff(
        schemaspec.from_models(Base), schemaspec.from_alembic(INI, MERGE_REVISION)
    )
    assert shape(result) == [("missing", "table", name) for name in PHASE7]


def test_a_history_without_the_phase7_revision_misses_the_six_tables(tmp_path: Path) -> None:
    ini = copy_example(tmp_path, without=(PHASE7_REVISION,))
    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_alembic(ini))
    assert shape(result) == [("missing", "table", name) for name in PHASE7]


def test_after_phase7_migrations_and_models_agree() -> None:
    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_alembic(INI))
    assert result.changes == ()


def test_the_newest_migration_adds_exactly_the_six_tables() -> None:
    before = schemaspec.from_alembic(INI, MERGE_REVISION)
    after = schemaspec.from_alembic(str(INI), "head")
    result = schemaspec.diff(before, after)
    assert result.changes == tuple(
        schemaspec.Change(kind="unexpected", object="table", path=name, actual=after.tables[name])
        for name in PHASE7
    )


def test_base_is_the_empty_schema() -> None:
    assert schemaspec.from_alembic(INI, "base") == schemaspec.SchemaSpec(dialect="sqlite")


def test_a_config_object_is_used_and_left_as_it_was() -> None:
    config = Config(str(INI))
    config.attributes["configure_logger"] = False
    url_before = config.get_main_option("sqlalchemy.url")
    spec = schemaspec.from_alembic(config, MERGE_REVISION)
    assert sorted(spec.tables) == ["members"]
    assert config.get_main_option("sqlalchemy.url") == url_before
    assert "connection" not in config.attributes


def test_scratch_database_is_removed(private_tempdir: Path) -> None:
    schemaspec.from_alembic(INI)
    assert os.listdir(private_tempdir) == []


# -- on a database the caller names --------------------------------------------------------


def test_on_an_empty_postgresql_database_then_empty_again(schemaspec_postgresql_url: str) -> None:
    spec = schemaspec.from_alembic(INI, url=schemaspec_postgresql_url)
    assert spec.dialect == "postgresql"
    assert sorted(spec.enums) == ["member_status"]
    assert schemaspec.diff(schemaspec.from_models(Base), spec).changes == ()
    assert tables(schemaspec_postgresql_url) == []
    assert enum_types(schemaspec_postgresql_url) == []
    # Emptied again, so the same database serves the next call.
    again = schemaspec.from_alembic(INI, MERGE_REVISION, url=schemaspec_postgresql_url)
    assert sorted(again.tables) == ["members"]
    assert tables(schemaspec_postgresql_url) == []


def test_refuses_a_database_with_tables_and_leaves_it_alone(schemaspec_sqlite_url: str) -> None:
    engine = sa.create_engine(schemaspec_sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO customers VALUES (1)")
    with pytest.raises(SourceError) as raised:
        schemaspec.from_alembic(INI, url=schemaspec_sqlite_url)
    database = sa.engine.make_url(schemaspec_sqlite_url).database
    assert str(raised.value) == (
        f"sqlite:///{database} is not empty (1 table: customers); migrations run only on an"
        " empty database, so no data is touched"
    )
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT id FROM customers").all() == [(1,)]
    engine.dispose()


def test_an_env_py_that_reads_only_sqlalchemy_url(tmp_path: Path) -> None:
    ini = copy_example(tmp_path)
    (ini.parent / "migrations" / "env.py").write_text(MINIMAL_ENV)
    expected = schemaspec.from_models(Base)
    assert schemaspec.diff(expected, schemaspec.from_alembic(ini)).changes == ()
    # A "%" in the URL must survive the ini parser's interpolation.
    directory = tmp_path / "100%"
    directory.mkdir()
    url = f"sqlite:///{directory / 'unioncore.db'}"
    assert schemaspec.diff(expected, schemaspec.from_alembic(ini, url=url)).changes == ()
    assert tables(url) == []


# -- errors --------------------------------------------------------------------------------


def test_missing_config(tmp_path: Path) -> None:
    missing = tmp_path / "alembic.ini"
    with pytest.raises(SourceError) as raised:
        schemaspec.from_alembic(missing)
    assert str(raised.value) == f"no Alembic config at {str(missing)!r}"


def test_a_config_without_script_location(tmp_path: Path) -> None:
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nsqlalchemy.url = sqlite://\n")
    with pytest.raises(SourceError) as raised:
        schemaspec.from_alembic(ini)
    assert str(raised.value) == (
        f"{ini}: cannot read the Alembic project: CommandError: No 'script_location' key found"
        " in configuration."
    )


def test_unknown_revision() -> None:
    with pytest.raises(SourceError) as raised:
        schemaspec.from_alembic(INI, "ffffffffffff")
    assert str(raised.value) == (
        f"{INI}: unknown revision 'ffffffffffff': ResolutionError: No such revision or branch"
        " 'ffffffffffff'"
    )


BOOM = "eeee00000001"


def add_failing_revision(ini: Path) -> None:
    add_revision(
        ini,
        BOOM,
        PHASE7_REVISION,
        upgrade="""
            op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
            raise RuntimeError("boom halfway")
        """,
        downgrade='op.drop_table("half_done")',
    )


def test_a_migration_raising_midway_names_its_revision_and_leaves_nothing(
    tmp_path: Path, private_tempdir: Path
) -> None:
    ini = copy_example(tmp_path)
    add_failing_revision(ini)
    with pytest.raises(SourceError) as raised:
        schemaspec.from_alembic(ini)
    assert str(raised.value) == (
        f"{ini}: upgrade of revision {BOOM} failed: RuntimeError: boom halfway"
    )
    assert os.listdir(private_tempdir) == []
    # The revisions before it are fine on their own.
    assert sorted(schemaspec.from_alembic(ini, PHASE7_REVISION).tables) == sorted(
        ("members", *PHASE7)
    )


def test_a_migration_raising_midway_on_postgresql_leaves_the_database_empty(
    tmp_path: Path, schemaspec_postgresql_url: str
) -> None:
    ini = copy_example(tmp_path)
    add_failing_revision(ini)
    with pytest.raises(SourceError) as raised:
        schemaspec.from_alembic(ini, url=schemaspec_postgresql_url)
    assert str(raised.value) == (
        f"{ini}: upgrade of revision {BOOM} failed: RuntimeError: boom halfway"
    )
    assert tables(schemaspec_postgresql_url) == []
    assert enum_types(schemaspec_postgresql_url) == []


# -- the source form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alembic:alembic.ini", ("alembic.ini", "head")),
        ("alembic:a/b/alembic.ini@9d48d853728b", ("a/b/alembic.ini", "9d48d853728b")),
        ("alembic:a/b/alembic.ini@base", ("a/b/alembic.ini", "base")),
        ("alembic:me@host/alembic.ini", ("me@host/alembic.ini", "head")),
    ],
)
def test_parse_alembic_source(text: str, expected: tuple[str, str]) -> None:
    assert parse_alembic_source(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alembic:", "'alembic:': expected 'alembic:path/to/alembic.ini[@revision]'"),
        ("alembic:alembic.ini@", "'alembic:alembic.ini@': no revision after '@'"),
    ],
)
def test_parse_alembic_source_errors(text: str, message: str) -> None:
    with pytest.raises(SourceError) as raised:
        parse_alembic_source(text)
    assert str(raised.value) == message


def test_source_form() -> None:
    spec = from_alembic_source(f"alembic:{INI}@{MERGE_REVISION}")
    assert sorted(spec.tables) == ["members"]


def test_cli_diff_between_two_revisions_shows_the_newest_migration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    older, newer = f"alembic:{INI}@{MERGE_REVISION}", f"alembic:{INI}@head"
    assert main(["diff", older, newer]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        f"Schema differences between {older} (expected) and {newer} (actual):"
    )
    assert [line for line in out.splitlines() if line.startswith("  ")] == [
        "  book_registrations: unexpected table (10 columns)",
        "  dispatches: unexpected table (11 columns)",
        "  job_bids: unexpected table (9 columns)",
        "  labor_requests: unexpected table (11 columns)",
        "  referral_books: unexpected table (10 columns)",
        "  registration_activities: unexpected table (9 columns)",
    ]
    assert out.splitlines()[-1] == "6 unexpected tables"


def test_cli_models_against_migrations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", MODELS, f"alembic:{INI}"]) == 0
    assert main(["diff", MODELS, f"alembic:{INI}@{MERGE_REVISION}"]) == 1
    assert main(["diff", MODELS, "alembic:nowhere/alembic.ini"]) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: no Alembic config at 'nowhere/alembic.ini'\n"
    )


def test_head_of_a_history_with_several_heads_is_ambiguous(tmp_path: Path) -> None:
    ini = copy_example(tmp_path)
    add_revision(ini, "bbbb00000001", MERGE_REVISION, upgrade="pass")
    with pytest.raises(SourceError) as raised:
        schemaspec.from_alembic(ini)
    assert str(raised.value) == (
        f"{ini}: 'head' is ambiguous, the history has several heads"
        f" ({PHASE7_REVISION}, bbbb00000001): name one of them, or 'heads' for all"
    )
    assert sorted(schemaspec.from_alembic(ini, "heads").tables) == sorted(("members", *PHASE7))
