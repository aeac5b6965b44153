"""The command line: a thin layer over the functions users import.

``main(argv)`` returns the exit code: 0 no differences, 1 differences, 2 bad input or an error
(one line on stderr; the traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import NoReturn

from schemaspec.diff import diff
from schemaspec.errors import SchemaspecError
from schemaspec.redact import scrub
from schemaspec.report import render_json, render_markdown, render_text, use_colour
from schemaspec.snapshot import dump, dumps
from schemaspec.sources.resolve import Source, load_source, parse_source
from schemaspec.sources.session import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT
from schemaspec.spec import SchemaSpec

EXIT_OK, EXIT_DIFFERENCES, EXIT_ERROR = 0, 1, 2

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            # Reported by the parser they were given to, so the pointer is to the right --help.
            words = list(sys.argv[1:] if argv is None else argv)
            before_command = words[: words.index(args.command_name)]
            owner = (
                parser if set(extras) & set(before_command) else parser.commands[args.command_name]
            )
            owner.error(f"unrecognized arguments: {' '.join(extras)}")
    except SystemExit as exit_:
        # argparse exits on --help (0) and on a usage error (2, already reported in one line).
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    command: Command = args.command
    try:
        return command(args)
    except SchemaspecError as error:
        if args.debug:
            # The traceback, but still exit 2: an error must never read as "differences found".
            traceback.print_exc()
            return EXIT_ERROR
        print(f"schemaspec: error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:
        if args.debug:
            traceback.print_exc()
            return EXIT_ERROR
        message = _one_line(str(error).strip().splitlines()[0] if str(error).strip() else "")
        print(
            f"schemaspec: error: unexpected {type(error).__name__}: {message} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _one_line(message: str) -> str:
    """The CLI reports a cause in one line (drivers split theirs over several), never a
    password, even one a driver or an imported module quoted."""
    return scrub(" ".join(message.split()), None)


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error, with a pointer to ``--help``."""

    #: The command parsers by name (set on the top-level parser only).
    commands: Mapping[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"schemaspec: error: {message} (see: {self.prog} --help)\n")


def _timeout(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if seconds < 0 or seconds != seconds:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return seconds or None  # 0: wait forever


def main_entry() -> None:
    """The ``schemaspec`` console script."""
    sys.exit(main())


def build_parser() -> _Parser:
    parser = _Parser(
        prog="schemaspec",
        description="Treat a database schema as data: snapshot and diff models, databases, "
        "snapshot files and Alembic revisions.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(
        title="commands", required=True, metavar="COMMAND", dest="command_name"
    )
    parser.commands = commands.choices

    sources_help = (
        "a source: pkg.module:Base (models), a database URL, a .toml/.json snapshot, "
        "or alembic:path/to/alembic.ini[@revision]"
    )
    diff_parser = commands.add_parser(
        "diff", help="compare two sources; exit 0 equal, 1 different, 2 error"
    )
    diff_parser.add_argument("expected", metavar="EXPECTED", help=sources_help)
    diff_parser.add_argument("actual", metavar="ACTUAL", help=sources_help)
    diff_parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    diff_parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="PATTERN",
        help="ignore changes matching a path glob (legacy_*) or an attribute (*.*.comment); "
        "repeatable",
    )
    _add_source_options(diff_parser)
    diff_parser.set_defaults(command=run_diff)

    snapshot_parser = commands.add_parser("snapshot", help="write the spec of a source")
    snapshot_parser.add_argument("source", metavar="SOURCE", help=sources_help)
    snapshot_parser.add_argument(
        "-o", "--output", metavar="FILE", help="a .toml or .json file (default: TOML on stdout)"
    )
    _add_source_options(snapshot_parser)
    snapshot_parser.set_defaults(command=run_snapshot)

    models_parser = commands.add_parser(
        "models",
        help="check a models package: imports, registration on the base's metadata, "
        "configure_mappers(); exit 0 healthy, 1 problems, 2 error",
    )
    models_parser.add_argument("package", metavar="PKG", help="the models package, e.g. app.models")
    models_parser.add_argument(
        "--base",
        metavar="PKG.MOD:Base",
        help="the declarative base (or MetaData) env.py uses (default: PKG:Base)",
    )
    models_parser.set_defaults(command=run_models)

    from schemaspec.cli_project import add_project_commands

    add_project_commands(commands, sources_help)

    from schemaspec.cli_migrations import add_migrations_command

    add_migrations_command(commands)
    return parser


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dialect",
        help="render models the way this database stores them (postgresql, mysql, sqlite)",
    )
    parser.add_argument("--schema", help="a non-default database schema")
    parser.add_argument(
        "--connect-timeout",
        type=_timeout,
        default=DEFAULT_CONNECT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a database that does not answer (default {DEFAULT_CONNECT_TIMEOUT:g};"
        " 0 waits forever)",
    )
    parser.add_argument(
        "--statement-timeout",
        type=_timeout,
        default=DEFAULT_STATEMENT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on one reflection query after this long (default "
        f"{DEFAULT_STATEMENT_TIMEOUT:g}; 0 waits forever)",
    )


def _load(args: argparse.Namespace, source: Source | str) -> SchemaSpec:
    spec = load_source(
        source,
        dialect=args.dialect,
        schema=args.schema,
        connect_timeout=args.connect_timeout,
        statement_timeout=args.statement_timeout,
    )
    source = parse_source(source) if isinstance(source, str) else source
    if source.kind == "database" and not spec.tables:
        # Not an error (a new database is empty), but the usual sign of a wrong database name
        # or schema, which would otherwise pass as "every table is missing".
        print(f"schemaspec: warning: {source} has no tables", file=sys.stderr)
    return spec


def run_diff(args: argparse.Namespace) -> int:
    expected_source, actual_source = parse_source(args.expected), parse_source(args.actual)
    expected = _load(args, expected_source)
    actual = _load(args, actual_source)
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
    spec = _load(args, args.source)
    if args.output:
        path = dump(spec, args.output)
        count = len(spec.tables)
        print(f"wrote {path} ({count} table{'' if count == 1 else 's'})", file=sys.stderr)
    else:
        sys.stdout.write(dumps(spec))
    return EXIT_OK


def run_models(args: argparse.Namespace) -> int:
    from schemaspec.health import check_models, render_models_text

    report = check_models(args.package, base=args.base)
    sys.stdout.write(render_models_text(report))
    return EXIT_OK if report.healthy else EXIT_DIFFERENCES
