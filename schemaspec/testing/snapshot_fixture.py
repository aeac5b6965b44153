"""The ``schema_snapshot`` fixture: compare a spec with a committed snapshot, or update it.

A snapshot is a file under the snapshot directory (``specs/`` by default, the ini option
``schemaspec_snapshot_dir``), reviewed in pull requests like code. A test compares against it;
``--schemaspec-update`` writes it instead. Three rules keep that safe:

- under ``CI=true`` nothing is ever written, whatever the flag says: CI that rewrites its own
  expectations would pass every change;
- a run writes only the files its tests asked for, so updating a subset of tests (``-k``, one
  file) cannot touch other snapshots; snapshots no test used are reported after a run of the
  whole suite, and removed only by an update run of the whole suite in which every test passed
  (see :mod:`schemaspec.testing.run_scope`);
- a file is rewritten only when its text would change, so ``git status`` shows real changes.

The committed snapshot is the *expected* side and the test's spec the *actual* one, as in
``schemaspec check``: a column the models gained reads "unexpected", one they lost "missing".
A spec without tables fails instead of being compared: it would match an empty snapshot forever.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Literal

import pytest

from schemaspec.compare.diff import diff
from schemaspec.errors import SnapshotError
from schemaspec.reports.diff_report import render_text
from schemaspec.sources.snapshot import SUFFIXES, dump, dumps, load
from schemaspec.testing.assertions import SchemaMismatch, to_spec
from schemaspec.testing.run_scope import RunRecord
from schemaspec.testing.unused_snapshots import default_files, default_stem, find_unused, remove

Outcome = Literal["new", "updated", "unchanged", "not written"]
snapshot_session_key = pytest.StashKey["SnapshotSession"]()


def in_ci() -> bool:
    """True when ``CI=true``: the convention CI services set, and the one .ci/run sets."""
    return os.environ.get("CI", "").lower() == "true"


@dataclass
class SnapshotSession:
    """What one pytest run knows about snapshots: where they live, and what it wrote."""

    directory: Path
    rootpath: Path
    update: bool
    ci: bool
    #: path -> what happened to it in this run, in the order the tests touched them.
    outcomes: dict[Path, Outcome] = field(default_factory=dict)
    #: path -> the text this run wrote or confirmed, to catch two tests fighting over one file.
    texts: dict[Path, str] = field(default_factory=dict)
    #: Every snapshot a test compared with or wrote in this run.
    used: set[Path] = field(default_factory=set)
    #: Files under the directory that are never unused: the project's own snapshot for check.
    keep: tuple[Path, ...] = ()
    #: After the run: snapshots no test used (None: not looked for), and why they stay.
    unused: list[Path] | None = None
    removed: bool = False
    kept_because: str | None = None
    #: Why unused snapshots were not looked for, when an update run wanted them removed.
    not_looked_for: str | None = None

    @classmethod
    def from_config(cls, config: pytest.Config, keep: Iterable[Path] = ()) -> SnapshotSession:
        directory = Path(str(config.getini("schemaspec_snapshot_dir")))
        if not directory.is_absolute():
            directory = config.rootpath / directory
        return cls(
            directory=directory,
            rootpath=config.rootpath,
            update=bool(config.getoption("schemaspec_update", False)),
            ci=in_ci(),
            keep=tuple(keep),
        )

    def finish(self, narrowed: str | None, record: RunRecord) -> None:
        """After the run: find the unused snapshots, and remove them if that is safe.

        ``narrowed`` is why the run was not the whole suite (``None`` when it was). A failed
        or skipped test may not have reached its assertion, so the files it would use by
        default count as used; what it would use by name is unknown, so then nothing is
        removed. Neither is anything under CI, nor without ``--schemaspec-update``.
        """
        if narrowed is not None:
            if self.update:
                self.not_looked_for = narrowed
            return
        candidates = find_unused(self.directory, self.used, self.keep)
        protected: set[Path] = set()
        for item in record.unfinished.values():
            protected |= default_files(self.directory, item, candidates)
        candidates = [path for path in candidates if path not in protected]
        self.unused = candidates
        if not candidates or not self.update:
            return
        if self.ci:
            self.kept_because = "CI=true, and snapshots are never changed in CI"
        elif record.failed or record.skipped:
            counts = [
                f"{len(nodes)} {'test' if len(nodes) == 1 else 'tests'} {word}"
                for nodes, word in ((record.failed, "failed"), (record.skipped, "skipped"))
                if nodes
            ]
            self.kept_because = (
                f"{' and '.join(counts)}, and the snapshots a test that did not pass would use "
                "are unknown"
            )
        else:
            remove(candidates, self.directory)
            self.removed = True

    @property
    def writes(self) -> bool:
        return self.update and not self.ci

    def shown(self, path: Path) -> str:
        """``path`` as the summary and messages print it: relative to the rootdir if inside."""
        try:
            return str(path.relative_to(self.rootpath))
        except ValueError:
            return str(path)

    def write(self, path: Path, text: str, writer: Callable[[Path], object]) -> Outcome:
        """Write ``text`` to ``path`` unless it already holds exactly that; record the outcome."""
        earlier = self.texts.get(path)
        if earlier is not None and earlier != text:
            pytest.fail(
                f"schemaspec: snapshot {self.shown(path)} was already written in this run with a "
                "different schema; give these assertions different names",
                pytrace=False,
            )
        self.texts[path] = text
        if path in self.outcomes:
            return self.outcomes[path]
        try:
            current: str | None = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current == text:
            outcome: Outcome = "unchanged"
        else:
            writer(path)
            outcome = "new" if current is None else "updated"
        self.outcomes[path] = outcome
        return outcome

    def summary_lines(self) -> list[str]:
        return self._written_lines() + self._unused_lines()

    def _unused_lines(self) -> list[str]:
        if self.not_looked_for is not None:
            return [
                f"unused snapshots not looked for: {self.not_looked_for} (they are found and "
                "removed only by a run of the whole suite)"
            ]
        if not self.unused:
            return []
        count = len(self.unused)
        noun = "snapshot" if count == 1 else "snapshots"
        if self.removed:
            head = f"{count} unused {noun} removed:"
        elif self.kept_because is not None:
            head = f"{count} {noun} no test used, not removed: {self.kept_because}:"
        else:
            head = (
                f"{count} {noun} no test used (pytest --schemaspec-update on the whole suite "
                "removes them):"
            )
        return [head, *(f"  {self.shown(path)}" for path in self.unused)]

    def _written_lines(self) -> list[str]:
        if self.ci and self.update:
            lines = ["--schemaspec-update ignored: CI=true, and snapshots are never written in CI"]
            lines += [f"  {self.shown(p)} (not written)" for p, o in self._with("not written")]
            return lines
        if not self.update:
            return []
        written = [(p, o) for p, o in self.outcomes.items() if o in ("new", "updated")]
        unchanged = len(self._with("unchanged"))
        if not written:
            return [f"no snapshot changed ({unchanged} unchanged)"]
        noun = "snapshot" if len(written) == 1 else "snapshots"
        lines = [f"{len(written)} {noun} written, {unchanged} unchanged:"]
        lines += [f"  {self.shown(path)} ({outcome})" for path, outcome in written]
        return lines

    def _with(self, outcome: Outcome) -> list[tuple[Path, Outcome]]:
        return [(path, o) for path, o in self.outcomes.items() if o == outcome]


class SchemaSnapshot:
    """The ``schema_snapshot`` fixture's value, one per test."""

    def __init__(self, session: SnapshotSession, node: pytest.Item) -> None:
        self._session = session
        self._node = node
        self._default_calls = 0

    def path(self, name: str | None = None) -> Path:
        """The snapshot file for ``name``, or for this test's next unnamed assertion."""
        if name is None:
            return self._default_path(self._default_calls + 1)
        return self._named_path(name)

    def assert_match(self, spec: Any, name: str | None = None, **options: Any) -> None:
        """Fail unless ``spec`` matches the committed snapshot; write it with --schemaspec-update.

        ``spec`` is a :class:`~schemaspec.spec.SchemaSpec` or any source
        :func:`schemaspec.assert_matches` accepts. ``name`` is a file name relative to the
        snapshot directory (``.toml`` added unless it ends in ``.toml``/``.json``); by default
        ``<test module>/<test name>.toml``, then ``-2``, ``-3``... for further unnamed calls in
        the same test. ``options`` go to :func:`schemaspec.compare.diff`.
        """
        __tracebackhide__ = True  # pytest: point the failure at the test's own line
        if name is None:
            self._default_calls += 1
            path = self._default_path(self._default_calls)
        else:
            path = self._named_path(name)
        self._session.used.add(path.resolve())
        actual = to_spec(spec)
        session, shown = self._session, self._session.shown(path)
        if not actual.tables:
            # An empty schema would write an empty snapshot and then match it forever: usually
            # models whose modules were never imported, or the wrong database or schema.
            pytest.fail(
                f"schemaspec: the schema compared with snapshot {shown} has no tables, so there "
                "is nothing to compare (and nothing is written): import the modules that define "
                "the models where the base is defined, or check the database URL and schema.",
                pytrace=False,
            )
        if session.writes:
            text = dumps(actual, path.suffix[1:])
            session.write(path, text, lambda target: dump(actual, target))
            return
        refused = session.update and session.ci
        if not path.exists():
            if refused:
                session.outcomes[path] = "not written"
                pytest.fail(
                    f"schemaspec: snapshot {shown} does not exist and was not written: "
                    "CI=true, and snapshots are never written in CI (--schemaspec-update "
                    f"ignored). Run pytest --schemaspec-update locally, review {shown} and "
                    "commit it.",
                    pytrace=False,
                )
            pytest.fail(
                f"schemaspec: snapshot {shown} does not exist. Run pytest --schemaspec-update "
                f"to write it, then review and commit it.",
                pytrace=False,
            )
        result = diff(load(path), actual, **options)
        if not result:
            return
        report = render_text(result, expected=shown, actual=self._node.name).rstrip("\n")
        if refused:
            session.outcomes[path] = "not written"
            hint = (
                "not written: CI=true, and snapshots are never written in CI (--schemaspec-update"
                " ignored). If the change is intended, run pytest --schemaspec-update locally "
                f"and commit {shown}."
            )
        else:
            hint = (
                "If the change is intended, run pytest --schemaspec-update, review the diff "
                f"of {shown} and commit it."
            )
        raise SchemaMismatch(result, f"{report}\n\n{hint}")

    def _default_path(self, call: int) -> Path:
        stem = default_stem(self._node)
        if call > 1:
            stem += f"-{call}"
        return self._session.directory / self._node.path.stem / f"{stem}.toml"

    def _named_path(self, name: str) -> Path:
        __tracebackhide__ = True
        relative = PurePath(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise SnapshotError(
                name, "a snapshot name must be a relative path inside the snapshot directory"
            )
        if relative.suffix.lower() not in SUFFIXES:
            relative = relative.with_name(relative.name + ".toml")
        return self._session.directory / relative
