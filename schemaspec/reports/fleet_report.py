"""Fleet reports: text, Markdown and JSON, and reading the JSON back (to merge shards).

Targets are grouped by outcome: those that match, then one group per drift signature (largest
first) with its changes listed once, then one group per failure. The JSON report carries every
group's changes and every target's status, so ``fleet merge`` rebuilds the same report from the
shards' files (see docs/fleets.md for its fields).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from schemaspec.checks.fleet import (
    FLEET_REPORT_VERSION,
    DriftGroup,
    FleetReport,
    TargetResult,
    change_document,
)
from schemaspec.compare.change import Change, summary
from schemaspec.compare.diff import SchemaDiff
from schemaspec.errors import SourceError
from schemaspec.reports.diff_report import describe
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ExcludeSpec,
    ExtensionSpec,
    ForeignKeySpec,
    GrantSpec,
    IndexSpec,
    PolicySpec,
    RoutineSpec,
    SequenceSpec,
    TableSpec,
    TriggerSpec,
    UniqueSpec,
    ViewSpec,
)


def headline(changes: tuple[Change, ...]) -> str:
    """What a drift group's targets have in common, as a predicate: ``lack index ix_a on t``."""
    if len(changes) != 1:
        return f"differ ({summary(changes)})"
    change = changes[0]
    noun = change.object.replace("_", " ")
    table, _, rest = change.path.partition(".")
    if change.object == "column" or change.table is None or not rest:
        what = f"{noun} {change.path}"
    else:
        what = f"{noun} {rest.rsplit('.', 1)[-1]} on {table}"
    if change.kind == "missing":
        return f"lack {what}"
    if change.kind == "unexpected":
        return f"have an unexpected {what}"
    return f"differ in {what} ({', '.join(sorted(change.attributes))})"


def _counts(report: FleetReport) -> str:
    return (
        f"{report.count('match')} match, {report.count('differ')} differ, "
        f"{report.count('failed')} failed"
    )


def _title(report: FleetReport) -> str:
    against = f" against {report.expected}" if report.expected else ""
    shard = f" (shard {report.shard[0]}/{report.shard[1]})" if report.shard else ""
    count = len(report.results)
    return f"Fleet of {count} target{'' if count == 1 else 's'}{against}{shard}"


def _group_line(group: DriftGroup) -> str:
    count = len(group.targets)
    if group.status == "match":
        return f"{count} match"
    names = ", ".join(group.targets)
    if group.status == "failed":
        return f"{count} failed: {names}"
    return f"{count} {headline(group.changes)}: {names}"


def render_text(report: FleetReport) -> str:
    lines = [f"{_title(report)}:", ""]
    for group in report.groups:
        lines.append(_group_line(group))
        if group.status == "differ":
            lines.extend(f"  {describe(change)}" for change in group.changes)
        elif group.error is not None:
            lines.append(f"  {group.error}")
    lines += ["", _counts(report)]
    return "\n".join(lines) + "\n"


