"""Reports in the formats CI systems read natively, for every command that reports.

* ``github``: GitHub Actions workflow commands (``::error file=...,line=...::message``), one
  per change or finding, pointing at the model's source line or the snapshot's line where known
  (:mod:`schemaspec.reports.github`).
* ``junit``: JUnit XML, one test case per table (``diff``, ``contract``), per check (``check``),
  per revision (``migrations``) or per mapped class (``models``), for CI test tabs
  (:mod:`schemaspec.reports.junit`).
* ``sarif``: SARIF 2.1.0 for code scanning (:mod:`schemaspec.reports.sarif`).

Each command's result becomes neutral records first (:class:`Annotation` for a finding with
its place, :class:`Case` for a test case); the three formats only lay those out.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schemaspec.checks.migrations import MigrationReport
from schemaspec.checks.model_health import ModelsReport, render_models_text
from schemaspec.checks.project import CheckRun
from schemaspec.compare.change import Change, summary
from schemaspec.compare.diff import SchemaDiff
from schemaspec.reports.check_report import render_check_text
from schemaspec.reports.diff_report import describe, rename_hints, render_text
from schemaspec.reports.locations import Location, Locator, first_found, locator_for, relative
from schemaspec.reports.migration_report import describe_change
from schemaspec.reports.migration_report import render_text as render_migrations_text
from schemaspec.sources.resolve import Source, parse_source

CI_FORMATS = ("github", "junit", "sarif")

#: The group of changes that belong to no table (enums, sequences, schemas...).
SCHEMA_GROUP = "(schema)"


@dataclass(frozen=True)
class Annotation:
    """One finding: ``rule`` is a stable id (``column-missing``), ``level`` error/warning/note."""

    level: str
    rule: str
    title: str
    message: str
    location: Location | None = None


@dataclass(frozen=True)
class Case:
    """One JUnit test case; ``failure`` (a one-line message) and ``text`` only when it failed."""

    name: str
    failure: str | None = None
    text: str = ""
    location: Location | None = None


@dataclass(frozen=True)
class Suite:
    name: str
    classname: str
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Findings:
    """What the three formats are rendered from; ``closing`` is the one-line verdict."""

    annotations: tuple[Annotation, ...]
    suites: tuple[Suite, ...]
    closing: str


def render(fmt: str, findings: Findings) -> str:
    if fmt == "github":
        from schemaspec.reports.github import render_github

        return render_github(findings.annotations, findings.closing)
    if fmt == "junit":
        from schemaspec.reports.junit import render_junit

        return render_junit(findings.suites)
    if fmt == "sarif":
        from schemaspec.reports.sarif import render_sarif

        return render_sarif(findings.annotations)
    raise ValueError(f"not a CI format: {fmt!r}")


# --- diff and contract ---------------------------------------------------------------------------


def diff_findings(
    result: SchemaDiff,
    *,
    expected: str,
    actual: str,
    tables: Iterable[str] = (),
    locate: Locator | None = None,
    command: str = "diff",
) -> Findings:
    """Annotations per change; a test case per table of ``tables`` (and per table changed)."""
    locate = locate or _nowhere
    hints = rename_hints(result)
    annotations = [Annotation("note", "note", "schemaspec: note", note) for note in result.notes]
    for change in result.changes:
        message = describe(change)
        hint = hints.get(change.path, {}).get((change.kind, change.object))
        if hint:
            message += f" [{hint}]"
        annotations.append(
            Annotation("error", _rule(change), _title(change), message, locate(change.path))
        )
    for rule in result.unused_ignores:
        because = f" ({rule.reason})" if rule.reason else ""
        annotations.append(
            Annotation(
                "warning",
                "unused-ignore",
                "schemaspec: unused ignore rule",
                f"ignore rule {str(rule)!r} matched nothing{because}; remove it?",
            )
        )
    by_table: dict[str, list[Change]] = defaultdict(list)
    for change in result.changes:
        by_table[change.table or SCHEMA_GROUP].append(change)
    names = sorted({*tables, *by_table}, key=lambda name: (name == SCHEMA_GROUP, name))
    cases = []
    for name in names:
        changes = by_table.get(name, [])
        location = None if name == SCHEMA_GROUP else locate(name)
        if not changes:
            cases.append(Case(name, location=location))
            continue
        own = result.model_copy(
            update={"changes": tuple(changes), "ignored": (), "unused_ignores": (), "notes": ()}
        )
        text = render_text(own, expected=expected, actual=actual)
        cases.append(Case(name, summary(changes), text, location))
    closing = (
        summary(result.changes) if result else f"No schema differences ({expected} vs {actual})"
    )
    suite = Suite(
        f"schemaspec {command}: {expected} vs {actual}", f"schemaspec.{command}", tuple(cases)
    )
    return Findings(tuple(annotations), (suite,), closing)


def diff_locator(*sources: Source) -> Locator:
    """Where a change is written: the first of ``sources`` that is a file and names it."""
    return first_found(*(locator_for(source) for source in sources))


def _rule(change: Change) -> str:
    obj = change.object.replace("_", "-")
    return f"{obj}-{change.kind}" if change.kind != "unexpected" else f"unexpected-{obj}"


def _title(change: Change) -> str:
    noun = change.object.replace("_", " ")
    if change.kind == "unexpected":
        return f"schemaspec: unexpected {noun}"
    return f"schemaspec: {noun} {change.kind}"


def _nowhere(path: str) -> Location | None:
    return None


# --- check ---------------------------------------------------------------------------------------


def check_findings(run: CheckRun) -> Findings:
    """Annotations per change of each check; a test case per check."""
    annotations: list[Annotation] = [
        Annotation("note", "note", "schemaspec: note", note) for note in run.notes
    ]
    cases = []
    for check in run.checks:
        title = f"{check.kind} {check.subject} against {check.against}"
        expected, actual = check.sides
        locate = first_found(*(_side_locator(side) for side in (expected, actual)))
        if check.problem is not None:
            annotations.append(Annotation("error", f"{check.kind}-problem", title, check.problem))
        for change in check.result.changes:
            message = describe(change)
            if check.command is not None:
                message += f" (refresh it with: {check.command})"
            annotations.append(
                Annotation("error", _rule(change), _title(change), message, locate(change.path))
            )
        if check.ok:
            cases.append(Case(title))
            continue
        own = check.result.model_copy(update={"unused_ignores": ()})
        text = (
            f"{check.problem}\n"
            if check.problem is not None
            else render_text(own, expected=expected, actual=actual)
        )
        if check.command is not None:
            text += f"refresh it with: {check.command}\n"
        failure = check.problem or summary(check.result.changes)
        cases.append(Case(title, failure, text))
    level = "error" if run.unused_ignores_fail else "warning"
    for rule in run.unused_ignores:
        annotations.append(
            Annotation(
                level,
                "unused-ignore",
                "schemaspec: unused ignore rule",
                f"ignore rule {str(rule)!r} matched nothing",
            )
        )
    annotations.extend(
        Annotation("warning", "warning", "schemaspec: warning", warning) for warning in run.warnings
    )
    closing = render_check_text(run).strip().splitlines()[-1]
    return Findings(
        tuple(annotations), (Suite("schemaspec check", "schemaspec.check", tuple(cases)),), closing
    )


def _side_locator(side: str) -> Locator:
    """A check names its sides ``models app.models:Base`` or ``snapshot specs/schema.toml``."""
    kind, _, rest = side.partition(" ")
    if kind not in ("models", "snapshot") or not rest:
        return _nowhere
    try:
        return locator_for(parse_source(rest))
    except Exception:  # no location is no failure
        return _nowhere


# --- models --------------------------------------------------------------------------------------


def models_findings(report: ModelsReport) -> Findings:
    """Annotations per finding at its module's line; a test case per mapped class."""
    annotations = []
    failed: dict[str, list[str]] = defaultdict(list)
    for finding in report.findings:
        location = _module_location(finding.module, finding.line)
        subject = finding.model or finding.module or report.package
        if finding.relationship:
            subject += f".{finding.relationship}"
        message = f"{subject}: {finding.message}" + (
            f" (fix: {finding.fix})" if finding.fix else ""
        )
        annotations.append(
            Annotation(
                "error",
                f"models-{finding.check.replace('_', '-')}",
                f"schemaspec: {finding.check}",
                message,
                location,
            )
        )
        failed[finding.model or finding.module or report.package].append(
            f"{finding.check}: {message}"
        )
    names = sorted({*report.models, *failed})
    cases = []
    for name in names:
        problems = failed.get(name, [])
        if problems:
            count = len(problems)
            cases.append(
                Case(
                    name, f"{count} problem{'' if count == 1 else 's'}", "\n".join(problems) + "\n"
                )
            )
        else:
            cases.append(Case(name))
    closing = render_models_text(report).strip().splitlines()[-1]
    suite = Suite(f"schemaspec models: {report.package}", "schemaspec.models", tuple(cases))
    return Findings(tuple(annotations), (suite,), closing)


