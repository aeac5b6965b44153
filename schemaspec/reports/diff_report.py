"""Reports of a :class:`~schemaspec.compare.diff.SchemaDiff`: text for people (with colour on a
terminal), JSON for machines, Markdown for pull requests. Formats are documented in
``docs/reports.md``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections import Counter, defaultdict
from typing import Any, TextIO

from pydantic import BaseModel

from schemaspec.compare.change import Change, summary
from schemaspec.compare.diff import SchemaDiff
from schemaspec.reports import terminal
from schemaspec.reports.diagram import diff_diagram
from schemaspec.spec import SchemaSpec, TableSpec

#: Version of the JSON report structure; bump on incompatible changes.
JSON_REPORT_VERSION = 1


#: ANSI styles by what they mark; used only when colour is on.
_STYLES = {
    "missing": "31",  # red: the database lacks what the code expects
    "unexpected": "33",  # yellow: something nobody declared
    "changed": "36",  # cyan
    "table": "1",  # bold
    "summary": "1",
    "quiet": "2",  # dim: ignored changes, notes
}


def use_colour(stream: TextIO, environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """Colour only for a terminal, never when ``NO_COLOR`` is set to anything (no-color.org),
    also off a terminal when ``FORCE_COLOR`` is: :func:`schemaspec.reports.terminal.use_colour`
    with ``auto``, the rule the command line's ``--color auto`` follows."""
    return terminal.use_colour(stream, "auto", environ)


def _paint(text: str, style: str, colour: bool) -> str:
    return f"\033[{_STYLES[style]}m{text}\033[0m" if colour else text


def render_text(
    result: SchemaDiff,
    *,
    expected: str | None = None,
    actual: str | None = None,
    colour: bool = False,
) -> str:
    """A reviewer's note: changes grouped by table, one line each, and a summary line.

    Ignored changes (with their reasons) and ignore rules that matched nothing follow.
    """
    lines = [_paint(f"note: {note}", "quiet", colour) for note in result.notes]
    between = f" between {expected} (expected) and {actual} (actual)" if expected and actual else ""
    if not result:
        lines.append(f"No schema differences{between}.")
        lines.extend(_ignore_lines(result, colour))
        return "\n".join(lines) + "\n"
    lines.append(f"Schema differences{between}:")
    hints = rename_hints(result)
    current: str | None = "\0"
    for change in result.changes:
        group = change.table or "(schema)"
        if group != current:
            lines.append("")
            lines.append(_paint(group, "table", colour))
            current = group
        line = describe(change)
        if change.path in hints and _key(change) in hints[change.path]:
            line += f" [{hints[change.path][_key(change)]}]"
        lines.append("  " + _paint(line, change.kind, colour))
    lines.append("")
    lines.append(_paint(summary(result.changes), "summary", colour))
    lines.extend(_ignore_lines(result, colour))
    return "\n".join(lines) + "\n"


def _ignore_lines(result: SchemaDiff, colour: bool) -> list[str]:
    lines: list[str] = []
    if result.ignored:
        lines.append("")
        lines.append(f"Ignored ({len(result.ignored)}):")
        for item in result.ignored:
            because = f" ({item.rule.reason})" if item.rule.reason else ""
            text = f"  {describe(item.change)} -- rule {str(item.rule)!r}{because}"
            lines.append(_paint(text, "quiet", colour))
    for rule in result.unused_ignores:
        because = f" ({rule.reason})" if rule.reason else ""
        lines.append(f"warning: ignore rule {str(rule)!r} matched nothing{because}; remove it?")
    return lines


def _key(change: Change) -> tuple[str, str]:
    return (change.kind, change.object)


