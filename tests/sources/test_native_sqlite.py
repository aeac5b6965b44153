"""SQLite's native catalog reader against SQLAlchemy's reflection, its oracle.

Both readers read the same databases (``SCHEMASPEC_READER=sqlalchemy`` selects the oracle) and
must give exactly the same spec, except where SQLAlchemy misreads the DDL: those cases are
listed apart, each with what the database's own catalog (the DDL text in ``sqlite_master``,
the pragmas) says.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from zoo import schema_zoo, zoo

from schemaspec import SchemaSpec, from_database, from_models
from schemaspec.errors import DatabaseConnectionError, SourceError
from schemaspec.sources.reader_choice import READER_VARIABLE
from schemaspec.spec import CheckSpec, ForeignKeySpec, IndexSpec, UniqueSpec


def read_both(
    monkeypatch: pytest.MonkeyPatch, bind: Any, **options: Any
) -> tuple[SchemaSpec, SchemaSpec]:
    """``(native, oracle)``: the spec of ``bind`` read by each reader."""
    monkeypatch.delenv(READER_VARIABLE, raising=False)
    native = from_database(bind, **options)
    with monkeypatch.context() as patch:
        patch.setenv(READER_VARIABLE, "sqlalchemy")
        oracle = from_database(bind, **options)
    return native, oracle


def engine_with(tmp_path: Path, *statements: str) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    return engine


@pytest.fixture
def zoo_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    """The SQLite zoo in ``main`` and the other-schema zoo in an attached ``zoo_other``."""
    other = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'main.db'}")

    @sa.event.listens_for(engine, "connect")
    def attach(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.execute("ATTACH DATABASE ? AS zoo_other", (str(other),))

    zoo("sqlite").create_all(engine)
    schema_zoo("zoo_other").create_all(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    "options",
    [{}, {"schema": "zoo_other"}, {"schemas": "*"}, {"include": ["lite_*", "numbers"]}],
    ids=["main", "schema", "all-schemas", "include"],
)
def test_both_readers_read_the_zoo_alike(
    monkeypatch: pytest.MonkeyPatch, zoo_engine: sa.Engine, options: dict[str, Any]
) -> None:
    native, oracle = read_both(monkeypatch, zoo_engine, **options)

    assert native == oracle
    assert native.tables  # something was read
    if not options:
        # And it is the schema the models describe.
        assert native.tables == from_models(zoo("sqlite"), dialect="sqlite").tables


# DDL both readers read alike, and the table ``t`` each must read from it.
AGREED: list[Any] = [
    pytest.param(
        ["CREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, b TEXT UNIQUE NOT NULL)"],
        {
            "unique": {
                "email": UniqueSpec(columns=("email",)),
                "b": UniqueSpec(columns=("b",)),
            }
        },
        id="inline unique",
    ),
    pytest.param(
        ["CREATE TABLE t (a INT, total NUMERIC(12, 2) AS (a + 1) STORED, c INT)"],
        {"generated": {"total": "a+1"}},
        id="generated column, AS alone, comma in the type",
    ),
    pytest.param(
        ["CREATE TABLE t (a INT, b INT GENERATED ALWAYS AS (a*2) VIRTUAL, c INT)"],
        {"generated": {"b": "a*2"}},
        id="generated column on one line",
    ),
    pytest.param(
        [
            "CREATE TABLE p (id INTEGER PRIMARY KEY)",
            'CREATE TABLE t (id INTEGER PRIMARY KEY, p_id INTEGER, CONSTRAINT "fk ""p"""'
            " FOREIGN KEY (p_id) REFERENCES p (id) ON UPDATE SET NULL"
            " DEFERRABLE INITIALLY DEFERRED)",
        ],
        {
            "foreign_keys": {
                "p_id": ForeignKeySpec(
                    columns=("p_id",),
                    referred_table="p",
                    referred_columns=("id",),
                    name='fk "p"',
                    on_update="SET NULL",
                    deferrable="deferred",
                )
            }
        },
        id="named deferrable foreign key",
    ),
    pytest.param(
        [
            "CREATE TABLE p (a INT, b INT, PRIMARY KEY (b, a))",
            "CREATE TABLE t (x INT, y INT, FOREIGN KEY (x, y) REFERENCES p)",
        ],
        {
            "foreign_keys": {
                "x,y": ForeignKeySpec(
                    columns=("x", "y"), referred_table="p", referred_columns=("b", "a")
                )
            }
        },
        id="foreign key to the primary key, columns unnamed",
    ),
    pytest.param(
        [
            "CREATE TABLE t (a INT,\n CONSTRAINT ck CHECK (\n a > 0\n AND a < 5),"
            " CHECK (a <> 3), CONSTRAINT [ck a] CHECK (a <> 5))"
        ],
        {
            "checks": {
                "ck": CheckSpec(sqltext="a>0 and a<5", name="ck"),
                "ck a": CheckSpec(sqltext="a<>5", name="ck a"),
                "a <> 3": CheckSpec(sqltext="a<>3"),
            }
        },
        id="checks over lines, named and not",
    ),
    pytest.param(
        [
            'CREATE TABLE t (a TEXT COLLATE NOCASE, b TEXT COLLATE "RTRIM",'
            " c TEXT CHECK (c COLLATE BINARY = 'x'))"
        ],
        {"collations": {"a": "nocase", "b": "rtrim", "c": None}},
        id="collations",
    ),
    pytest.param(
        [
            "CREATE TABLE t (a TEXT, b INT)",
            "CREATE INDEX ix ON t (lower(a), b DESC) WHERE b > 0",
            'CREATE UNIQUE INDEX ix2 ON t ("a" ASC, b DESC)',
        ],
        {
            "indexes": {
                "ix": IndexSpec(columns=("lower(a)", "b desc"), where="b>0"),
                "ix2": IndexSpec(columns=("a", "b desc"), unique=True),
            }
        },
        id="expression, partial and descending indexes",
    ),
    pytest.param(
        [
            "CREATE TABLE t ( -- a comment, with (a parenthesis\n"
            " a INT /* CONSTRAINT x */ CONSTRAINT ck_a CHECK (a > 0), b INT)"
        ],
        {"checks": {"ck_a": CheckSpec(sqltext="a>0", name="ck_a")}},
        id="comments",
    ),
    pytest.param(
        ['CREATE TABLE t (a POINT, b INT8, c, d "My Type"(3))'],
        {"types": {"a": "point", "b": "bigint", "c": "unknown", "d": "my type"}},
        id="types SQLite does not know",
    ),
    pytest.param(
        ["CREATE TABLE t (k TEXT PRIMARY KEY, v INT) WITHOUT ROWID"],
        {"primary_key": ("k",), "unique": {}},
        id="without rowid",
    ),
    pytest.param(
        ["CREATE TABLE t (id VARCHAR(5) PRIMARY KEY, UNIQUE (id))"],
        {"primary_key": ("id",), "unique": {"id": UniqueSpec(columns=("id",))}},
        id="unique clause on the primary key",
    ),
    pytest.param(
        ["CREATE VIRTUAL TABLE t USING fts5(title, body)"],
        {"types": {"title": "unknown", "body": "unknown"}},
        id="virtual table",
    ),
]


