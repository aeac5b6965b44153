"""Project configuration: ``[tool.schemaspec]`` in ``pyproject.toml``.

A team writes it once, and ``python -m schemaspec check`` needs no arguments::

    [tool.schemaspec]
    models = "unioncore.models:Base"
    snapshot = "specs/schema.toml"
    database_env = "DATABASE_URL"
    contracts = ["specs/schema-is-law.contract.toml"]
    ignore = ["legacy_*", { path = "*.*.comment", reason = "comments are kept by the DBA" }]

Paths are relative to the directory of the ``pyproject.toml``. Every error names the file and
the key at fault, e.g. ``pyproject.toml: [tool.schemaspec] snapshot: ...``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from schemaspec.compare.ignore import IgnoreRule, as_rules
from schemaspec.errors import SchemaspecError
from schemaspec.sources.scratch import check_prefix

FILE_NAME = "pyproject.toml"
SECTION = "[tool.schemaspec]"
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


class ConfigError(SchemaspecError):
    """The project configuration is invalid; names the file and the key at fault."""

    def __init__(self, path: str | Path, reason: str, *, key: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.key = key
        where = f"{self.path}: {SECTION}"
        super().__init__(f"{where} {key}: {reason}" if key else f"{where}: {reason}")


class PytestConfig(BaseModel):
    """``[tool.schemaspec.pytest]``: what the pytest plugin does without a test being written."""

    # strict: "yes" or 1 for a switch is a typo to report, not a value to guess at.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    #: Add the built-in migration tests (single head, upgrade, models match head, downgrades).
    migrations: bool = False


class MigrationsConfig(BaseModel):
    """``[tool.schemaspec.migrations]``: how ``check`` reviews the ``alembic_config`` history."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: ``false``: ``check`` leaves the review out even though ``alembic_config`` is set.
    enabled: StrictBool = True
    #: Revisions whose destructive steps are intended (``--allow-destructive``).
    allow_destructive: tuple[str, ...] = ()
    #: Revisions whose steps that lock or fail on a populated table are intended.
    allow_locking: tuple[str, ...] = ()
    #: The variable holding the URL of an empty database to review on (default: a scratch
    #: SQLite file). It is emptied again afterwards.
    database_env: str | None = None

    @field_validator("database_env")
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        return _variable(value)


class HealthConfig(BaseModel):
    """``[tool.schemaspec.health]``: ``check``'s health check of ``models_package``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: ``false``: ``check`` leaves the health check out even though ``models_package`` is set.
    enabled: StrictBool = True


class ProjectConfig(BaseModel):
    """The validated ``[tool.schemaspec]`` table. Unknown keys are errors (typos must not pass)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    #: The models import string, ``pkg.module:Base``.
    models: str | None = None
    #: The committed snapshot file (``.toml``/``.json``), relative to the pyproject directory.
    snapshot: str | None = None
    #: A database URL. Prefer ``database_env`` so no password lands in the repository.
    database: str | None = None
    #: The name of the environment variable that holds the database URL.
    database_env: str | None = None
    #: Render the models for this database in the snapshot (postgresql, mysql, sqlite).
    dialect: str | None = None
    #: A non-default database schema.
    db_schema: str | None = Field(default=None, alias="schema")
    #: Contract files, relative to the pyproject directory.
    contracts: tuple[str, ...] = ()
    #: Ignore rules: shorthand strings or ``{ path, attribute, reason }`` tables.
    ignore: tuple[IgnoreRule, ...] = ()
    #: Directories (relative to the pyproject directory) put on ``sys.path`` to import the models.
    pythonpath: tuple[str, ...] = ()
    #: What an ignore rule that matched nothing is: a warning, or a failure of ``check``.
    unused_ignores: Literal["warn", "error"] = "warn"
    #: The Alembic config (``alembic.ini``), relative to the pyproject directory.
    alembic_config: str | None = None
    #: How the names of scratch databases start, so they are recognisable on a shared server.
    scratch_prefix: str | None = None
    #: The pytest plugin's settings.
    pytest: PytestConfig = PytestConfig()
    #: The package whose modules define the models: ``check`` runs the health check on it
    #: (imports, registration on ``models``' metadata, ``configure_mappers()``).
    models_package: str | None = None
    #: ``check``'s review of the ``alembic_config`` history.
    migrations: MigrationsConfig = MigrationsConfig()
    #: ``check``'s health check of ``models_package``.
    health: HealthConfig = HealthConfig()

    @field_validator("models_package")
    @classmethod
    def _package_name(cls, value: str | None) -> str | None:
        if value is not None and not _MODULE.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a package name: write it dotted, e.g. 'app.models' "
                "(the base goes in models, as 'app.models:Base')"
            )
        return value

    @field_validator("alembic_config")
    @classmethod
    def _alembic_config(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must name the Alembic config file, e.g. 'alembic.ini'")
        return value

    @field_validator("scratch_prefix")
    @classmethod
    def _scratch_prefix(cls, value: str | None) -> str | None:
        return check_prefix(value) if value is not None else None

    @field_validator("ignore", mode="before")
    @classmethod
    def _rules(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        rules: list[Any] = []
        for rule in value:
            if isinstance(rule, dict) and "builtin" in rule:
                raise ValueError("'builtin' is not a key of an ignore rule")
            plain = isinstance(rule, str) or (
                isinstance(rule, dict)
                and set(rule) <= {"path", "reason"}
                and isinstance(rule.get("path"), str)
                and isinstance(rule.get("reason", ""), str)
            )
            # Anything else goes to the model, whose error names the rule's key at fault.
            if not plain:
                rules.append(rule)
                continue
            try:
                rules.append(as_rules([rule])[0])
            except ValidationError as error:
                # Re-raised plainly so the message names "ignore", not the rule model's field.
                raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None
        return tuple(rules)

    @field_validator("snapshot")
    @classmethod
    def _snapshot_suffix(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().endswith((".toml", ".json")):
            raise ValueError(f"{value!r}: a snapshot file name must end in .toml or .json")
        return value

    @field_validator("database_env")
    @classmethod
    def _variable_name(cls, value: str | None) -> str | None:
        return _variable(value)

    @model_validator(mode="after")
    def _one_database(self) -> ProjectConfig:
        if self.database is not None and self.database_env is not None:
            # Raised with the key named by the loader (see _KEY_OF).
            raise ValueError("give database or database_env, not both")
        return self


def _variable(value: str | None) -> str | None:
    # "$DATABASE_URL" or "" names a variable that is never set, so the check would be skipped
    # (or run elsewhere) on every run, silently.
    if value is not None and not _VARIABLE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an environment variable name: write the name alone, "
            "e.g. DATABASE_URL (not $DATABASE_URL or the URL itself)"
        )
    return value


@dataclass(frozen=True)
class Project:
    """A configuration and where it came from."""

    config: ProjectConfig
    #: The ``pyproject.toml`` read (``None`` when no file was used).
    path: Path | None
    #: The directory relative paths are resolved against.
    root: Path

    def resolve(self, relative: str) -> Path:
        return (
            (self.root / relative).resolve() if not Path(relative).is_absolute() else Path(relative)
        )

    def database_url(self, environ: Mapping[str, str] | None = None) -> str | None:
        """``database``, else the value of the variable ``database_env`` names, else ``None``."""
        env = os.environ if environ is None else environ
        if self.config.database is not None:
            return self.config.database
        if self.config.database_env is not None:
            return env.get(self.config.database_env) or None
        return None


def find_pyproject(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.schemaspec]`` table, from ``start`` upward."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / FILE_NAME
        if candidate.is_file() and _has_section(candidate):
            return candidate
    return None


def _has_section(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml that nobody asked for is not ours to report: keep looking.
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "schemaspec" in tool


def load_config(path: str | os.PathLike[str]) -> Project:
    """Read and validate ``[tool.schemaspec]`` from the given ``pyproject.toml``."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(source, f"cannot read it: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, f"invalid TOML: {error}") from None
    tool = data.get("tool")
    table = tool.get("schemaspec") if isinstance(tool, dict) else None
    if table is None:
        raise ConfigError(source, "no such table in this file")
    if not isinstance(table, dict):
        raise ConfigError(source, "must be a table")
    return Project(
        config=config_from_table(table, source), path=source, root=source.parent.resolve()
    )


def config_from_table(table: Mapping[str, Any], path: Path) -> ProjectConfig:
    try:
        return ProjectConfig.model_validate(dict(table))
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        message = first["msg"].removeprefix("Value error, ")
        # The only whole-table rule is the database/database_env choice.
        key = ".".join(loc) if loc else "database"
        raise ConfigError(path, message, key=key) from None


def discover(config: str | os.PathLike[str] | None = None) -> Project | None:
    """``--config PATH`` if given, else the nearest configured ``pyproject.toml``, else ``None``."""
    if config is not None:
        return load_config(config)
    found = find_pyproject()
    return load_config(found) if found is not None else None