def rename_hints(result: SchemaDiff) -> dict[str, dict[tuple[str, str], str]]:
    """ "Possibly renamed" hints, by change path then (kind, object).

    A table with a missing and an unexpected column of identical definition, or a missing and an
    unexpected index on the same columns, was possibly renamed. Only a hint: both changes stay.
    """
    hints: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    by_table: dict[tuple[str | None, str, str], list[Change]] = defaultdict(list)
    for change in result.changes:
        if change.kind in ("missing", "unexpected") and change.object in ("column", "index"):
            by_table[(change.table, change.object, change.kind)].append(change)
    for (table, obj, kind), gone in by_table.items():
        if kind != "missing":
            continue
        for old in gone:
            for new in by_table.get((table, obj, "unexpected"), []):
                if _same_definition(obj, old.expected, new.actual):
                    name = new.path.rsplit(".", 1)[1]
                    was = old.path.rsplit(".", 1)[1]
                    hints[old.path][("missing", obj)] = f"possibly renamed to {name}"
                    hints[new.path][("unexpected", obj)] = f"possibly renamed from {was}"
    return dict(hints)


def _same_definition(obj: str, old: Any, new: Any) -> bool:
    if old is None or new is None:
        return False
    if obj == "index":
        return bool(getattr(old, "columns", None) == getattr(new, "columns", None))
    return bool(old == new)


def describe(change: Change) -> str:
    """One line for one change, e.g. ``t.c: type numeric(10,2) expected, integer found``."""
    noun = change.object.replace("_", " ")
    if change.kind == "changed":
        details = "; ".join(
            _changed_attribute(attribute, change.expected[attribute], change.actual[attribute])
            for attribute in sorted(change.attributes)
        )
        return f"{change.path}: {details}"
    value = change.expected if change.kind == "missing" else change.actual
    shown = _shape(change.object, value, change.path.rsplit(".", 1)[-1])
    suffix = f" ({shown})" if shown else ""
    if change.kind == "missing":
        return f"{change.path}: {noun} missing{suffix}"
    return f"{change.path}: unexpected {noun}{suffix}"


#: Definitions (a view's query, a trigger's or routine's body) longer than this are shown as
#: the words that changed, with a little context, instead of both texts in full.
_LONG_DEFINITION = 60
_DEFINITIONS = frozenset({"definition", "body"})


def _changed_attribute(attribute: str, expected: Any, actual: Any) -> str:
    if (
        attribute in _DEFINITIONS
        and isinstance(expected, str)
        and isinstance(actual, str)
        and max(len(expected), len(actual)) > _LONG_DEFINITION
    ):
        return f"{attribute} changed: {word_diff(expected, actual)}"
    return f"{attribute} {_value(expected)} expected, {_value(actual)} found"


def word_diff(expected: str, actual: str, context: int = 3) -> str:
    """The words of ``expected`` that ``actual`` changes: ``... from members [-where a-]
    {+where(not a)+}``, with ``context`` unchanged words around each change."""
    ours, theirs = re.findall(r"\S+", expected), re.findall(r"\S+", actual)
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False).get_opcodes()
    for index, (tag, start, end, other_start, other_end) in enumerate(opcodes):
        if tag == "equal":
            words = ours[start:end]
            first, last = index == 0, index == len(opcodes) - 1
            if (
                len(words) > 2 * context
                or (first and len(words) > context)
                or (last and len(words) > context)
            ):
                head = [] if first else words[:context]
                tail = [] if last else words[-context:]
                parts.extend([*head, "...", *tail])
            else:
                parts.extend(words)
            continue
        if end > start:
            parts.append("[-" + " ".join(ours[start:end]) + "-]")
        if other_end > other_start:
            parts.append("{+" + " ".join(theirs[other_start:other_end]) + "+}")
    return " ".join(parts)


def render_json(
    result: SchemaDiff, *, expected: str | None = None, actual: str | None = None
) -> str:
    """The versioned JSON report (documented in ``docs/reports.md``)."""
    return (
        json.dumps(
            report_document(result, expected=expected, actual=actual), indent=2, ensure_ascii=False
        )
        + "\n"
    )


def report_document(
    result: SchemaDiff, *, expected: str | None = None, actual: str | None = None
) -> dict[str, Any]:
    """The JSON report as a dict (key order is part of the format: it never varies)."""
    hints = rename_hints(result)
    return {
        "schemaspec_report": JSON_REPORT_VERSION,
        "expected": {"source": expected, "dialect": result.expected_dialect},
        "actual": {"source": actual, "dialect": result.actual_dialect},
        "notes": list(result.notes),
        "differences": len(result.changes),
        "summary": summary(result.changes) if result else "",
        "changes": [
            change_to_json(change, hint=hints.get(change.path, {}).get(_key(change)))
            for change in result.changes
        ],
        "ignored": [
            {**change_to_json(item.change), "rule": str(item.rule), "reason": item.rule.reason}
            for item in result.ignored
        ],
        "unused_ignores": [
            {"rule": str(rule), "reason": rule.reason} for rule in result.unused_ignores
        ],
    }


