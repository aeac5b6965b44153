"""``--format github|junit|sarif``: annotations at the model's or the snapshot's line, JUnit test
cases per table/check/revision/class, SARIF 2.1.0."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa
from example_project import PHASE7_REVISION, add_revision, copy_example
from unioncore.models import Base

from schemaspec.checks.model_health import ModelFinding, ModelsReport
from schemaspec.checks.project import CheckResult, CheckRun
from schemaspec.cli import main
from schemaspec.compare.change import Change
from schemaspec.compare.diff import SchemaDiff
from schemaspec.reports.ci import (
    Annotation,
    check_findings,
    diff_findings,
    models_findings,
)
from schemaspec.reports.github import render_github
from schemaspec.reports.junit import render_junit
from schemaspec.reports.locations import Location

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = ROOT / "docs" / "examples" / "unioncore" / "models"
SNAPSHOT = ROOT / "specs" / "unioncore.toml"
PHASE7 = [
    "book_registrations",
    "dispatches",
    "job_bids",
    "labor_requests",
    "referral_books",
    "registration_activities",
]


def class_line(table: str) -> tuple[str, int]:
    """The model file and ``class`` line declaring ``table``, found by reading the source."""
    for path in sorted(MODELS_DIR.glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, text in enumerate(lines):
            if re.match(rf'\s+__tablename__ = "{table}"', text):
                start = max(i for i in range(number) if lines[i].startswith("class "))
                return path.relative_to(ROOT).as_posix(), start + 1
    raise AssertionError(table)


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.fixture
def members_plus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Only ``members``, with one column the models do not have; the working directory is the
    project root, so locations are relative to it."""
    url = f"sqlite:///{tmp_path / 'members.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["members"]])
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE members ADD COLUMN nickname TEXT")
    engine.dispose()
    monkeypatch.chdir(ROOT)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- github -------------------------------------------------------------------------------------


def test_github_annotations_point_at_the_model_class(
    members_plus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "diff", "unioncore.models:Base", members_plus, "--format", "github"
    )
    member_file, member_line = class_line("members")
    expected = []
    for table in PHASE7:
        file, line = class_line(table)
        count = len(Base.metadata.tables[table].columns)
        expected.append(
            f"::error file={file},line={line},title=schemaspec%3A table missing::"
            f"{table}: table missing ({count} columns)"
        )
    expected.insert(
        4,
        f"::error file={member_file},line={member_line},title=schemaspec%3A unexpected column::"
        "members.nickname: unexpected column (text, null)",
    )
    assert (code, err) == (1, "")
    assert out.splitlines() == [*expected, "6 tables missing, 1 unexpected column"]


def test_github_annotation_of_a_column_points_at_its_attribute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE members DROP COLUMN phone")
    engine.dispose()
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "diff", "unioncore.models:Base", url, "--format", "github")
    member = MODELS_DIR / "member.py"
    phone = line_of(
        member, "    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)"
    )
    assert (code, out) == (
        1,
        f"::error file=docs/examples/unioncore/models/member.py,line={phone},"
        "title=schemaspec%3A column missing::members.phone: column missing (varchar(30), null)\n"
        "1 column missing\n",
    )


def test_github_annotations_point_at_the_snapshot_section(
    members_plus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "diff", str(SNAPSHOT), members_plus, "--format", "github")
    assert code == 1
    lines = out.splitlines()
    first = line_of(SNAPSHOT, "[tables.book_registrations]")
    assert lines[0].startswith(
        f"::error file=specs/unioncore.toml,line={first},title=schemaspec%3A table missing::"
        "book_registrations: table missing ("
    )
    assert lines[-1] == "6 tables missing, 1 unexpected column"


def test_github_escapes_messages_and_properties() -> None:
    annotation = Annotation(
        "warning", "x", "a: b, c", "100% sure\nsecond line\r", Location("dir/a,b.py", 3)
    )
    assert render_github([annotation, Annotation("note", "n", "t", "plain")], "done") == (
        "::warning file=dir/a%2Cb.py,line=3,title=a%3A b%2C c::100%25 sure%0Asecond line%0D\n"
        "::notice title=t::plain\n"
        "done\n"
    )


