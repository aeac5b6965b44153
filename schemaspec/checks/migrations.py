"""Review an Alembic history: one head, exact downgrades, no silent data loss, models at head.

:func:`check_migrations` walks every revision from base to head in the revision graph's order
on an empty database. For each one it upgrades and snapshots the schema, downgrades that one
revision (a merge goes back to all of its parents) and requires the schema to equal the snapshot
from before the upgrade exactly, then upgrades again. What each upgrade changes is the diff
between consecutive snapshots, which is also where destructive steps are found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from alembic.config import Config
from alembic.script import Script
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import URL

from schemaspec.checks.destructive import destructive_changes
from schemaspec.checks.locks import LockRisk, lock_risks
from schemaspec.checks.statements import captured_statements
from schemaspec.compare.change import Change, summary
from schemaspec.compare.diff import diff
from schemaspec.errors import SourceError
from schemaspec.sources.alembic import AlembicProject, Migrator
from schemaspec.sources.models import from_models
from schemaspec.sources.resolve import check_sqlite_url, is_in_memory_sqlite
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import mask_url

__all__ = [
    "Finding",
    "FindingKind",
    "MigrationReport",
    "RevisionResult",
    "check_migrations",
]

FindingKind = Literal[
    "multiple_heads",
    "upgrade_failed",
    "downgrade_failed",
    "downgrade_not_clean",
    "upgrade_again_differs",
    "destructive",
    "locking",
    "models_differ",
]
RoundTrip = Literal["clean", "not clean", "failed", "not run"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Frozen):
    """One problem, tied to the revision it comes from (``None`` for the history as a whole)."""

    kind: FindingKind
    revision: str | None = None
    #: One line for people.
    message: str
    #: The schema changes behind the finding: leftovers of a downgrade (``diff(before upgrade,
    #: after downgrade)``), the destructive changes of an upgrade, or models vs head.
    changes: tuple[Change, ...] = ()
    #: For ``locking``: the statements that fail or lock hard on a populated table.
    locks: tuple[LockRisk, ...] = ()


class RevisionResult(_Frozen):
    """What one revision does, as measured on the database."""

    revision: str
    down_revisions: tuple[str, ...] = ()
    description: str = ""
    #: ``diff(schema before, schema after)``: ``unexpected`` objects were created, ``missing``
    #: ones dropped, ``changed`` ones altered (expected = before, actual = after).
    changes: tuple[Change, ...] = ()
    round_trip: RoundTrip = "not run"


class MigrationReport(_Frozen):
    """The result of :func:`check_migrations`. Truthy when there are findings."""

    project: str
    dialect: str | None = None
    heads: tuple[str, ...] = ()
    #: Every revision checked, in the order it was applied.
    revisions: tuple[RevisionResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: Destructive (``allow_destructive``) and locking (``allow_locking``) steps accepted:
    #: reported, not findings.
    accepted: tuple[Finding, ...] = ()
    #: Revisions never reached because an earlier one failed.
    unchecked: tuple[str, ...] = ()
    #: What the head was compared with (an import string or a description), if anything.
    models: str | None = None

    def __bool__(self) -> bool:
        return bool(self.findings)


def check_migrations(
    config: str | Path | Config,
    url: str | URL | None = None,
    models: Any = None,
    allow_destructive: Iterable[str] = (),
    allow_locking: Iterable[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> MigrationReport:
    """Check every revision of the Alembic project at ``config`` (``alembic.ini`` or ``Config``).

    ``url`` names an empty database to run on (default: a temporary SQLite file); ``models``
    (``"pkg.module:Base"``, a declarative base or a ``MetaData``) must equal the schema at head;
    ``allow_destructive`` lists revisions whose destructive steps are intended, and
    ``allow_locking`` those whose steps that lock or fail on a populated table are (see
    :mod:`schemaspec.checks.locks`).

    Raises :class:`~schemaspec.errors.SourceError` for a config that cannot be read, an unknown
    revision in ``allow_destructive`` or ``allow_locking``, an in-memory SQLite or a non-empty
    ``url``; failing migrations are findings. A connection to ``url`` lost midway is no fault
    of a revision: it raises :class:`~schemaspec.errors.DatabaseConnectionError`, never a
    finding.

    ``progress``, if given, is called as ``progress("checking revisions", done, total)`` before
    each revision (:class:`schemaspec.reports.progress.TerminalProgress` draws it on a terminal).
    """
    if url is not None:
        _refuse_url(url)
    project = AlembicProject.open(config)
    allowed = {project.resolve(revision) for revision in allow_destructive}
    # After opening the project: alembic.ini's prepend_sys_path may be what makes them importable.
    expected = from_models(models) if models is not None else None
    heads = project.heads()
    walk = _Walk(project, allowed)
    walk.allowed_locking = {project.resolve(revision) for revision in allow_locking}
    if len(heads) > 1:
        walk.findings.append(
            Finding(
                kind="multiple_heads",
                message=f"{len(heads)} heads ({', '.join(heads)}); merge them into one"
                " (alembic merge heads)",
            )
        )
    with project.migrate(url) as migrator:
        final = walk.run(migrator, project.ordered(), progress)
    if expected is not None and final is not None:
        walk.compare_models(expected, final, heads)
    return MigrationReport(
        project=project.name,
        dialect=walk.dialect,
        heads=heads,
        revisions=tuple(walk.results),
        findings=tuple(walk.findings),
        accepted=tuple(walk.accepted),
        unchecked=tuple(walk.unchecked),
        models=_describe_models(models),
    )


def _refuse_url(url: str | URL) -> None:
    check_sqlite_url(url)
    if is_in_memory_sqlite(url):
        # Each connection to it is a new, empty database: env.py (which usually opens its own)
        # would migrate one and schemaspec read another, and every revision would "fail".
        raise SourceError(
            f"{mask_url(str(url))} is an in-memory SQLite database, which lasts one connection: "
            "migrations need one that outlives it; name a file (sqlite:///check.db) or no URL "
            "for a temporary file"
        )


class _Walk:
    def __init__(self, project: AlembicProject, allowed: set[str]) -> None:
        self.project = project
        self.allowed = allowed
        self.findings: list[Finding] = []
        self.accepted: list[Finding] = []
        self.allowed_locking: set[str] = set()
        self.results: list[RevisionResult] = []
        self.unchecked: list[str] = []
        self.dialect: str | None = None

    def run(
        self,
        migrator: Migrator,
        order: Sequence[Script],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> SchemaSpec | None:
        """Check each revision in turn; the schema at the end, or ``None`` if the walk stopped.

        ``progress("checking revisions", done, total)`` is told before each revision (the
        command line shows it on a terminal: a long history is minutes of silence otherwise).
        """
        before = migrator.snapshot()
        self.dialect = before.dialect
        for position, script in enumerate(order):
            if progress is not None:
                progress("checking revisions", position + 1, len(order))
            after = self.check(migrator, script, before)
            if after is None:
                self.unchecked = [later.revision for later in order[position + 1 :]]
                return None
            before = after
        return before

    def check(self, migrator: Migrator, script: Script, before: SchemaSpec) -> SchemaSpec | None:
        """Up, down, up for one revision; the schema after it, or ``None`` when it cannot apply.

        Only a :class:`SourceError` (the revision's own failure) becomes a finding: a lost
        connection is a DatabaseConnectionError, which is let through to end the walk as an
        error, so a server going away never reads as "your migration is broken".
        """
        revision = script.revision
        heads_before = migrator.current_heads()
        result = RevisionResult(
            revision=revision,
            down_revisions=_down_revisions(script),
            description=(script.doc or "").strip().splitlines()[0] if script.doc else "",
        )
        try:
            with captured_statements(migrator.connection) as statements:
                migrator.upgrade(revision)
        except SourceError as error:
            self.results.append(result.model_copy(update={"round_trip": "failed"}))
            self._find("upgrade_failed", revision, str(error))
            return None
        after = migrator.snapshot()
        heads_after = migrator.current_heads()
        changes = diff(before, after).changes
        self.results.append(result.model_copy(update={"changes": changes}))
        self._destructive(revision, changes, after)
        self._locking(revision, statements, before, after)

        round_trip = self._round_trip(migrator, script, before, after, heads_before)
        self.results[-1] = self.results[-1].model_copy(update={"round_trip": round_trip})
        if round_trip == "clean":
            return after
        # The database is somewhere between the two snapshots: rebuild it at this revision so
        # the revisions after it are checked from the state they expect.
        try:
            migrator.reset(heads_after)
        except SourceError as error:
            self._find("upgrade_failed", revision, str(error))
            return None
        return migrator.snapshot()

    def _round_trip(
        self,
        migrator: Migrator,
        script: Script,
        before: SchemaSpec,
        after: SchemaSpec,
        heads_before: tuple[str, ...],
    ) -> RoundTrip:
        revision = script.revision
        try:
            migrator.downgrade(script)
        except SourceError as error:
            self._find("downgrade_failed", revision, str(error))
            return "failed"
        leftovers = diff(before, migrator.snapshot()).changes
        if leftovers:
            self._find(
                "downgrade_not_clean",
                revision,
                f"downgrade of {revision} does not restore the schema before it: "
                f"{_as_leftovers(leftovers)}",
                leftovers,
            )
            return "not clean"
        heads = migrator.current_heads()
        if heads != heads_before:
            self._find(
                "downgrade_failed",
                revision,
                f"downgrade of {revision} left the database at revision"
                f" {', '.join(heads) or 'base'}, expected {', '.join(heads_before) or 'base'}",
            )
            return "failed"
        try:
            migrator.upgrade(revision, action="upgrade after downgrade")
        except SourceError as error:
            self._find("upgrade_failed", revision, str(error))
            return "failed"
        again = diff(after, migrator.snapshot()).changes
        if again:
            self._find(
                "upgrade_again_differs",
                revision,
                f"upgrading {revision} again after its downgrade gives a different schema: "
                f"{summary(again)}",
                again,
            )
            return "not clean"
        return "clean"

    def _destructive(self, revision: str, changes: Sequence[Change], after: SchemaSpec) -> None:
        found = destructive_changes(changes, after)
        if not found:
            return
        finding = Finding(
            kind="destructive",
            revision=revision,
            message=f"{revision} " + "; ".join(reason for _, reason in found),
            changes=tuple(change for change, _ in found),
        )
        (self.accepted if revision in self.allowed else self.findings).append(finding)

    def _locking(
        self, revision: str, statements: Sequence[str], before: SchemaSpec, after: SchemaSpec
    ) -> None:
        risks = lock_risks(statements, self.dialect, before, after)
        if not risks:
            return
        finding = Finding(
            kind="locking",
            revision=revision,
            message=f"{revision} " + "; ".join(risk.summary for risk in risks),
            locks=tuple(risks),
        )
        (self.accepted if revision in self.allowed_locking else self.findings).append(finding)

    def compare_models(
        self, expected: SchemaSpec, actual: SchemaSpec, heads: tuple[str, ...]
    ) -> None:
        result = diff(expected, actual)
        if result:
            where = heads[0] if len(heads) == 1 else None
            self._find(
                "models_differ",
                where,
                f"the schema at head ({', '.join(heads) or 'base'}) differs from the models: "
                f"{summary(result.changes)}",
                result.changes,
            )

    def _find(
        self,
        kind: FindingKind,
        revision: str | None,
        message: str,
        changes: Sequence[Change] = (),
    ) -> None:
        self.findings.append(
            Finding(kind=kind, revision=revision, message=message, changes=tuple(changes))
        )


def _as_leftovers(changes: Sequence[Change]) -> str:
    """``1 index left behind, 1 column not restored``: leftovers read as what the downgrade did."""
    states = {"unexpected": "left behind", "missing": "not restored", "changed": "not changed back"}
    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        key = (change.object, states[change.kind])
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(
        f"{count} {object_noun(obj, count)} {state}" for (obj, state), count in counts.items()
    )


_PLURALS = {"index": "indexes", "unique": "unique constraints", "check": "checks"}


def object_noun(obj: str, count: int) -> str:
    """``index``/``indexes``, ``unique constraint``: a Change.object as a noun, by count."""
    if count == 1:
        return "unique constraint" if obj == "unique" else obj.replace("_", " ")
    return _PLURALS.get(obj, obj.replace("_", " ") + "s")


def _down_revisions(script: Script) -> tuple[str, ...]:
    down = script.down_revision
    if down is None:
        return ()
    return (down,) if isinstance(down, str) else tuple(down)


def _describe_models(models: Any) -> str | None:
    if models is None:
        return None
    if isinstance(models, str):
        return models
    name = getattr(models, "__qualname__", None) or type(models).__name__
    module = getattr(models, "__module__", None)
    return f"{module}:{name}" if module else str(name)
