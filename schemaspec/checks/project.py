"""``schemaspec check``: everything a project configured, in one run, for CI.

1. the committed snapshot matches the models (a stale one is a finding that carries the exact
   command that refreshes it);
2. every contract holds against the models, and against the database when one is configured;
3. the database, when one is configured, matches the models;
4. the models package is healthy (``models_package``: imports, registration, mappers), checked
   first, since every other check imports the same models;
5. the Alembic history (``alembic_config``) passes the migrations review: one head, exact
   downgrades, no destructive or locking step that was not accepted, the head equal to the
   models.

Which side is which: a committed file is the expected side (the snapshot against the models,
a contract against anything), and against a database the models are. So the same stale snapshot
reads the same here as in the ``schema_snapshot`` fixture: a column the models gained is
"unexpected", one they lost "missing".

Ignore rules apply to the snapshot and database comparisons (never to contracts: a contract is
a deliberate pin). A rule is unused only when it matched nothing in every comparison, and is
reported once for the run.

A check that could not run is never a pass. A configuration that names nothing comparable is a
:class:`NothingToCheck` error; a database check skipped because its variable is unset is a note
locally and a failed check under ``CI=true``; a run in which every check was skipped fails.
"""

from __future__ import annotations

import os
import shlex
import sys
import warnings as python_warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from schemaspec.checks.config import Project
from schemaspec.checks.contracts import check_contract, contract_warnings, load_contract
from schemaspec.checks.model_health import no_tables_error
from schemaspec.compare.diff import SchemaDiff, diff
from schemaspec.compare.ignore import DEFAULT_RULES, IgnoreRule
from schemaspec.errors import SchemaspecError, SchemaspecWarning
from schemaspec.sources.snapshot import load
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import mask_url

if TYPE_CHECKING:
    from schemaspec.checks.migrations import MigrationReport
    from schemaspec.checks.model_health import ModelsReport

CheckKind = Literal["snapshot", "contract", "database", "models", "migrations"]


class NothingToCheck(SchemaspecError):
    """The configuration (with the flags) names nothing that can be compared with anything."""


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
    #: Set when the check failed before comparing (e.g. no snapshot file yet), or, for the
    #: ``models`` and ``migrations`` checks, what their report found.
    problem: str | None = None
    #: The ``models`` health report or the ``migrations`` review, reported in full.
    review: ModelsReport | MigrationReport | None = None

    @property
    def ok(self) -> bool:
        return not self.result and self.problem is None

    @property
    def sides(self) -> tuple[str, str]:
        """(expected, actual) as reports name them: a committed file (contract or snapshot) is
        the expected side; against a database, the models are."""
        if self.kind in ("contract", "snapshot"):
            return f"{self.kind} {self.subject}", self.against
        return self.against, self.subject


@dataclass(frozen=True)
class CheckRun:
    checks: tuple[CheckResult, ...]
    unused_ignores: tuple[IgnoreRule, ...] = ()
    unused_ignores_fail: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Pins of contracts that checked nothing in any spec they were checked on.
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        failed_ignores = self.unused_ignores_fail and bool(self.unused_ignores)
        # No check ran (every one was skipped): nothing passed, so the run does not pass.
        ran = bool(self.checks)
        return ran and all(check.ok for check in self.checks) and not failed_ignores


