"""JUnit XML: the test-result format CI test tabs read (GitLab ``artifacts:reports:junit``,
Jenkins, Azure Pipelines, GitHub test-reporter actions).

One ``<testsuite>`` per report, one ``<testcase>`` per table, check, revision or mapped class;
a failed one carries a ``<failure>`` whose text is the plain text report of just that case.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from schemaspec.reports.ci import Suite


def render_junit(suites: Sequence[Suite]) -> str:
    root = ET.Element("testsuites", name="schemaspec")
    total = failed = 0
    for suite in suites:
        failures = sum(case.failure is not None for case in suite.cases)
        element = ET.SubElement(
            root,
            "testsuite",
            name=suite.name,
            tests=str(len(suite.cases)),
            failures=str(failures),
            errors="0",
            skipped="0",
        )
        for case in suite.cases:
            attributes = {"classname": suite.classname, "name": case.name}
            if case.location is not None:
                attributes["file"] = case.location.file
                if case.location.line is not None:
                    attributes["line"] = str(case.location.line)
            testcase = ET.SubElement(element, "testcase", attributes)
            if case.failure is not None:
                failure = ET.SubElement(
                    testcase, "failure", message=case.failure, type="schemaspec"
                )
                failure.text = case.text
        total += len(suite.cases)
        failed += failures
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
