"""The ``diagram`` command: a Mermaid ``erDiagram`` of a source
(see :mod:`schemaspec.reports.diagram`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from schemaspec.cli.guard import results
from schemaspec.cli.options import EXIT_OK, SOURCES_HELP, add_source_options, load_spec, text


def add_diagram_command(commands: Any) -> None:
    parser = commands.add_parser(
        "diagram",
        help="write a Mermaid erDiagram of a source: tables, key columns, foreign keys",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCES_HELP)
    parser.add_argument(
        "-o",
        "--output",
        type=text,
        metavar="FILE",
        help="write here instead of stdout; a .md file gets a ~~~mermaid block, any other the "
        "diagram alone (.mmd)",
    )
    add_source_options(parser)
    parser.set_defaults(command=run_diagram)


def run_diagram(args: argparse.Namespace) -> int:
    # Imported here: the CLI starts without loading what other commands do not need.
    from schemaspec.checks.model_health import no_tables_error
    from schemaspec.cli.options import check_shadow
    from schemaspec.errors import SchemaspecError
    from schemaspec.reports.diagram import render_diagram
    from schemaspec.sources.resolve import parse_source

    source = parse_source(args.source)
    check_shadow(args, (source,))
    spec = load_spec(args, source)
    if source.kind == "models" and not spec.tables:
        raise no_tables_error(str(source))
    picture = render_diagram(spec)
    if args.output is None:
        results().write(picture)
        return EXIT_OK
    target = Path(args.output)
    # A tilde fence, as in the Markdown diff report: GitHub and GitLab render it alike.
    body = f"~~~mermaid\n{picture}~~~\n" if target.suffix.lower() == ".md" else picture
    try:
        target.write_text(body, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise SchemaspecError(f"{target}: cannot be written: {reason}") from None
    return EXIT_OK
