"""Import paths from before the package was grouped by role, kept working.

Users' code and older docs import ``schemaspec.report``, ``schemaspec.health``,
``schemaspec.scratch`` and the like. Each old name is bound to the very module that now lives
under its role's package (the same object, not a copy), so ``from schemaspec.report import
render_text`` and ``schemaspec.health.render_models_text`` keep working with no second module
to drift. Only modules the public API imports anyway are listed: registering them costs nothing.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType

#: Old module path -> the module's place in the layout by role.
MOVED: dict[str, str] = {
    "schemaspec.assertions": "schemaspec.testing.assertions",
    "schemaspec.check": "schemaspec.checks.project",
    "schemaspec.config": "schemaspec.checks.config",
    "schemaspec.contracts": "schemaspec.checks.contracts",
    "schemaspec.destructive": "schemaspec.checks.destructive",
    "schemaspec.diff": "schemaspec.compare.diff",
    "schemaspec.health": "schemaspec.checks.model_health",
    "schemaspec.ignore": "schemaspec.compare.ignore",
    "schemaspec.migrations": "schemaspec.checks.migrations",
    "schemaspec.redact": "schemaspec.util.redact",
    "schemaspec.report": "schemaspec.reports.diff_report",
    "schemaspec.scratch": "schemaspec.sources.scratch",
    "schemaspec.snapshot": "schemaspec.sources.snapshot",
    "schemaspec.sqltext": "schemaspec.sql.text",
    "schemaspec.types": "schemaspec.sql.types",
}


def register(package: ModuleType) -> None:
    """Make every old path importable and reachable as an attribute of ``package``.

    An attribute the package already has wins: ``schemaspec.diff`` is the function, as it always
    was, while ``from schemaspec.diff import Change`` still finds the module.
    """
    for old, new in MOVED.items():
        module = import_module(new)
        sys.modules.setdefault(old, module)
        name = old.rpartition(".")[2]
        if not hasattr(package, name):
            setattr(package, name, module)
