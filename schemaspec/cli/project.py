"""The project commands of the CLI: ``check`` (reads ``[tool.schemaspec]``), ``contract`` and
``schema``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from schemaspec.cli.console import console
from schemaspec.cli.guard import results
from schemaspec.cli.options import (
    CI_FORMATS,
    EXIT_DIFFERENCES,
    EXIT_OK,
    SOURCES_HELP,
    dialect_name,
    ignore_pattern,
    text,
)
from schemaspec.cli.reporting import check_report, diff_report
from schemaspec.errors import SchemaspecError


def add_project_commands(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="run every check [tool.schemaspec] configures: snapshot, contracts, database, "
        "models health, migrations review",
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
    check.add_argument(
        "--models-package",
        type=text,
        metavar="PKG",
        help="run the models health check on this package",
    )
    check.add_argument(
        "--alembic-config",
        type=text,
        metavar="ALEMBIC_INI",
        help="run the migrations review on this Alembic config",
    )
    check.add_argument("--no-health", action="store_true", help="leave out the models health check")
    check.add_argument(
        "--no-migrations", action="store_true", help="leave out the migrations review"
    )
    check.add_argument(
        "--show-config",
        action="store_true",
        help="print the resolved configuration, each value with where it came from, and exit",
    )
    check.add_argument("--format", choices=CI_FORMATS, default="text")
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
    contract.add_argument("--format", choices=CI_FORMATS, default="text")
    contract.set_defaults(command=run_contract_command)

    schema = commands.add_parser(
        "schema",
        help="write the JSON Schema of snapshot and contract files and of [tool.schemaspec]",
    )
    schema.add_argument(
        "-o", "--output", type=text, metavar="DIR", default="specs", help="default: specs"
    )
    schema.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when a file is out of date"
    )
    schema.set_defaults(command=run_schema_command)


def run_check_command(args: argparse.Namespace) -> int:
    from schemaspec.checks.config import Project, ProjectConfig, discover
    from schemaspec.checks.project import run_check, with_overrides
    from schemaspec.compare.ignore import as_rules

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
        "models_package": args.models_package,
        "alembic_config": str(here / args.alembic_config) if args.alembic_config else None,
        "migrations": _switched_off(project.config.migrations, args.no_migrations),
        "health": _switched_off(project.config.health, args.no_health),
    }
    if args.show_config:
        return _show_config(project, overrides, args)
    progress = console().progress
    progress.phase("checking")
    run = run_check(with_overrides(project, overrides))
    progress.finish(f"{len(run.checks)} checks")
    out = results()
    out.write(check_report(args.format, run, colour=console().colours(out)))
    return EXIT_OK if run.ok else EXIT_DIFFERENCES


#: The flag behind each key an override sets, for --show-config.
_FLAGS = {
    "models": "--models",
    "snapshot": "--snapshot",
    "database": "--database",
    "dialect": "--dialect",
    "db_schema": "--schema",
    "contracts": "--contract",
    "ignore": "--ignore",
    "models_package": "--models-package",
    "alembic_config": "--alembic-config",
    "migrations": "--no-migrations",
    "health": "--no-health",
}
#: Keys shown by their TOML name where it differs from the field's.
_KEY_NAMES = {"db_schema": "schema", "migrations": "migrations.enabled", "health": "health.enabled"}


def _switched_off(settings: Any, off: bool) -> Any:
    return settings.model_copy(update={"enabled": False}) if off else None


def _show_config(project: Any, overrides: dict[str, Any], args: argparse.Namespace) -> int:
    import os

    from schemaspec.checks.config_origins import render_settings, resolved_settings
    from schemaspec.checks.project import with_overrides

    resolved = with_overrides(project, overrides).config
    flags = {
        _KEY_NAMES.get(key, key): _FLAGS[key]
        for key, value in overrides.items()
        if value is not None
    }
    if args.database is not None:
        flags["database_env"] = "--database (replaces it)"
    settings = resolved_settings(project, resolved, flags, os.environ)
    path = str(project.path) if project.path is not None else None
    results().write(render_settings(path, settings))
    return EXIT_OK


def run_contract_command(args: argparse.Namespace) -> int:
    from schemaspec.checks.contracts import check_contract, contract_warnings, load_contract
    from schemaspec.checks.model_health import no_tables_error
    from schemaspec.sources.resolve import load_source, parse_source

    contract = load_contract(args.contract)
    source = parse_source(args.source)
    spec = load_source(source, dialect=args.dialect, schema=args.schema)
    if source.kind == "models" and not spec.tables:
        raise no_tables_error(str(source))
    result = check_contract(contract, spec, warn=False)
    # On stderr, like every warning of the CLI: the report on stdout stays the contract's verdict.
    for message in contract_warnings(contract, spec):
        console().warn(f"{args.contract}: {message}")
    out = results()
    out.write(
        diff_report(
            args.format,
            result,
            expected=f"contract {args.contract}",
            actual=str(source),
            colour=console().colours(out),
            sources=(source,),
            # A test case per table the contract pins by name; pattern pins ("*") are rules.
            tables=[name for name in contract.tables if not set(name) & set("*?[")],
            command="contract",
        )
    )
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
        console().info(f"wrote {path}")
    return EXIT_OK


def _os_error(error: OSError, target: Path, what: str) -> str:
    return f"{error.filename or target}: {what}: {error.strerror or error}"
