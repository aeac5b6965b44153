"""The project commands of the CLI: ``check`` (reads ``[tool.schemaspec]``), ``contract`` and
``schema``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from schemaspec.checks.config import Project, ProjectConfig, discover
from schemaspec.checks.contracts import load_contract
from schemaspec.checks.project import run_check, with_overrides
from schemaspec.cli.options import EXIT_DIFFERENCES, EXIT_OK, FORMATS, SOURCES_HELP
from schemaspec.compare.ignore import as_rules
from schemaspec.reports.check_report import check_document, render_check_markdown, render_check_text
from schemaspec.reports.diff_report import render_json, render_markdown, render_text, use_colour
from schemaspec.sources.resolve import load_source, parse_source


def add_project_commands(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="run every check [tool.schemaspec] configures: snapshot, contracts, database",
        description="With no arguments, reads [tool.schemaspec] from the nearest pyproject.toml. "
        "Flags override the configuration.",
    )
    check.add_argument("--config", metavar="PATH", help="a pyproject.toml (default: search upward)")
    check.add_argument("--models", metavar="PKG.MODULE:ATTR", help="the models import string")
    check.add_argument("--snapshot", metavar="FILE", help="the committed snapshot file")
    check.add_argument("--database", metavar="URL", help="a database that must match the models")
    check.add_argument("--dialect", help="render the models' snapshot for this database")
    check.add_argument("--schema", help="a non-default database schema")
    check.add_argument(
        "--contract", action="append", metavar="FILE", help="a contract file (replaces config)"
    )
    check.add_argument(
        "--ignore", action="append", default=[], metavar="PATTERN", help="an extra ignore rule"
    )
    check.add_argument("--format", choices=FORMATS, default="text")
    check.set_defaults(command=run_check_command)

    contract = commands.add_parser(
        "contract", help="check that a source satisfies a contract file; exit 0 holds, 1 broken"
    )
    contract.add_argument("contract", metavar="CONTRACT", help="a contract file (.toml/.json)")
    contract.add_argument("source", metavar="SOURCE", help=SOURCES_HELP)
    contract.add_argument("--dialect", help="render models the way this database stores them")
    contract.add_argument("--schema", help="a non-default database schema")
    contract.add_argument("--format", choices=FORMATS, default="text")
    contract.set_defaults(command=run_contract_command)

    schema = commands.add_parser(
        "schema", help="write the JSON Schema of snapshot and contract files"
    )
    schema.add_argument("-o", "--output", metavar="DIR", default="specs", help="default: specs")
    schema.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file is out of date"
    )
    schema.set_defaults(command=run_schema_command)


def run_check_command(args: argparse.Namespace) -> int:
    project = discover(args.config)
    if project is None:
        project = Project(config=ProjectConfig(), path=None, root=Path.cwd())
    extra = as_rules(args.ignore)
    overrides = {
        "models": args.models,
        "snapshot": args.snapshot,
        "database": args.database,
        "dialect": args.dialect,
        "db_schema": args.schema,
        "contracts": tuple(args.contract) if args.contract else None,
        "ignore": (*project.config.ignore, *extra) if extra else None,
    }
    run = run_check(with_overrides(project, overrides))
    if args.format == "json":
        sys.stdout.write(json.dumps(check_document(run), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(render_check_markdown(run))
    else:
        sys.stdout.write(render_check_text(run, colour=use_colour(sys.stdout)))
    return EXIT_OK if run.ok else EXIT_DIFFERENCES


def run_contract_command(args: argparse.Namespace) -> int:
    contract = load_contract(args.contract)
    source = parse_source(args.source)
    result = contract.check(load_source(source, dialect=args.dialect, schema=args.schema))
    expected, actual = f"contract {args.contract}", str(source)
    if args.format == "json":
        sys.stdout.write(render_json(result, expected=expected, actual=actual))
    elif args.format == "markdown":
        sys.stdout.write(render_markdown(result, expected=expected, actual=actual))
    else:
        colour = use_colour(sys.stdout)
        sys.stdout.write(render_text(result, expected=expected, actual=actual, colour=colour))
    return EXIT_DIFFERENCES if result else EXIT_OK


def run_schema_command(args: argparse.Namespace) -> int:
    from schemaspec.reports.json_schemas import stale, write_all

    if args.check:
        out_of_date = stale(args.output)
        for path in out_of_date:
            state = "out of date" if path.exists() else "missing"
            print(f"{path}: {state}; run python -m schemaspec schema -o {args.output}")
        return EXIT_DIFFERENCES if out_of_date else EXIT_OK
    for path in write_all(args.output):
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK
