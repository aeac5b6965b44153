"""GitHub Actions workflow annotations: ``::error file=F,line=N,title=T::message``.

GitHub shows each on the pull request's "Files changed" tab at that line, and in the job
summary. The syntax and its escaping are GitHub's ("Workflow commands for GitHub Actions"):
in a message ``%``, CR and LF are percent-encoded; in a property also ``:`` and ``,``.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemaspec.reports.ci import Annotation

#: SARIF-style levels -> the workflow command that shows them.
_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def render_github(annotations: Iterable[Annotation], closing: str) -> str:
    """One workflow command per annotation, then ``closing`` as a plain line for the log."""
    lines = []
    for annotation in annotations:
        properties = []
        if annotation.location is not None:
            properties.append(f"file={_property(annotation.location.file)}")
            if annotation.location.line is not None:
                properties.append(f"line={annotation.location.line}")
        properties.append(f"title={_property(annotation.title)}")
        lines.append(
            f"::{_COMMANDS[annotation.level]} {','.join(properties)}::{_data(annotation.message)}"
        )
    lines.append(closing)
    return "\n".join(lines) + "\n"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
