"""Import paths from before the package was grouped by role, kept working.

Users' code and older docs import ``schemaspec.report``, ``schemaspec.health``,
``schemaspec.scratch`` and the like. Each old name leads to the very module that now lives under
its role's package (no second module to drift), and costs nothing until it is used:
``import schemaspec`` must stay cheap (a pre-commit hook or ``schemaspec --version`` runs it on
every call), so nothing here imports the modules up front.

* ``import schemaspec.report`` / ``from schemaspec.report import render_text``: a small
  stand-in module is registered under the old name; its first attribute lookup imports the real
  module, puts it in ``sys.modules`` in the stand-in's place, and answers from it.
* ``schemaspec.health.check_models``: the package's ``__getattr__`` returns the real module
  (see :data:`OLD_NAMES`).

A stand-in, not an import hook: importing a submodule through a hook sets it as an attribute
of the package, and ``import schemaspec.diff`` would then replace the ``schemaspec.diff``
function with the old module of that name.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import Any

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

#: The same, by the attribute of the package each old path is (``health`` -> ...).
OLD_NAMES: dict[str, str] = {old.rpartition(".")[2]: new for old, new in MOVED.items()}


class _StandIn(ModuleType):
    """Registered under an old path until first used; then the real module takes its place."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__(new)  # the name of what it stands for, as the real module reports
        self.__dict__["_schemaspec_old_path"] = old

    def _real(self) -> ModuleType:
        real = import_module(self.__name__)
        old = self.__dict__["_schemaspec_old_path"]
        if sys.modules.get(old) is self:
            sys.modules[old] = real
        return real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        # Patching through the old path (tests' monkeypatch) must patch the real module.
        setattr(self._real(), name, value)

    def __dir__(self) -> list[str]:
        return dir(self._real())


def register(package: ModuleType) -> None:
    """Make every old path importable; nothing is imported until it is used.

    An attribute of the package wins over an old path of the same name: ``schemaspec.diff`` is
    the function, as it always was, while ``from schemaspec.diff import Change`` still finds the
    module.
    """
    for old, new in MOVED.items():
        if old not in sys.modules:
            sys.modules[old] = _StandIn(old, new)
