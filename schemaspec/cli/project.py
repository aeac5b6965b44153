"""The project commands of the CLI: ``check`` (reads ``[tool.schemaspec]``), ``contract`` and
``schema``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from schemaspec.checks.config import Project, ProjectConfig, discover
from schemaspec.checks.contracts import check_contract, contract_warnings, load_contract
from schemaspec.checks.model_health import no_tables_error
from schemaspec.checks.project import run_check, with_overrides
from schemaspec.cli.guard import results
from schemaspec.cli.options import (
    EXIT_DIFFERENCES,
    EXIT_OK,
    FORMATS,
    SOURCES_HELP,
    dialect_name,
    ignore_pattern,
    text,
)
from schemaspec.compare.ignore import as_rules
from schemaspec.errors import SchemaspecError
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
    check.add_argument(
        "--config", type=text, metavar="PATH", help="a pyproject.toml (default: search upward)"
    )
    check.add_argument(
        "--models", type=text, metavar="PKG.MODULE:ATTR", help="the models import string"
    )
    check.add_argument("--snapshot", type=text, metavar="FILE", help="the committed snapshot file")
    check.add_argument(
        "--database", type=text, metavar="URL", help="a database that must match the models"
    )
    check.add_argument(
        "--dialect", type=dialect_name, help="render the models' snapshot for this database"
    )
    check.add_argument("--schema", type=text, help="a non-default database schema")
    check.add_argument(
        "--contract",
        type=text,
        action="append",
        metavar="FILE",
        help="a contract file (replaces config)",
    )
    check.add_argument(
        "--ignore",
        type=ignore_pattern,
        action="append",
        default=[],
        metavar="PATTERN",
        help="an extra ignore rule",
    )
    check.add_argument("--format", choices=FORMATS, default="text")
    check.set_defaults(command=run_check_command)

    contract = commands.add_parser(
        "contract", help="check that a source satisfies a contract file; exit 0 holds, 1 broken"
    )
    contract.add_argument(
        "contract", type=text, metavar="CONTRACT", help="a contract file (.toml/.json)"
    )
    contract.add_argument("source", metavar="SOURCE", help=SOURCES_HELP)
    contract.add_argument(
        "--dialect", type=dialect_name, help="render models the way this database stores them"
    )
    contract.add_argument("--schema", type=text, help="a non-default database schema")
    contract.add_argument("--format", choices=FORMATS, default="text")
    contract.set_defaults(command=run_contract_command)

    schema = commands.add_parser(
        "schema", help="write the JSON Schema of snapshot and contract files"
    )
    schema.add_argument(
        "-o", "--output", type=text, metavar="DIR", default="specs", help="default: specs"
    )
    schema.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file is out of date"
    )
    schema.set_defaults(command=run_schema_command)


def run_check_command(args: argparse.Namespace) -> int:
    project = discover(args.config)
    if project is None:
        project = Project(config=ProjectConfig(), path=None, root=Path.cwd())
    extra = as_rules(args.ignore)
    # A path typed on the command line is relative to where it was typed; only the paths
    # written in the configuration are relative to its pyproject.toml.
    here = Path.cwd()
    overrides = {
        "models": args.models,
        "snapshot": str(here / args.snapshot) if args.snapshot else None,
        "database": args.database,
        "dialect": args.dialect,
        "db_schema": args.schema,
        "contracts": tuple(str(here / path) for path in args.contract) if args.contract else None,
        "ignore": (*project.config.ignore, *extra) if extra else None,
    }
    run = run_check(with_overrides(project, overrides))
    out = results()
    if args.format == "json":
        out.write(json.dumps(check_document(run), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        out.write(render_check_markdown(run))
    else:
        out.write(render_check_text(run, colour=use_colour(out)))
    return EXIT_OK if run.ok else EXIT_DIFFERENCES


def run_contract_command(args: argparse.Namespace) -> int:
    contract = load_contract(args.contract)
    source = parse_source(args.source)
    spec = load_source(source, dialect=args.dialect, schema=args.schema)
    if source.kind == "models" and not spec.tables:
        raise no_tables_error(str(source))
    result = check_contract(contract, spec, warn=False)
    # On stderr, like every warning of the CLI: the report on stdout stays the contract's verdict.
    for message in contract_warnings(contract, spec):
        print(f"schemaspec: warning: {args.contract}: {message}", file=sys.stderr)
    expected, actual = f"contract {args.contract}", str(source)
    out = results()
    if args.format == "json":
        out.write(render_json(result, expected=expected, actual=actual))
    elif args.format == "markdown":
        out.write(render_markdown(result, expected=expected, actual=actual))
    else:
        colour = use_colour(out)
        out.write(render_text(result, expected=expected, actual=actual, colour=colour))
    return EXIT_DIFFERENCES if result else EXIT_OK


def run_schema_command(args: argparse.Namespace) -> int:
    from schemaspec.reports.json_schemas import stale, write_all

    target = Path(args.output)
    if target.exists() and not target.is_dir():
        raise SchemaspecError(f"{target}: is a file; -o names the directory the schemas go in")
    if args.check:
        try:
            out_of_date = stale(target)
        except OSError as error:
            raise SchemaspecError(_os_error(error, target, "cannot be read")) from None
        for path in out_of_date:
            state = "out of date" if path.exists() else "missing"
            print(
                f"{path}: {state}; run python -m schemaspec schema -o {args.output}",
                file=results(),
            )
        return EXIT_DIFFERENCES if out_of_date else EXIT_OK
    try:
        written = write_all(target)
    except OSError as error:
        # Permission denied, a read-only file system, a file where a parent directory should
        # be: the OS's reason, in one line, for the path it was about.
        raise SchemaspecError(_os_error(error, target, "cannot be written")) from None
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def _os_error(error: OSError, target: Path, what: str) -> str:
    return f"{error.filename or target}: {what}: {error.strerror or error}"
