"""Start-up: ``schemaspec --version`` and ``import schemaspec`` stay cheap.

Timing on a shared machine is noise, so the guard is what gets imported: building the parser
and printing the version must import none of SQLAlchemy, DeepDiff, pydantic or Alembic (the
measured figures are in docs/performance.md and the report of this change).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import schemaspec
from schemaspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "deepdiff", "pydantic", "alembic")


def imported_by(code: str) -> list[str]:
    """The heavy top-level packages a fresh interpreter has imported after running ``code``."""
    probe = (
        f"{code}\nimport sys\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return list(ast.literal_eval(done.stdout.strip().splitlines()[-1]))


def test_version_prints_name_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr() == (f"schemaspec {schemaspec.__version__}\n", "")


def test_the_program_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "schemaspec", "--version"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "schemaspec 0.1.0\n", "")


def test_version_imports_nothing_heavy() -> None:
    code = (
        "import contextlib, io\n"
        "from schemaspec.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--version']) == 0\n"
    )
    assert imported_by(code) == []


def test_the_program_imports_nothing_heavy_for_version_or_help() -> None:
    # The real program forks (see schemaspec.cli.guard): -X importtime sees the child's imports
    # too, which sys.modules of the parent would not.
    for argv in (["--version"], ["diff", "--help"]):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "schemaspec", *argv],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert done.returncode == 0
        modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert "schemaspec.cli.main" in modules  # the probe sees our own imports
        assert sorted({m.split(".")[0] for m in modules} & set(HEAVY)) == []


def test_import_schemaspec_imports_nothing_heavy() -> None:
    assert imported_by("import schemaspec") == []
    # ... until a name is used: then exactly what it needs.
    assert "sqlalchemy" in imported_by("import schemaspec\nschemaspec.from_models")


def test_every_public_name_resolves_and_the_lazy_table_matches_the_typed_imports() -> None:
    from schemaspec import _API  # type: ignore[attr-defined]

    assert set(_API) == set(schemaspec.__all__) - {"__version__"}
    for name in schemaspec.__all__:
        assert getattr(schemaspec, name) is not None
    # What type checkers see (the `if TYPE_CHECKING:` imports) is what runs.
    tree = ast.parse((ROOT / "schemaspec" / "__init__.py").read_text(encoding="utf-8"))
    typed = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "schemaspec"
        for alias in node.names
        if node.module.startswith("schemaspec.")
    }
    assert typed == _API
    assert set(schemaspec.__all__) <= set(dir(schemaspec))


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="module 'schemaspec' has no attribute 'nope'"):
        schemaspec.nope  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute '_private'"):
        schemaspec._private  # type: ignore[attr-defined]  # noqa: B018


def test_a_subpackage_is_an_attribute_after_a_bare_import() -> None:
    code = "import schemaspec\nassert schemaspec.sources.__name__ == 'schemaspec.sources'"
    assert imported_by(code) == []
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        schemaspec.nothing_here  # type: ignore[attr-defined]  # noqa: B018


def test_the_parser_copies_of_lower_layer_facts_agree_with_them() -> None:
    from schemaspec.cli import options
    from schemaspec.sources import session
    from schemaspec.spec import OBJECT_KINDS

    assert options.OBJECT_KINDS == OBJECT_KINDS
    assert options.DEFAULT_CONNECT_TIMEOUT == session.DEFAULT_CONNECT_TIMEOUT
    assert options.DEFAULT_STATEMENT_TIMEOUT == session.DEFAULT_STATEMENT_TIMEOUT


def test_old_import_paths_import_nothing_until_used() -> None:
    assert imported_by("import schemaspec.report") == []
    assert "deepdiff" in imported_by("from schemaspec.report import render_text")
    code = (
        "import sys, schemaspec\n"
        "from schemaspec.health import check_models\n"
        "health = sys.modules['schemaspec.health']\n"
        "assert health is sys.modules['schemaspec.checks.model_health']\n"
        "assert schemaspec.diff.__module__ == 'schemaspec.compare.diff'\n"
    )
    assert "sqlalchemy" in imported_by(code)
