"""Reports of a ``schemaspec check`` run: text, JSON and Markdown, each failed check with the
diff report of its comparison.

Unused ignore rules are a property of the run, not of one comparison: a rule one comparison
used is in use, so each check's report is rendered without them and the run lists them once.
"""

from __future__ import annotations

import json
from typing import Any

from schemaspec.checks.project import CheckResult, CheckRun
from schemaspec.compare.diff import SchemaDiff
from schemaspec.reports.diff_report import render_markdown, render_text, report_document

#: Version of the JSON document ``check --format json`` writes.
JSON_CHECK_VERSION = 1

#: The verdict of a run in which every configured check was skipped.
NOTHING_RAN = "nothing was checked: every configured check was skipped"


def _own(check: CheckResult) -> SchemaDiff:
    """The check's comparison without unused ignore rules (reported once for the run)."""
    return check.result.model_copy(update={"unused_ignores": ()})


def render_check_text(run: CheckRun, *, colour: bool = False) -> str:
    """Each check's verdict, the report of each failed one, and a closing line."""
    blocks: list[str] = [f"note: {note}\n" for note in run.notes]
    for check in run.checks:
        title = f"{check.kind} {check.subject} against {check.against}"
        if check.ok:
            blocks.append(f"{title}: ok\n")
            continue
        if check.problem is not None:
            text = f"{title}: {check.problem}\n" + _review_text(check)
        else:
            verdict = "stale" if check.kind == "snapshot" else "FAILED"
            # Both sides named, so which one is expected is never a guess.
            expected, actual = check.sides
            text = f"{title}: {verdict}\n" + render_text(
                _own(check), expected=expected, actual=actual, colour=colour
            )
        if check.command is not None:
            text += f"refresh it with: {check.command}\n"
        blocks.append(text)
    for rule in run.unused_ignores:
        because = f" ({rule.reason})" if rule.reason else ""
        level = "error" if run.unused_ignores_fail else "warning"
        blocks.append(f"{level}: ignore rule {str(rule)!r} matched nothing{because}\n")
    blocks.extend(f"warning: {warning}\n" for warning in run.warnings)
    failed = sum(not check.ok for check in run.checks)
    if not run.checks:
        closing = f"check: {NOTHING_RAN}"
    elif run.ok:
        closing = f"check: all {len(run.checks)} checks passed"
    else:
        closing = f"check: {failed} of {len(run.checks)} checks failed"
    if run.unused_ignores_fail and run.unused_ignores:
        closing += f", {len(run.unused_ignores)} unused ignore rules"
    return "\n".join(blocks) + ("\n" if blocks else "") + closing + "\n"


def _review_text(check: CheckResult) -> str:
    """The full report of a failed ``models`` or ``migrations`` check."""
    from schemaspec.checks.migrations import MigrationReport
    from schemaspec.checks.model_health import render_models_text
    from schemaspec.reports import migration_report

    if check.review is None:
        return ""
    if isinstance(check.review, MigrationReport):
        return migration_report.render_text(check.review)
    return render_models_text(check.review)


def _review_json(check: CheckResult) -> Any:
    from schemaspec.checks.migrations import MigrationReport
    from schemaspec.reports import migration_report

    if check.review is None:
        return None
    if isinstance(check.review, MigrationReport):
        return json.loads(migration_report.render_json(check.review))
    return check.review.model_dump(mode="json")


def check_document(run: CheckRun) -> dict[str, Any]:
    """The JSON form of a check run (documented in ``docs/reports.md``)."""
    return {
        "schemaspec_check": JSON_CHECK_VERSION,
        "ok": run.ok,
        "notes": list(run.notes),
        "warnings": list(run.warnings),
        "checks": [
            {
                "check": check.kind,
                "subject": check.subject,
                "against": check.against,
                "ok": check.ok,
                "problem": check.problem,
                "command": check.command,
                "report": report_document(
                    _own(check), expected=check.sides[0], actual=check.sides[1]
                ),
                # The models health report or the migrations review (None for comparisons).
                "review": _review_json(check),
            }
            for check in run.checks
        ],
        "unused_ignores": [
            {"rule": str(rule), "reason": rule.reason} for rule in run.unused_ignores
        ],
    }


def render_check_markdown(run: CheckRun) -> str:
    lines = ["## schemaspec check: " + ("passed" if run.ok else "failed"), ""]
    lines += ["| Check | Subject | Against | Result |", "|---|---|---|---|"]
    for check in run.checks:
        verdict = "ok" if check.ok else (check.problem or "failed")
        lines.append(f"| {check.kind} | `{check.subject}` | {check.against} | {verdict} |")
    lines.append("")
    if not run.checks:
        lines += [f"**{NOTHING_RAN[0].upper()}{NOTHING_RAN[1:]}.**", ""]
    for note in run.notes:
        lines += [f"> note: {note}", ""]
    for check in run.checks:
        if check.ok or (
            check.problem is not None and check.command is None and check.review is None
        ):
            continue
        if check.problem is None:
            lines.append(
                render_markdown(_own(check), expected=check.sides[0], actual=check.sides[1])
            )
        elif check.review is not None:
            lines += ["```", _review_text(check).rstrip("\n"), "```", ""]
        if check.command is not None:
            lines += [f"Refresh it with `{check.command}`", ""]
    for rule in run.unused_ignores:
        level = "error" if run.unused_ignores_fail else "warning"
        lines.append(f"> **{level}:** ignore rule `{rule}` matched nothing")
    lines.extend(f"> **warning:** {warning}" for warning in run.warnings)
    return "\n".join(lines).rstrip("\n") + "\n"
