"""Fleets: one expected spec against many databases, tenant schemas or SQLite files.

``fleet(expected, targets)`` reads every target, diffs it against ``expected`` and groups the
targets by *drift signature*, a digest of their exact set of changes, so a report reads
"196 match; 3 lack index ix_orders_created: t_017, t_042, t_133; 1 unreachable". Each server is
read in one pass for all its tenant schemas (:mod:`schemaspec.sources.tenants`), servers in
parallel (``jobs`` threads: the work is waiting on servers), each through one engine however
many targets name its URL. A target that fails is a result, never the end of the run.

Past one machine, ``shard=(k, n)`` keeps the targets whose name hashes to shard ``k`` of ``n``
(SHA-256 of the name, modulo ``n``): stable whatever else is in the fleet, so a CI matrix or a
Kubernetes indexed Job fans out, and :func:`merge_fleet` puts the shards' reports back together.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine

from schemaspec.compare.change import Change
from schemaspec.compare.diff import SchemaDiff, diff
from schemaspec.errors import SchemaspecError, SourceError
from schemaspec.sources import session
from schemaspec.sources.database import _engine
from schemaspec.sources.tenants import Outcome, read_sqlite_files, read_tenants
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import mask_url

#: Version of the fleet JSON report (``schemaspec_fleet``); merge refuses other versions.
FLEET_REPORT_VERSION = 1
#: Servers read at once by default.
DEFAULT_JOBS = 4

Status = Literal["match", "differ", "failed"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Target(_Frozen):
    """A database URL (a SQLite file's too), with ``schemas``: a glob over the server's schemas
    (PostgreSQL) or databases (MySQL/MariaDB), each one tenant."""

    url: str
    schemas: str | None = None


class TargetResult(_Frozen):
    """One target's outcome: its diff against the expected spec, or why it has none."""

    #: Unique in the fleet: the tenant schema (the server's masked URL and ``#schema`` when the
    #: fleet has several servers), or the masked URL.
    name: str
    #: The masked URL of the database it is on.
    server: str
    schema_name: str | None = None
    diff: SchemaDiff | None = None
    error: str | None = None

    @property
    def status(self) -> Status:
        if self.error is not None:
            return "failed"
        return "differ" if self.diff else "match"

    @property
    def signature(self) -> str | None:
        """The drift signature (``None`` when it matches or failed): equal for equal sets of
        changes."""
        return signature(self.diff.changes) if self.diff else None


class DriftGroup(_Frozen):
    """Targets with the same outcome: all matching, one drift signature, or one error."""

    status: Status
    targets: tuple[str, ...]
    signature: str | None = None
    changes: tuple[Change, ...] = ()
    error: str | None = None


class FleetReport(_Frozen):
    """The result of :func:`fleet`: every target's result, in name order. Truthy when any
    target differs or failed."""

    #: What the targets were compared with (a source label, or ``None``).
    expected: str | None = None
    #: SHA-256 of the expected spec: shards of one fleet must share it to be merged.
    expected_digest: str
    #: ``(k, n)`` for a shard, ``None`` for a whole fleet.
    shard: tuple[int, int] | None = None
    results: tuple[TargetResult, ...] = ()
    #: Tenant specs read by the reader; the others shared an equal catalog's spec.
    reads: int = 0

    def __bool__(self) -> bool:
        return any(result.status != "match" for result in self.results)

    @property
    def groups(self) -> tuple[DriftGroup, ...]:
        """Matching targets first, then drift groups largest first, then failures."""
        matching = tuple(r.name for r in self.results if r.status == "match")
        drift: dict[str, list[TargetResult]] = {}
        failed: dict[str, list[str]] = {}
        for result in self.results:
            if result.status == "differ":
                drift.setdefault(str(result.signature), []).append(result)
            elif result.error is not None:
                failed.setdefault(result.error, []).append(result.name)
        groups = [DriftGroup(status="match", targets=matching)] if matching else []
        for key, members in sorted(drift.items(), key=lambda item: (-len(item[1]), item[0])):
            first = members[0].diff
            groups.append(
                DriftGroup(
                    status="differ",
                    targets=tuple(member.name for member in members),
                    signature=key,
                    changes=first.changes if first is not None else (),
                )
            )
        for error, names in sorted(failed.items(), key=lambda item: (-len(item[1]), item[0])):
            groups.append(DriftGroup(status="failed", targets=tuple(names), error=error))
        return tuple(groups)

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status == status)


