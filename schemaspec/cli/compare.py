"""The ``diff`` and ``snapshot`` commands: compare two sources, write the spec of one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from schemaspec.cli.options import (
    EXIT_DIFFERENCES,
    EXIT_OK,
    FORMATS,
    SOURCES_HELP,
    add_source_options,
    check_shadow,
    load_pair,
    load_spec,
)
from schemaspec.compare.diff import diff
from schemaspec.reports.diff_report import render_json, render_markdown, render_text, use_colour
from schemaspec.sources.resolve import parse_source
from schemaspec.sources.snapshot import dump, dumps


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
        metavar="PATTERN",
        help="ignore changes matching a path glob (legacy_*) or an attribute (*.*.comment); "
        "repeatable",
    )
    add_source_options(diff_parser)
    diff_parser.set_defaults(command=run_diff)

    snapshot_parser = commands.add_parser("snapshot", help="write the spec of a source")
    snapshot_parser.add_argument("source", metavar="SOURCE", help=SOURCES_HELP)
    snapshot_parser.add_argument(
        "-o", "--output", metavar="FILE", help="a .toml or .json file (default: TOML on stdout)"
    )
    add_source_options(snapshot_parser)
    snapshot_parser.set_defaults(command=run_snapshot)


def run_diff(args: argparse.Namespace) -> int:
    expected_source, actual_source = parse_source(args.expected), parse_source(args.actual)
    check_shadow(args, (expected_source, actual_source))
    expected, actual = load_pair(args, expected_source, actual_source)
    result = diff(expected, actual, ignore=args.ignore)
    names = {"expected": str(expected_source), "actual": str(actual_source)}
    if args.format == "json":
        sys.stdout.write(render_json(result, **names))
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(result, **names))
    else:
        colour = use_colour(sys.stdout)
        sys.stdout.write(
            render_text(result, expected=names["expected"], actual=names["actual"], colour=colour)
        )
    return EXIT_DIFFERENCES if result else EXIT_OK


def run_snapshot(args: argparse.Namespace) -> int:
    source = parse_source(args.source)
    check_shadow(args, (source,))
    spec = load_spec(args, source)
    if args.output:
        path = dump(spec, args.output)
        count = len(spec.tables)
        print(f"wrote {path} ({count} table{'' if count == 1 else 's'})", file=sys.stderr)
    else:
        sys.stdout.write(dumps(spec))
    return EXIT_OK