def run_check(
    project: Project,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> CheckRun:
    """Run every check the project configures; database and import errors propagate.

    Raises :class:`NothingToCheck` when the configuration names nothing to compare, and
    :class:`~schemaspec.errors.SourceError` when the models define no tables.
    """
    config = project.config
    env = os.environ if environ is None else environ
    missing = _what_is_missing(project)
    if missing is not None:
        where = f"{project.path}: [tool.schemaspec]: " if project.path is not None else ""
        raise NothingToCheck(f"{where}nothing to check: {missing}")
    here = cwd if cwd is not None else Path.cwd()
    rules = _distinct((*DEFAULT_RULES, *config.ignore))
    _extend_sys_path(project)
    checks: list[CheckResult] = []
    notes: list[str] = []
    if _runs_health(project):
        health = _health_check(project)
        checks.append(health)
        if not health.ok:
            # Every other check imports the same models and would stop, as an error, at the
            # first problem the health check has just described in full.
            notes.append("the other checks were not run: they import the models")
            return CheckRun(checks=tuple(checks), notes=tuple(notes))
    models: SchemaSpec | None = None
    models_name = f"models {config.models}"
    if config.models is not None:
        from schemaspec.sources.models import from_models

        with python_warnings.catch_warnings():
            # Refused just below, in the words of this check.
            python_warnings.simplefilter("ignore", SchemaspecWarning)
            models = from_models(config.models, dialect=config.dialect, schema=config.db_schema)
        if not models.tables:
            raise no_tables_error(config.models)
    subject = models
    if config.snapshot is not None and models is None:
        # No models to compare it with: the snapshot is what the contracts are checked on.
        subject, models_name = load(project.resolve(config.snapshot)), f"snapshot {config.snapshot}"
    elif config.snapshot is not None and models is not None:
        checks.append(_snapshot_check(project, models, rules, here))
    url = project.database_url(env)
    database: SchemaSpec | None = None
    skipped: CheckResult | None = None
    if url is None and config.database_env is not None:
        variable = config.database_env
        state = "is empty" if env.get(variable) == "" else "is not set"
        if env.get("CI", "").lower() == "true":
            # Like the pytest plugin's server fixtures: in CI a check that cannot run is a
            # broken pipeline, not a pass.
            against = models_name if config.models is not None else "contracts"
            problem = (
                f"not run: ${variable} {state} (CI=true: a check that cannot run fails; "
                "set the variable in the CI job)"
            )
            skipped = CheckResult("database", f"${variable}", against, SchemaDiff(), None, problem)
        else:
            notes.append(f"database check skipped: ${variable} {state}")
    elif url is not None:
        from schemaspec.sources.database import from_database

        database = from_database(url, schema=config.db_schema)
    contracts = [(name, load_contract(project.resolve(name))) for name in config.contracts]
    warnings: list[str] = []
    for name, contract in contracts:
        shown = _shown(name, project, here)
        checked = [spec for spec in (subject, database) if spec is not None]
        if subject is not None:
            result = check_contract(contract, subject, warn=False)
            checks.append(CheckResult("contract", shown, models_name, result))
        if database is not None and url is not None:
            result = check_contract(contract, database, warn=False)
            checks.append(CheckResult("contract", shown, f"database {mask_url(url)}", result))
        # Like ignore rules: a pin is dead only if it checked nothing on every spec, and is
        # reported once, not once per spec.
        per_spec = [contract_warnings(contract, spec) for spec in checked]
        first = per_spec[0] if per_spec else ()
        dead = [message for message in first if all(message in each for each in per_spec)]
        warnings.extend(f"contract {shown}: {message}" for message in dead)
    if database is not None and url is not None and config.models is not None:
        from schemaspec.sources.models import from_models

        # Neutral models: the differ renders them the way this database stores them.
        expected = from_models(config.models, schema=config.db_schema)
        checks.append(
            CheckResult(
                "database", mask_url(url), models_name, diff(expected, database, ignore=rules)
            )
        )
    if skipped is not None:
        checks.append(skipped)  # where the database check it stands for would be
    if _runs_migrations(project):
        checks.append(_migrations_check(project, env, here, notes))
    compared = [
        check.result
        for check in checks
        if check.kind in ("snapshot", "database") and not check.problem
    ]
    unused = _unused_everywhere(rules, compared)
    if not compared and any(not rule.builtin for rule in rules):
        # No comparison ran that rules apply to (contracts ignore them): that the rules matched
        # nothing says nothing about them, so they are neither used nor unused.
        notes.append("ignore rules not checked: no snapshot or database comparison ran")
    return CheckRun(
        checks=tuple(checks),
        unused_ignores=unused,
        unused_ignores_fail=config.unused_ignores == "error",
        notes=tuple(notes),
        warnings=tuple(warnings),
    )


def _what_is_missing(project: Project) -> str | None:
    """Why the configuration (with the flags) compares nothing, or ``None`` when it does."""
    config = project.config
    database = config.database is not None or config.database_env is not None
    reviews = _runs_health(project) or _runs_migrations(project)
    if config.models is None and config.snapshot is None and reviews:
        return None
    if config.models is None and config.snapshot is None:
        return (
            "configure models (and snapshot, contracts, database) in [tool.schemaspec], "
            "or pass --models"
        )
    if config.models is None and not config.contracts:
        # The snapshot (and a database) would be read, and compared with nothing.
        what = "snapshot and database are" if database else "snapshot is"
        return (
            f"the {what} compared with models, and none are configured: add models "
            "(or contracts, to check the snapshot against), or pass --models or --contract"
        )
    if config.models is not None and not (
        config.snapshot or config.contracts or database or reviews
    ):
        return (
            "the models are compared with a snapshot, a database or contracts, and none is "
            "configured: add snapshot, database_env or contracts, or pass --snapshot, "
            "--database or --contract"
        )
    return None


def _runs_health(project: Project) -> bool:
    config = project.config
    return config.models_package is not None and config.health.enabled


def _runs_migrations(project: Project) -> bool:
    config = project.config
    return config.alembic_config is not None and config.migrations.enabled


def _health_check(project: Project) -> CheckResult:
    from schemaspec.checks.model_health import check_models

    config = project.config
    assert config.models_package is not None
    report = check_models(config.models_package, base=config.models)
    count = len(report.findings)
    problem = None if report.healthy else f"{count} problem{'' if count == 1 else 's'}"
    return CheckResult(
        "models", config.models_package, f"base {report.base}", SchemaDiff(), None, problem, report
    )


def _migrations_check(
    project: Project, env: Mapping[str, str], here: Path, notes: list[str]
) -> CheckResult:
    from schemaspec.checks.migrations import check_migrations

    config = project.config
    settings = config.migrations
    assert config.alembic_config is not None
    shown = _shown(config.alembic_config, project, here)
    against = f"models {config.models}" if config.models is not None else "its own history"
    url: str | None = None
    where = "a scratch SQLite file"
    if settings.database_env is not None:
        variable = settings.database_env
        url = env.get(variable) or None
        if url is None:
            state = "is empty" if env.get(variable) == "" else "is not set"
            if env.get("CI", "").lower() == "true":
                problem = (
                    f"not run: ${variable} {state} (CI=true: a check that cannot run fails; "
                    "set the variable in the CI job)"
                )
                return CheckResult("migrations", shown, against, SchemaDiff(), None, problem)
            notes.append(f"migrations reviewed on a scratch SQLite file: ${variable} {state}")
        else:
            where = f"database {mask_url(url)}"
    report = check_migrations(
        project.resolve(config.alembic_config),
        url=url,
        models=config.models,
        allow_destructive=settings.allow_destructive,
        allow_locking=settings.allow_locking,
    )
    count = len(report.findings)
    found = f"{count} finding{'' if count == 1 else 's'}" if count else None
    return CheckResult(
        "migrations", shown, f"{against} on {where}", SchemaDiff(), None, found, report
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
    # The committed snapshot is the expected side, as in the schema_snapshot fixture: what was
    # reviewed is what is expected, and the models are what the code now says.
    result = diff(load(path), models, ignore=rules)
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


def _distinct(rules: Sequence[IgnoreRule]) -> tuple[IgnoreRule, ...]:
    """One rule per pattern, the first kept: a rule in the config given again with --ignore
    (without its reason) is still one rule, so it is never reported twice."""
    kept: dict[tuple[str, str | None], IgnoreRule] = {}
    for rule in rules:
        kept.setdefault((rule.path, rule.attribute), rule)
    return tuple(kept.values())


def _unused_everywhere(
    rules: Sequence[IgnoreRule], results: Sequence[SchemaDiff]
) -> tuple[IgnoreRule, ...]:
    if not results:
        return ()
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