def fleet(
    expected: SchemaSpec,
    targets: Iterable[str | Target],
    *,
    schemas: str | None = None,
    jobs: int = DEFAULT_JOBS,
    shard: tuple[int, int] | str | None = None,
    label: str | None = None,
    connect_timeout: float | None = session.DEFAULT_CONNECT_TIMEOUT,
    statement_timeout: float | None = session.DEFAULT_STATEMENT_TIMEOUT,
) -> FleetReport:
    """Compare every target with ``expected``; see the module docs.

    ``targets`` are URLs (SQLite files as ``sqlite:///path``) or :class:`Target` values;
    ``schemas`` is the tenant glob for URLs given as text (SQLite targets ignore it). ``jobs``
    bounds the servers read at once. ``shard`` is ``(k, n)`` or ``"k/n"`` (1-based). ``label``
    names the expected side in reports.
    """
    if jobs < 1:
        raise SourceError(f"jobs must be at least 1, not {jobs}")
    part = parse_shard(shard) if shard is not None else None
    units = _units(targets, schemas)
    expected_digest = spec_digest(expected)
    with _engines(connect_timeout) as engines:
        server_units = [unit for unit in units if not _is_sqlite(unit.url)]
        files = [unit.url for unit in units if _is_sqlite(unit.url)]
        several_servers = len({mask_url(unit.url) for unit in server_units}) > 1
        jobs_list: list[Callable[[], _Found]] = [
            _server_job(unit, engines, statement_timeout, several_servers, part)
            for unit in server_units
        ]
        if files:
            jobs_list.append(_files_job(files, engines, statement_timeout, part))
        with ThreadPoolExecutor(max_workers=min(jobs, max(1, len(jobs_list)))) as pool:
            found = list(pool.map(lambda job: job(), jobs_list))
    results: dict[str, TargetResult] = {}
    reads = 0
    diffs: dict[int, SchemaDiff] = {}
    for batch in found:
        reads += batch.reads
        for name, server, schema, outcome in batch.outcomes:
            if name in results:
                raise SourceError(f"the target {name} is given twice: give each target once")
            if isinstance(outcome, SchemaSpec):
                # Tenants sharing one spec share one diff too.
                key = id(outcome)
                if key not in diffs:
                    diffs[key] = diff(expected, outcome)
                results[name] = TargetResult(
                    name=name, server=server, schema_name=schema, diff=diffs[key]
                )
            else:
                results[name] = TargetResult(
                    name=name, server=server, schema_name=schema, error=str(outcome)
                )
    return FleetReport(
        expected=label,
        expected_digest=expected_digest,
        shard=part,
        results=tuple(results[name] for name in sorted(results)),
        reads=reads,
    )


def merge_fleet(reports: Sequence[FleetReport]) -> FleetReport:
    """One report of the shards of one fleet. Refuses reports of different expected specs and
    shards that share a target (the same shard given twice, or shards of different splits)."""
    if not reports:
        raise SourceError("fleet merge needs at least one report")
    first = reports[0]
    seen: dict[str, int] = {}
    results: list[TargetResult] = []
    for number, report in enumerate(reports, start=1):
        if report.expected_digest != first.expected_digest:
            raise SourceError(
                f"report {number} compared its targets with a different expected spec than "
                "report 1: merge only the shards of one fleet run"
            )
        for result in report.results:
            if result.name in seen:
                raise SourceError(
                    f"reports {seen[result.name]} and {number} both have the target "
                    f"{result.name}: merge each shard once, of one --shard split"
                )
            seen[result.name] = number
            results.append(result)
    return FleetReport(
        expected=first.expected,
        expected_digest=first.expected_digest,
        results=tuple(sorted(results, key=lambda result: result.name)),
        reads=sum(report.reads for report in reports),
    )


def parse_shard(value: tuple[int, int] | str) -> tuple[int, int]:
    """``"2/4"`` or ``(2, 4)``: shard 2 of 4, counted from 1."""
    if isinstance(value, str):
        head, _, tail = value.partition("/")
        try:
            k, n = int(head), int(tail)
        except ValueError:
            raise SourceError(
                f"not a shard: {value!r}; write K/N, e.g. 1/4 for the first of four shards"
            ) from None
    else:
        k, n = value
    if n < 1 or not 1 <= k <= n:
        raise SourceError(f"not a shard: {k}/{n}; K counts from 1 to N, e.g. 1/4 ... 4/4")
    return k, n


def in_shard(name: str, shard: tuple[int, int] | None) -> bool:
    """Whether the target ``name`` belongs to ``shard``: SHA-256 of the name, modulo N, is K-1.

    A hash rather than positions in a sorted list: a target added or dropped between the
    shards' runs moves no other target to another shard.
    """
    if shard is None:
        return True
    k, n = shard
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % n == k - 1


def signature(changes: Sequence[Change]) -> str:
    """The drift signature: SHA-256 (first 16 hex digits) of the changes' canonical JSON, so
    equal sets of changes (kind, object, path, attributes, expected and actual values) have
    equal signatures in any run."""
    document = sorted(
        json.dumps(change_document(change), sort_keys=True, ensure_ascii=False)
        for change in changes
    )
    return hashlib.sha256("\n".join(document).encode()).hexdigest()[:16]


