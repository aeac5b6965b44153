"""schemaspec: a database schema as data.

Snapshot the schema your SQLAlchemy models expect and the schema a database has into frozen
specs, diff them, and keep snapshots next to the code::

    import schemaspec
    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_database(url))
    assert not result, result
"""

from __future__ import annotations

import sys

from schemaspec import _moved
from schemaspec.checks.config import ConfigError, ProjectConfig, load_config
from schemaspec.checks.contracts import Contract, ContractError, check_contract, load_contract
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
from schemaspec.testing.assertions import SchemaMismatch, assert_matches

__version__ = "0.1.0"

# Import paths from before the layout by role (schemaspec.report, schemaspec.health, ...).
_moved.register(sys.modules[__name__])

__all__ = [
    "Change",
    "CheckSpec",
    "ColumnSpec",
    "ConfigError",
    "Contract",
    "ContractError",
    "DatabaseConnectionError",
    "EnumSpec",
    "ExcludeSpec",
    "ForeignKeySpec",
    "IgnoreRule",
    "IgnoredChange",
    "IndexSpec",
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
    "UniqueSpec",
    "__version__",
    "assert_matches",
    "check_contract",
    "check_migrations",
    "check_models",
    "diff",
    "dump",
    "from_alembic",
    "from_database",
    "from_models",
    "load",
    "load_config",
    "load_contract",
]
