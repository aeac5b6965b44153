"""Snapshots no test used: reported after a whole-suite run, removed only when that is safe."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

import schemaspec
from schemaspec.sources.snapshot import dumps

pytest_plugins = ["pytester"]

HELPERS = """
import sqlalchemy as sa
import schemaspec

def members():
    metadata = sa.MetaData()
    sa.Table("members", metadata, sa.Column("id", sa.Integer, primary_key=True))
    return schemaspec.from_models(metadata)
"""

TESTS = """
import pytest
from schema_models import members

def test_members(schema_snapshot):
    schema_snapshot.assert_match(members())

@pytest.mark.slow
def test_named(schema_snapshot):
    schema_snapshot.assert_match(members(), name="named")
"""


def members_text() -> str:
    metadata = sa.MetaData()
    sa.Table("members", metadata, sa.Column("id", sa.Integer, primary_key=True))
    return dumps(schemaspec.from_models(metadata))


SNAPSHOT = members_text()
USED = ("specs/test_schema/test_members.toml", "specs/named.toml")
STALE = "specs/test_retired/test_gone.toml"
#: Files under specs/ that are never unused snapshots, whatever the run.
NEVER = {
    "specs/law.contract.toml": 'schemaspec = 1\nmode = "contract"\n',
    "specs/project.toml": SNAPSHOT,  # [tool.schemaspec] snapshot: `schemaspec check` uses it
    "specs/settings.toml": "a = 1\n",  # not a schemaspec file
    "specs/README.md": "snapshots live here\n",
}


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    pytester.makeini("[pytest]\nmarkers =\n    slow: a slow test\n")
    pytester.makepyfile(schema_models=HELPERS, test_schema=TESTS)
    (pytester.path / "pyproject.toml").write_text(
        '[tool.schemaspec]\nsnapshot = "specs/project.toml"\n', encoding="utf-8"
    )
    for name in (*USED, STALE):
        write(pytester.path / name, SNAPSHOT)
    for name, text in NEVER.items():
        write(pytester.path / name, text)
    return pytester


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def summary(result: pytest.RunResult) -> list[str]:
    """The lines of the "schemaspec snapshots" section of the terminal summary, whole."""
    lines = result.outlines
    starts = [n for n, line in enumerate(lines) if "= schemaspec snapshots =" in line]
    if not starts:
        return []
    (start,) = starts
    end = next(n for n in range(start + 1, len(lines)) if lines[n].startswith("="))
    # pytest puts a blank line before a section unless a failure report precedes it.
    return [line for line in lines[start + 1 : end] if line]


def files(pytester: pytest.Pytester) -> list[str]:
    specs = pytester.path / "specs"
    return sorted(str(p.relative_to(pytester.path)) for p in specs.rglob("*") if p.is_file())


ALL_FILES = sorted([*USED, STALE, *NEVER])
NOT_LOOKED_FOR = (
    "unused snapshots not looked for: {} (they are found and removed only by a run of the whole"
    " suite)"
)
KEPT = (
    "1 snapshot no test used, not removed: {}, and the snapshots a test that did not pass would"
    " use are unknown:"
)


def test_a_full_run_reports_them_and_removes_nothing(project: pytest.Pytester) -> None:
    result = run(project)
    result.assert_outcomes(passed=2)
    assert summary(result) == [
        "1 snapshot no test used (pytest --schemaspec-update on the whole suite removes them):",
        f"  {STALE}",
    ]
    assert files(project) == ALL_FILES


@pytest.mark.parametrize("args", [(), (".",)], ids=["no-arguments", "the-rootdir"])
def test_an_update_of_the_whole_suite_removes_them_and_their_empty_folder(
    project: pytest.Pytester, args: tuple[str, ...]
) -> None:
    result = run(project, "--schemaspec-update", *args)
    result.assert_outcomes(passed=2)
    assert summary(result) == [
        "no snapshot changed (2 unchanged)",
        "1 unused snapshot removed:",
        f"  {STALE}",
    ]
    assert files(project) == sorted([*USED, *NEVER])
    assert not (project.path / "specs/test_retired").exists()


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        pytest.param(("-k", "members"), "-k narrows the run", id="k"),
        pytest.param(("-m", "not slow"), "-m narrows the run", id="m"),
        pytest.param(("test_schema.py",), "the run is narrowed to test_schema.py", id="file"),
        pytest.param(
            ("test_schema.py::test_members",),
            "the run is narrowed to test_schema.py::test_members",
            id="node-id",
        ),
        pytest.param(
            ("--deselect", "test_schema.py::test_named"), "--deselect narrows the run", id="desel"
        ),
        pytest.param(("--ignore", "test_schema.py"), "--ignore narrows the run", id="ignore"),
    ],
)
def test_a_narrowed_run_neither_reports_nor_removes(
    project: pytest.Pytester, args: tuple[str, ...], reason: str
) -> None:
    assert summary(run(project, *args)) == []
    result = run(project, "--schemaspec-update", *args)
    assert summary(result)[-1] == NOT_LOOKED_FOR.format(reason)
    assert "no test used" not in result.stdout.str()
    assert files(project) == ALL_FILES


def test_last_failed_is_a_narrowed_run(project: pytest.Pytester) -> None:
    # With the cache: --lf only exists when the cacheprovider plugin is loaded.
    result = project.runpytest_inprocess("--schemaspec-update", "--lf")
    assert summary(result) == [
        "no snapshot changed (2 unchanged)",
        NOT_LOOKED_FOR.format("--lf narrows the run"),
    ]
    assert files(project) == ALL_FILES


def test_a_run_from_a_subdirectory_is_a_narrowed_run(project: pytest.Pytester) -> None:
    sub = project.mkdir("sub")
    (sub / "test_sub.py").write_text("def test_sub():\n    pass\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(sub)
        result = project.runpytest_inprocess("-p", "no:cacheprovider", "--schemaspec-update")
    result.assert_outcomes(passed=1)
    assert summary(result) == [
        "no snapshot changed (0 unchanged)",
        NOT_LOOKED_FOR.format(f"the run is narrowed to {sub}"),
    ]
    assert files(project) == ALL_FILES


def test_a_failed_test_keeps_them_and_its_own_default_files_are_not_unused(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(
        test_broken="""
        def test_broken(schema_snapshot):
            raise RuntimeError("before its assertion")
        """
    )
    # The failing test's own snapshot, and the second one of the same test.
    write(project.path / "specs/test_broken/test_broken.toml", SNAPSHOT)
    write(project.path / "specs/test_broken/test_broken-2.toml", SNAPSHOT)
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=2, failed=1)
    assert summary(result) == [
        "no snapshot changed (2 unchanged)",
        KEPT.format("1 test failed"),
        f"  {STALE}",
    ]
    assert (project.path / STALE).exists()


def test_a_skipped_test_keeps_them(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_skipped="""
        import pytest

        @pytest.mark.skip(reason="no server")
        def test_skipped(schema_snapshot):
            pass
        """
    )
    write(project.path / "specs/test_skipped/test_skipped.toml", SNAPSHOT)
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=2, skipped=1)
    assert summary(result) == [
        "no snapshot changed (2 unchanged)",
        KEPT.format("1 test skipped"),
        f"  {STALE}",
    ]
    assert (project.path / STALE).exists()


def test_ci_reports_them_and_removes_nothing(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = run(project, "--schemaspec-update")
    result.assert_outcomes(passed=2)
    assert summary(result) == [
        "--schemaspec-update ignored: CI=true, and snapshots are never written in CI",
        "1 snapshot no test used, not removed: CI=true, and snapshots are never changed in CI:",
        f"  {STALE}",
    ]
    assert files(project) == ALL_FILES


def test_a_run_stopped_early_is_not_the_whole_suite(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_a_first="""
        def test_fails():
            assert False
        """
    )
    result = run(project, "--schemaspec-update", "-x")
    result.assert_outcomes(failed=1)
    assert summary(result) == [
        "no snapshot changed (0 unchanged)",
        NOT_LOOKED_FOR.format("2 tests of 3 not run"),
    ]
    assert files(project) == ALL_FILES
