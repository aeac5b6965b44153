"""The ``fleet`` command: one expected spec against many databases (see
:mod:`schemaspec.checks.fleet`), and ``fleet merge`` for the reports of its shards.

Exit codes: 0 every target matches, 1 some target differs, 2 some target failed (unreachable,
no such schema) or bad input. A failed target is reported with the others, never the end of the
run; it wins over differences because a fleet that was not fully checked is not a pass.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemaspec.cli.console import console
from schemaspec.cli.guard import results
from schemaspec.cli.options import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_STATEMENT_TIMEOUT,
    EXIT_DIFFERENCES,
    EXIT_ERROR,
    EXIT_OK,
    FORMATS,
    SOURCES_HELP,
    dialect_name,
    seconds,
    text,
)
from schemaspec.errors import SourceError

if TYPE_CHECKING:
    from schemaspec.checks.fleet import FleetReport

#: Servers read at once by default (schemaspec.checks.fleet.DEFAULT_JOBS, repeated here so that
#: building the parser imports no SQLAlchemy).
DEFAULT_JOBS = 4


def add_fleet_command(commands: Any) -> None:
    parser = commands.add_parser(
        "fleet",
        help="compare one expected source with many databases or tenant schemas; "
        "exit 0 all match, 1 some differ, 2 some failed or error",
        description="fleet EXPECTED TARGET... compares; fleet merge REPORT.json... combines the "
        "JSON reports of --shard runs.",
    )
    parser.add_argument(
        "expected", metavar="EXPECTED", type=text, help=SOURCES_HELP + "; or 'merge'"
    )
    parser.add_argument(
        "targets",
        metavar="TARGET",
        nargs="+",
        type=text,
        help="a database URL, a SQLite file, or @FILE / a file listing URLs one a line "
        "(passwords as ${VARIABLE}); after 'merge': JSON reports",
    )
    parser.add_argument(
        "--schemas",
        type=text,
        metavar="GLOB",
        help="each schema (PostgreSQL) or database (MySQL/MariaDB) matching GLOB on each "
        "server is one target, e.g. 'tenant_*'",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=DEFAULT_JOBS,
        metavar="N",
        help=f"servers read at once (default {DEFAULT_JOBS})",
    )
    parser.add_argument(
        "--shard",
        type=text,
        metavar="K/N",
        help="only the targets of shard K of N (1-based; by a hash of each target's name)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument(
        "-o", "--output", type=text, metavar="FILE", help="write the report here, not stdout"
    )
    parser.add_argument(
        "--dialect",
        type=dialect_name,
        help="render EXPECTED models for this database (default: the targets' own, when they "
        "are all of one kind)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=seconds,
        default=DEFAULT_CONNECT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a server that does not answer (default {DEFAULT_CONNECT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--statement-timeout",
        type=seconds,
        default=DEFAULT_STATEMENT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on one catalog query after this long (default "
        f"{DEFAULT_STATEMENT_TIMEOUT:g})",
    )
    parser.set_defaults(command=run_fleet)


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"not a number of jobs (1 or more): {value!r}")
    return jobs


def run_fleet(args: argparse.Namespace) -> int:
    if args.expected == "merge":
        return _merge(args)
    from schemaspec.checks.fleet import fleet, parse_shard
    from schemaspec.checks.fleet_targets import expand_targets
    from schemaspec.sources.resolve import load_source, parse_source

    shard = parse_shard(args.shard) if args.shard else None
    urls = expand_targets(args.targets)
    source = parse_source(args.expected)
    dialect = args.dialect
    if dialect is None and source.kind == "models":
        dialect = _common_dialect(urls)
    progress = console().progress
    progress.phase(f"reading {source}")
    expected = load_source(
        source,
        dialect=dialect,
        connect_timeout=args.connect_timeout,
        statement_timeout=args.statement_timeout,
    )
    progress.phase(f"reading {len(urls)} target{'' if len(urls) == 1 else 's'}")
    report = fleet(
        expected,
        urls,
        schemas=args.schemas,
        jobs=args.jobs,
        shard=shard,
        label=str(source),
        connect_timeout=args.connect_timeout,
        statement_timeout=args.statement_timeout,
    )
    progress.finish(f"{len(report.results)} targets")
    return _write(args, report)


def _merge(args: argparse.Namespace) -> int:
    from schemaspec.checks.fleet import merge_fleet
    from schemaspec.reports.fleet_report import load_report

    if args.schemas or args.shard:
        raise SourceError("fleet merge takes JSON reports only: --schemas and --shard are for runs")
    reports = []
    for name in args.targets:
        try:
            content = Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise SourceError(f"cannot read the report {name!r}: {error.strerror}") from None
        reports.append(load_report(content, name))
    return _write(args, merge_fleet(reports))


def _write(args: argparse.Namespace, report: FleetReport) -> int:
    from schemaspec.reports.fleet_report import render_json, render_markdown, render_text

    renderers = {"text": render_text, "json": render_json, "markdown": render_markdown}
    rendered = renderers[args.format](report)
    if args.output:
        Path(args.output).write_text(rendered, encoding="utf-8")
        count = len(report.results)
        console().info(f"wrote {args.output} ({count} target{'' if count == 1 else 's'})")
    else:
        results().write(rendered)
    if report.count("failed"):
        return EXIT_ERROR
    return EXIT_DIFFERENCES if report else EXIT_OK


def _common_dialect(urls: list[str]) -> str | None:
    """The kind of database all targets are, if one: models are then rendered for it."""
    kinds = {url.split(":", 1)[0].split("+", 1)[0] for url in urls}
    aliases = {"postgres": "postgresql", "mariadb": "mysql"}
    kinds = {aliases.get(kind, kind) for kind in kinds}
    if len(kinds) == 1 and kinds <= {"postgresql", "mysql", "sqlite"}:
        return next(iter(kinds))
    return None
