"""Mermaid diagrams: exact text for small specs, and every generated diagram read back by the
real Mermaid parser (tests/mermaid/, installed with ``npm ci`` into a cache directory)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import schemaspec
from schemaspec import ColumnSpec, SchemaSpec, TableSpec
from schemaspec.cli import main
from schemaspec.reports.diagram import diff_diagram, render_diagram
from schemaspec.reports.diff_report import render_markdown
from schemaspec.spec import ForeignKeySpec, IndexSpec, UniqueSpec
from tests.zoo import schema_zoo, zoo

ROOT = Path(__file__).resolve().parents[2]
MERMAID = ROOT / "tests" / "mermaid"


def _spec(**tables: TableSpec) -> SchemaSpec:
    return SchemaSpec(tables=tables)


def _col(type_: str = "integer", nullable: bool = True) -> ColumnSpec:
    return ColumnSpec(type=type_, nullable=nullable)


MEMBERS = TableSpec(
    columns={"id": _col(nullable=False), "email": _col("varchar(100)")},
    primary_key=("id",),
    unique={"email": UniqueSpec(columns=("email",))},
)


def test_entities_keys_and_cardinalities() -> None:
    spec = _spec(
        members=MEMBERS,
        profiles=TableSpec(
            # One profile per member: the key is the primary key too (identifying, 0..1).
            columns={"member_id": _col(nullable=False), "bio": _col("text")},
            primary_key=("member_id",),
            foreign_keys={
                "member_id": ForeignKeySpec(
                    columns=("member_id",), referred_table="members", referred_columns=("id",)
                )
            },
        ),
        dispatches=TableSpec(
            columns={
                "id": _col(nullable=False),
                "member_id": _col(nullable=False),
                "bid_id": _col(),
                "amount": _col("numeric(10,2)", nullable=False),
            },
            primary_key=("id",),
            foreign_keys={
                "member_id": ForeignKeySpec(
                    columns=("member_id",), referred_table="members", referred_columns=("id",)
                ),
                "bid_id": ForeignKeySpec(
                    columns=("bid_id",), referred_table="members", referred_columns=("id",)
                ),
            },
            indexes={"ix_bid": IndexSpec(columns=("bid_id",), unique=True)},
        ),
    )
    assert render_diagram(spec) == (
        "erDiagram\n"
        '  dispatches["dispatches"] {\n'
        "    integer id PK\n"
        "    integer member_id FK\n"
        "    integer bid_id FK, UK\n"
        "    numeric(10,2) amount\n"
        "  }\n"
        '  members["members"] {\n'
        "    integer id PK\n"
        "    varchar(100) email UK\n"
        "  }\n"
        '  profiles["profiles"] {\n'
        "    integer member_id PK, FK\n"
        "    text bio\n"
        "  }\n"
        # nullable and unique: zero or one on both ends.
        '  dispatches |o..o| members : "bid_id"\n'
        # required, not unique: exactly one member, zero or more dispatches.
        '  dispatches }o..|| members : "member_id"\n'
        '  profiles |o--|| members : "member_id"\n'
    )


def test_only_the_named_tables_and_their_keys_between_them() -> None:
    spec = _spec(
        members=MEMBERS,
        notes=TableSpec(
            columns={"member_id": _col()},
            foreign_keys={
                "member_id": ForeignKeySpec(
                    columns=("member_id",), referred_table="members", referred_columns=("id",)
                )
            },
        ),
    )
    assert render_diagram(spec, tables=["notes"]) == (
        'erDiagram\n  notes["notes"] {\n    integer member_id FK\n  }\n'
    )


def test_odd_names_are_made_safe() -> None:
    spec = _spec(
        **{
            "end": TableSpec(columns={"pk": _col(), "my col": _col("double precision")}),
            "audit.events": TableSpec(columns={"1st": _col("enum(member_status: a,b)")}),
            'say "direction TB"': TableSpec(columns={"x": _col("enum('a','b')")}),
            "End": TableSpec(columns={"ünï": _col("timestamp with time zone")}),
        }
    )
    assert render_diagram(spec) == (
        "erDiagram\n"
        '  t_End["End"] {\n'
        "    timestamp_with_time_zone ünï\n"
        "  }\n"
        '  audit_events["audit.events"] {\n'
        '    enum(member_status) _1st "1st"\n'
        "  }\n"
        '  t_end_2["end"] {\n'
        '    integer _pk "pk"\n'
        '    double_precision my_col "my col"\n'
        "  }\n"
        "  say_direction_TB[\"say 'direction\u200d TB'\"] {\n"
        "    enum x\n"
        "  }\n"
    )


EXPECTED = _spec(
    members=MEMBERS,
    books=TableSpec(columns={"id": _col(nullable=False)}, primary_key=("id",)),
    registrations=TableSpec(
        columns={
            "id": _col(nullable=False),
            "member_id": _col(nullable=False),
            "priority": _col("numeric(10,2)", nullable=False),
            "phone": _col("varchar(30)"),
        },
        primary_key=("id",),
        foreign_keys={
            "member_id": ForeignKeySpec(
                columns=("member_id",), referred_table="members", referred_columns=("id",)
            )
        },
    ),
    lonely=TableSpec(columns={"id": _col()}),
)
ACTUAL = EXPECTED.model_copy(
    update={
        "tables": {
            "members": MEMBERS,
            "books": EXPECTED.tables["books"],
            "registrations": TableSpec(
                columns={
                    "id": _col(nullable=False),
                    "member_id": _col(nullable=False),
                    "priority": _col("integer", nullable=False),
                    "phone_number": _col("varchar(30)"),
                },
                primary_key=("id",),
                foreign_keys=EXPECTED.tables["registrations"].foreign_keys,
            ),
            "legacy": TableSpec(columns={"id": _col()}),
        }
    }
)


def test_diff_diagram_marks_what_changed_and_shows_the_neighbours() -> None:
    result = schemaspec.diff(EXPECTED, ACTUAL)
    assert diff_diagram(result, EXPECTED, ACTUAL) == (
        "erDiagram\n"
        # Added or dropped whole: every column.
        '  legacy["legacy"] {\n'
        "    integer id\n"
        "  }\n"
        '  lonely["lonely"] {\n'
        "    integer id\n"
        "  }\n"
        # Changed: the key columns and the changed ones (a missing column drawn back in).
        '  registrations["registrations"] {\n'
        "    integer id PK\n"
        "    integer member_id FK\n"
        '    integer priority "changed type"\n'
        '    varchar(30) phone_number "unexpected"\n'
        '    varchar(30) phone "missing"\n'
        "  }\n"
        # A neighbour: its name, for context; books, joined to nothing that changed, is left out.
        '  members["members"]\n'
        '  registrations }o..|| members : "member_id"\n'
        "  classDef changed fill:#fff4ce,stroke:#b7791f\n"
        "  classDef missing fill:#fde2e1,stroke:#c0392b\n"
        "  classDef unexpected fill:#e3f4e1,stroke:#2e7d32\n"
        "  class legacy unexpected\n"
        "  class lonely missing\n"
        "  class registrations changed\n"
    )
    assert diff_diagram(schemaspec.diff(EXPECTED, EXPECTED), EXPECTED, EXPECTED) is None


def test_markdown_report_embeds_the_diagram_when_given_the_specs() -> None:
    result = schemaspec.diff(EXPECTED, ACTUAL)
    with_specs = render_markdown(result, expected="a", actual="b", specs=(EXPECTED, ACTUAL))
    without = render_markdown(result, expected="a", actual="b")
    assert "mermaid" not in without
    picture = diff_diagram(result, EXPECTED, ACTUAL)
    assert picture is not None
    block = (
        "<details><summary>Diagram of the changed tables</summary>\n\n"
        f"~~~mermaid\n{picture}~~~\n\n</details>\n"
    )
    assert with_specs == without + "\n" + block


# --- the real Mermaid parser -----------------------------------------------------------------


def _cache_dir() -> Path:
    lock = (MERMAID / "package-lock.json").read_bytes()
    key = hashlib.sha256(lock).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "schemaspec" / f"mermaid-{key}"


@pytest.fixture(scope="module")
def mermaid_parser() -> Path:
    """``parse.mjs`` beside an installed Mermaid; installed once per lock file, outside the
    repository, so no other test pays for it."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = "node" if node is None else "npm"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing} is not installed: CI=true needs it to parse the diagrams")
        pytest.skip(f"{missing} is not installed: the Mermaid diagrams cannot be parsed here")
    target = _cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json", "parse.mjs"):
        shutil.copyfile(MERMAID / name, target / name)
    if not (target / "node_modules" / "mermaid" / "package.json").exists():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"npm ci failed in {target}:\n{done.stderr}"
    return target / "parse.mjs"