def render_markdown(report: FleetReport) -> str:
    lines = [f"### schemaspec fleet: {_counts(report)}", "", f"{_title(report)}.", ""]
    lines += ["| Outcome | Targets |", "|---|---:|"]
    for group in report.groups:
        if group.status == "match":
            outcome = "match"
        elif group.status == "failed":
            outcome = "failed: " + _escape(group.error or "")
        else:
            outcome = _escape(headline(group.changes))
        lines.append(f"| {outcome} | {len(group.targets)} |")
    for group in report.groups:
        if group.status == "match":
            continue
        title = headline(group.changes) if group.status == "differ" else "failed"
        lines += ["", f"#### {len(group.targets)} {_escape(title)}", ""]
        lines.append("Targets: " + ", ".join(f"`{name}`" for name in group.targets))
        lines.append("")
        if group.status == "differ":
            lines.extend(f"- `{describe(change)}`" for change in group.changes)
        else:
            lines.append(f"> {_escape(group.error or '')}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def render_json(report: FleetReport) -> str:
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


def report_document(report: FleetReport) -> dict[str, Any]:
    """The JSON report as a dict (key order is part of the format)."""
    groups = report.groups
    first_diff = {
        result.signature: result.diff for result in report.results if result.diff is not None
    }
    return {
        "schemaspec_fleet": FLEET_REPORT_VERSION,
        "expected": {"source": report.expected, "digest": report.expected_digest},
        "shard": f"{report.shard[0]}/{report.shard[1]}" if report.shard else None,
        "summary": {
            "targets": len(report.results),
            "match": report.count("match"),
            "differ": report.count("differ"),
            "failed": report.count("failed"),
        },
        "groups": [
            {
                "status": group.status,
                "signature": group.signature,
                "headline": headline(group.changes) if group.status == "differ" else None,
                "error": group.error,
                "targets": list(group.targets),
                "notes": list(diff_.notes) if (diff_ := first_diff.get(group.signature)) else [],
                "actual_dialect": diff_.actual_dialect if diff_ else None,
                "expected_dialect": diff_.expected_dialect if diff_ else None,
                "changes": [change_document(change) for change in group.changes],
            }
            for group in groups
        ],
        "targets": [
            {
                "name": result.name,
                "server": result.server,
                "schema": result.schema_name,
                "status": result.status,
                "signature": result.signature,
                "error": result.error,
            }
            for result in report.results
        ],
    }


def load_report(text: str, where: str) -> FleetReport:
    """A fleet report from its JSON (``where`` names the file in errors)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(f"{where} is not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict) or "schemaspec_fleet" not in document:
        raise SourceError(
            f"{where} is not a fleet report: write it with "
            "python -m schemaspec fleet ... --format json -o FILE"
        )
    version = document["schemaspec_fleet"]
    if version != FLEET_REPORT_VERSION:
        raise SourceError(
            f"{where} is a version {version} fleet report; this schemaspec reads version "
            f"{FLEET_REPORT_VERSION}: merge reports written by one schemaspec version"
        )
    try:
        diffs: dict[str, SchemaDiff] = {}
        for group in document["groups"]:
            if group["status"] == "differ":
                diffs[group["signature"]] = SchemaDiff(
                    changes=tuple(_change(entry) for entry in group["changes"]),
                    notes=tuple(group["notes"]),
                    expected_dialect=group["expected_dialect"],
                    actual_dialect=group["actual_dialect"],
                )
        results = []
        for target in document["targets"]:
            status = target["status"]
            results.append(
                TargetResult(
                    name=target["name"],
                    server=target["server"],
                    schema_name=target["schema"],
                    diff=diffs[target["signature"]]
                    if status == "differ"
                    else (SchemaDiff() if status == "match" else None),
                    error=target["error"],
                )
            )
        shard = document["shard"]
        k, _, n = shard.partition("/") if shard else ("", "", "")
        return FleetReport(
            expected=document["expected"]["source"],
            expected_digest=document["expected"]["digest"],
            shard=(int(k), int(n)) if shard else None,
            results=tuple(results),
        )
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise SourceError(f"{where} is not a well-formed fleet report ({error!r:.80})") from None


#: The spec type of a missing or unexpected object, so a loaded change reads as a fresh one.
_SPECS: dict[str, type[BaseModel]] = {
    "table": TableSpec,
    "column": ColumnSpec,
    "foreign_key": ForeignKeySpec,
    "index": IndexSpec,
    "unique": UniqueSpec,
    "check": CheckSpec,
    "exclude": ExcludeSpec,
    "enum": EnumSpec,
    "view": ViewSpec,
    "sequence": SequenceSpec,
    "trigger": TriggerSpec,
    "routine": RoutineSpec,
    "extension": ExtensionSpec,
    "grant": GrantSpec,
    "policy": PolicySpec,
}


def _change(entry: dict[str, Any]) -> Change:
    kind, obj = entry["kind"], entry["object"]

    def revive(value: Any) -> Any:
        if kind != "changed" and isinstance(value, dict) and obj in _SPECS:
            return _SPECS[obj].model_validate(value)
        return _tuples(value)

    return Change(
        kind=kind,
        object=obj,
        path=entry["path"],
        attributes=frozenset(entry["attributes"]),
        expected=revive(entry["expected"]),
        actual=revive(entry["actual"]),
    )


def _tuples(value: Any) -> Any:
    # Specs hold tuples; JSON has only lists.
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value
