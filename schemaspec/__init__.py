"""schemaspec: a database schema as data.

Snapshot the schema your SQLAlchemy models expect and the schema a database has into frozen
specs, diff them, and keep snapshots next to the code::

    import schemaspec
    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_database(url))
    assert not result, result
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

from schemaspec import _moved

if TYPE_CHECKING:
    # What type checkers and IDEs see; at run time each name is imported on first use
    # (``__getattr__`` below), so ``import schemaspec`` and ``schemaspec --version`` do not pay
    # for DeepDiff, SQLAlchemy and Alembic before anything needs them.
    from schemaspec.checks.config import ConfigError, ProjectConfig, load_config
    from schemaspec.checks.contracts import Contract, ContractError, check_contract, load_contract
    from schemaspec.checks.fleet import FleetReport, Target, TargetResult, fleet, merge_fleet
    from schemaspec.checks.migrations import MigrationReport, check_migrations
    from schemaspec.checks.model_health import ModelFinding, ModelsReport, check_models
    from schemaspec.compare.change import Change
    from schemaspec.compare.diff import IgnoredChange, SchemaDiff, diff
    from schemaspec.compare.ignore import IgnoreRule
    from schemaspec.errors import (
        DatabaseConnectionError,
        SchemaspecError,
        SchemaspecWarning,
        SnapshotError,
        SourceError,
    )
    from schemaspec.fix import Fix, render_fix
    from schemaspec.sources.alembic import from_alembic
    from schemaspec.sources.database import from_database
    from schemaspec.sources.models import from_models
    from schemaspec.sources.snapshot import dump, load
    from schemaspec.spec import (
        CheckSpec,
        ColumnSpec,
        EnumSpec,
        ExcludeSpec,
        ForeignKeySpec,
        IndexSpec,
        SchemaSpec,
        TableSpec,
        UniqueSpec,
    )
    from schemaspec.testing.assertions import (
        ContractViolation,
        MigrationFindings,
        SchemaMismatch,
        assert_contract,
        assert_matches,
        assert_migrations,
    )

__version__ = "0.1.0"

#: Each public name -> the module it lives in (the same list as the imports above; a test
#: checks that the two agree, and that every name in ``__all__`` resolves).
_API: dict[str, str] = {
    **dict.fromkeys(("ConfigError", "ProjectConfig", "load_config"), "schemaspec.checks.config"),
    **dict.fromkeys(
        ("Contract", "ContractError", "check_contract", "load_contract"),
        "schemaspec.checks.contracts",
    ),
    **dict.fromkeys(
        ("FleetReport", "Target", "TargetResult", "fleet", "merge_fleet"),
        "schemaspec.checks.fleet",
    ),
    **dict.fromkeys(("MigrationReport", "check_migrations"), "schemaspec.checks.migrations"),
    **dict.fromkeys(
        ("ModelFinding", "ModelsReport", "check_models"), "schemaspec.checks.model_health"
    ),
    "Change": "schemaspec.compare.change",
    **dict.fromkeys(("IgnoredChange", "SchemaDiff", "diff"), "schemaspec.compare.diff"),
    "IgnoreRule": "schemaspec.compare.ignore",
    **dict.fromkeys(
        (
            "DatabaseConnectionError",
            "SchemaspecError",
            "SchemaspecWarning",
            "SnapshotError",
            "SourceError",
        ),
        "schemaspec.errors",
    ),
    **dict.fromkeys(("Fix", "render_fix"), "schemaspec.fix"),
    "from_alembic": "schemaspec.sources.alembic",
    "from_database": "schemaspec.sources.database",
    "from_models": "schemaspec.sources.models",
    **dict.fromkeys(("dump", "load"), "schemaspec.sources.snapshot"),
    **dict.fromkeys(
        (
            "CheckSpec",
            "ColumnSpec",
            "EnumSpec",
            "ExcludeSpec",
            "ForeignKeySpec",
            "IndexSpec",
            "SchemaSpec",
            "TableSpec",
            "UniqueSpec",
        ),
        "schemaspec.spec",
    ),
    **dict.fromkeys(
        (
            "ContractViolation",
            "MigrationFindings",
            "SchemaMismatch",
            "assert_contract",
            "assert_matches",
            "assert_migrations",
        ),
        "schemaspec.testing.assertions",
    ),
}


def __getattr__(name: str) -> Any:
    """A public name, imported on first use and then kept (the next lookup is a plain one)."""
    if name in _API:
        value = getattr(import_module(_API[name]), name)
    elif name in _moved.OLD_NAMES:
        # An import path from before the layout by role, used as an attribute
        # (``schemaspec.health.check_models``): the module it now names.
        value = import_module(_moved.OLD_NAMES[name])
    elif name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    else:
        # A subpackage used as an attribute (``schemaspec.reports.diff_report``) works after a
        # bare ``import schemaspec``, as it did when that imported everything.
        try:
            value = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


# Import paths from before the layout by role (schemaspec.report, schemaspec.health, ...).
_moved.register(sys.modules[__name__])

__all__ = [
    "Change",
    "CheckSpec",
    "ColumnSpec",
    "ConfigError",
    "Contract",
    "ContractError",
    "ContractViolation",
    "DatabaseConnectionError",
    "EnumSpec",
    "ExcludeSpec",
    "Fix",
    "FleetReport",
    "ForeignKeySpec",
    "IgnoreRule",
    "IgnoredChange",
    "IndexSpec",
    "MigrationFindings",
    "MigrationReport",
    "ModelFinding",
    "ModelsReport",
    "ProjectConfig",
    "SchemaDiff",
    "SchemaMismatch",
    "SchemaSpec",
    "SchemaspecError",
    "SchemaspecWarning",
    "SnapshotError",
    "SourceError",
    "TableSpec",
    "Target",
    "TargetResult",
    "UniqueSpec",
    "__version__",
    "assert_contract",
    "assert_matches",
    "assert_migrations",
    "check_contract",
    "check_migrations",
    "check_models",
    "diff",
    "dump",
    "fleet",
    "from_alembic",
    "from_database",
    "from_models",
    "load",
    "load_config",
    "load_contract",
    "merge_fleet",
    "render_fix",
]
