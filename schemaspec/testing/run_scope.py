"""Did this pytest run cover the whole suite? Only then can a snapshot be called unused.

A snapshot no test used in a run that left tests out may belong to a test that was left out,
so it is reported (and removed by ``--schemaspec-update``) only after a run that:

- was given no test selection: no ``-k``, ``-m``, ``--lf``, ``--sw``, ``--deselect``,
  ``--ignore``/``--ignore-glob``, and no path narrower than the suite (a file, a node id, or a
  directory that leaves out some of ``testpaths``, or of the rootdir without ``testpaths``);
- collected without errors, deselected nothing, and ran every test it collected;
- was not spread over processes (pytest-xdist): no single process sees every test.

:func:`narrowed_by` says why a run does not count, in words for the terminal summary.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["RunRecord", "names_files", "narrowed_by", "run_record_key"]


# eq=False: registered as a plugin, which must be hashable by identity.
@dataclass(eq=False)
class RunRecord:
    """What happened to the tests of a run, as far as snapshot hygiene needs to know."""

    collected: int = 0
    deselected: int = 0
    collection_errors: int = 0
    #: Node ids that finished (passed, failed or skipped).
    finished: set[str] = field(default_factory=set)
    #: Node ids that failed (in any phase) or were skipped.
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    #: The items among them: whatever snapshots they would have used is unknown.
    unfinished: dict[str, pytest.Item] = field(default_factory=dict)

    # Hooks: the plugin registers the record itself as a plugin for the run.
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors += 1

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected = len(session.items)

    def record(self, item: pytest.Item, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.add(item.nodeid)
            self.unfinished[item.nodeid] = item
        elif report.skipped:
            self.skipped.add(item.nodeid)
            self.unfinished[item.nodeid] = item
        if report.when == "teardown":
            self.finished.add(item.nodeid)


run_record_key = pytest.StashKey[RunRecord]()


def narrowed_by(config: pytest.Config, record: RunRecord) -> str | None:
    """Why this run is not the whole suite, or ``None`` when it is."""
    option = config.option
    if getattr(option, "collectonly", False):
        return "--collect-only runs no test"
    if hasattr(config, "workerinput") or getattr(option, "dist", "no") != "no":
        return "pytest-xdist spreads the run over processes"
    for flag, name in (
        ("keyword", "-k"),
        ("markexpr", "-m"),
        ("lf", "--lf"),
        ("stepwise", "--sw"),
        ("deselect", "--deselect"),
        ("ignore", "--ignore"),
        ("ignore_glob", "--ignore-glob"),
    ):
        if getattr(option, flag, None):
            return f"{name} narrows the run"
    narrower = _narrower_paths(config)
    if narrower:
        return f"the run is narrowed to {' '.join(narrower)}"
    if record.collection_errors:
        return "collection failed"
    if record.deselected:
        return f"{_tests(record.deselected)} deselected"
    if len(record.finished) < record.collected:
        return f"{_tests(record.collected - len(record.finished))} of {record.collected} not run"
    return None


def names_files(config: pytest.Config) -> bool:
    """Whether the command line names test files or node ids (not only directories)."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return False
    here = config.invocation_params.dir
    return any("::" in arg or not (here / arg).is_dir() for arg in config.args)


def _narrower_paths(config: pytest.Config) -> list[str]:
    """The command-line arguments that select less than the suite, as given."""
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        # No arguments: pytest ran testpaths, or the invocation directory, which is the
        # whole suite only if it is the rootdir.
        if config.args_source == pytest.Config.ArgsSource.INVOCATION_DIR:
            here = config.invocation_params.dir.resolve()
            if here != config.rootpath.resolve():
                return [str(here)]
        return []
    here = config.invocation_params.dir
    chosen: list[Path] = []
    narrower: list[str] = []
    for arg in config.args:
        path = (here / arg.split("::")[0]).resolve()
        if "::" in arg or not path.is_dir():
            narrower.append(arg)
        else:
            chosen.append(path)
    if narrower:
        return narrower
    uncovered = [root for root in _suite_roots(config) if not _under_any(root, chosen)]
    return [str(arg) for arg in config.args] if uncovered else []


def _suite_roots(config: pytest.Config) -> list[Path]:
    rootpath = config.rootpath.resolve()
    testpaths = [str(entry) for entry in config.getini("testpaths")]
    roots: list[Path] = []
    for entry in testpaths:
        matches = glob.glob(str(rootpath / entry), recursive=True)
        roots.extend(Path(match).resolve() for match in matches)
    return roots or [rootpath]


def _under_any(root: Path, chosen: list[Path]) -> bool:
    return any(root == path or path in root.parents for path in chosen)


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"