def facts(spec: SchemaSpec, wanted: dict[str, Any]) -> dict[str, Any]:
    """The facts of table ``t`` that ``wanted`` names, read from ``spec``."""
    table = spec.tables["t"]
    found: dict[str, Any] = {}
    for fact in wanted:
        if fact == "generated":
            found[fact] = {n: c.computed for n, c in table.columns.items() if c.computed}
        elif fact == "collations":
            found[fact] = {n: c.collation for n, c in table.columns.items()}
        elif fact == "types":
            found[fact] = {n: c.type for n, c in table.columns.items()}
        else:
            found[fact] = getattr(table, fact)
    return found


@pytest.mark.parametrize(("statements", "expected"), AGREED)
def test_both_readers_read_hand_written_ddl_alike(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    statements: list[str],
    expected: dict[str, Any],
) -> None:
    engine = engine_with(tmp_path, *statements)
    native, oracle = read_both(monkeypatch, engine)
    engine.dispose()

    assert native == oracle
    assert facts(native, expected) == expected


# DDL SQLAlchemy 2.1 misreads (a regular expression over the whole statement, or one line of
# it); the native reader reads what the DDL in sqlite_master says, as SQLite itself parses it.
MISREAD_BY_SQLALCHEMY: list[Any] = [
    pytest.param(
        ["CREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR(40) CONSTRAINT uq_email UNIQUE)"],
        {"unique": {"email": UniqueSpec(columns=("email",), name="uq_email")}},
        id="named inline unique (SQLAlchemy: unnamed)",
    ),
    pytest.param(
        ["CREATE TABLE t (id INTEGER PRIMARY KEY, Code TEXT, CONSTRAINT uq UNIQUE (code))"],
        {"unique": {"Code": UniqueSpec(columns=("Code",), name="uq")}},
        id="unique naming its column in another case (SQLAlchemy: unnamed)",
    ),
    pytest.param(
        ['CREATE TABLE t ("a,b" INT, [c d] TEXT, CONSTRAINT "u(q" UNIQUE ("a,b", [c d]))'],
        {"unique": {"a,b,c d": UniqueSpec(columns=("a,b", "c d"), name="u(q")}},
        id="quoted unique name holding a parenthesis (SQLAlchemy: unnamed)",
    ),
    pytest.param(
        [
            "CREATE TABLE p (id INTEGER PRIMARY KEY)",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, p_id INTEGER CONSTRAINT fk_p REFERENCES p (id)"
            " ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)",
        ],
        {
            "foreign_keys": {
                "p_id": ForeignKeySpec(
                    columns=("p_id",),
                    referred_table="p",
                    referred_columns=("id",),
                    name="fk_p",
                    on_delete="CASCADE",
                    deferrable="deferred",
                )
            }
        },
        id="named deferrable inline foreign key (SQLAlchemy: unnamed, not deferrable)",
    ),
    pytest.param(
        ['CREATE TABLE t (id INTEGER, CONSTRAINT "pk ""q""" PRIMARY KEY (id))'],
        {"primary_key_name": 'pk "q"'},
        id='quoted primary key name (SQLAlchemy: pk ""q"")',
    ),
    pytest.param(
        [
            "CREATE TABLE t (a INT DEFAULT -1 CHECK (a <> 0), b TEXT DEFAULT 'CHECK (x)',"
            " c TEXT CONSTRAINT ck_c CHECK (c IN ('x', 'CHECK (y)')))"
        ],
        {
            "checks": {
                "a <> 0": CheckSpec(sqltext="a<>0"),
                "ck_c": CheckSpec(sqltext="c in('x','CHECK (y)')", name="ck_c"),
            }
        },
        id="CHECK inside a string literal (SQLAlchemy: checks x and y)",
    ),
    pytest.param(
        [
            "CREATE TABLE t (a TEXT, b INT)",
            "CREATE INDEX ix ON t (a) WHERE a IS NOT NULL\n AND b > 1",
        ],
        {"indexes": {"ix": IndexSpec(columns=("a",), where="a is not null and b>1")}},
        id="partial index predicate over lines (SQLAlchemy: its first line)",
    ),
]


