"""The ``diff`` and ``snapshot`` commands: compare two sources, write the spec of one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from schemaspec.checks.model_health import no_tables_error
from schemaspec.cli.guard import results
from schemaspec.cli.options import (
    EXIT_DIFFERENCES,
    EXIT_OK,
    FORMATS,
    SOURCES_HELP,
    add_source_options,
    check_shadow,
    ignore_pattern,
    load_pair,
    load_spec,
    text,
)
from schemaspec.compare.diff import diff
from schemaspec.reports.diff_report import render_json, render_markdown, render_text, use_colour
from schemaspec.sources.resolve import Source, parse_source
from schemaspec.sources.snapshot import dump, dumps
from schemaspec.spec import OBJECT_KINDS, SchemaSpec


def add_compare_commands(commands: Any) -> None:
    diff_parser = commands.add_parser(
        "diff", help="compare two sources; exit 0 equal, 1 different, 2 error"
    )
    diff_parser.add_argument("expected", metavar="EXPECTED", help=SOURCES_HELP)
    diff_parser.add_argument("actual", metavar="ACTUAL", help=SOURCES_HELP)
    diff_parser.add_argument("--format", choices=FORMATS, default="text")
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
    expected_source, actual_source = parse_source(args.expected), parse_source(args.actual)
    check_shadow(args, (expected_source, actual_source))
    expected, actual = load_pair(args, expected_source, actual_source)
    _require_tables(expected_source, expected)
    _require_tables(actual_source, actual)
    result = diff(expected, actual, ignore=args.ignore, objects=args.objects)
    names = {"expected": str(expected_source), "actual": str(actual_source)}
    out = results()
    if args.format == "json":
        out.write(render_json(result, **names))
    elif args.format == "markdown":
        out.write(render_markdown(result, **names))
    else:
        colour = use_colour(out)
        out.write(
            render_text(result, expected=names["expected"], actual=names["actual"], colour=colour)
        )
    return EXIT_DIFFERENCES if result else EXIT_OK


def run_snapshot(args: argparse.Namespace) -> int:
    source = parse_source(args.source)
    check_shadow(args, (source,))
    spec = load_spec(args, source)
    _require_tables(source, spec)
    if args.output:
        path = dump(spec, args.output)
        count = len(spec.tables)
        print(f"wrote {path} ({count} table{'' if count == 1 else 's'})", file=sys.stderr)
    else:
        results().write(dumps(spec))
    return EXIT_OK


def _require_tables(source: Source, spec: SchemaSpec) -> None:
    """Models without tables are an error: an empty snapshot, or a diff that reads "no
    differences" against an empty database, would pass while comparing nothing. (An empty
    database is only a warning, see ``load_spec``: a new database is empty.)"""
    if source.kind == "models" and not spec.tables:
        raise no_tables_error(str(source))