def test_a_database_has_no_file_to_point_at(
    members_plus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "diff", members_plus, members_plus, "--format", "github")
    assert (code, out) == (0, f"No schema differences ({members_plus} vs {members_plus})\n")


# --- junit --------------------------------------------------------------------------------------


def test_junit_has_a_test_case_per_table(
    members_plus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "diff", "unioncore.models:Base", members_plus, "--format", "junit")
    assert code == 1
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out)
    assert (root.tag, root.attrib) == (
        "testsuites",
        {"name": "schemaspec", "tests": "7", "failures": "7", "errors": "0"},
    )
    (suite,) = root
    assert (suite.tag, suite.attrib) == (
        "testsuite",
        {
            "name": f"schemaspec diff: unioncore.models:Base vs {members_plus}",
            "tests": "7",
            "failures": "7",
            "errors": "0",
            "skipped": "0",
        },
    )
    cases = {case.attrib["name"]: case for case in suite}
    assert list(cases) == sorted([*PHASE7, "members"])
    member = cases["members"]
    file, line = class_line("members")
    assert member.attrib == {
        "classname": "schemaspec.diff",
        "name": "members",
        "file": file,
        "line": str(line),
    }
    (failure,) = member
    assert (failure.tag, failure.attrib) == (
        "failure",
        {"message": "1 unexpected column", "type": "schemaspec"},
    )
    assert failure.text == (
        f"Schema differences between unioncore.models:Base (expected) and {members_plus} "
        "(actual):\n\nmembers\n  members.nickname: unexpected column (text, null)\n\n"
        "1 unexpected column\n"
    )


def test_junit_passing_tables_are_passing_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'full.db'}"
    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "diff", "unioncore.models:Base", url, "--format", "junit")
    root = ET.fromstring(out)
    assert (code, root.attrib["tests"], root.attrib["failures"]) == (0, "7", "0")
    assert [list(case) for case in root.iter("testcase")] == [[]] * 7


def test_junit_groups_changes_outside_tables() -> None:
    enum = Change(
        kind="missing",
        object="enum",
        path="member_status",
        expected=None,
        actual=None,
    )
    findings = diff_findings(SchemaDiff(changes=(enum,)), expected="a", actual="b", tables=["t"])
    root = ET.fromstring(render_junit(findings.suites))
    assert [case.attrib["name"] for case in root.iter("testcase")] == ["t", "(schema)"]
    assert [case.find("failure") is None for case in root.iter("testcase")] == [True, False]