def change_to_json(change: Change, *, hint: str | None = None) -> dict[str, Any]:
    entry = {
        "kind": change.kind,
        "object": change.object,
        "path": change.path,
        "attributes": sorted(change.attributes),
        "expected": _jsonable(change.expected),
        "actual": _jsonable(change.actual),
    }
    # Present only on hinted changes, so version 1 documents without hints read as before.
    if hint is not None:
        entry["hint"] = hint
    return entry


#: GitHub refuses a pull-request comment (and a check run's summary) over 65,536 characters; a
#: 3,000-table diff renders to about 315,000.
MARKDOWN_LIMIT = 65_536


def render_markdown(
    result: SchemaDiff,
    *,
    expected: str | None = None,
    actual: str | None = None,
    specs: tuple[SchemaSpec, SchemaSpec] | None = None,
    limit: int | None = MARKDOWN_LIMIT,
) -> str:
    """A pull-request comment: a heading, a summary table by table, then the details.

    With ``specs`` (the expected and actual spec), it ends with a Mermaid diagram of the tables
    the diff touches and their foreign-key neighbours, which GitHub and GitLab render.

    Longer than ``limit`` characters (default: GitHub's comment limit; ``None``: no limit), it
    keeps the heading, the first rows of the summary table and the first changes, and says how
    many of each it left out (see :func:`_fit`).
    """
    lines = [
        "### schemaspec: " + (summary(result.changes) if result else "no schema differences"),
        "",
    ]
    if expected and actual:
        lines += [f"Expected: {_code(expected)} · actual: {_code(actual)}", ""]
    lines += [f"> note: {_escape(note)}" for note in result.notes]
    if result.notes:
        lines.append("")
    rows: list[str] = []
    details: list[list[str]] = []  # one entry per change: its line, after its table's heading
    if result:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for change in result.changes:
            counts[change.table or "(schema)"][change.kind] += 1
        for table, count in counts.items():
            rows.append(
                f"| {_escape(table)} | {count['missing']} | {count['unexpected']} "
                f"| {count['changed']} |"
            )
        hints = rename_hints(result)
        current: str | None = "\0"
        for change in result.changes:
            group = change.table or "(schema)"
            entry = []
            if group != current:
                entry += ["", f"#### {_escape(group)}", ""]
                current = group
            hint = hints.get(change.path, {}).get(_key(change))
            suffix = f" _({hint})_" if hint else ""
            entry.append(f"- **{change.kind}** {_markdown_change(change)}{suffix}")
            details.append(entry)
    head, lines = lines, []
    if result.ignored:
        lines += [f"<details><summary>Ignored ({len(result.ignored)})</summary>", ""]
        for item in result.ignored:
            because = f": {_escape(item.rule.reason)}" if item.rule.reason else ""
            lines.append(
                f"- {_markdown_change(item.change)} (rule {_code(str(item.rule))}{because})"
            )
        lines += ["", "</details>", ""]
    for rule in result.unused_ignores:
        lines.append(f"> **warning:** ignore rule {_code(str(rule))} matched nothing")
    text = _fit(head, rows, details, lines, limit)
    picture = diff_diagram(result, *specs) if specs is not None else None
    if picture is not None:
        # Folded: a large diagram would push the findings below the fold of a PR comment. A
        # tilde fence, so the report can itself be quoted in a backtick fence (docs, logs).
        folded = (
            "\n<details><summary>Diagram of the changed tables</summary>\n\n"
            f"~~~mermaid\n{picture}~~~\n\n</details>\n"
        )
        if limit is None or len(text) + len(folded) <= limit:
            text += folded
    return text


_TABLE_HEADER = ["| Table | Missing | Unexpected | Changed |", "|---|---:|---:|---:|"]