def change_document(change: Change) -> dict[str, Any]:
    """A change as JSON-ready data, in one form however it was made (read, or loaded from a
    report): models dumped without defaults, tuples as lists, attributes sorted."""
    return {
        "kind": change.kind,
        "object": change.object,
        "path": change.path,
        "attributes": sorted(change.attributes),
        "expected": _jsonable(change.expected),
        "actual": _jsonable(change.actual),
    }


def spec_digest(spec: SchemaSpec) -> str:
    """SHA-256 of the spec's JSON with sorted keys: the order of a spec's dicts can vary from
    run to run (foreign keys collected from a set), its content cannot."""
    document = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(document.encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _jsonable(value.model_dump(mode="json", exclude_defaults=True))
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        items = [_jsonable(item) for item in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    return value


# -- reading -------------------------------------------------------------------------------


class _Found:
    """One job's outcomes: (name, server, schema, outcome) per target."""

    def __init__(self) -> None:
        self.outcomes: list[tuple[str, str, str | None, Outcome]] = []
        self.reads = 0


def _units(targets: Iterable[str | Target], schemas: str | None) -> list[Target]:
    units = []
    for target in targets:
        unit = target if isinstance(target, Target) else Target(url=target, schemas=schemas)
        if not unit.url.strip():
            raise SourceError("a fleet target is empty: give a database URL")
        if _is_sqlite(unit.url) and unit.schemas is not None:
            # Tenants of SQLite are files; a glob over schemas means nothing there.
            unit = unit.model_copy(update={"schemas": None})
        if unit in units:
            # Checked before reading anything: the same target twice is a mistake in the list.
            where = mask_url(unit.url) + (f" --schemas {unit.schemas!r}" if unit.schemas else "")
            raise SourceError(f"the target {where} is given twice: give each target once")
        units.append(unit)
    if not units:
        raise SourceError("the fleet has no targets: give database URLs or a file listing them")
    return units


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _server_job(
    unit: Target,
    engines: Callable[[str], Engine],
    statement_timeout: float | None,
    several_servers: bool,
    part: tuple[int, int] | None,
) -> Callable[[], _Found]:
    server = mask_url(unit.url)

    def run() -> _Found:
        found = _Found()
        if unit.schemas is None:
            if in_shard(server, part):
                outcome = _read_database(engines, unit.url)
                found.outcomes.append((server, server, None, outcome))
                found.reads += isinstance(outcome, SchemaSpec)
            return found

        def name(schema: str) -> str:
            return f"{server}#{schema}" if several_servers else schema

        try:
            reads = read_tenants(
                engines(unit.url),
                unit.schemas,
                # Only this shard's tenants are read; listing them all is one cheap query.
                keep=lambda schema: in_shard(name(schema), part),
                statement_timeout=statement_timeout,
            )
        except SchemaspecError as error:
            # The server as a whole failed (unreachable, or no schema matched): one target,
            # reported by the shard its name falls to.
            whole = f"{server}#{unit.schemas}"
            if in_shard(whole, part):
                found.outcomes.append((whole, server, None, error))
            return found
        for schema, outcome in reads.outcomes.items():
            found.outcomes.append((name(schema), server, schema, outcome))
        found.reads += reads.reads
        return found

    return run


def _read_database(engines: Callable[[str], Engine], url: str) -> Outcome:
    from schemaspec.sources.database import from_database

    try:
        return from_database(engines(url))
    except SchemaspecError as error:
        return error


def _files_job(
    urls: list[str],
    engines: Callable[[str], Engine],
    statement_timeout: float | None,
    part: tuple[int, int] | None,
) -> Callable[[], _Found]:
    def run() -> _Found:
        found = _Found()
        mine = [url for url in urls if in_shard(mask_url(url), part)]
        reads = read_sqlite_files(engines, mine, statement_timeout=statement_timeout)
        for url, outcome in reads.outcomes.items():
            found.outcomes.append((mask_url(url), mask_url(url), None, outcome))
        found.reads += reads.reads
        return found

    return run


@contextmanager
def _engines(connect_timeout: float | None) -> Iterator[Callable[[str], Engine]]:
    """One engine per URL for the whole fleet, disposed at the end: a URL named by many
    targets connects through one pool (building and disposing an engine per tenant costs
    about 55 ms each). An engine that cannot be made is a failure of its targets only."""
    cache: dict[str, Engine] = {}
    lock = threading.Lock()

    def engine(url: str) -> Engine:
        with lock:  # jobs run in threads: two targets on one URL must not make two engines
            if url not in cache:
                cache[url] = _engine(url, connect_timeout)
            return cache[url]

    try:
        yield engine
    finally:
        for made in cache.values():
            made.dispose()
