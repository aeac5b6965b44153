"""The ``models`` command: a health check of a models package (see
:mod:`schemaspec.checks.model_health`)."""

from __future__ import annotations

import argparse
from typing import Any

from schemaspec.cli.guard import results
from schemaspec.cli.options import EXIT_DIFFERENCES, EXIT_OK, text
from schemaspec.cli.reporting import models_report

#: JSON is the report's own fields; a Markdown models report does not exist (yet).
MODELS_FORMATS = ("text", "json", "github", "junit", "sarif")


def add_models_command(commands: Any) -> None:
    models_parser = commands.add_parser(
        "models",
        help="check a models package: imports, registration on the base's metadata, "
        "configure_mappers(); exit 0 healthy, 1 problems, 2 error",
    )
    models_parser.add_argument(
        "package", type=text, metavar="PKG", help="the models package, e.g. app.models"
    )
    models_parser.add_argument(
        "--base",
        type=text,
        metavar="PKG.MOD:Base",
        help="the declarative base (or MetaData) env.py uses (default: PKG:Base)",
    )
    models_parser.add_argument("--format", choices=MODELS_FORMATS, default="text")
    models_parser.set_defaults(command=run_models)


def run_models(args: argparse.Namespace) -> int:
    from schemaspec.checks.model_health import check_models

    report = check_models(args.package, base=args.base)
    results().write(models_report(args.format, report))
    return EXIT_OK if report.healthy else EXIT_DIFFERENCES
