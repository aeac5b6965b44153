"""python -m schemaspec fleet: target files, exit codes, formats, shards and merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fleet_models import metadata
from sqlalchemy.pool import NullPool

from schemaspec.cli import main

MODELS = "fleet_models:metadata"


def _files(folder: Path, count: int, drifted: int = -1) -> list[Path]:
    paths = []
    for number in range(count):
        path = folder / f"t{number}.db"
        engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)
        metadata.create_all(engine)
        if number == drifted:
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP INDEX ix_orders_created")
        engine.dispose()
        paths.append(path)
    return paths


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["fleet", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sqlite_files_and_a_target_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _files(tmp_path, 3, drifted=1)
    Path("targets.txt").write_text("# the tenants\n\nsqlite:///t1.db\n  sqlite:///t2.db  \n")
    code, out, err = _run(capsys, MODELS, "t0.db", "@targets.txt")
    assert (code, err) == (1, "")
    assert out == (
        "Fleet of 3 targets against fleet_models:metadata:\n"
        "\n"
        "2 match\n"
        "1 lack index ix_orders_created on orders: sqlite:///t1.db\n"
        "  orders.indexes.ix_orders_created: index missing (on created_at)\n"
        "\n"
        "2 match, 1 differ, 0 failed\n"
    )
    # A plain path that is not a SQLite database is a target file too.
    code, out, _ = _run(capsys, MODELS, "targets.txt", "--format", "markdown")
    assert code == 1
    assert out == (
        "### schemaspec fleet: 1 match, 1 differ, 0 failed\n"
        "\n"
        "Fleet of 2 targets against fleet_models:metadata.\n"
        "\n"
        "| Outcome | Targets |\n"
        "|---|---:|\n"
        "| match | 1 |\n"
        "| lack index ix\\_orders\\_created on orders | 1 |\n"
        "\n"
        "#### 1 lack index ix\\_orders\\_created on orders\n"
        "\n"
        "Targets: `sqlite:///t1.db`\n"
        "\n"
        "- `orders.indexes.ix_orders_created: index missing (on created_at)`\n"
    )


def test_all_match_is_exit_0_and_a_failure_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _files(tmp_path, 2)
    code, out, _ = _run(capsys, MODELS, "t0.db", "t1.db")
    assert code == 0
    assert out.endswith("\n2 match, 0 differ, 0 failed\n")
    code, out, err = _run(
        capsys, MODELS, "t0.db", "mysql+pymysql://root@127.0.0.1:1/x", "--connect-timeout", "2"
    )
    assert (code, err) == (2, "")
    assert out.startswith(
        "Fleet of 2 targets against fleet_models:metadata:\n\n1 match\n"
        "1 failed: mysql+pymysql://root@127.0.0.1:1/x\n"
        "  cannot connect to mysql database 'x' at 127.0.0.1:1: "
    )


def test_passwords_come_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("literal.txt").write_text("postgresql+psycopg://app:hunter2@db.internal/app\n")
    code, out, err = _run(capsys, MODELS, "@literal.txt")
    assert (code, out) == (2, "")
    assert err == (
        "schemaspec: error: literal.txt:1: the URL has a password written in the file; put the "
        "password in an environment variable and write ${NAME} in its place (e.g. "
        "${TENANT_DB_PASSWORD}), or leave it out of the URL for PGPASSWORD/~/.pgpass\n"
    )
    assert "hunter2" not in err

    Path("env.txt").write_text(
        "# from the vault\npostgresql+psycopg://app:${FLEET_PW}@127.0.0.1:1/x\n"
    )
    monkeypatch.delenv("FLEET_PW", raising=False)
    code, out, err = _run(capsys, MODELS, "@env.txt")
    assert (code, out) == (2, "")
    assert err == "schemaspec: error: env.txt:2: the environment variable FLEET_PW is not set\n"

    monkeypatch.setenv("FLEET_PW", "s3cret")
    code, out, err = _run(capsys, MODELS, "@env.txt", "--connect-timeout", "2")
    assert code == 2
    # The expanded password is used, and masked wherever the target is named.
    assert "Fleet of 1 target against fleet_models:metadata:\n\n1 failed: " in out
    assert "postgresql+psycopg://app:***@127.0.0.1:1/x" in out
    assert "s3cret" not in out + err


def test_bad_targets_and_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, MODELS, "nothing-here")
    assert (code, out) == (2, "")
    assert err == (
        "schemaspec: error: fleet target 'nothing-here' is neither a database URL nor a file: "
        "give a URL (postgresql+psycopg://host/db), a SQLite file or a file listing URLs\n"
    )
    code, _, err = _run(capsys, MODELS, "@missing.txt")
    assert (code, err) == (2, "schemaspec: error: no target file 'missing.txt'\n")
    code, _, err = _run(capsys, MODELS, "sqlite:///x.db", "--shard", "5/4")
    assert (code, err) == (
        2,
        "schemaspec: error: not a shard: 5/4; K counts from 1 to N, e.g. 1/4 ... 4/4\n",
    )
    code, _, err = _run(capsys, MODELS, "sqlite:///x.db", "--jobs", "0")
    assert code == 2
    assert err.startswith("schemaspec: error: argument --jobs: not a number of jobs (1 or more)")


def test_shards_merge_to_the_whole_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = _files(tmp_path, 7, drifted=3)
    names = [path.name for path in paths]
    code, whole, _ = _run(capsys, MODELS, *names, "--format", "json")
    assert code == 1
    for k in (1, 2, 3):
        code, out, err = _run(
            capsys, MODELS, *names, "--shard", f"{k}/3", "--format", "json", "-o", f"s{k}.json"
        )
        assert out == ""
        assert code in (0, 1)
        assert json.loads(Path(f"s{k}.json").read_text())["shard"] == f"{k}/3"
    sizes = [len(json.loads(Path(f"s{k}.json").read_text())["targets"]) for k in (1, 2, 3)]
    assert sum(sizes) == 7
    code, merged, _ = _run(capsys, "merge", "s1.json", "s2.json", "s3.json", "--format", "json")
    assert code == 1
    assert merged == whole
    code, text, _ = _run(capsys, "merge", "s1.json", "s2.json", "s3.json")
    _, whole_text, _ = _run(capsys, MODELS, *names)
    assert text == whole_text

    code, out, err = _run(capsys, "merge", "s1.json", "s1.json")
    assert (code, out) == (2, "")
    first = json.loads(Path("s1.json").read_text())["targets"][0]["name"]
    assert err == (
        f"schemaspec: error: reports 1 and 2 both have the target {first}: merge each shard "
        "once, of one --shard split\n"
    )
    Path("other.json").write_text(
        Path("s2.json").read_text().replace('"digest": "', '"digest": "0')
    )
    code, _, err = _run(capsys, "merge", "s1.json", "other.json")
    assert (code, err) == (
        2,
        "schemaspec: error: report 2 compared its targets with a different expected spec than "
        "report 1: merge only the shards of one fleet run\n",
    )
    Path("not.json").write_text("{}")
    code, _, err = _run(capsys, "merge", "not.json")
    assert (code, err) == (
        2,
        "schemaspec: error: not.json is not a fleet report: write it with python -m schemaspec "
        "fleet ... --format json -o FILE\n",
    )


def test_postgresql_schemas(
    schemaspec_postgresql_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = sa.create_engine(schemaspec_postgresql_url, poolclass=NullPool)
    for name in ("tenant_1", "tenant_2", "tenant_3", "other"):
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {name}")
            connection.exec_driver_sql(f"SET LOCAL search_path = {name}")
            metadata.create_all(connection)
            if name == "tenant_2":
                connection.exec_driver_sql("ALTER TABLE orders ALTER COLUMN amount TYPE integer")
    engine.dispose()
    code, out, err = _run(capsys, MODELS, schemaspec_postgresql_url, "--schemas", "tenant_*")
    assert (code, err) == (1, "")
    assert out == (
        "Fleet of 3 targets against fleet_models:metadata:\n"
        "\n"
        "2 match\n"
        "1 differ in column orders.amount (type): tenant_2\n"
        "  orders.amount: type numeric(10,2) expected, integer found\n"
        "\n"
        "2 match, 1 differ, 0 failed\n"
    )
    code, out, err = _run(capsys, MODELS, schemaspec_postgresql_url, "--schemas", "nope_*")
    assert code == 2
    assert "has no schema matching 'nope_*': check the pattern" in out
