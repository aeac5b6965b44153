"""schemaspec: a database schema as data.

Snapshot the schema your SQLAlchemy models expect and the schema a database has into frozen
specs, diff them, and keep snapshots next to the code::

    import schemaspec
    result = schemaspec.diff(schemaspec.from_models(Base), schemaspec.from_database(url))
    assert not result, result
"""

from __future__ import annotations

from schemaspec.assertions import SchemaMismatch, assert_matches
from schemaspec.config import ConfigError, ProjectConfig, load_config
from schemaspec.contracts import Contract, ContractError, check_contract, load_contract
from schemaspec.diff import Change, IgnoredChange, SchemaDiff, diff
from schemaspec.errors import (
    DatabaseConnectionError,
    SchemaspecError,
    SnapshotError,
    SourceError,
)
from schemaspec.health import ModelFinding, ModelsReport, check_models
from schemaspec.ignore import IgnoreRule
from schemaspec.migrations import MigrationReport, check_migrations
from schemaspec.snapshot import dump, load
from schemaspec.sources.alembic import from_alembic
from schemaspec.sources.database import from_database
from schemaspec.sources.models import from_models
from schemaspec.spec import (
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    TableSpec,
    UniqueSpec,
)

__version__ = "0.1.0"

__all__ = [
    "Change",
    "CheckSpec",
    "ColumnSpec",
    "ConfigError",
    "Contract",
    "ContractError",
    "DatabaseConnectionError",
    "EnumSpec",
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
