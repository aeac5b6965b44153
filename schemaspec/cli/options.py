"""What the command modules share: exit codes, the source options and loading a source."""

from __future__ import annotations

import argparse
import sys

from schemaspec.sources.resolve import Source, load_source, parse_source
from schemaspec.sources.session import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT
from schemaspec.spec import SchemaSpec

EXIT_OK, EXIT_DIFFERENCES, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "markdown")
SOURCES_HELP = (
    "a source: pkg.module:Base (models), a database URL, a .toml/.json snapshot, "
    "or alembic:path/to/alembic.ini[@revision]"
)


def seconds(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if seconds < 0 or seconds != seconds:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return seconds or None  # 0: wait forever


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dialect",
        help="render models the way this database stores them (postgresql, mysql, sqlite)",
    )
    parser.add_argument("--schema", help="a non-default database schema")
    parser.add_argument(
        "--connect-timeout",
        type=seconds,
        default=DEFAULT_CONNECT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on a database that does not answer (default {DEFAULT_CONNECT_TIMEOUT:g};"
        " 0 waits forever)",
    )
    parser.add_argument(
        "--statement-timeout",
        type=seconds,
        default=DEFAULT_STATEMENT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up on one reflection query after this long (default "
        f"{DEFAULT_STATEMENT_TIMEOUT:g}; 0 waits forever)",
    )


def load_spec(args: argparse.Namespace, source: Source | str) -> SchemaSpec:
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
