"""The pytest plugin's settings: command line, then pytest ini, then ``[tool.schemaspec]``.

Each value comes from the first place that sets it, and remembers where that was, so an error
can name the place to fix (``ini option schemaspec_alembic_config``, ``[tool.schemaspec]
alembic_config in pyproject.toml``). Relative paths are relative to where they are written: the
invocation directory for the command line, the ini file's directory for ini options, the
``pyproject.toml``'s directory for ``[tool.schemaspec]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pytest

from schemaspec.checks.config import ConfigError, Project, find_pyproject, load_config
from schemaspec.sources.scratch import SCRATCH_PREFIX, check_prefix

_T = TypeVar("_T")

settings_key = pytest.StashKey["PluginSettings"]()


@dataclass(frozen=True)
class Setting(Generic[_T]):
    value: _T
    #: Where the value was set, as a message names it; "default" when nowhere.
    source: str


@dataclass(frozen=True)
class PluginSettings:
    alembic_config: Setting[Path | None]
    models: Setting[str | None]
    migrations: Setting[bool]
    scratch_prefix: Setting[str]
    #: The ``pyproject.toml`` with ``[tool.schemaspec]`` that was read, if any.
    project: Project | None

    def python_paths(self) -> tuple[str, ...]:
        """``[tool.schemaspec] pythonpath``, resolved: where the configured models import from."""
        if self.project is None:
            return ()
        return tuple(str(self.project.resolve(entry)) for entry in self.project.config.pythonpath)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("schemaspec")
    group.addoption(
        "--schemaspec-migrations",
        action="store_true",
        dest="schemaspec_migrations",
        default=False,
        help="add the built-in migration tests (single head, upgrade, models match head, "
        "downgrades round-trip) to this run, whatever the run selects",
    )
    group.addoption(
        "--schemaspec-alembic-config",
        dest="schemaspec_alembic_config",
        default=None,
        metavar="INI",
        help="the Alembic config (alembic.ini) for the migration tests and schemaspec_migrator",
    )
    group.addoption(
        "--schemaspec-scratch-prefix",
        dest="schemaspec_scratch_prefix",
        default=None,
        metavar="PREFIX",
        help=f"how scratch database names start (default: {SCRATCH_PREFIX})",
    )
    parser.addini(
        "schemaspec_migrations",
        "true: add the built-in migration tests to runs of the whole suite",
        default="",
    )
    parser.addini(
        "schemaspec_alembic_config",
        "the Alembic config (alembic.ini), relative to the ini file",
        default="",
    )
    parser.addini(
        "schemaspec_models",
        "the models the migration tests compare the head with (pkg.module:Base)",
        default="",
    )
    parser.addini(
        "schemaspec_scratch_prefix",
        f"how scratch database names start (default: {SCRATCH_PREFIX})",
        default="",
    )


def resolve(config: pytest.Config) -> PluginSettings:
    """The settings of this run; a bad value is a :class:`pytest.UsageError` naming its place."""
    project = _project(config)
    table = project.config if project is not None else None
    in_pyproject = f"[tool.schemaspec] {{}} in {project.path}" if project is not None else ""
    ini_dir = config.inipath.parent if config.inipath is not None else config.rootpath
    invocation = config.invocation_params.dir

    alembic: Setting[Path | None] = Setting(None, "default")
    option: str | None = config.getoption("schemaspec_alembic_config")
    if option is not None:
        alembic = Setting(_path(option, invocation), "--schemaspec-alembic-config")
    elif _ini(config, "schemaspec_alembic_config"):
        value = _ini(config, "schemaspec_alembic_config")
        alembic = Setting(_path(value, ini_dir), "ini option schemaspec_alembic_config")
    elif table is not None and project is not None and table.alembic_config is not None:
        alembic = Setting(
            project.resolve(table.alembic_config), in_pyproject.format("alembic_config")
        )

    models: Setting[str | None] = Setting(None, "default")
    if _ini(config, "schemaspec_models"):
        models = Setting(_ini(config, "schemaspec_models"), "ini option schemaspec_models")
    elif table is not None and table.models is not None:
        models = Setting(table.models, in_pyproject.format("models"))

    migrations = Setting(False, "default")
    if config.getoption("schemaspec_migrations"):
        migrations = Setting(True, "--schemaspec-migrations")
    elif _ini(config, "schemaspec_migrations"):
        migrations = Setting(
            _switch(_ini(config, "schemaspec_migrations"), "schemaspec_migrations"),
            "ini option schemaspec_migrations",
        )
    elif table is not None and table.pytest.migrations:
        migrations = Setting(True, in_pyproject.format("pytest.migrations"))

    prefix = Setting(SCRATCH_PREFIX, "default")
    prefix_option: str | None = config.getoption("schemaspec_scratch_prefix")
    if prefix_option is not None:
        prefix = Setting(
            _prefix(prefix_option, "--schemaspec-scratch-prefix"), "--schemaspec-scratch-prefix"
        )
    elif _ini(config, "schemaspec_scratch_prefix"):
        where = "ini option schemaspec_scratch_prefix"
        prefix = Setting(_prefix(_ini(config, "schemaspec_scratch_prefix"), where), where)
    elif table is not None and table.scratch_prefix is not None:
        prefix = Setting(table.scratch_prefix, in_pyproject.format("scratch_prefix"))

    settings = PluginSettings(alembic, models, migrations, prefix, project)
    if migrations.value:
        require_alembic_config(settings, f"the migration tests ({migrations.source})")
    return settings


def require_alembic_config(settings: PluginSettings, what: str) -> Path:
    """The Alembic config path, or a :class:`pytest.UsageError` naming where to set it."""
    path = settings.alembic_config.value
    if path is None:
        raise pytest.UsageError(
            f"schemaspec: {what}: no Alembic config given: name it as alembic_config in "
            "[tool.schemaspec] or the ini option schemaspec_alembic_config, or pass "
            "--schemaspec-alembic-config alembic.ini"
        )
    if not path.is_file():
        raise pytest.UsageError(
            f"schemaspec: no Alembic config at {path} ({settings.alembic_config.source}): "
            "name the alembic.ini of the project"
        )
    return path


def _project(config: pytest.Config) -> Project | None:
    found = find_pyproject(config.rootpath)
    if found is None:
        return None
    try:
        return load_config(found)
    except ConfigError as error:
        raise pytest.UsageError(f"schemaspec: {error}") from None


def _ini(config: pytest.Config, name: str) -> str:
    return str(config.getini(name)).strip()


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _switch(value: str, name: str) -> bool:
    # Only the two words: "yes" or "1" may be meant either way by whoever wrote them.
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise pytest.UsageError(f"schemaspec: ini option {name}: {value!r} is not true or false")
    return lowered == "true"


def _prefix(value: str, where: str) -> str:
    try:
        return check_prefix(value)
    except ValueError as error:
        raise pytest.UsageError(f"schemaspec: {where}: {error}") from None
