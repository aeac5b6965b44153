"""Reports of a :class:`~schemaspec.checks.migrations.MigrationReport`: text, JSON and Markdown.

Markdown is what a reviewer pastes into a pull request or a session log: a table of the
revisions with what each one does, then the findings with the schema changes behind them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from schemaspec.checks.migrations import Finding, MigrationReport, RevisionResult, object_noun
from schemaspec.compare.change import Change
from schemaspec.reports.diff_report import _shape, _value, change_to_json, describe

__all__ = ["describe_change", "effect", "render_json", "render_markdown", "render_text"]

#: Version of the JSON structure; bump on incompatible changes.
JSON_REPORT_VERSION = 1

_VERBS = {"unexpected": "added", "missing": "dropped", "changed": "changed"}

#: How a finding's changes read: (unexpected, missing, the two sides of "changed"). Upgrades are
#: diffed before -> after, downgrades before the upgrade -> after the downgrade.
_WORDING = {
    "destructive": ("added", "dropped", "before", "after"),
    "downgrade_not_clean": (
        "left behind",
        "not restored",
        "before the upgrade",
        "after the downgrade",
    ),
    "upgrade_again_differs": (
        "added by the second upgrade",
        "not restored by the second upgrade",
        "after the first upgrade",
        "after the second",
    ),
}


def effect(changes: Sequence[Change]) -> str:
    """What an upgrade did, from ``diff(before, after)``: ``6 tables added, 1 column dropped``."""
    if not changes:
        return "no schema change"
    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        key = (change.object, _VERBS[change.kind])
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{n} {object_noun(obj, n)} {verb}" for (obj, verb), n in counts.items())


def describe_change(change: Change, finding_kind: str) -> str:
    """One line for one change of a finding, worded for what was compared."""
    wording = _WORDING.get(finding_kind)
    if wording is None:
        # models_differ: expected = the models, actual = the head, as in a plain diff.
        return describe(change)
    added, dropped, before, after = wording
    if change.kind == "changed":
        details = "; ".join(
            f"{attribute} {_value(change.expected[attribute])} {before}, "
            f"{_value(change.actual[attribute])} {after}"
            for attribute in sorted(change.attributes)
        )
        return f"{change.path}: {details}"
    value = change.expected if change.kind == "missing" else change.actual
    shown = _shape(change.object, value)
    noun = object_noun(change.object, 1)
    state = dropped if change.kind == "missing" else added
    return f"{change.path}: {noun} {state}" + (f" ({shown})" if shown else "")


def render_text(report: MigrationReport) -> str:
    lines = [_title(report)]
    width = max((len(r.revision) for r in report.revisions), default=0)
    for result in report.revisions:
        lines.append(
            f"  {result.revision:<{width}}  {_parents(result):<28}  {result.round_trip:<9}  "
            f"{effect(result.changes)}"
            + (f"  ({result.description})" if result.description else "")
        )
    if report.unchecked:
        lines.append(f"  not checked (an earlier revision failed): {', '.join(report.unchecked)}")
    lines.append("")
    for finding in report.accepted:
        flag = _ALLOW_FLAGS.get(finding.kind, "--allow-destructive")
        lines.append(f"accepted: {finding.message} ({flag} {finding.revision})")
        lines.extend(_lock_lines(finding))
    if not report.findings:
        lines.append("No findings.")
        return "\n".join(lines) + "\n"
    lines.append(f"{_count(len(report.findings), 'finding')}:")
    for finding in report.findings:
        lines.append(f"  [{finding.kind}] {finding.message}")
        lines.extend(f"      {describe_change(change, finding.kind)}" for change in finding.changes)
        lines.extend(_lock_lines(finding))
    return "\n".join(lines) + "\n"


#: The command-line flag that accepts a finding of each kind for one revision.
_ALLOW_FLAGS = {"destructive": "--allow-destructive", "locking": "--allow-locking"}


def _lock_lines(finding: Finding) -> list[str]:
    """Each risky statement, what it does on a populated table, and the safer way."""
    lines = []
    for risk in finding.locks:
        lines += [
            f"      {risk.statement}",
            f"        on a populated table: {risk.problem}",
            f"        safer: {risk.recipe}",
        ]
    return lines


def render_markdown(report: MigrationReport) -> str:
    status = (
        "no findings" if not report.findings else f"**{_count(len(report.findings), 'finding')}**"
    )
    lines = [
        f"### Migration review: `{report.project}`",
        "",
        f"{_title_facts(report)}: {status}.",
        "",
        "| Revision | Revises | Description | Upgrade | Downgrade round trip |",
        "| --- | --- | --- | --- | --- |",
    ]
    for result in report.revisions:
        lines.append(
            f"| `{result.revision}` | {_parents(result, code=True)} | "
            f"{_cell(result.description)} | {effect(result.changes)} | {result.round_trip} |"
        )
    for revision in report.unchecked:
        lines.append(f"| `{revision}` |  |  | not checked | not run |")
    if report.findings:
        lines += ["", "#### Findings", ""]
        for finding in report.findings:
            lines.extend(_markdown_finding(finding))
    for kind, heading in (("destructive", "destructive"), ("locking", "locking")):
        accepted = [finding for finding in report.accepted if finding.kind == kind]
        if accepted:
            lines += ["", f"#### Accepted {heading} steps", ""]
            for finding in accepted:
                lines.extend(_markdown_finding(finding))
    return "\n".join(lines) + "\n"


def render_json(report: MigrationReport) -> str:
    document = {
        "schemaspec_migrations_report": JSON_REPORT_VERSION,
        "project": report.project,
        "dialect": report.dialect,
        "heads": list(report.heads),
        "models": report.models,
        "findings": [_finding_json(finding) for finding in report.findings],
        "accepted": [_finding_json(finding) for finding in report.accepted],
        "revisions": [_revision_json(result) for result in report.revisions],
        "unchecked": list(report.unchecked),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _markdown_finding(finding: Finding) -> list[str]:
    where = f"`{finding.revision}` " if finding.revision else ""
    lines = [f"- {where}**{finding.kind}**: {_cell(finding.message)}"]
    lines.extend(f"  - `{describe_change(change, finding.kind)}`" for change in finding.changes)
    for risk in finding.locks:
        lines += [
            f"  - `{risk.statement}`: on a populated table, {_cell(risk.problem)}",
            f"    - safer: {_cell(risk.recipe)}",
        ]
    return lines


def _finding_json(finding: Finding) -> dict[str, object]:
    document: dict[str, object] = {
        "kind": finding.kind,
        "revision": finding.revision,
        "message": finding.message,
        "changes": [change_to_json(change) for change in finding.changes],
    }
    if finding.kind == "locking":
        document["locks"] = [risk.model_dump() for risk in finding.locks]
    return document


def _revision_json(result: RevisionResult) -> dict[str, object]:
    return {
        "revision": result.revision,
        "down_revisions": list(result.down_revisions),
        "description": result.description,
        "round_trip": result.round_trip,
        "changes": [change_to_json(change) for change in result.changes],
    }


def _title(report: MigrationReport) -> str:
    return f"Migrations in {report.project}: {_title_facts(report)}"


def _title_facts(report: MigrationReport) -> str:
    heads = ", ".join(report.heads) or "none"
    facts = (
        f"{_count(len(report.revisions) + len(report.unchecked), 'revision')} on "
        f"{report.dialect or 'an unknown database'}, "
        f"{'heads' if len(report.heads) > 1 else 'head'} {heads}"
    )
    if report.models:
        facts += f", compared with {report.models}"
    return facts


def _parents(result: RevisionResult, *, code: bool = False) -> str:
    if not result.down_revisions:
        return "base"
    return ", ".join(f"`{parent}`" if code else parent for parent in result.down_revisions)


def _cell(text: str) -> str:
    # A pipe would end the Markdown table cell.
    return text.replace("|", "\\|")


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
