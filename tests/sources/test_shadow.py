"""Shadow mode: the models built in a scratch database of the target kind and read back with the
reader of the actual side, so models-vs-database is exact by construction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from test_faults import LOST, Killer, where

import schemaspec
from schemaspec import DatabaseConnectionError
from schemaspec.cli import main
from schemaspec.pytest_plugin import _require_server
from schemaspec.sources import shadow as shadow_module
from schemaspec.sources.scratch import scratch_database
from schemaspec.sources.shadow import ModelsNotCreatableError


def models() -> sa.MetaData:
    metadata = sa.MetaData()
    accounts = sa.Table(
        "accounts",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("balance", sa.Numeric(10, 2), nullable=False, server_default="0"),
        sa.Column("ratio", sa.Float(53)),
        sa.Column("code", sa.CHAR),
        sa.Column("created", sa.DateTime, server_default=sa.func.now()),
    )
    sa.Table(
        "entries",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2)),
        sa.CheckConstraint("amount != 0", name="ck_entries_amount"),
        sa.Index("ix_entries_amount", sa.text("amount DESC")),
    )
    sa.Index("ix_accounts_code", accounts.c.code, unique=True)
    return metadata


def server(request: pytest.FixtureRequest, kind: str) -> str:
    return _require_server(request.config, kind)


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def shadow_target(request: pytest.FixtureRequest) -> tuple[str, str | bool]:
    """(dialect, shadow): an in-memory SQLite database, or a server to make scratch ones on."""
    if request.param == "sqlite":
        return "sqlite", True
    return request.param, server(request, request.param)


def created(metadata: sa.MetaData, url: str) -> schemaspec.SchemaSpec:
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        return schemaspec.from_database(engine)
    finally:
        engine.dispose()


@contextmanager
def built(dialect: str, shadow: str | bool) -> Iterator[str]:
    """A scratch database of the kind the shadow uses, for the reference create_all."""
    if shadow is True:
        with scratch_database("sqlite://") as url:
            yield url
    else:
        assert isinstance(shadow, str)
        with scratch_database(shadow) as url:
            yield url


def test_the_shadow_spec_is_what_create_all_builds(shadow_target: tuple[str, Any]) -> None:
    dialect, shadow = shadow_target
    with built(dialect, shadow) as url:
        reference = created(models(), url)
    spec = schemaspec.from_models(models(), dialect=dialect, shadow=shadow)
    assert spec.dialect == reference.dialect
    # Read by the same reader; it says what the models describe (no views or triggers here).
    assert spec.describes == ("tables", "enums", "sequences")
    assert spec.model_copy(update={"describes": None}) == reference


def test_the_shadow_spec_diffs_clean_against_the_created_database(
    shadow_target: tuple[str, Any],
) -> None:
    dialect, shadow = shadow_target
    with built(dialect, shadow) as url:
        engine = sa.create_engine(url)
        try:
            models().create_all(engine)
            with engine.begin() as conn:
                on_table = " ON entries" if dialect == "mysql" else ""
                conn.execute(sa.text(f"DROP INDEX ix_entries_amount{on_table}"))
            actual = schemaspec.from_database(engine)
        finally:
            engine.dispose()
    result = schemaspec.diff(schemaspec.from_models(models(), shadow=shadow), actual)
    assert [(c.kind, c.object, c.path) for c in result.changes] == [
        ("missing", "index", "entries.indexes.ix_entries_amount")
    ]


def test_the_dialect_follows_the_shadow_server() -> None:
    assert schemaspec.from_models(models(), shadow=True).dialect == "sqlite"


def test_objects_made_by_ddl_events_are_expected() -> None:
    metadata = models()
    sa.event.listen(
        metadata.tables["entries"],
        "after_create",
        sa.DDL("CREATE INDEX ix_entries_by_event ON entries (account_id, amount)"),
    )
    shadow = schemaspec.from_models(metadata, shadow=True)
    assert shadow.tables["entries"].indexes["ix_entries_by_event"] == schemaspec.IndexSpec(
        columns=("account_id", "amount")
    )
    assert "ix_entries_by_event" not in schemaspec.from_models(metadata).tables["entries"].indexes


def test_tables_of_other_schemas_keep_qualified_keys_on_sqlite() -> None:
    metadata = models()
    sa.Table("events", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="audit")
    spec = schemaspec.from_models(metadata, shadow=True)
    assert sorted(spec.tables) == ["accounts", "audit.events", "entries"]
    assert schemaspec.diff(schemaspec.from_models(metadata, dialect="sqlite"), spec).changes == ()


@pytest.mark.postgresql
def test_tables_of_other_schemas_keep_qualified_keys_on_postgresql(
    request: pytest.FixtureRequest,
) -> None:
    metadata = models()
    sa.Table(
        "events",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_id", sa.ForeignKey("audit.entry_copies.id")),
        schema="audit",
    )
    sa.Table(
        "entry_copies", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="audit"
    )
    spec = schemaspec.from_models(metadata, shadow=server(request, "postgresql"))
    assert sorted(spec.tables) == ["accounts", "audit.entry_copies", "audit.events", "entries"]
    assert (
        spec.tables["audit.events"].foreign_keys["entry_id"].referred_table == "audit.entry_copies"
    )


def scratch_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the URL of every scratch database the shadow makes."""
    seen: list[str] = []
    real = shadow_module.scratch_database

    @contextmanager
    def recording(url: Any) -> Iterator[str]:
        with real(url) as scratch:
            seen.append(scratch)
            yield scratch

    monkeypatch.setattr(shadow_module, "scratch_database", recording)
    return seen


