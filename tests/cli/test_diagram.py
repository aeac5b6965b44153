"""The ``diagram`` command: where it writes, and what it refuses (exit 2, one line)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from schemaspec.cli import main

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = str(ROOT / "specs" / "unioncore.toml")


def test_stdout_and_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", SNAPSHOT]) == 0
    picture = capsys.readouterr().out
    assert picture.startswith('erDiagram\n  book_registrations["book_registrations"] {\n')
    assert main(["diagram", SNAPSHOT, "-o", str(tmp_path / "schema.mmd")]) == 0
    assert (tmp_path / "schema.mmd").read_text() == picture
    assert main(["diagram", SNAPSHOT, "-o", str(tmp_path / "schema.md")]) == 0
    assert (tmp_path / "schema.md").read_text() == f"~~~mermaid\n{picture}~~~\n"
    assert capsys.readouterr().out == ""


def test_what_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing-dir" / "schema.md"
    assert main(["diagram", SNAPSHOT, "-o", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"schemaspec: error: {target}: cannot be written: No such file or directory\n"
    )
    assert main(["diagram", str(tmp_path / "nothing.toml")]) == 2
    assert (
        capsys.readouterr().err == f"schemaspec: error: {tmp_path / 'nothing.toml'}: no such file\n"
    )
    # A name of its own: a module left in sys.modules must not stand in for another test's.
    package = tmp_path / "diagram_empty_models"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        assert main(["diagram", "diagram_empty_models:Base"]) == 2
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("diagram_empty_models", None)
    assert capsys.readouterr().err == (
        "schemaspec: error: models diagram_empty_models:Base define no tables, so there is "
        "nothing to "
        "compare: import the modules that define the models where the base is defined, or name "
        "another base\n"
    )
