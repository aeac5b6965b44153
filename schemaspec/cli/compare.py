"""The ``diff`` and ``snapshot`` commands: compare two sources, write the spec of one."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from schemaspec.cli.console import console
from schemaspec.cli.fix import add_fix_options, check_fix_options, run_fix
from schemaspec.cli.guard import results
from schemaspec.cli.options import (
    CI_FORMATS,
    EXIT_DIFFERENCES,
    EXIT_OK,
    OBJECT_KINDS,
    SOURCES_HELP,
    add_source_options,
    check_shadow,
    ignore_pattern,
    load_pair,
    load_spec,
    text,
)
from schemaspec.cli.reporting import diff_report

if TYPE_CHECKING:
    from schemaspec.sources.resolve import Source
    from schemaspec.spec import SchemaSpec


def add_compare_commands(commands: Any) -> None:
    diff_parser = commands.add_parser(
        "diff", help="compare two sources; exit 0 equal, 1 different, 2 error"
    )
    diff_parser.add_argument("expected", metavar="EXPECTED", help=SOURCES_HELP)
    diff_parser.add_argument("actual", metavar="ACTUAL", help=SOURCES_HELP)
    diff_parser.add_argument("--format", choices=CI_FORMATS, default="text")
    diff_parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        type=ignore_pattern,
        metavar="PATTERN",
        help="ignore changes matching a path glob (legacy_*) or an attribute (*.*.comment); "
        "repeatable",
    )
    diff_parser.add_argument(
        "--objects",
        type=object_kinds,
        metavar="KINDS",
        help="the kinds of objects to compare: 'all', or a comma list of "
        f"{', '.join(OBJECT_KINDS)} (default: what both sides describe; models describe "
        "tables, enums and sequences)",
    )
    add_source_options(diff_parser)
    add_fix_options(diff_parser)
    diff_parser.set_defaults(command=run_diff)

    snapshot_parser = commands.add_parser("snapshot", help="write the spec of a source")
    snapshot_parser.add_argument("source", metavar="SOURCE", help=SOURCES_HELP)
    snapshot_parser.add_argument(
        "-o",
        "--output",
        type=text,
        metavar="FILE",
        help="a .toml or .json file (default: TOML on stdout)",
    )
    add_source_options(snapshot_parser)
    snapshot_parser.set_defaults(command=run_snapshot)


def object_kinds(value: str) -> str | tuple[str, ...]:
    """``--objects``: ``all`` or known kinds, checked where they enter."""
    if value.strip() == "all":
        return "all"
    kinds = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [kind for kind in kinds if kind not in OBJECT_KINDS]
    if not kinds or unknown:
        shown = unknown[0] if unknown else value
        raise argparse.ArgumentTypeError(
            f"unknown kind of object {shown!r}: choose 'all' or from {', '.join(OBJECT_KINDS)}"
        )
    return kinds


def run_diff(args: argparse.Namespace) -> int:
    from schemaspec.compare.diff import diff
    from schemaspec.sources.resolve import parse_source

    expected_source, actual_source = parse_source(args.expected), parse_source(args.actual)
    check_shadow(args, (expected_source, actual_source))
    check_fix_options(args, actual_source)
    expected, actual = load_pair(args, expected_source, actual_source)
    _require_tables(expected_source, expected)
    _require_tables(actual_source, actual)
    if args.fix is not None:
        return run_fix(args, expected, actual)
    progress = console().progress
    progress.phase(f"comparing {len(expected.tables)} with {len(actual.tables)} tables")
    result = diff(expected, actual, ignore=args.ignore, objects=args.objects)
    progress.finish(f"{len(result.changes)} differences")
    out = results()
    out.write(
        diff_report(
            args.format,
            result,
            expected=str(expected_source),
            actual=str(actual_source),
            colour=console().colours(out),
            sources=(expected_source, actual_source),
            tables=(*expected.tables, *actual.tables),
            specs=(expected, actual),
        )
    )
    return EXIT_DIFFERENCES if result else EXIT_OK


def run_snapshot(args: argparse.Namespace) -> int:
    from schemaspec.sources.resolve import parse_source
    from schemaspec.sources.snapshot import dump, dumps

    source = parse_source(args.source)
    check_shadow(args, (source,))
    spec = load_spec(args, source)
    _require_tables(source, spec)
    if args.output:
        path = dump(spec, args.output)
        count = len(spec.tables)
        console().info(f"wrote {path} ({count} table{'' if count == 1 else 's'})")
    else:
        results().write(dumps(spec))
    return EXIT_OK


def _require_tables(source: Source, spec: SchemaSpec) -> None:
    """Models without tables are an error: an empty snapshot, or a diff that reads "no
    differences" against an empty database, would pass while comparing nothing. (An empty
    database is only a warning, see ``load_spec``: a new database is empty.)"""
    if source.kind == "models" and not spec.tables:
        from schemaspec.checks.model_health import no_tables_error

        raise no_tables_error(str(source))
