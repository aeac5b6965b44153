"""The built-in migration tests: four pytest items a project gets without writing a test.

``single_head``, ``upgrade``, ``models_match_head`` and ``downgrades_round_trip`` are items of
the Alembic config file (node ids ``alembic.ini::single_head`` ...), marked
``schemaspec_migrations``, so ``-k`` and ``-m`` select them like any test. They run on a
scratch SQLite database; ``upgrade`` and ``models_match_head`` share one migration to head.

A failure prints the check's text report (the one ``python -m schemaspec migrations`` prints),
never a traceback into schemaspec: the report is the whole story.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from schemaspec.checks.migrations import check_migrations
from schemaspec.compare.diff import diff
from schemaspec.errors import SchemaspecError
from schemaspec.reports.diff_report import render_text
from schemaspec.sources.alembic import AlembicProject, from_alembic
from schemaspec.sources.models import from_models
from schemaspec.spec import SchemaSpec
from schemaspec.testing.assertions import MigrationFindings, SchemaMismatch, assert_migrations

__all__ = ["CHECKS", "MARK", "MigrationCheck", "MigrationChecks", "migration_checks"]

MARK = "schemaspec_migrations"
CHECKS = ("single_head", "upgrade", "models_match_head", "downgrades_round_trip")
NO_MODELS = (
    "schemaspec: no models to compare the head with: set models in [tool.schemaspec] or the"
    " ini option schemaspec_models"
)

#: What the round-trip test answers for; destructive steps are assert_migrations' business.
_ROUND_TRIP_KINDS = frozenset(
    {"upgrade_failed", "downgrade_failed", "downgrade_not_clean", "upgrade_again_differs"}
)


class CheckFailed(AssertionError):
    """A built-in check's failure; the message is the whole report."""


@dataclass
class _Head:
    """The one migration to head that ``upgrade`` and ``models_match_head`` share."""

    spec: SchemaSpec | None = None
    error: str | None = None
    done: bool = False


@dataclass
class _Shared:
    alembic_config: Path
    models: str | None
    models_source: str
    python_paths: tuple[str, ...]
    head: _Head = field(default_factory=_Head)


class MigrationChecks(pytest.File):
    """The Alembic config file, as the collector of the built-in checks."""

    shared: _Shared

    def collect(self) -> Iterator[pytest.Item]:
        for name in CHECKS:
            item = MigrationCheck.from_parent(self, name=name)
            item.add_marker(MARK)
            if name == "models_match_head" and self.shared.models is None:
                # A mark, not pytest.skip(): the report then names alembic.ini, not this module.
                item.add_marker(pytest.mark.skip(reason=NO_MODELS))
            yield item


class MigrationCheck(pytest.Item):
    """One built-in check."""

    parent: MigrationChecks

    def runtest(self) -> None:
        shared = self.parent.shared
        getattr(self, f"_{self.name}")(shared)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"schemaspec migrations: {self.name}"

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, CheckFailed | MigrationFindings | SchemaMismatch):
            return str(excinfo.value)
        if isinstance(excinfo.value, SchemaspecError):
            return f"{type(excinfo.value).__name__}: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def _single_head(self, shared: _Shared) -> None:
        project = _open(shared.alembic_config)
        heads = project.heads()
        if len(heads) == 1:
            return
        if not heads:
            raise CheckFailed(f"{project.name}: no revisions, so there is nothing to migrate")
        raise CheckFailed(
            f"{project.name}: {len(heads)} heads ({', '.join(heads)}); merge them into one "
            "(alembic merge heads)"
        )

    def _upgrade(self, shared: _Shared) -> None:
        _head(shared)

    def _models_match_head(self, shared: _Shared) -> None:
        assert shared.models is not None  # else skipped by its mark
        head = _head(shared, for_models=True)
        _extend_sys_path(shared.python_paths)
        try:
            expected = from_models(shared.models)
        except SchemaspecError as error:
            raise CheckFailed(f"{shared.models} ({shared.models_source}): {error}") from None
        result = diff(expected, head)
        if result:
            report = render_text(
                result,
                expected=f"models {shared.models}",
                actual=f"{shared.alembic_config.name} at head",
            )
            raise SchemaMismatch(result, report.rstrip("\n"))

    def _downgrades_round_trip(self, shared: _Shared) -> None:
        try:
            report = check_migrations(shared.alembic_config)
        except SchemaspecError as error:
            raise CheckFailed(str(error)) from None
        findings = tuple(f for f in report.findings if f.kind in _ROUND_TRIP_KINDS)
        # Accepted destructive steps are not this check's to list either.
        assert_migrations(report.model_copy(update={"findings": findings, "accepted": ()}))


def migration_checks(session: pytest.Session, shared: _Shared) -> MigrationChecks:
    """The collector of the built-in checks, a child of the session."""
    checks = MigrationChecks.from_parent(session, path=shared.alembic_config)
    checks.shared = shared
    return checks


def shared_state(
    alembic_config: Path, models: str | None, models_source: str, python_paths: tuple[str, ...]
) -> _Shared:
    return _Shared(alembic_config, models, models_source, python_paths)


def _open(path: Path) -> AlembicProject:
    try:
        return AlembicProject.open(path)
    except SchemaspecError as error:
        raise CheckFailed(str(error)) from None


def _head(shared: _Shared, *, for_models: bool = False) -> SchemaSpec:
    head = shared.head
    if not head.done:
        head.done = True
        try:
            head.spec = from_alembic(shared.alembic_config, "heads")
        except SchemaspecError as error:
            head.error = str(error)
    if head.spec is None:
        if for_models:
            raise CheckFailed(
                f"the upgrade to head failed, so there is no head to compare the models with: "
                f"{head.error}"
            )
        raise CheckFailed(str(head.error))
    return head.spec


def _extend_sys_path(paths: tuple[str, ...]) -> None:
    for entry in paths:
        if entry not in sys.path:
            sys.path.insert(0, entry)
