"""The bad input catalogue (docs/bad-input.md), one test per row.

Every row runs the real command line: exit 2, nothing on stdout, exactly one line on stderr and
that line is the documented one. Rows about passwords and hung servers live in test_secrets.py
and test_session.py, next to the servers they need.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemaspec.cli import main

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "specs" / "unioncore.toml"
INI = ROOT / "docs" / "examples" / "unioncore" / "alembic.ini"
CONTRACT = ROOT / "docs" / "examples" / "unioncore" / "schema-is-law.contract.toml"

FILES = {
    "broken.toml": "schemaspec = 1\n[tables.t\ncolumns = 1\n",
    "broken.json": '{"schemaspec": 1,\n "tables": {,}}',
    "newer.toml": "schemaspec = 2\n",
    "unmarked.toml": "[tables.t]\n",
    "badfield.toml": 'schemaspec = 1\n[tables.t.columns.x]\ntype = "text"\ncolour = "red"\n',
    # Never silently wrong: what Python's JSON parser or a comparison as typed would have
    # quietly accepted.
    "duplicate.json": '{"schemaspec": 1,\n "dialect": "sqlite",\n "dialect": "mysql"}',
    "version0.toml": "schemaspec = 0\n",
    "postgres.toml": 'schemaspec = 1\ndialect = "postgres"\n',
    "typo.toml": 'schemaspec = 1\n[tables.t.columns.x]\ntype = "intgr"\n',
    "action.toml": (
        'schemaspec = 1\n[tables.t.foreign_keys.a]\ncolumns = ["a"]\nreferred_table = "u"\n'
        'referred_columns = ["id"]\non_delete = "casade"\n'
    ),
    "typo.contract.toml": (
        'schemaspec = 1\nmode = "contract"\n[tables.members.columns.id]\ntype = "intger"\n'
    ),
    # A base (and a MetaData) whose models were never imported: no tables.
    "empty_models.py": (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import DeclarativeBase\n"
        "metadata = sa.MetaData()\n"
        "class Base(DeclarativeBase):\n"
        "    pass\n"
    ),
    "nothing.contract.toml": 'schemaspec = 1\nmode = "contract"\n',
    "snapshot-only.toml": '[tool.schemaspec]\nsnapshot = "s.toml"\n',
    "models-only.toml": '[tool.schemaspec]\nmodels = "app.models:Base"\n',
    "dollar-env.toml": (
        '[tool.schemaspec]\nmodels = "app.models:Base"\ndatabase_env = "$DATABASE_URL"\n'
    ),
}

NO_TABLES = (
    "define no tables, so there is nothing to compare: import the modules that define the "
    "models where the base is defined, or name another base"
)

SOURCE_FORMS = (
    "expected models ('pkg.module:attr'), a database URL ('postgresql+psycopg://...'), "
    "a snapshot ('.toml'/'.json') or 'alembic:path/to/alembic.ini[@revision]'"
)

# (case id, argv with {tmp} for the test's directory, the one line on stderr)
CASES = [
    (
        "malformed-toml",
        ["snapshot", "{tmp}/broken.toml"],
        "{tmp}/broken.toml, line 2: invalid TOML: Expected ']' at the end of a table declaration",
    ),
    (
        "malformed-json",
        ["diff", "{tmp}/broken.json", str(SNAPSHOT)],
        "{tmp}/broken.json, line 2: invalid JSON: Expecting property name enclosed in double "
        "quotes",
    ),
    (
        "newer-format",
        ["snapshot", "{tmp}/newer.toml"],
        "{tmp}/newer.toml, field 'schemaspec': written in snapshot format 2, newer than this "
        "schemaspec reads (1); upgrade schemaspec",
    ),
    (
        "not-a-snapshot",
        ["snapshot", "{tmp}/unmarked.toml"],
        "{tmp}/unmarked.toml: not a schemaspec snapshot: the key 'schemaspec' (format version) "
        "is missing",
    ),
    (
        "unknown-field",
        ["snapshot", "{tmp}/badfield.toml"],
        "{tmp}/badfield.toml, field 'tables.t.columns.x.colour': Extra inputs are not permitted",
    ),
    (
        "duplicate-json-key",
        ["snapshot", "{tmp}/duplicate.json"],
        "{tmp}/duplicate.json, line 3, field 'dialect': duplicate key 'dialect': JSON would "
        "silently keep only the last value",
    ),
    (
        "format-version-zero",
        ["snapshot", "{tmp}/version0.toml"],
        "{tmp}/version0.toml, field 'schemaspec': format version must be 1, not 0",
    ),
    (
        "snapshot-unknown-dialect",
        ["snapshot", "{tmp}/postgres.toml"],
        "{tmp}/postgres.toml, field 'dialect': unknown dialect 'postgres': did you mean "
        "'postgresql'? choose one of postgresql, mysql, mariadb, sqlite",
    ),
    (
        "snapshot-unknown-type",
        ["diff", str(SNAPSHOT), "{tmp}/typo.toml"],
        "{tmp}/typo.toml, field 'tables.t.columns.x.type': unknown type 'intgr': did you mean "
        "'integer'? (a user-defined type of that name is written in double quotes: \"intgr\")",
    ),
    (
        "snapshot-unknown-action",
        ["snapshot", "{tmp}/action.toml"],
        "{tmp}/action.toml, field 'tables.t.foreign_keys.a.on_delete': unknown foreign key "
        "action 'casade': did you mean 'CASCADE'? choose one of CASCADE, SET NULL, "
        "SET DEFAULT, RESTRICT, NO ACTION",
    ),
    (
        "contract-unknown-type",
        ["contract", "{tmp}/typo.contract.toml", str(SNAPSHOT)],
        "{tmp}/typo.contract.toml, line 4, field 'tables.members.columns.id.type': unknown type "
        "'intger': did you mean 'integer'? (a user-defined type of that name is written in "
        'double quotes: "intger")',
    ),
    ("missing-snapshot", ["snapshot", "{tmp}/nowhere.toml"], "{tmp}/nowhere.toml: no such file"),
    (
        "unknown-source-form",
        ["diff", "what", str(SNAPSHOT)],
        f"cannot tell what 'what' is: {SOURCE_FORMS}",
    ),
    (
        "unknown-source-form-with-password",
        ["diff", "db://app:hunter2@host", str(SNAPSHOT)],
        "no SQLAlchemy dialect for 'db'",
    ),
    (
        "import-fails",
        ["snapshot", "nope.models:Base"],
        "cannot import 'nope.models': ModuleNotFoundError: No module named 'nope'",
    ),
    (
        "import-missing-attribute",
        ["snapshot", "json:Base"],
        "module 'json' has no attribute 'Base'",
    ),
    (
        "import-not-models",
        ["snapshot", "json:dumps"],
        "'json:dumps' is neither a SQLAlchemy MetaData nor a declarative base with .metadata",
    ),
    (
        "import-raises",
        ["snapshot", "broken_models:Base"],
        "cannot import 'broken_models': RuntimeError: models are broken: see the line above",
    ),
    (
        "missing-alembic-ini",
        ["snapshot", "alembic:{tmp}/alembic.ini"],
        "no Alembic config at '{tmp}/alembic.ini'",
    ),
    (
        "unknown-revision",
        ["snapshot", f"alembic:{INI}@abc123"],
        f"{INI}: unknown revision 'abc123': ResolutionError: No such revision or branch 'abc123'",
    ),
    (
        "non-empty-migration-database",
        ["migrations", str(INI), "--url", "sqlite:///{tmp}/full.db"],
        "sqlite:///{tmp}/full.db is not empty (1 table: customers); migrations run only on an "
        "empty database, so no data is touched",
    ),
    (
        "port-not-a-number",
        ["snapshot", "postgresql+psycopg://app:p@ss:99x@127.0.0.1:5432/app"],
        "not a database URL: its port is not a number (or its user name or password holds a raw "
        "'@', '/' or ':': percent-encode them as %40, %2F and %3A)",
    ),
    (
        "unknown-driver-option",
        ["snapshot", "mysql+pymysql://app:hunter2@127.0.0.1:1/app?bogus=1"],
        "cannot connect to mysql database 'app' at 127.0.0.1:1: the driver rejected the URL's "
        "connection options (TypeError: Connection.__init__() got an unexpected keyword argument "
        "'bogus')",
    ),
    (
        "missing-schema",
        ["snapshot", "sqlite:///{tmp}/full.db", "--schema", "nosuch"],
        "sqlite:///{tmp}/full.db has no schema 'nosuch'",
    ),
    (
        "missing-sqlite-file",
        ["snapshot", "sqlite:///{tmp}/nowhere.db"],
        "no SQLite database file at '{tmp}/nowhere.db'",
    ),
    (
        "missing-driver",
        ["snapshot", "postgresql+psycopg2://app@127.0.0.1/app"],
        "the driver for 'postgresql+psycopg2' is not installed (psycopg2); install it with: "
        "pip install psycopg2-binary, or use postgresql+psycopg:// with: "
        "pip install 'schemaspec[postgresql]'",
    ),
    (
        "missing-driver-default",
        ["snapshot", "mysql://app@127.0.0.1/app"],
        "the driver for 'mysql' is not installed (MySQLdb); install it with: pip install "
        "mysqlclient, or use mysql+pymysql:// with: pip install 'schemaspec[mysql]'",
    ),
    (
        "missing-driver-no-extra",
        ["snapshot", "mssql+pyodbc://app@127.0.0.1/app"],
        "the driver for 'mssql+pyodbc' is not installed (pyodbc); install it with: "
        "pip install pyodbc",
    ),
    (
        "missing-driver-asyncio",
        ["snapshot", "postgresql+asyncpg://app@127.0.0.1/app"],
        "the driver for 'postgresql+asyncpg' is not installed (asyncpg); it is an asyncio "
        "driver, and schemaspec connects synchronously: use postgresql+psycopg:// with: "
        "pip install 'schemaspec[postgresql]'",
    ),
    (
        "sqlite-two-slashes",
        ["snapshot", "sqlite://x.db"],
        "'sqlite://x.db' is not a SQLite URL: a file takes three slashes (sqlite:///app.db, "
        "relative) or four (sqlite:////srv/app.db, absolute); 'sqlite://' alone is an "
        "in-memory database",
    ),
    (
        "models-schema-matches-nothing",
        ["diff", "audit_schema_models:Base", str(SNAPSHOT), "--schema", "nosuch"],
        "models audit_schema_models:Base have no tables in schema 'nosuch' (their tables are in "
        "the default schema, 'audit')",
    ),
    (
        "import-exits",
        ["snapshot", "exiting_models:Base"],
        "cannot import 'exiting_models': it called sys.exit(3) while being imported",
    ),
    (
        "migrations-in-memory",
        ["migrations", str(INI), "--url", "sqlite://"],
        "sqlite:// is an in-memory SQLite database, which lasts one connection: migrations need "
        "one that outlives it; name a file (sqlite:///check.db) or no URL for a temporary file",
    ),
    (
        "migrations-two-slashes",
        ["migrations", str(INI), "--url", "sqlite://check.db"],
        "'sqlite://check.db' is not a SQLite URL: a file takes three slashes "
        "(sqlite:///app.db, relative) or four (sqlite:////srv/app.db, absolute); 'sqlite://' "
        "alone is an in-memory database",
    ),
    (
        "schema-output-is-a-file",
        ["schema", "-o", "{tmp}/broken.toml"],
        "{tmp}/broken.toml: is a file; -o names the directory the schemas go in",
    ),
    (
        "schema-output-unwritable",
        ["schema", "-o", "{tmp}/broken.toml/schemas"],
        "{tmp}/broken.toml/schemas: cannot be written: Not a directory",
    ),
    (
        "unknown-dialect",
        ["snapshot", "nosuch://app@127.0.0.1/app"],
        "no SQLAlchemy dialect for 'nosuch'",
    ),
    (
        "unescaped-password",
        ["snapshot", "postgresql+psycopg://app:p@ss/w0rd@127.0.0.1/app"],
        "the database URL has an '@' after its password, so part of the password would be read "
        "as the host or database name: percent-encode '@' as %40 and '/' as %2F in the user "
        "name and password",
    ),
    (
        "snapshot-output-suffix",
        ["snapshot", str(SNAPSHOT), "-o", "{tmp}/schema.yaml"],
        "{tmp}/schema.yaml: a snapshot file name must end in .toml or .json",
    ),
    (
        "snapshot-output-unwritable",
        ["snapshot", str(SNAPSHOT), "-o", "{tmp}/broken.toml/schema.toml"],
        "{tmp}/broken.toml/schema.toml: cannot be written: File exists",
    ),
    (
        "empty-models-snapshot",
        ["snapshot", "empty_models:Base"],
        f"models empty_models:Base {NO_TABLES}",
    ),
    (
        "empty-models-diff",
        ["diff", "empty_models:metadata", str(SNAPSHOT)],
        f"models empty_models:metadata {NO_TABLES}",
    ),
    (
        "empty-models-contract",
        ["contract", str(CONTRACT), "empty_models:Base"],
        f"models empty_models:Base {NO_TABLES}",
    ),
    (
        "models-package-without-models",
        ["models", "empty_models", "--base", "empty_models:Base"],
        "no mapped classes or tables in 'empty_models' (1 module), so nothing was checked: name "
        "the package that defines the models",
    ),
    (
        "contract-without-pins",
        ["contract", "{tmp}/nothing.contract.toml", str(SNAPSHOT)],
        "{tmp}/nothing.contract.toml: the contract pins nothing: declare what must hold as "
        "[tables.NAME] or [enums.NAME] (or views, sequences, triggers, routines, extensions)",
    ),
    (
        "check-snapshot-without-models",
        ["check", "--config", "{tmp}/snapshot-only.toml"],
        "{tmp}/snapshot-only.toml: [tool.schemaspec]: nothing to check: the snapshot is compared "
        "with models, and none are configured: add models (or contracts, to check the snapshot "
        "against), or pass --models or --contract",
    ),
    (
        "check-models-alone",
        ["check", "--config", "{tmp}/models-only.toml"],
        "{tmp}/models-only.toml: [tool.schemaspec]: nothing to check: the models are compared "
        "with a snapshot, a database or contracts, and none is configured: add snapshot, "
        "database_env or contracts, or pass --snapshot, --database or --contract",
    ),
    (
        "check-database-env-not-a-name",
        ["check", "--config", "{tmp}/dollar-env.toml"],
        "{tmp}/dollar-env.toml: [tool.schemaspec] database_env: '$DATABASE_URL' is not an "
        "environment variable name: write the name alone, e.g. DATABASE_URL (not $DATABASE_URL "
        "or the URL itself)",
    ),
    (
        "usage-missing-argument",
        ["diff", str(SNAPSHOT)],
        "the following arguments are required: ACTUAL (see: schemaspec diff --help)",
    ),
    (
        "usage-bad-timeout",
        ["snapshot", str(SNAPSHOT), "--connect-timeout", "soon"],
        "argument --connect-timeout: not a number of seconds: 'soon' (see: schemaspec snapshot "
        "--help)",
    ),
    (
        "usage-unknown-option",
        ["snapshot", str(SNAPSHOT), "--output-format", "yaml"],
        "unrecognized arguments: --output-format yaml (see: schemaspec snapshot --help)",
    ),
    (
        "usage-empty-ignore",
        ["diff", str(SNAPSHOT), str(SNAPSHOT), "--ignore", ""],
        "argument --ignore: '' is not a path pattern (empty segment) (see: schemaspec diff --help)",
    ),
    (
        "usage-empty-argument",
        ["migrations", str(INI), "--url", ""],
        "argument --url: must not be empty (see: schemaspec migrations --help)",
    ),
    (
        "usage-empty-schema",
        ["diff", "audit_schema_models:Base", str(SNAPSHOT), "--schema", " "],
        "argument --schema: must not be empty (see: schemaspec diff --help)",
    ),
    (
        "usage-empty-output",
        ["snapshot", str(SNAPSHOT), "-o", ""],
        "argument -o/--output: must not be empty (see: schemaspec snapshot --help)",
    ),
    (
        "usage-infinite-timeout",
        ["snapshot", str(SNAPSHOT), "--statement-timeout", "inf"],
        "argument --statement-timeout: not a number of seconds: 'inf' (see: schemaspec "
        "snapshot --help)",
    ),
    (
        "usage-unknown-option-before-command",
        ["--frobnicate", "snapshot", str(SNAPSHOT)],
        "unrecognized arguments: --frobnicate (see: schemaspec --help)",
    ),
]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "broken_models.py").write_text(
        "raise RuntimeError('models are broken:\\nsee the line above')\n"
    )
    (tmp_path / "exiting_models.py").write_text("import sys\n\nsys.exit(3)\n")
    (tmp_path / "audit_schema_models.py").write_text(
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "sa.Table('a', Base.metadata, sa.Column('id', sa.Integer, primary_key=True))\n"
        "sa.Table('b', Base.metadata, sa.Column('id', sa.Integer, primary_key=True), "
        "schema='audit')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    connection = sqlite3.connect(tmp_path / "full.db")
    connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    connection.close()
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("argv", "line"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_line(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    code, out, err = run([part.replace("{tmp}", str(workdir)) for part in argv], capsys)
    assert (code, out, err) == (
        2,
        "",
        f"schemaspec: error: {line.replace('{tmp}', str(workdir))}\n",
    )


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "schemaspec_postgresql_url",
            "cannot connect to postgresql database 'schemaspec_no_such_db' at 127.0.0.1:5432: "
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL: '
            'database "schemaspec_no_such_db" does not exist',
        ),
        (
            "schemaspec_mysql_url",
            "cannot connect to mysql database 'schemaspec_no_such_db' at 127.0.0.1:3306: "
            "(1049, \"Unknown database 'schemaspec_no_such_db'\")",
        ),
    ],
)
def test_missing_database(
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    fixture: str,
    message: str,
) -> None:
    # The fixture only proves the server is up; the URL then names a database that is not there.
    url = sa.engine.make_url(request.getfixturevalue(fixture))
    missing = url.set(database="schemaspec_no_such_db").render_as_string(hide_password=False)
    assert run(["snapshot", missing], capsys) == (2, "", f"schemaspec: error: {message}\n")


def test_an_empty_database_is_not_an_error_but_is_pointed_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    url = f"sqlite:///{path}"
    # A new database is empty, so this is no error; but an empty actual side is usually the
    # wrong database or schema, so it is named on stderr before every table is reported missing.
    code, out, err = run(["diff", str(SNAPSHOT), url], capsys)
    assert code == 1
    assert out.splitlines()[-1] == "7 tables missing"
    assert err == f"schemaspec: warning: {url} has no tables\n"
    code, out, err = run(["snapshot", url], capsys)
    assert (code, out, err) == (0, 'schemaspec = 1\ndialect = "sqlite"\n', err)
    assert err == f"schemaspec: warning: {url} has no tables\n"


@pytest.mark.parametrize("fixture", ["schemaspec_postgresql_url", "schemaspec_mysql_url"])
def test_missing_schema_on_a_server(
    request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str], fixture: str
) -> None:
    # PostgreSQL alone would answer with an empty spec, and every table would be "missing".
    url = sa.engine.make_url(request.getfixturevalue(fixture))
    text = url.render_as_string(hide_password=False)
    where = f"{url.get_backend_name()} database {url.database!r} at 127.0.0.1:{url.port}"
    assert run(["snapshot", text, "--schema", "nosuch"], capsys) == (
        2,
        "",
        f"schemaspec: error: {where} has no schema 'nosuch'\n",
    )
