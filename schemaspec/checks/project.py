"""``schemaspec check``: everything a project configured, in one run, for CI.

1. the committed snapshot matches the models (a stale one is a finding that carries the exact
   command that refreshes it);
2. every contract holds against the models, and against the database when one is configured;
3. the database, when one is configured, matches the models.

Ignore rules apply to the snapshot and database comparisons (never to contracts: a contract is
a deliberate pin). A rule is unused only when it matched nothing in every comparison.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from schemaspec.checks.config import Project
from schemaspec.checks.contracts import load_contract
from schemaspec.compare.diff import SchemaDiff, diff
from schemaspec.compare.ignore import DEFAULT_RULES, IgnoreRule
from schemaspec.errors import SchemaspecError
from schemaspec.sources.snapshot import load
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import mask_url

CheckKind = Literal["snapshot", "contract", "database"]


class NothingToCheck(SchemaspecError):
    """Neither the configuration nor the flags name anything to check."""


@dataclass(frozen=True)
class CheckResult:
    """One comparison: what was checked against what, and its differences."""

    kind: CheckKind
    #: The checked file or source, as reports name it (URLs masked).
    subject: str
    #: What it was checked against (``models unioncore.models:Base``).
    against: str
    result: SchemaDiff
    #: The command that fixes the finding, when there is one (a stale snapshot).
    command: str | None = None
    #: Set when the check failed before comparing (e.g. no snapshot file yet).
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return not self.result and self.problem is None

    @property
    def sides(self) -> tuple[str, str]:
        """(expected, actual) as reports name them: a contract is the expected side."""
        if self.kind == "contract":
            return f"contract {self.subject}", self.against
        return self.against, self.subject


@dataclass(frozen=True)
class CheckRun:
    checks: tuple[CheckResult, ...]
    unused_ignores: tuple[IgnoreRule, ...] = ()
    unused_ignores_fail: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        failed_ignores = self.unused_ignores_fail and bool(self.unused_ignores)
        return all(check.ok for check in self.checks) and not failed_ignores


def run_check(
    project: Project,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> CheckRun:
    """Run every check the project configures; database and import errors propagate."""
    config = project.config
    if config.models is None and config.snapshot is None:
        raise NothingToCheck(
            "nothing to check: configure models (and snapshot, contracts, database) in "
            "[tool.schemaspec], or pass --models"
        )
    here = cwd if cwd is not None else Path.cwd()
    rules = (*DEFAULT_RULES, *config.ignore)
    _extend_sys_path(project)
    checks: list[CheckResult] = []
    notes: list[str] = []
    models: SchemaSpec | None = None
    models_name = f"models {config.models}"
    if config.models is not None:
        from schemaspec.sources.models import from_models

        models = from_models(config.models, dialect=config.dialect, schema=config.db_schema)
    subject = models
    if config.snapshot is not None and models is None:
        # No models to compare it with: the snapshot is what the contracts are checked on.
        subject, models_name = load(project.resolve(config.snapshot)), f"snapshot {config.snapshot}"
    elif config.snapshot is not None and models is not None:
        checks.append(_snapshot_check(project, models, rules, here))
    url = project.database_url(environ)
    database: SchemaSpec | None = None
    if url is None and config.database_env is not None:
        notes.append(f"database check skipped: ${config.database_env} is not set")
    elif url is not None:
        from schemaspec.sources.database import from_database

        database = from_database(url, schema=config.db_schema)
    contracts = [(name, load_contract(project.resolve(name))) for name in config.contracts]
    for name, contract in contracts:
        if subject is not None:
            checks.append(
                CheckResult(
                    "contract", _shown(name, project, here), models_name, contract.check(subject)
                )
            )
        if database is not None and url is not None:
            checks.append(
                CheckResult(
                    "contract",
                    _shown(name, project, here),
                    f"database {mask_url(url)}",
                    contract.check(database),
                )
            )
    if database is not None and url is not None and config.models is not None:
        from schemaspec.sources.models import from_models

        # Neutral models: the differ renders them the way this database stores them.
        expected = from_models(config.models, schema=config.db_schema)
        checks.append(
            CheckResult(
                "database", mask_url(url), models_name, diff(expected, database, ignore=rules)
            )
        )
    unused = _unused_everywhere(
        rules, [check.result for check in checks if check.kind != "contract"]
    )
    return CheckRun(
        checks=tuple(checks),
        unused_ignores=unused,
        unused_ignores_fail=config.unused_ignores == "error",
        notes=tuple(notes),
    )


def _snapshot_check(
    project: Project, models: SchemaSpec, rules: Sequence[IgnoreRule], here: Path
) -> CheckResult:
    config = project.config
    assert config.snapshot is not None
    path = project.resolve(config.snapshot)
    shown = _shown(config.snapshot, project, here)
    against = f"models {config.models}"
    command = refresh_command(project, here)
    if not path.exists():
        problem = f"{shown} does not exist yet"
        return CheckResult("snapshot", shown, against, SchemaDiff(), command, problem)
    result = diff(models, load(path), ignore=rules)
    return CheckResult("snapshot", shown, against, result, command if result else None)


def refresh_command(project: Project, here: Path) -> str:
    """The exact command that rewrites the snapshot from the models, runnable from ``here``."""
    config = project.config
    assert config.models is not None and config.snapshot is not None
    parts = ["python", "-m", "schemaspec", "snapshot", config.models]
    if config.dialect is not None:
        parts += ["--dialect", config.dialect]
    if config.db_schema is not None:
        parts += ["--schema", config.db_schema]
    parts += ["-o", _shown(config.snapshot, project, here)]
    command = shlex.join(parts)
    entries = _python_paths(project)
    if entries != (".",) or project.resolve(".") != here.resolve():
        paths = os.pathsep.join(_shown(entry, project, here) for entry in entries)
        command = f"PYTHONPATH={shlex.quote(paths)} {command}"
    return command


def _shown(relative: str, project: Project, here: Path) -> str:
    """A configured path as the user at ``here`` would type it."""
    target = project.resolve(relative)
    if Path(relative).is_absolute() and not target.is_relative_to(here.resolve()):
        return relative
    try:
        return os.path.relpath(target, here)
    except ValueError:  # another drive on Windows
        return str(target)


def _python_paths(project: Project) -> tuple[str, ...]:
    """Where models import from: the configured ``pythonpath``, else the project's directory
    (so ``check`` run from a subdirectory imports them as it does from the project root)."""
    return project.config.pythonpath or (".",)


def _extend_sys_path(project: Project) -> None:
    # Like pytest's ``pythonpath``: the models of a src/ layout import without installing.
    for entry in reversed(_python_paths(project)):
        directory = str(project.resolve(entry))
        if directory not in sys.path:
            sys.path.insert(0, directory)


def _unused_everywhere(
    rules: Sequence[IgnoreRule], results: Sequence[SchemaDiff]
) -> tuple[IgnoreRule, ...]:
    if not results:
        return tuple(rule for rule in rules if not rule.builtin)
    unused = [set(result.unused_ignores) for result in results]
    return tuple(rule for rule in rules if all(rule in each for each in unused))


def with_overrides(project: Project, overrides: Mapping[str, Any]) -> Project:
    """The project with command-line values (those not ``None``) taking the config's place."""
    values = {key: value for key, value in overrides.items() if value is not None}
    if not values:
        return project
    if "database" in values:
        values["database_env"] = None
    return replace(project, config=project.config.model_copy(update=values))