def database_exists(server_url: str, name: str) -> bool:
    engine = sa.create_engine(server_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                query = "SELECT count(*) FROM pg_database WHERE datname = :name"
            else:
                query = "SELECT count(*) FROM information_schema.schemata WHERE schema_name = :name"
            return bool(conn.execute(sa.text(query), {"name": name}).scalar())
    finally:
        engine.dispose()


def duplicate_index_models() -> sa.MetaData:
    metadata = sa.MetaData()
    table = sa.Table(
        "things",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("v", sa.Integer),
    )
    sa.Index("ix_things", table.c.v)
    sa.Index("ix_things", table.c.id)
    return metadata


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_the_scratch_database_is_dropped_after_success_and_after_a_refusal(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    server_url = server(request, kind)
    seen = scratch_names(monkeypatch)
    schemaspec.from_models(models(), shadow=server_url)
    with pytest.raises(ModelsNotCreatableError, match=r"on (postgresql|mysql): index ix_things: "):
        schemaspec.from_models(duplicate_index_models(), shadow=server_url)
    assert len(seen) == 2
    for url in seen:
        assert not database_exists(server_url, sa.engine.make_url(url).database or "")


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("postgresql", marks=pytest.mark.postgresql),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def test_a_server_lost_while_the_models_are_created_is_not_blamed_on_them(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A connection ended mid-``create_all`` (tests/test_faults.py's technique: a second
    connection ends the session right before its first CREATE TABLE) is a connection error
    naming the database, not ModelsNotCreatableError saying the models are at fault."""
    server_url = server(request, kind)
    seen = scratch_names(monkeypatch)

    def ours(name: str) -> bool:
        # Only this run's scratch database: others run tests on the same server.
        return name in {sa.engine.make_url(url).database for url in seen}

    with (
        Killer(server_url, ours, 1, after="CREATE TABLE") as killer,
        pytest.raises(DatabaseConnectionError) as raised,
    ):
        schemaspec.from_models(models(), shadow=server_url)
    assert "CREATE TABLE" in killer.killed
    (scratch,) = seen
    assert str(raised.value) == (
        f"lost the connection to {where(scratch)} while creating the models: {LOST[kind]}"
    )
    # No driver exception chained: it would print the SQL.
    assert raised.value.__cause__ is None and raised.value.__context__ is None
    assert not database_exists(server_url, sa.engine.make_url(scratch).database or "")


def test_models_the_database_refuses_are_named_with_its_error() -> None:
    with pytest.raises(ModelsNotCreatableError) as caught:
        schemaspec.from_models(duplicate_index_models(), shadow=True)
    assert str(caught.value) == (
        "the models cannot be created on sqlite: index ix_things: index ix_things already exists"
    )


def test_an_index_with_no_columns_is_a_finding() -> None:
    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Index("ix_empty", _table=table)  # what __table_args__ = (Index("ix_empty"),) makes
    with pytest.raises(
        ModelsNotCreatableError, match=r"^the models cannot be created on sqlite: index ix_empty: "
    ):
        schemaspec.from_models(metadata, shadow=True)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"dialect": "postgresql", "shadow": True},
            "shadow=True builds the models in an in-memory SQLite database, not postgresql: "
            "give the URL of a postgresql server to create a scratch database on",
        ),
        (
            {"dialect": "mysql", "shadow": "sqlite://"},
            "the shadow database is sqlite but the models are rendered for mysql: give a shadow "
            "server of the same kind",
        ),
        (
            {"shadow": "not a url"},
            "shadow: not a database URL: 'not a url' (expected e.g. "
            "postgresql+psycopg://user@host/postgres, or True for SQLite)",
        ),
        ({"shadow": False}, "shadow=False: leave shadow out (None) to build the spec without one"),
        (
            {"dialect": "postgres"},
            "unknown dialect 'postgres': did you mean 'postgresql'? choose one of postgresql, "
            "mysql, mariadb, sqlite",
        ),
        (
            {"dialect": "oracle"},
            "unknown dialect 'oracle': choose one of postgresql, mysql, mariadb, sqlite",
        ),
    ],
)
def test_bad_shadow_and_dialect_arguments_are_refused(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(schemaspec.SourceError) as caught:
        schemaspec.from_models(models(), **options)
    assert str(caught.value) == message


@pytest.mark.mysql
def test_mysql_shadow_refuses_tables_of_other_databases(request: pytest.FixtureRequest) -> None:
    metadata = models()
    sa.Table("events", metadata, sa.Column("id", sa.Integer, primary_key=True), schema="audit")
    with pytest.raises(schemaspec.SourceError, match=r"tables in \['audit'\] cannot be built"):
        schemaspec.from_models(metadata, shadow=server(request, "mysql"))


# --- the command line -----------------------------------------------------------------------


def test_cli_shadow_alone_compares_with_a_sqlite_database(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "shadow_models.py"
    module.write_text(
        "import sqlalchemy as sa\n"
        "metadata = sa.MetaData()\n"
        "sa.Table('t', metadata, sa.Column('id', sa.Integer, primary_key=True),"
        " sa.Column('x', sa.Float(53)))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    database = tmp_path / "app.db"
    url = f"sqlite:///{database}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER NOT NULL, x FLOAT, PRIMARY KEY (id))")
    engine.dispose()
    assert main(["diff", "shadow_models:metadata", url, "--shadow"]) == 0
    assert "No schema differences" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["diff", "a.b:Base", "postgresql+psycopg://app@db/app", "--shadow"],
            "schemaspec: error: --shadow alone builds the models in SQLite, but "
            "postgresql+psycopg://app@db/app is postgresql: give --shadow the URL of a "
            "postgresql server you may create databases on\n",
        ),
        (
            ["diff", "a.toml", "b.toml", "--shadow"],
            "schemaspec: error: --shadow builds models, and no source here is models "
            "(pkg.module:Base)\n",
        ),
    ],
)
def test_cli_refuses_a_shadow_that_cannot_apply(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == message


def test_cli_dialect_names_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "a.b:Base", "b.toml", "--dialect", "postgres"]) == 2
    assert capsys.readouterr().err == (
        "schemaspec: error: argument --dialect: unknown dialect 'postgres': did you mean "
        "'postgresql'? choose one of postgresql, mysql, mariadb, sqlite "
        "(see: schemaspec diff --help)\n"
    )
