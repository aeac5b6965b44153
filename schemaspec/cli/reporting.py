"""The ``--format`` of each command: which renderer writes the result.

Imports happen per call: the renderers pull in the layers below them, which a command that
does not report (``--version``, ``completion``) must not pay for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemaspec.checks.migrations import MigrationReport
    from schemaspec.checks.model_health import ModelsReport
    from schemaspec.checks.project import CheckRun
    from schemaspec.compare.diff import SchemaDiff
    from schemaspec.sources.resolve import Source
    from schemaspec.spec import SchemaSpec


def diff_report(
    fmt: str,
    result: SchemaDiff,
    *,
    expected: str,
    actual: str,
    colour: bool = False,
    sources: Sequence[Source] = (),
    tables: Iterable[str] = (),
    command: str = "diff",
    specs: tuple[SchemaSpec, SchemaSpec] | None = None,
) -> str:
    """``diff`` and ``contract``: ``sources`` are where changes are looked up in files (models,
    snapshots), ``tables`` every table compared (a JUnit test case each)."""
    from schemaspec.reports import diff_report as reports

    if fmt == "json":
        return reports.render_json(result, expected=expected, actual=actual)
    if fmt == "markdown":
        # With both specs, the Markdown report ends with a diagram of the changed tables.
        return reports.render_markdown(result, expected=expected, actual=actual, specs=specs)
    if fmt == "text":
        return reports.render_text(result, expected=expected, actual=actual, colour=colour)
    from schemaspec.reports.ci import diff_findings, diff_locator, render

    findings = diff_findings(
        result,
        expected=expected,
        actual=actual,
        tables=tables,
        locate=diff_locator(*sources),
        command=command,
    )
    return render(fmt, findings)


def check_report(fmt: str, run: CheckRun, *, colour: bool = False) -> str:
    from schemaspec.reports import check_report as reports

    if fmt == "json":
        return json.dumps(reports.check_document(run), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return reports.render_check_markdown(run)
    if fmt == "text":
        return reports.render_check_text(run, colour=colour)
    from schemaspec.reports.ci import check_findings, render

    return render(fmt, check_findings(run))


def models_report(fmt: str, report: ModelsReport) -> str:
    from schemaspec.checks.model_health import render_models_text

    if fmt == "json":
        # The report's own fields (package, base, modules, models, findings), as documented.
        return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    if fmt == "text":
        return render_models_text(report)
    from schemaspec.reports.ci import models_findings, render

    return render(fmt, models_findings(report))


def migrations_report(fmt: str, report: MigrationReport) -> str:
    from schemaspec.reports import migration_report as reports

    if fmt == "json":
        return reports.render_json(report)
    if fmt == "markdown":
        return reports.render_markdown(report)
    if fmt == "text":
        return reports.render_text(report)
    from schemaspec.reports.ci import migrations_findings, render

    return render(fmt, migrations_findings(report))