@pytest.mark.parametrize(("statements", "expected"), MISREAD_BY_SQLALCHEMY)
def test_what_sqlalchemy_misreads_is_read_as_the_ddl_says(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    statements: list[str],
    expected: dict[str, Any],
) -> None:
    engine = engine_with(tmp_path, *statements)
    native, oracle = read_both(monkeypatch, engine)
    engine.dispose()

    assert facts(native, expected) == expected
    # Everything else both read alike.
    table, other = native.tables["t"], oracle.tables["t"]
    fields = set(type(table).model_fields) - set(expected)
    assert {f: getattr(table, f) for f in fields} == {f: getattr(other, f) for f in fields}


def test_a_foreign_key_to_a_table_left_out_refers_to_its_primary_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = engine_with(
        tmp_path,
        "CREATE TABLE parent (a TEXT, b INT, PRIMARY KEY (b, a))",
        "CREATE TABLE t (x INT, y TEXT, FOREIGN KEY (x, y) REFERENCES parent)",
    )
    native, oracle = read_both(monkeypatch, engine, exclude=["parent"])
    engine.dispose()

    assert native == oracle
    assert set(native.tables) == {"t"}
    assert native.tables["t"].foreign_keys["x,y"].referred_columns == ("b", "a")


def statements_sent(engine: sa.Engine) -> list[str]:
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        from_database(engine)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return sent


