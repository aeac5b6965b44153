"""Where a change is written: snapshot sections and lines, model classes and attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemaspec
from schemaspec.reports.locations import Location, locator_for
from schemaspec.sources.resolve import parse_source

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "specs" / "unioncore.toml"


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_snapshot_tables_and_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / f"schema{suffix}"
    schemaspec.dump(schemaspec.load(SNAPSHOT), path)
    locate = locator_for(parse_source(str(path)))
    if suffix == ".toml":
        table = line_of(path, "[tables.members]")
        column = line_of(path, "[tables.members.columns.phone]")
    else:
        table = line_of(path, '    "members": {')
        lines = path.read_text(encoding="utf-8").splitlines()
        column = next(
            number
            for number, text in enumerate(lines, start=1)
            if number > table and text == '        "phone": {'
        )
    assert locate("members") == Location(path.name, table)
    assert locate("members.phone") == Location(path.name, column)
    # A column the snapshot does not have: its table's line.
    assert locate("members.nickname") == Location(path.name, table)
    assert locate("members.indexes.ix_members_last_name") == Location(path.name, table)
    assert locate("no_such_table") is None


def test_quoted_and_qualified_table_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "schema.toml"
    path.write_text(
        "schemaspec = 1\n\n"
        '[tables."audit.events"]\n'
        'primary_key = ["id"]\n'
        'columns.id = { type = "integer", nullable = false }\n\n'
        "[tables.plain]\n"
        'columns.id = { type = "integer", nullable = false }\n',
        encoding="utf-8",
    )
    locate = locator_for(parse_source(str(path)))
    assert locate("audit.events") == Location("schema.toml", 3)
    assert locate("audit.events.id") == Location("schema.toml", 5)
    assert locate("plain.id") == Location("schema.toml", 8)


def test_files_outside_the_working_directory_are_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    path = tmp_path / "schema.toml"
    schemaspec.dump(schemaspec.load(SNAPSHOT), path)
    found = locator_for(parse_source(str(path)))("members")
    assert found is not None and found.file == path.resolve().as_posix()


def test_sources_without_files_and_unreadable_ones_locate_nothing(tmp_path: Path) -> None:
    assert locator_for(parse_source("sqlite:///x.db"))("members") is None
    assert locator_for(parse_source(str(tmp_path / "missing.toml")))("members") is None
    assert locator_for(parse_source("no_such_module:Base"))("members") is None