def _parse(parser: Path, files: list[Path]) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["node", str(parser), *map(str, files)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _odd_spec() -> SchemaSpec:
    reserved = ["end", "one", "to", "class", "style", "u", "1", "PK", "order", "select"]
    tables = {
        name: TableSpec(columns={"id": _col(nullable=False)}, primary_key=("id",))
        for name in reserved
    }
    tables["my table"] = TableSpec(
        columns={
            "pk": _col("numeric(10,2)", nullable=False),
            "fk": _col("enum(member_status: active,inactive)"),
            "a b": _col("timestamp with time zone"),
            "uk": _col("varchar(30)"),
            "end": _col("enum('x','y')"),
            "é": _col("double precision"),
            '"quoted"': _col("time(6)"),
        },
        primary_key=("pk",),
        foreign_keys={
            "fk": ForeignKeySpec(columns=("fk",), referred_table="end", referred_columns=("id",)),
        },
    )
    tables['a "quote" % and \\ slash'] = TableSpec(columns={"x%y": _col()})
    tables["direction TB"] = TableSpec(
        columns={"x": _col()},
        foreign_keys={
            "x": ForeignKeySpec(columns=("x",), referred_table="one", referred_columns=("id",))
        },
    )
    return _spec(**tables)


def _shown(name: str) -> str:
    """A table name as the diagram shows it (see the rules in schemaspec.reports.diagram)."""
    cleaned = name.replace('"', "'").replace("%", "").replace("\\", "/")
    return cleaned.replace("direction ", "direction\u200d ")


def test_every_diagram_parses_with_mermaid(mermaid_parser: Path, tmp_path: Path) -> None:
    specs: dict[str, SchemaSpec] = {
        f"zoo-{dialect}": schemaspec.from_models(zoo(dialect), dialect=dialect)
        for dialect in ("postgresql", "mysql", "sqlite")
    }
    specs["schema-qualified"] = schemaspec.from_models(schema_zoo("audit"))
    specs["unioncore"] = schemaspec.from_models("unioncore.models:Base")
    specs["odd"] = _odd_spec()
    files = []
    for name, spec in specs.items():
        path = tmp_path / f"{name}.mmd"
        path.write_text(render_diagram(spec), encoding="utf-8")
        files.append(path)
    report = tmp_path / "report.md"
    result = schemaspec.diff(EXPECTED, ACTUAL)
    report.write_text(render_markdown(result, specs=(EXPECTED, ACTUAL)), encoding="utf-8")
    files.append(report)
    # The command line's Markdown file, as a pull request would show it.
    command = tmp_path / "command.md"
    assert main(["diagram", str(ROOT / "specs" / "unioncore.toml"), "-o", str(command)]) == 0
    files.append(command)
    read = {Path(entry["file"]).stem: entry for entry in _parse(mermaid_parser, files)}
    assert set(read) == {*specs, "report", "command"}
    assert {entity["name"] for entity in read["command"]["entities"]} == set(
        specs["unioncore"].tables
    )
    for name, spec in specs.items():
        entities = {entity["name"]: entity for entity in read[name]["entities"]}
        # Mermaid reads back every table under its real name (quotes become apostrophes) ...
        assert set(entities) == {_shown(table) for table in spec.tables}, name
        for table_name, table in spec.tables.items():
            shown = _shown(table_name)
            attributes = entities[shown]["attributes"]
            # ... with every column, the primary key marked.
            assert len(attributes) == len(table.columns), (name, table_name)
            pk = [a for a in attributes if "PK" in a["keys"]]
            assert len(pk) == len(table.primary_key), (name, table_name)
        drawn = sum(
            1
            for table in spec.tables.values()
            for key in table.foreign_keys.values()
            if key.referred_table in spec.tables
        )
        assert len(read[name]["relationships"]) == drawn, name
    odd = {entity["name"]: entity for entity in read["odd"]["entities"]}
    assert [
        (a["type"], a["name"], a["keys"], a["comment"]) for a in odd["my table"]["attributes"]
    ] == [
        ("numeric(10,2)", "_pk", ["PK"], "pk"),
        ("enum(member_status)", "_fk", ["FK"], "fk"),
        ("timestamp_with_time_zone", "a_b", [], "a b"),
        ("varchar(30)", "_uk", [], "uk"),
        ("enum", "end", [], ""),
        ("double_precision", "é", [], ""),
        ("time(6)", "_quoted_", [], "'quoted'"),
    ]
    assert read["report"]["entities"][0]["classes"] == "default unexpected"
