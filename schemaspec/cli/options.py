"""What the command modules share: exit codes, the source options and loading a source.

Building the parser runs on every call (``--version``, ``--help``, shell completion), so this
module imports nothing heavy at the top: what loading a source needs is imported where a
command does it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from schemaspec.cli.console import console
from schemaspec.errors import SourceError

if TYPE_CHECKING:
    from schemaspec.sources.resolve import Source
    from schemaspec.spec import SchemaSpec

EXIT_OK, EXIT_DIFFERENCES, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "markdown")
#: The formats of every report: the three above, plus what CI systems read natively (GitHub
#: workflow annotations, JUnit XML test results, SARIF for code scanning).
CI_FORMATS = (*FORMATS, "github", "junit", "sarif")

# Facts of lower layers shown in help texts, repeated so that building the parser imports
# neither SQLAlchemy (schemaspec.sources.session) nor pydantic (schemaspec.spec).
# tests/cli/test_startup.py asserts that they equal the originals.
DEFAULT_CONNECT_TIMEOUT: float = 10
DEFAULT_STATEMENT_TIMEOUT: float = 60
OBJECT_KINDS = (
    "tables",
    "enums",
    "sequences",
    "views",
    "triggers",
    "routines",
    "extensions",
    "privileges",
)
SOURCES_HELP = (
    "a source: pkg.module:Base (models), a database URL, a .toml/.json snapshot, "
    "or alembic:path/to/alembic.ini[@revision]"
)


def seconds(text: str) -> float | None:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if seconds < 0 or not math.isfinite(seconds):
        # Infinity is no timeout the drivers take (int(inf) fails deep inside them): 0 is
        # "wait forever".
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return seconds or None  # 0: wait forever


def text(value: str) -> str:
    """Any text argument. An empty one is a mistake (an unset shell variable, a stray ''),
    never a way to ask for the default: '' as a path is the current directory, as a schema a
    schema that matches nothing."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def ignore_pattern(value: str) -> str:
    """An ``--ignore`` rule, checked now so a bad one is a usage error and not a traceback."""
    from pydantic import ValidationError

    from schemaspec.compare.ignore import as_rules

    try:
        as_rules([value])
    except ValidationError as error:
        reason = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        raise argparse.ArgumentTypeError(reason) from None
    return value


def add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dialect",
        type=dialect_name,
        help="render models the way this database stores them (postgresql, mysql, sqlite)",
    )
    parser.add_argument(
        "--schema",
        type=text,
        action="append",
        help="a non-default database schema, its tables keyed by bare name; repeated: these "
        "schemas in one spec, the default schema's tables bare and the others' qualified "
        "(audit.events)",
    )
    parser.add_argument(
        "--privileges",
        action="store_true",
        help="databases: also read grants, row-level security and policies (compared when both "
        "sides read them)",
    )
    parser.add_argument(
        "--all-schemas",
        action="store_true",
        help="every schema but the database's own, in one spec (qualified as with --schema)",
    )
    parser.add_argument(
        "--shadow",
        nargs="?",
        const=True,
        metavar="SERVER_URL",
        help="build the models for real: create_all in a scratch database on SERVER_URL (dropped "
        "afterwards) and read it back like the actual side; alone: an in-memory SQLite database. "
        "Put it after the sources",
    )
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


def dialect_name(text: str) -> str:
    from schemaspec.dialects import known_dialect

    try:
        return known_dialect(text)
    except SourceError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def check_shadow(args: argparse.Namespace, sources: Sequence[Source]) -> None:
    """``--shadow`` builds models; refuse it where it would do nothing or build the wrong kind."""
    if args.shadow is None:
        return
    if not any(source.kind == "models" for source in sources):
        raise SourceError("--shadow builds models, and no source here is models (pkg.module:Base)")
    if args.shadow is not True:
        return
    for source in sources:
        if source.kind == "database" and not source.text.startswith("sqlite"):
            kind = source.text.split(":", 1)[0].split("+", 1)[0]
            raise SourceError(
                f"--shadow alone builds the models in SQLite, but {source} is {kind}: "
                f"give --shadow the URL of a {kind} server you may create databases on"
            )


def load_pair(
    args: argparse.Namespace, expected: Source, actual: Source
) -> tuple[SchemaSpec, SchemaSpec]:
    """Both sides; models compared with another source are compiled for that source's database.

    The other side is read first, so models without ``--dialect`` are rendered the way its
    database builds them (types, defaults, truncated names, ``ddl_if``), not neutrally.
    """
    from schemaspec.dialects import DIALECT_CHOICES

    if args.dialect is not None or (expected.kind == "models") == (actual.kind == "models"):
        return load_spec(args, expected), load_spec(args, actual)
    models, other = (expected, actual) if expected.kind == "models" else (actual, expected)
    other_spec = load_spec(args, other)
    dialect = other_spec.dialect if other_spec.dialect in DIALECT_CHOICES else None
    if args.shadow is not None:
        dialect = None  # the shadow server's kind decides
    models_spec = load_spec(argparse.Namespace(**{**vars(args), "dialect": dialect}), models)
    if models is expected:
        return models_spec, other_spec
    return other_spec, models_spec


def load_spec(args: argparse.Namespace, source: Source | str) -> SchemaSpec:
    from schemaspec.sources.resolve import load_source, parse_source

    named: list[str] = args.schema or []
    if args.all_schemas and named:
        raise SourceError("give --schema or --all-schemas, not both")
    several: str | list[str] | None = "*" if args.all_schemas else None
    if len(named) > 1:
        several = named
    source = parse_source(source) if isinstance(source, str) else source
    progress = console().progress
    progress.phase(f"reading {_shown(source)}")
    spec = load_source(
        source,
        dialect=args.dialect,
        schema=named[0] if len(named) == 1 else None,
        schemas=several,
        privileges=args.privileges,
        shadow=args.shadow,
        connect_timeout=args.connect_timeout,
        statement_timeout=args.statement_timeout,
    )
    count = len(spec.tables)
    progress.finish(f"{count} table{'' if count == 1 else 's'}")
    if source.kind == "database" and not spec.tables:
        # Not an error (a new database is empty), but the usual sign of a wrong database name
        # or schema, which would otherwise pass as "every table is missing".
        console().warn(f"{source} has no tables")
    return spec


def _shown(source: Source) -> str:
    """The source as progress names it; a URL too broken to mask is named by kind (reading it
    fails next, with the error that says what is wrong)."""
    try:
        return str(source)
    except ValueError:
        return f"the {source.kind}"