def test_junit_per_revision_for_migrations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        "aaaa00000001",
        PHASE7_REVISION,
        upgrade='op.create_index("ix_members_first_name", "members", ["first_name"])',
    )
    code, out, _ = run(capsys, "migrations", str(ini), "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert root.attrib == {"name": "schemaspec", "tests": "6", "failures": "1", "errors": "0"}
    cases = list(root.iter("testcase"))
    assert [case.attrib["name"].split(" ")[0] for case in cases][-1] == "aaaa00000001"
    assert [case.attrib["classname"] for case in cases] == ["schemaspec.migrations"] * 6
    failure = cases[-1].find("failure")
    assert failure is not None
    assert failure.attrib == {"message": "1 finding", "type": "schemaspec"}
    assert failure.text == (
        "[downgrade_not_clean] downgrade of aaaa00000001 does not restore the schema before "
        "it: 1 index left behind\n"
        "    members.indexes.ix_members_first_name: index left behind (on first_name)\n"
    )


def test_junit_and_github_for_a_check_run() -> None:
    change = Change(
        kind="missing",
        object="column",
        path="members.phone",
        expected=None,
        actual=None,
    )
    run_ = CheckRun(
        checks=(
            CheckResult(
                "snapshot",
                "specs/schema.toml",
                "models app.models:Base",
                SchemaDiff(changes=(change,)),
                command="python -m schemaspec snapshot app.models:Base -o specs/schema.toml",
            ),
            CheckResult("contract", "law.toml", "models app.models:Base", SchemaDiff()),
        )
    )
    findings = check_findings(run_)
    assert render_github(findings.annotations, findings.closing) == (
        "::error title=schemaspec%3A column missing::members.phone: column missing "
        "(refresh it with: python -m schemaspec snapshot app.models:Base -o specs/schema.toml)\n"
        "check: 1 of 2 checks failed\n"
    )
    root = ET.fromstring(render_junit(findings.suites))
    cases = list(root.iter("testcase"))
    assert [case.attrib["name"] for case in cases] == [
        "snapshot specs/schema.toml against models app.models:Base",
        "contract law.toml against models app.models:Base",
    ]
    failure = cases[0].find("failure")
    assert failure is not None and failure.attrib["message"] == "1 column missing"
    assert failure.text is not None
    assert failure.text.endswith(
        "1 column missing\nrefresh it with: python -m schemaspec snapshot app.models:Base "
        "-o specs/schema.toml\n"
    )
    assert cases[1].find("failure") is None


def test_models_findings_point_at_the_module_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = ModelsReport(
        package="unioncore.models",
        base="unioncore.models:Base",
        modules=("unioncore.models", "unioncore.models.member"),
        models=("unioncore.models.member.Member",),
        findings=(
            ModelFinding(
                check="mappers",
                message="Could not determine join condition",
                module="unioncore.models.member",
                line=31,
                model="unioncore.models.member.Member",
                relationship="phone",
                fix="Specify foreign_keys",
            ),
        ),
    )
    findings = models_findings(report)
    (annotation,) = findings.annotations
    assert annotation == Annotation(
        "error",
        "models-mappers",
        "schemaspec: mappers",
        "unioncore.models.member.Member.phone: Could not determine join condition "
        "(fix: Specify foreign_keys)",
        Location("docs/examples/unioncore/models/member.py", 31),
    )
    root = ET.fromstring(render_junit(findings.suites))
    (case,) = root.iter("testcase")
    assert case.attrib["name"] == "unioncore.models.member.Member"
    failure = case.find("failure")
    assert failure is not None and failure.attrib["message"] == "1 problem"


def test_models_command_takes_a_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "models", "unioncore.models", "--base", "unioncore.models:Base", "--format", "junit"
    )
    root = ET.fromstring(out)
    assert (code, root.attrib["failures"]) == (0, "0")
    assert int(root.attrib["tests"]) == 7  # one per mapped class
    code, out, _ = run(
        capsys, "models", "unioncore.models", "--base", "unioncore.models:Base", "--format", "json"
    )
    document = json.loads(out)
    assert (code, document["package"], document["findings"]) == (0, "unioncore.models", [])


def test_contract_takes_the_ci_formats(
    members_plus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = "docs/examples/unioncore/schema-is-law.contract.toml"
    code, out, _ = run(capsys, "contract", contract, members_plus, "--format", "junit")
    root = ET.fromstring(out)
    names = [case.attrib["name"] for case in root.iter("testcase")]
    assert code == 1
    assert "*" not in names
    assert {"book_registrations", "referral_books", "dispatches"} <= set(names)


# --- sarif --------------------------------------------------------------------------------------


def test_sarif_document(members_plus: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "unioncore.models:Base", members_plus, "--format", "sarif")
    document = json.loads(out)
    assert code == 1
    assert (document["version"], document["$schema"]) == (
        "2.1.0",
        "https://json.schemastore.org/sarif-2.1.0.json",
    )
    (sarif_run,) = document["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "schemaspec"
    assert driver["rules"] == [
        {"id": "table-missing", "shortDescription": {"text": "table missing"}},
        {"id": "unexpected-column", "shortDescription": {"text": "unexpected column"}},
    ]
    file, line = class_line("members")
    assert sarif_run["results"][4] == {
        "ruleId": "unexpected-column",
        "ruleIndex": 1,
        "level": "error",
        "message": {"text": "members.nickname: unexpected column (text, null)"},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": file}, "region": {"startLine": line}}}
        ],
    }
    assert [result["ruleIndex"] for result in sarif_run["results"]] == [0, 0, 0, 0, 1, 0, 0]
