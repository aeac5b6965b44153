"""The ``migrations`` command: review an Alembic history
(see :mod:`schemaspec.checks.migrations`)."""

from __future__ import annotations

import argparse
from typing import Any

from schemaspec.cli.console import console
from schemaspec.cli.guard import results
from schemaspec.cli.options import CI_FORMATS, EXIT_DIFFERENCES, EXIT_OK, text
from schemaspec.cli.reporting import migrations_report


def add_migrations_command(commands: Any) -> None:
    parser = commands.add_parser(
        "migrations",
        help="check an Alembic history: one head, exact downgrades, destructive steps, models "
        "at head; exit 0 clean, 1 findings, 2 error",
    )
    parser.add_argument("config", type=text, metavar="ALEMBIC_INI", help="path to alembic.ini")
    parser.add_argument(
        "--models",
        type=text,
        metavar="PKG.MODULE:BASE",
        help="models the schema at head must equal",
    )
    parser.add_argument(
        "--allow-destructive",
        metavar="REV",
        type=text,
        action="append",
        default=[],
        help="accept the destructive steps of this revision (repeatable)",
    )
    parser.add_argument(
        "--allow-locking",
        metavar="REV",
        type=text,
        action="append",
        default=[],
        help="accept the steps of this revision that lock or fail on a populated table "
        "(repeatable)",
    )
    parser.add_argument(
        "--url", type=text, help="an empty database to run on (default: a temporary SQLite file)"
    )
    parser.add_argument("--format", choices=CI_FORMATS, default="text")
    parser.set_defaults(command=run_migrations)


def run_migrations(args: argparse.Namespace) -> int:
    from schemaspec.checks.migrations import check_migrations

    report = check_migrations(
        args.config,
        url=args.url,
        models=args.models,
        allow_destructive=args.allow_destructive,
        allow_locking=args.allow_locking,
        progress=console().progress,
    )
    console().progress.finish(f"{len(report.revisions)} revisions")
    results().write(migrations_report(args.format, report))
    return EXIT_DIFFERENCES if report else EXIT_OK