def _module_location(module: str | None, line: int | None) -> Location | None:
    if module is None:
        return None
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.has_location:
        return None
    return Location(relative(spec.origin), line)


# --- migrations ----------------------------------------------------------------------------------


def migrations_findings(report: MigrationReport) -> Findings:
    """Annotations per finding; a test case per revision (and per finding of the history)."""
    annotations = []
    by_revision: dict[str | None, list[str]] = defaultdict(list)
    for finding in report.findings:
        lines = [f"[{finding.kind}] {finding.message}"]
        lines += [f"    {describe_change(change, finding.kind)}" for change in finding.changes]
        annotations.append(
            Annotation(
                "error",
                f"migrations-{finding.kind.replace('_', '-')}",
                f"schemaspec: {finding.kind.replace('_', ' ')}",
                "\n".join(lines),
            )
        )
        by_revision[finding.revision].append("\n".join(lines))
    cases = []
    for result in report.revisions:
        problems = by_revision.get(result.revision, [])
        name = f"{result.revision} {result.description}".strip()
        cases.append(_case(name, problems))
    cases.extend(
        Case(revision, "not checked: an earlier revision failed") for revision in report.unchecked
    )
    cases.extend(_case(text.split("]", 1)[0].lstrip("["), [text]) for text in by_revision[None])
    head = render_migrations_text(report).splitlines()[0]
    closing = head + (
        f": {len(report.findings)} finding{'' if len(report.findings) == 1 else 's'}"
        if report.findings
        else ": no findings"
    )
    suite = Suite(f"schemaspec migrations: {report.project}", "schemaspec.migrations", tuple(cases))
    return Findings(tuple(annotations), (suite,), closing)


def _case(name: str, problems: Sequence[str]) -> Case:
    if not problems:
        return Case(name)
    count = len(problems)
    return Case(name, f"{count} finding{'' if count == 1 else 's'}", "\n".join(problems) + "\n")
