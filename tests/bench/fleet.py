"""The fleet benchmark: many tenant schemas of one server, and many SQLite files.

Run on its own (``python -m tests.bench.fleet``) or with ``python -m tests.bench --fleet``.
For N PostgreSQL schemas of ``TABLES`` benchmark tables each (a few of them drifted), it times:

- *floor*: the raw catalog queries for all N schemas in one pass, rows fetched to the client
  (columns with types and defaults, constraints, indexes, sequences, triggers, routines, types):
  what any reader of all the tenants must at least pay;
- *fleet*: ``schemaspec.fleet(expected, [url], schemas="tenant_*")``, the whole comparison;
- *loop*: ``diff(expected, from_database(engine, schema=s))`` per tenant with one shared engine
  (the fastest form of the loop a fleet replaces), timed over the first ``LOOP_SAMPLE`` tenants
  and scaled to N.

and for N SQLite files (one drifted) the fleet against the loop over every file.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateIndex, CreateTable

import schemaspec
from schemaspec.sources.fingerprints import _PG_ROWS
from schemaspec.sources.scratch import scratch_database, server_url_from_env
from tests.bench.schema import build_metadata, table_name

TABLES = 40
#: Tenants of the loop actually timed; the loop's figure is scaled from them to N.
LOOP_SAMPLE = 50
#: Tenants (every DRIFT_EVERY-th) that lack an index, so the report has a drift group.
DRIFT_EVERY = 67
#: Tenants created per transaction.
CREATE_BATCH = 20


def tenant(number: int) -> str:
    return f"tenant_{number:04d}"


def _ddl(metadata: MetaData, url: str) -> str:
    """The DDL of the tables, unqualified (run with the tenant on the search path)."""
    engine = create_engine(url, poolclass=NullPool)
    statements = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=engine.dialect)))
        statements.extend(
            str(CreateIndex(index).compile(dialect=engine.dialect)) for index in table.indexes
        )
    engine.dispose()
    return ";\n".join(statements)


def create_tenants(url: str, schemas: int, metadata: MetaData) -> float:
    """``schemas`` tenant schemas, the benchmark tables in each; one statement batch per tenant
    (create_all per tenant is 0.4 s of round trips)."""
    ddl = _ddl(metadata, url)
    drifted = f"DROP INDEX ix_{table_name(1)}_parent_id"
    engine = create_engine(url, poolclass=NullPool)
    start = time.perf_counter()
    try:
        for first in range(0, schemas, CREATE_BATCH):
            with engine.begin() as connection:
                for number in range(first, min(schemas, first + CREATE_BATCH)):
                    name = tenant(number)
                    batch = f"CREATE SCHEMA {name}; SET LOCAL search_path = {name};\n{ddl}"
                    if number % DRIFT_EVERY == DRIFT_EVERY - 1:
                        batch += f";\n{drifted}"
                    connection.exec_driver_sql(batch)
    finally:
        engine.dispose()
    return time.perf_counter() - start


def floor(url: str, schemas: list[str]) -> int:
    """The raw catalog rows of every tenant, one query per kind of row, on a fresh connection."""
    engine = create_engine(url, poolclass=NullPool)
    rows = 0
    try:
        with engine.connect() as connection:
            for query in _PG_ROWS.values():
                rows += len(connection.execute(text(query), {"schemas": schemas}).all())
    finally:
        engine.dispose()
    return rows


def loop(url: str, expected: schemaspec.SchemaSpec, schemas: list[str]) -> int:
    engine = create_engine(url)
    drifted = 0
    try:
        for name in schemas:
            drifted += bool(
                schemaspec.diff(expected, schemaspec.from_database(engine, schema=name))
            )
    finally:
        engine.dispose()
    return drifted


def best(repeat: int, function: object) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


@contextmanager
def _postgresql() -> Iterator[str]:
    with scratch_database(server_url_from_env("postgresql")) as url:
        yield url


def measure_postgresql(schemas: int, repeat: int) -> list[str]:
    metadata = build_metadata(TABLES)
    expected = schemaspec.from_models(metadata, dialect="postgresql")
    names = [tenant(n) for n in range(schemas)]
    with _postgresql() as url:
        created = create_tenants(url, schemas, metadata)
        report = schemaspec.fleet(expected, [url], schemas="tenant_*")
        drifted = schemas // DRIFT_EVERY
        if report.count("differ") != drifted or report.count("match") != schemas - drifted:
            raise AssertionError(f"unexpected fleet result: {[g.status for g in report.groups]}")
        # Interleaved, so a busy moment on the shared machine slows both.
        floor_times, fleet_times = [], []
        for _ in range(repeat):
            floor_times.append(best(1, lambda: floor(url, names)))
            fleet_times.append(
                best(1, lambda: schemaspec.fleet(expected, [url], schemas="tenant_*"))
            )
        sample = names[:LOOP_SAMPLE]
        loop_seconds = best(1, lambda: loop(url, expected, sample)) * schemas / len(sample)
    floor_s, fleet_s = min(floor_times), min(fleet_times)
    return [
        f"- PostgreSQL, {schemas:,} schemas x {TABLES} tables ({drifted} drifted; created in "
        f"{created:.0f} s): fleet {fleet_s:.2f} s ({report.reads} specs read), one-pass floor "
        f"{floor_s:.2f} s, per-tenant loop {loop_seconds:.1f} s (scaled from {len(sample)}); "
        f"fleet/floor {fleet_s / floor_s:.2f}x, loop/fleet {loop_seconds / fleet_s:.1f}x"
    ]


def measure_sqlite(files: int, repeat: int) -> list[str]:
    metadata = build_metadata(TABLES)
    expected = schemaspec.from_models(metadata, dialect="sqlite")
    with TemporaryDirectory() as folder:
        urls = []
        for number in range(files):
            url = f"sqlite:///{Path(folder) / f'{tenant(number)}.db'}"
            engine = create_engine(url, poolclass=NullPool)
            metadata.create_all(engine)
            if number == files - 1:
                with engine.begin() as connection:
                    connection.exec_driver_sql(f"DROP INDEX ix_{table_name(1)}_parent_id")
            engine.dispose()
            urls.append(url)
        fleet_s = best(repeat, lambda: schemaspec.fleet(expected, urls))
        report = schemaspec.fleet(expected, urls)
        loop_s = best(
            1, lambda: [schemaspec.diff(expected, schemaspec.from_database(u)) for u in urls]
        )
    return [
        f"- SQLite, {files} files x {TABLES} tables (1 drifted): fleet {fleet_s:.2f} s "
        f"({report.reads} specs read), loop over the files {loop_s:.2f} s; "
        f"loop/fleet {loop_s / fleet_s:.1f}x"
    ]


def run(schemas: list[int], files: int, repeat: int) -> list[str]:
    lines: list[str] = []
    for count in schemas:
        lines += measure_postgresql(count, repeat)
        print(lines[-1], flush=True)
    if files:
        lines += measure_sqlite(files, repeat)
        print(lines[-1], flush=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.fleet", description=__doc__)
    parser.add_argument("--schemas", default="200,1000", help="tenant schemas (%(default)s)")
    parser.add_argument("--files", type=int, default=50, help="SQLite files (%(default)s)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    run([int(n) for n in args.schemas.split(",") if n], args.files, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