def numbered_tables(count: int) -> sa.MetaData:
    metadata = sa.MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"})
    for number in range(count):
        sa.Table(
            f"t{number:03d}",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.ForeignKey(f"t{max(number - 1, 0):03d}.id")),
            sa.Column("code", sa.String(10), unique=True),
            sa.Column("total", sa.Integer, sa.Computed("id * 2")),
            sa.CheckConstraint("id > 0", name=f"ck_t{number:03d}_id"),
            sa.Index(f"ix_t{number:03d}_parent", "parent_id"),
            sa.Index(f"ix_t{number:03d}_lower", sa.func.lower(sa.text("code"))),
        )
    return metadata


def test_the_catalog_is_read_in_the_same_statements_for_60_tables_as_for_5(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(READER_VARIABLE, raising=False)
    sent = {}
    for count in (5, 60):
        engine = sa.create_engine(f"sqlite:///{tmp_path / f'{count}.db'}")
        metadata = numbered_tables(count)
        metadata.create_all(engine)
        sent[count] = statements_sent(engine)
        assert from_database(engine).tables == from_models(metadata, dialect="sqlite").tables
        engine.dispose()
    # The session (query_only, BEGIN), sqlite_master, views and triggers, the one bulk
    # statement, the session's end.
    assert len(sent[5]) == len(sent[60]) == 6
    assert [s for s in sent[60] if "pragma_table_xinfo" in s] == [
        s for s in sent[60] if "pragma_index_xinfo" in s
    ]
    assert not [s for s in sent[60] if s.startswith("PRAGMA main.")]


def test_the_switch_selects_sqlalchemys_reflection(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = engine_with(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
    monkeypatch.setenv(READER_VARIABLE, "sqlalchemy")
    oracle = statements_sent(engine)
    monkeypatch.setenv(READER_VARIABLE, " Native ")
    native = statements_sent(engine)
    engine.dispose()

    def bulk(sent: list[str]) -> list[str]:
        return [s for s in sent if "pragma_foreign_key_list(t.name" in s]

    assert len(bulk(native)) == 1
    assert bulk(oracle) == []


def test_an_unknown_reader_is_bad_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    engine = engine_with(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
    monkeypatch.setenv(READER_VARIABLE, "fast")
    with pytest.raises(SourceError) as raised:
        from_database(engine)
    engine.dispose()
    assert str(raised.value) == (
        "SCHEMASPEC_READER='fast' names no reader: set it to native or sqlalchemy, or unset it"
    )

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    done = subprocess.run(
        [sys.executable, "-m", "schemaspec", "snapshot", url],
        capture_output=True,
        text=True,
        env={**os.environ, READER_VARIABLE: "fast"},
        check=False,
    )
    assert done.returncode == 2
    assert "SCHEMASPEC_READER='fast' names no reader" in done.stderr


def test_an_attached_schema_that_is_not_there_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = engine_with(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY)")
    monkeypatch.delenv(READER_VARIABLE, raising=False)
    with pytest.raises(SourceError) as raised:
        from_database(engine, schema="nowhere")
    engine.dispose()
    assert str(raised.value) == f"sqlite:///{tmp_path / 'db.sqlite'} has no schema 'nowhere'"


def test_a_table_the_pragmas_fail_on_fails_as_it_does_through_sqlalchemy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A virtual table whose module this SQLite does not have (a file made where an extension
    # was loaded): its pragmas fail. The DDL is written as such a SQLite would have stored it.
    engine = engine_with(
        tmp_path,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)",
        "PRAGMA writable_schema = ON",
        "INSERT INTO sqlite_master (type, name, tbl_name, rootpage, sql) VALUES"
        " ('table', 'v', 'v', 0, 'CREATE VIRTUAL TABLE v USING nosuchmodule(a, b)')",
    )
    engine.dispose()  # a new connection reads the schema as stored
    failures = []
    for reader in ("native", "sqlalchemy"):
        monkeypatch.setenv(READER_VARIABLE, reader)
        with pytest.raises(DatabaseConnectionError) as raised:
            from_database(engine)
        failures.append(str(raised.value))
    assert (
        failures
        == [
            f"reading the schema of sqlite:///{tmp_path / 'db.sqlite'} failed: "
            "no such module: nosuchmodule"
        ]
        * 2
    )

    native, oracle = read_both(monkeypatch, engine, exclude=["v"])
    engine.dispose()
    assert native == oracle
    assert set(native.tables) == {"t"}
