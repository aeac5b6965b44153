"""``diff --fix sql|alembic``: write the proven change that closes the difference."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from schemaspec.cli.console import console
from schemaspec.cli.guard import results
from schemaspec.cli.options import EXIT_DIFFERENCES, EXIT_OK, text

if TYPE_CHECKING:
    from schemaspec.fix import Fix
    from schemaspec.sources.resolve import Source
    from schemaspec.spec import SchemaSpec


def add_fix_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fix (turn ACTUAL into EXPECTED)")
    group.add_argument(
        "--fix",
        choices=("sql", "alembic"),
        help="write the steps that close the difference, proven on a scratch copy of ACTUAL: "
        "a SQL script or an Alembic revision file",
    )
    group.add_argument(
        "-o", "--output", type=text, metavar="FILE", help="--fix: write to FILE (default: stdout)"
    )
    group.add_argument(
        "--allow-destructive",
        action="store_true",
        help="--fix: include steps that may lose data (drops, narrowing, NOT NULL)",
    )
    group.add_argument(
        "--rename",
        action="append",
        default=[],
        type=rename,
        metavar="OLD=NEW",
        help="--fix: ACTUAL's table or table.column OLD is EXPECTED's NEW (never guessed); "
        "repeatable",
    )
    group.add_argument(
        "--scratch-server",
        type=text,
        metavar="URL",
        help="--fix: a PostgreSQL/MySQL server to prove the fix on, in a scratch database "
        "dropped afterwards (SQLite needs none)",
    )
    group.add_argument(
        "--concurrently",
        action="store_true",
        help="--fix on PostgreSQL: build and drop indexes of existing tables CONCURRENTLY",
    )
    group.add_argument(
        "--alembic-config",
        type=text,
        metavar="INI",
        help="--fix alembic: the project's alembic.ini, so the revision follows its head",
    )


def rename(value: str) -> tuple[str, str]:
    old, sep, new = value.partition("=")
    if not sep or not old.strip() or not new.strip():
        raise argparse.ArgumentTypeError(f"expected OLD=NEW, got {value!r}")
    return old.strip(), new.strip()


def check_fix_options(args: argparse.Namespace, actual: Source) -> None:
    """Fix options without ``--fix`` would be silently ignored: refuse them. A fix for a
    server database needs a server to prove it on: said before anything is read."""
    from schemaspec.errors import SourceError

    if args.fix is not None:
        backend = actual.text.split(":", 1)[0].split("+", 1)[0].lower()
        kind = {"postgres": "postgresql", "mariadb": "mysql"}.get(backend, backend)
        if actual.kind == "database" and kind != "sqlite" and args.scratch_server is None:
            raise SourceError(
                f"--fix for {kind} is proven on a scratch database: give --scratch-server "
                f"the URL of a {kind} server you may create databases on"
            )
        return
    given = [
        flag
        for flag, value in (
            ("--output", args.output),
            ("--allow-destructive", args.allow_destructive),
            ("--rename", args.rename),
            ("--scratch-server", args.scratch_server),
            ("--alembic-config", args.alembic_config),
            ("--concurrently", args.concurrently),
        )
        if value
    ]
    if given:
        raise SourceError(f"{given[0]} only applies with --fix sql|alembic")


def run_fix(args: argparse.Namespace, expected: SchemaSpec, actual: SchemaSpec) -> int:
    """Write the fix; exit 0 when it closes every difference, 1 when some are left (each
    named on stderr with the reason)."""
    from schemaspec.fix import render_fix

    fix = render_fix(
        expected,
        actual,
        style=args.fix,
        dialect=args.dialect,
        ignore=args.ignore,
        objects=args.objects,
        allow_destructive=args.allow_destructive,
        renames=dict(args.rename),
        scratch=args.scratch_server,
        alembic_config=args.alembic_config,
        concurrently=args.concurrently,
    )
    if args.output:
        _write(Path(args.output), fix.text)
        console().info(f"wrote {args.output} ({_counted(fix)})")
    else:
        results().write(fix.text)
    for left in (*fix.refused, *fix.unexpressed):
        change = left.change
        print(
            f"schemaspec: not fixed: {change.kind} {change.object.replace('_', ' ')} "
            f"{change.path}: {left.reason}",
            file=sys.stderr,
        )
    for left in fix.downgrade_unexpressed:
        print(
            f"schemaspec: downgrade does not undo {left.change.path}: {left.reason}",
            file=sys.stderr,
        )
    return EXIT_OK if fix.complete else EXIT_DIFFERENCES


def _counted(fix: Fix) -> str:
    closed = len(fix.closed)
    left = len(fix.refused) + len(fix.unexpressed)
    return f"{closed} change{'' if closed == 1 else 's'} closed, {left} left"


def _write(path: Path, content: str) -> None:
    """Written whole or not at all: a half-written fix never replaces a file."""
    temporary = path.with_name(f".{path.name}.schemaspec-tmp")
    temporary.write_text(content)
    temporary.replace(path)
