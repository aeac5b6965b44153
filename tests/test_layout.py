"""The package's layout by role: the import arrows point down, and every documented name imports.

Layers, bottom to top. A module may import its own layer and the layers below it, never one
above (docs/concepts.md draws the same picture).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

import schemaspec

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "schemaspec"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("schemaspec.errors", "schemaspec.spec"),
    ("schemaspec.util",),
    ("schemaspec.sql",),
    ("schemaspec.dialects",),
    ("schemaspec.compare",),
    ("schemaspec.sources",),
    ("schemaspec.checks",),
    ("schemaspec.reports",),
    (
        "schemaspec.testing",
        "schemaspec.cli",
        "schemaspec.pytest_plugin",
        "schemaspec._moved",
        "schemaspec.__main__",
        "schemaspec",
    ),
)


def layer_of(module: str) -> int:
    """The layer of the longest prefix naming ``module`` (``schemaspec`` alone is the API)."""
    matches = [
        (len(prefix), index)
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"{module} belongs to no layer: add it to LAYERS and the docs"
    return max(matches)[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every schemaspec module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from schemaspec.sources import scratch` imports schemaspec.sources.scratch.
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if importlib.util.find_spec(node.module) and _is_module(candidate):
                    found.add(candidate)
    return {name for name in found if name == "schemaspec" or name.startswith("schemaspec.")}


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    assert len(SOURCES) > 40
    for path in SOURCES:
        layer_of(module_name(path))  # fails naming the module that has none
    with pytest.raises(AssertionError, match="schemaspec_extra belongs to no layer"):
        layer_of("schemaspec_extra")


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: module_name(path))
def test_no_module_imports_from_a_layer_above_its_own(path: Path) -> None:
    name = module_name(path)
    upward = sorted(
        imported for imported in imported_modules(path) if layer_of(imported) > layer_of(name)
    )
    assert upward == [], f"{name} (layer {layer_of(name)}) imports from above: {upward}"


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from schemaspec.reports.diff_report import render_text\n")
    assert imported_modules(module) == {"schemaspec.reports.diff_report"}
    assert layer_of("schemaspec.reports.diff_report") > layer_of("schemaspec.compare.diff")


def test_the_top_level_holds_only_the_api_the_model_and_the_entry_points() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert top == [
        "__init__.py",
        "__main__.py",
        "_moved.py",
        "errors.py",
        "pytest_plugin.py",
        "spec.py",
    ]


# --- every name the docs show imports ----------------------------------------------------------

DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
_FROM_IMPORT = re.compile(r"from (schemaspec(?:\.\w+)*) import ([\w, ]+)")
_CALL = re.compile(r"(?<![\w.])(schemaspec(?:\.[a-z_]\w*)+)\(")


def documented_names() -> list[tuple[str, str]]:
    """(module, attribute) for every ``from schemaspec... import x`` and every call of a dotted
    ``schemaspec.a.b(...)`` the docs show."""
    names: set[tuple[str, str]] = set()
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for module, imported in _FROM_IMPORT.findall(text):
            names.update((module, name.strip()) for name in imported.split(",") if name.strip())
        for dotted in _CALL.findall(text):
            module, _, attribute = dotted.rpartition(".")
            names.add((module, attribute))
    return sorted(names)


def test_the_docs_show_import_paths() -> None:
    # The list below must not silently become empty (a regex that stopped matching).
    assert ("schemaspec.reports.diff_report", "render_text") in documented_names()
    assert ("schemaspec.sources.scratch", "scratch_database") in documented_names()


@pytest.mark.parametrize("module, attribute", documented_names())
def test_every_documented_name_imports(module: str, attribute: str) -> None:
    assert hasattr(importlib.import_module(module), attribute)


OLD_PATHS = [
    ("schemaspec.report", "render_text"),
    ("schemaspec.health", "render_models_text"),
    ("schemaspec.scratch", "scratch_database"),
    ("schemaspec.diff", "Change"),
    ("schemaspec.snapshot", "dumps"),
    ("schemaspec.migrations", "Finding"),
    ("schemaspec.contracts", "load_contract"),
    ("schemaspec.types", "canonical_type"),
]


@pytest.mark.parametrize("module, attribute", OLD_PATHS)
def test_import_paths_from_before_the_layout_still_work(module: str, attribute: str) -> None:
    imported = importlib.import_module(module)
    assert getattr(imported, attribute) is getattr(
        importlib.import_module(imported.__name__), attribute
    )
    # The old path is the very module, not a copy that could drift.
    assert imported.__name__ != module


def test_attribute_access_on_old_paths_and_the_diff_function() -> None:
    assert schemaspec.report.render_text is schemaspec.reports.diff_report.render_text  # type: ignore[attr-defined]
    assert schemaspec.health.check_models is schemaspec.check_models  # type: ignore[attr-defined]
    # `schemaspec.diff` stays the function, as the README shows.
    assert callable(schemaspec.diff) and schemaspec.diff.__module__ == "schemaspec.compare.diff"
