"""Reports of a ``schemaspec check`` run: text, JSON and Markdown, each failed check with the
diff report of its comparison."""

from __future__ import annotations

from typing import Any

from schemaspec.checks.project import CheckRun
from schemaspec.reports.diff_report import render_markdown, render_text, report_document

#: Version of the JSON document ``check --format json`` writes.
JSON_CHECK_VERSION = 1


def render_check_text(run: CheckRun, *, colour: bool = False) -> str:
    """Each check's verdict, the report of each failed one, and a closing line."""
    blocks: list[str] = [f"note: {note}\n" for note in run.notes]
    for check in run.checks:
        title = f"{check.kind} {check.subject} against {check.against}"
        if check.ok:
            blocks.append(f"{title}: ok\n")
            continue
        if check.problem is not None:
            text = f"{title}: {check.problem}\n"
        else:
            verdict = "stale" if check.kind == "snapshot" else "FAILED"
            text = f"{title}: {verdict}\n" + render_text(check.result, colour=colour)
        if check.command is not None:
            text += f"refresh it with: {check.command}\n"
        blocks.append(text)
    for rule in run.unused_ignores:
        because = f" ({rule.reason})" if rule.reason else ""
        level = "error" if run.unused_ignores_fail else "warning"
        blocks.append(f"{level}: ignore rule {str(rule)!r} matched nothing{because}\n")
    failed = sum(not check.ok for check in run.checks)
    closing = (
        f"check: all {len(run.checks)} checks passed"
        if run.ok
        else f"check: {failed} of {len(run.checks)} checks failed"
    )
    if run.unused_ignores_fail and run.unused_ignores:
        closing += f", {len(run.unused_ignores)} unused ignore rules"
    return "\n".join(blocks) + ("\n" if blocks else "") + closing + "\n"


def check_document(run: CheckRun) -> dict[str, Any]:
    """The JSON form of a check run (documented in ``docs/reports.md``)."""
    return {
        "schemaspec_check": JSON_CHECK_VERSION,
        "ok": run.ok,
        "notes": list(run.notes),
        "checks": [
            {
                "check": check.kind,
                "subject": check.subject,
                "against": check.against,
                "ok": check.ok,
                "problem": check.problem,
                "command": check.command,
                "report": report_document(
                    check.result, expected=check.sides[0], actual=check.sides[1]
                ),
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
    for note in run.notes:
        lines += [f"> note: {note}", ""]
    for check in run.checks:
        if check.ok or (check.problem is not None and check.command is None):
            continue
        if check.problem is None:
            lines.append(
                render_markdown(check.result, expected=check.sides[0], actual=check.sides[1])
            )
        if check.command is not None:
            lines += [f"Refresh it with `{check.command}`", ""]
    for rule in run.unused_ignores:
        lines.append(f"> **warning:** ignore rule `{rule}` matched nothing")
    return "\n".join(lines).rstrip("\n") + "\n"
