"""fleet(): tenant schemas on real servers, SQLite files, failures, shards and merge.

The oracle: every target's diff equals ``diff(expected, from_database(url, schema=tenant))``,
the per-tenant loop the fleet replaces, whatever the fingerprints decided to share.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fleet_models import metadata
from sqlalchemy.pool import NullPool

from schemaspec import diff, from_database, from_models
from schemaspec.checks.fleet import FleetReport, Target, fleet, in_shard, merge_fleet, signature
from schemaspec.compare.change import Change
from schemaspec.reports.fleet_report import load_report, render_json, render_text
from schemaspec.sources.scratch import server_url_from_env
from schemaspec.spec import IndexSpec

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"

MISSING_INDEX = Change(
    kind="missing",
    object="index",
    path="orders.indexes.ix_orders_created",
    expected=IndexSpec(columns=("created_at",)),
)


def _create_tenant(engine: sa.Engine, schema: str, *statements: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        connection.exec_driver_sql(f"SET LOCAL search_path = {schema}")
        metadata.create_all(connection)
        for statement in statements:
            connection.exec_driver_sql(statement)


# Each a drift of one tenant that the fingerprint must see: the fleet result must equal the
# per-tenant loop's for every one of them.
PG_MUTATIONS = {
    "t_index": ["DROP INDEX ix_orders_created"],
    "t_type": ["ALTER TABLE orders ALTER COLUMN amount TYPE integer"],
    "t_null": ["ALTER TABLE orders ALTER COLUMN created_at SET NOT NULL"],
    "t_default": ["ALTER TABLE orders ALTER COLUMN amount SET DEFAULT 0"],
    "t_column": ["ALTER TABLE customers ADD COLUMN email varchar(200)"],
    "t_rename": ["ALTER TABLE customers RENAME COLUMN name TO full_name"],
    "t_comment": ["COMMENT ON COLUMN customers.name IS 'who'"],
    "t_tcomment": ["COMMENT ON TABLE orders IS 'sales'"],
    "t_check": ["ALTER TABLE orders ADD CONSTRAINT ck_amount CHECK (amount >= 0)"],
    "t_unique": ["ALTER TABLE customers ADD CONSTRAINT uq_name UNIQUE (name)"],
    "t_fk": [
        "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey",
        "ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id)"
        " ON DELETE CASCADE",
    ],
    "t_desc": [
        "DROP INDEX ix_orders_created",
        "CREATE INDEX ix_orders_created ON orders (created_at DESC)",
    ],
    "t_view": ["CREATE VIEW big AS SELECT id FROM orders WHERE amount > 100"],
    "t_enum": ["CREATE TYPE mood AS ENUM ('ok', 'sad')"],
    "t_sequence": ["CREATE SEQUENCE invoice_no START 1000"],
    "t_routine": ["CREATE FUNCTION one() RETURNS integer LANGUAGE sql AS 'SELECT 1'"],
    "t_extra": ["CREATE TABLE notes (id integer PRIMARY KEY)"],
    "t_collation": ['ALTER TABLE customers ALTER COLUMN name TYPE varchar(100) COLLATE "C"'],
}


@pytest.fixture
def pg_fleet(schemaspec_postgresql_url: str) -> Iterator[str]:
    """A fresh database with tenants t_a, t_b, t_c built from the models, and one tenant per
    mutation of PG_MUTATIONS."""
    engine = sa.create_engine(schemaspec_postgresql_url, poolclass=NullPool)
    for name in ("t_a", "t_b", "t_c"):
        _create_tenant(engine, name)
    for name, statements in PG_MUTATIONS.items():
        _create_tenant(engine, name, *statements)
    engine.dispose()
    yield schemaspec_postgresql_url


def _loop(expected_url: str, schemas: list[str]) -> dict[str, object]:
    expected = from_models(metadata, dialect="postgresql")
    return {s: diff(expected, from_database(expected_url, schema=s)) for s in schemas}


def test_postgresql_tenants_equal_the_per_tenant_loop(pg_fleet: str) -> None:
    expected = from_models(metadata, dialect="postgresql")
    report = fleet(expected, [pg_fleet], schemas="t_*")
    names = sorted(["t_a", "t_b", "t_c", *PG_MUTATIONS])
    assert [result.name for result in report.results] == names
    loop = _loop(pg_fleet, names)
    assert {result.name: result.diff for result in report.results} == loop
    # Models describe no views or routines, so those two tenants match; but every mutation
    # has a fingerprint of its own (one read each), and the untouched tenants share one read.
    assert [r.name for r in report.results if r.status == "match"] == [
        "t_a",
        "t_b",
        "t_c",
        "t_routine",
        "t_view",
    ]
    assert report.reads == len(PG_MUTATIONS) + 1
    assert report.results[names.index("t_index")].diff.changes == (MISSING_INDEX,)  # type: ignore[union-attr]


def test_a_spec_naming_its_own_schema_is_not_shared(schemaspec_postgresql_url: str) -> None:
    # Equal fingerprints (the schema name is a placeholder there), but each spec names its own
    # sequence: sharing one would report t_x's default for t_y.
    engine = sa.create_engine(schemaspec_postgresql_url, poolclass=NullPool)
    for name in ("t_x", "t_y"):
        _create_tenant(
            engine,
            name,
            "CREATE SEQUENCE counter",
            f"ALTER TABLE orders ALTER COLUMN amount SET DEFAULT nextval('{name}.counter')",
        )
    engine.dispose()
    expected = from_models(metadata, dialect="postgresql")
    report = fleet(expected, [schemaspec_postgresql_url], schemas="t_*")
    assert {r.name: r.diff for r in report.results} == _loop(
        schemaspec_postgresql_url, ["t_x", "t_y"]
    )
    assert report.reads == 2
    defaults = [
        next(c for c in r.diff.changes if c.path == "orders.amount").actual  # type: ignore[union-attr]
        for r in report.results
    ]
    assert defaults == [
        {"default": "nextval('t_x.counter')"},
        {"default": "nextval('t_y.counter')"},
    ]


@pytest.fixture
def mysql_tenants() -> Iterator[tuple[str, str]]:
    """Three tenant databases (one without the index) with a prefix of this run; dropped after."""
    server = server_url_from_env("mysql")
    engine = sa.create_engine(server, poolclass=NullPool)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        pytest.skip(f"no MariaDB/MySQL server: {error}")
    prefix = f"fleet_{secrets.token_hex(4)}_"
    names = [f"{prefix}{n}" for n in ("t1", "t2", "t3")]
    try:
        for name in names:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
            tenant = sa.create_engine(sa.make_url(server).set(database=name), poolclass=NullPool)
            metadata.create_all(tenant)
            if name.endswith("t2"):
                with tenant.begin() as connection:
                    connection.exec_driver_sql("DROP INDEX ix_orders_created ON orders")
            tenant.dispose()
        yield server, prefix
    finally:
        with engine.begin() as connection:
            for name in names:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        engine.dispose()


def test_mysql_databases_are_tenants(mysql_tenants: tuple[str, str]) -> None:
    server, prefix = mysql_tenants
    expected = from_models(metadata, dialect="mysql")
    report = fleet(expected, [server], schemas=f"{prefix}*")
    assert [(r.name, r.status) for r in report.results] == [
        (f"{prefix}t1", "match"),
        (f"{prefix}t2", "differ"),
        (f"{prefix}t3", "match"),
    ]
    for result in report.results:
        assert result.diff == diff(expected, from_database(server, schema=result.name))
    assert report.reads == 2

    # Several servers: tenants are named by server and schema; a server that cannot be reached
    # is one failed target, and the other server is read all the same.
    report = fleet(
        expected,
        [Target(url=server, schemas=f"{prefix}*"), Target(url=UNREACHABLE, schemas="t_*")],
        jobs=2,
    )
    assert [(r.name, r.status) for r in report.results] == [
        (f"{server}#{prefix}t1", "match"),
        (f"{server}#{prefix}t2", "differ"),
        (f"{server}#{prefix}t3", "match"),
        (f"{UNREACHABLE}#t_*", "failed"),
    ]
    with pytest.raises(Exception, match=r"^the target mysql\+pymysql://root@127.0.0.1:3306/test "):
        fleet(expected, [server, server])


def _sqlite_files(folder: Path, count: int, drifted: int) -> list[str]:
    urls = []
    for number in range(count):
        path = folder / f"tenant_{number}.db"
        engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)
        metadata.create_all(engine)
        if number == drifted:
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP INDEX ix_orders_created")
        engine.dispose()
        urls.append(f"sqlite:///{path}")
    return urls


def test_sqlite_files_and_an_unreachable_server(tmp_path: Path) -> None:
    urls = _sqlite_files(tmp_path, 4, drifted=2)
    expected = from_models(metadata, dialect="sqlite")
    report = fleet(expected, [*urls, UNREACHABLE, f"sqlite:///{tmp_path / 'vanished.db'}"])
    assert [(r.name, r.status) for r in report.results] == [
        (UNREACHABLE, "failed"),
        (urls[0], "match"),
        (urls[1], "match"),
        (urls[2], "differ"),
        (urls[3], "match"),
        (f"sqlite:///{tmp_path / 'vanished.db'}", "failed"),
    ]
    assert report.results[0].error is not None
    assert report.results[0].error.startswith(
        "cannot connect to postgresql database 'nowhere' at 127.0.0.1:1: "
    )
    assert report.results[-1].error == f"no SQLite database file at '{tmp_path / 'vanished.db'}'"
    assert report.results[3].diff is not None
    assert report.results[3].diff.changes == (MISSING_INDEX,)
    assert report.reads == 2  # two distinct DDLs among four files
    assert render_text(report) == (
        f"Fleet of 6 targets:\n\n3 match\n"
        f"1 lack index ix_orders_created on orders: {urls[2]}\n"
        "  orders.indexes.ix_orders_created: index missing (on created_at)\n"
        f"1 failed: {UNREACHABLE}\n  {report.results[0].error}\n"
        f"1 failed: sqlite:///{tmp_path / 'vanished.db'}\n  {report.results[-1].error}\n"
        "\n3 match, 1 differ, 2 failed\n"
    )


def test_a_file_that_is_not_a_database_fails_alone(tmp_path: Path) -> None:
    urls = _sqlite_files(tmp_path, 1, drifted=-1)
    (tmp_path / "notes.db").write_text("not a database, but long enough to have a header " * 4)
    report = fleet(
        from_models(metadata, dialect="sqlite"), [*urls, f"sqlite:///{tmp_path}/notes.db"]
    )
    assert [(r.name, r.status, r.error) for r in report.results] == [
        (
            f"sqlite:///{tmp_path}/notes.db",
            "failed",
            f"reading the schema of sqlite:///{tmp_path}/notes.db failed: file is not a database",
        ),
        (urls[0], "match", None),
    ]


def test_shards_partition_the_fleet_and_merge_to_the_whole(tmp_path: Path) -> None:
    urls = _sqlite_files(tmp_path, 6, drifted=4)
    expected = from_models(metadata, dialect="sqlite")
    targets = [*urls, UNREACHABLE]
    whole = fleet(expected, targets, label="fleet_models")
    shards = [fleet(expected, targets, shard=f"{k}/3", label="fleet_models") for k in (1, 2, 3)]
    names = [[r.name for r in shard.results] for shard in shards]
    assert sorted(name for shard_names in names for name in shard_names) == [
        r.name for r in whole.results
    ]
    for k, shard_names in enumerate(names, start=1):
        assert all(in_shard(name, (k, 3)) for name in shard_names)
    # Through the JSON files, as the CLI does it.
    loaded = [load_report(render_json(shard), f"shard{n}.json") for n, shard in enumerate(shards)]
    merged = merge_fleet(loaded)
    assert render_json(merged) == render_json(whole)
    assert render_text(merged) == render_text(whole)


def test_merge_refuses_overlaps_and_other_expected_specs(tmp_path: Path) -> None:
    urls = _sqlite_files(tmp_path, 2, drifted=-1)
    report = fleet(from_models(metadata, dialect="sqlite"), urls)
    with pytest.raises(Exception, match=r"^reports 1 and 2 both have the target sqlite:///"):
        merge_fleet([report, report])
    other = FleetReport(expected_digest="0" * 64)
    with pytest.raises(
        Exception,
        match=r"^report 2 compared its targets with a different expected spec than report 1: ",
    ):
        merge_fleet([report, other])


def test_signature_is_the_set_of_changes() -> None:
    other = Change(
        kind="changed",
        object="column",
        path="orders.amount",
        attributes={"type"},
        expected={"type": "numeric(10,2)"},
        actual={"type": "integer"},
    )
    assert signature([MISSING_INDEX, other]) == signature([other, MISSING_INDEX])
    assert signature([MISSING_INDEX]) != signature([other])
    changed = other.model_copy(update={"actual": {"type": "bigint"}})
    assert signature([changed]) != signature([other])


def test_bad_arguments() -> None:
    expected = from_models(metadata, dialect="sqlite")
    with pytest.raises(Exception, match=r"^not a shard: 3/2; K counts from 1 to N"):
        fleet(expected, ["sqlite:///x.db"], shard="3/2")
    with pytest.raises(Exception, match=r"^not a shard: 'half'; write K/N"):
        fleet(expected, ["sqlite:///x.db"], shard="half")
    with pytest.raises(Exception, match=r"^the fleet has no targets"):
        fleet(expected, [])
    assert Target(url="sqlite:///x.db").schemas is None


def test_the_expected_digest_is_the_same_in_every_process() -> None:
    # Shards run in separate processes, where dict order from sets (foreign keys) varies with
    # the hash seed; merge relies on the digest being equal.
    script = (
        "import schemaspec; from schemaspec.checks.fleet import spec_digest; "
        "print(spec_digest(schemaspec.from_models('unioncore.models:Base', dialect='sqlite')))"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(EXAMPLES)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3)
    }
    assert len(digests) == 1