def _fit(
    head: list[str], rows: list[str], details: list[list[str]], tail: list[str], limit: int | None
) -> str:
    """The report within ``limit`` characters: the heading always; then the summary table's
    rows, at most a third of what is left; then the changes in report order, while they fit;
    the ignored changes and warnings last if they still fit. What is left out is counted, in a
    line of the table and in a closing note, so a reader never takes a cut report for all."""

    def join(parts: list[str]) -> str:
        return "\n".join(parts).rstrip("\n") + "\n"

    table = [*_TABLE_HEADER, *rows] if rows else []
    every = [*head, *table, *(line for entry in details for line in entry), "", *tail]
    whole = join(every if details else [*head, *tail])
    if limit is None or len(whole) <= limit:
        return whole
    # Room for the notes that say what was left out (each well under 300 characters).
    budget = limit - len(join(head)) - 600
    kept_rows: list[str] = []
    used = sum(len(line) + 1 for line in _TABLE_HEADER)
    for row in rows:
        if used + len(row) + 1 > budget // 3:
            break
        kept_rows.append(row)
        used += len(row) + 1
    left_rows = len(rows) - len(kept_rows)
    if left_rows:
        kept_rows.append(f"| _{left_rows} more tables_ | | | |")
    body = [*_TABLE_HEADER, *kept_rows] if rows else []
    for entry in details:
        size = sum(len(line) + 1 for line in entry)
        if used + size > budget:
            break
        body.extend(entry)
        used += size
    shown = sum(1 for line in body if line.startswith("- **"))
    tail_size = sum(len(line) + 1 for line in tail)
    kept_tail = tail if used + tail_size <= budget else []
    note = [
        "",
        f"> **{len(details) - shown} of {len(details)} changes not shown**: this report is "
        f"cut to fit a pull-request comment ({limit:,} characters). The text and JSON reports "
        "(`--format text`, `--format json`) list every change.",
    ]
    if tail and not kept_tail:
        note.append("> The ignored changes and warnings are left out too.")
    return join([*head, *body, *note, "", *kept_tail])


def _markdown_change(change: Change) -> str:
    text = describe(change)
    path, _, rest = text.partition(": ")
    return f"{_code(path)}: {_escape(rest)}"


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def _escape(text: str) -> str:
    # Table cells and emphasis: keep the reader's text literal.
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    return value


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple | list):
        return "(" + ", ".join(str(item) for item in value) + ")"
    if isinstance(value, BaseModel):
        # Only what is set: an index is (columns, unique), not every field at its default.
        value = value.model_dump(exclude_defaults=True)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_value(item)}" for key, item in value.items()) + "}"
    return str(value)


def _shape(obj: str, value: Any, key: str = "") -> str:
    """A short description of a whole object for missing/unexpected lines."""
    if value is None:
        return ""
    if obj == "column":
        # Contract pins leave attributes out (None): show only what is known.
        parts = [value.type] if value.type is not None else []
        if value.nullable is not None:
            parts.append("null" if value.nullable else "not null")
        if value.default is not None:
            parts.append(f"default {value.default}")
        return ", ".join(parts)
    if obj == "foreign_key":
        if value.referred_table is None or value.referred_columns is None:
            return ""
        # A contract's foreign key pin is keyed by its columns and does not repeat them.
        columns = getattr(value, "columns", None) or tuple(key.split(","))
        return (
            f"{', '.join(columns)} -> {value.referred_table}({', '.join(value.referred_columns)})"
        )
    if obj == "index":
        if value.columns is None:
            return ""
        prefix = "unique on " if value.unique else "on "
        return prefix + ", ".join(value.columns)
    if obj == "unique":
        return ", ".join(getattr(value, "columns", ()))
    if obj == "check":
        return str(value.sqltext) if value.sqltext is not None else ""
    if obj == "exclude":
        return str(getattr(value, "definition", None) or "")
    if obj == "primary_key":
        return ", ".join(value)
    if obj == "enum":
        return ", ".join(value.values) if value.values is not None else ""
    if obj == "table":
        # A contract's table pin lists only the columns it checks: no count to show.
        if not isinstance(value, TableSpec):
            return ""
        count = len(value.columns)
        return f"{count} column" if count == 1 else f"{count} columns"
    return ""
