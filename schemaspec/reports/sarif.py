"""SARIF 2.1.0, the static-analysis results format of GitHub code scanning and other tools.

One run of the tool ``schemaspec``; a rule per kind of finding (``column-missing``,
``migrations-destructive``...), a result per annotation with its file and line where known.
GitHub's upload (``github/codeql-action/upload-sarif``) shows located results on the lines
they name; results without a file stay in the uploaded document for other consumers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from schemaspec.reports.ci import Annotation

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render_sarif(annotations: Iterable[Annotation]) -> str:
    return json.dumps(sarif_document(annotations), indent=2, ensure_ascii=False) + "\n"


def sarif_document(annotations: Iterable[Annotation]) -> dict[str, Any]:
    items = list(annotations)
    rules: dict[str, dict[str, Any]] = {}
    for annotation in items:
        rules.setdefault(
            annotation.rule,
            {
                "id": annotation.rule,
                "shortDescription": {"text": annotation.title.removeprefix("schemaspec: ")},
            },
        )
    order = {rule: index for index, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": "schemaspec"}
    with suppress(PackageNotFoundError):  # a source tree that was never installed: no version
        driver["version"] = version("schemaspec")
    driver["rules"] = list(rules.values())
    results = []
    for annotation in items:
        result: dict[str, Any] = {
            "ruleId": annotation.rule,
            "ruleIndex": order[annotation.rule],
            "level": annotation.level,
            "message": {"text": annotation.message},
        }
        if annotation.location is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": annotation.location.file}}
            if annotation.location.line is not None:
                physical["region"] = {"startLine": annotation.location.line}
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
            }
        ],
    }
