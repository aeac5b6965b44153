"""Snapshot files: deterministic, round-tripping, atomic, and precise about what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemaspec import (
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    SnapshotError,
    TableSpec,
    UniqueSpec,
    dump,
    load,
)
from schemaspec.dialects import normalize
from schemaspec.sources.snapshot import dumps, loads

SPEC = SchemaSpec(
    dialect="postgresql",
    tables={
        "book_registrations": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False, autoincrement=True),
                "applicant_priority_number": ColumnSpec(type="numeric(10,2)", nullable=False),
                "status": ColumnSpec(type="enum(registration_status)", default="'open'"),
            },
            primary_key=("id",),
            indexes={
                "ix_book_registrations_apn": IndexSpec(columns=("applicant_priority_number",))
            },
        )
    },
    enums={"registration_status": EnumSpec(values=("open", "closed"))},
)

EXPECTED_TOML = """\
schemaspec = 1
dialect = "postgresql"

[enums.registration_status]
values = [
    "open",
    "closed",
]

[tables.book_registrations]
primary_key = [
    "id",
]

[tables.book_registrations.columns.applicant_priority_number]
nullable = false
type = "numeric(10,2)"

[tables.book_registrations.columns.id]
autoincrement = true
nullable = false
type = "integer"

[tables.book_registrations.columns.status]
default = "'open'"
type = "enum(registration_status)"

[tables.book_registrations.indexes.ix_book_registrations_apn]
columns = [
    "applicant_priority_number",
]
"""


def test_toml_output_is_exact_and_sorted() -> None:
    assert dumps(SPEC) == EXPECTED_TOML


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_dump_then_load_round_trips(tmp_path: Path, suffix: str) -> None:
    path = dump(SPEC, tmp_path / f"schema{suffix}")
    assert load(path) == SPEC


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_dump_is_byte_for_byte_deterministic(tmp_path: Path, suffix: str) -> None:
    reordered = SPEC.model_copy(
        update={"tables": {"book_registrations": SPEC.tables["book_registrations"]}}
    )
    first = dump(SPEC, tmp_path / f"a{suffix}").read_bytes()
    second = dump(reordered, tmp_path / f"b{suffix}").read_bytes()
    assert first == second


def test_a_failed_write_leaves_the_previous_file_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = dump(SPEC, tmp_path / "schema.toml")
    before = path.read_bytes()

    def failing_replace(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(SnapshotError, match="cannot be written: No space left on device"):
        dump(SchemaSpec(), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.toml"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "broken.toml",
            "schemaspec = 1\n[tables.t\ncolumns = 1\n",
            "broken.toml, line 2: invalid TOML: Expected ']' at the end of a table declaration",
        ),
        (
            "broken.json",
            '{"schemaspec": 1,\n "tables": {,}}',
            "broken.json, line 2: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        (
            "bad-field.toml",
            "schemaspec = 1\n[tables.t.columns.x]\ntype = 5\n",
            "bad-field.toml, field 'tables.t.columns.x.type': Input should be a valid string",
        ),
        (
            "unknown-field.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "text"\ncolour = "red"\n',
            "unknown-field.toml, field 'tables.t.columns.x.colour': Extra inputs are not permitted",
        ),
        (
            "newer.toml",
            "schemaspec = 2\n",
            "newer.toml, field 'schemaspec': written in snapshot format 2, newer than this "
            "schemaspec reads (1); upgrade schemaspec",
        ),
        (
            "unmarked.toml",
            "[tables.t]\n",
            "unmarked.toml: not a schemaspec snapshot: the key 'schemaspec' (format version) "
            "is missing",
        ),
        (
            "list.json",
            "[1, 2]",
            "list.json: a snapshot must be a table/object at the top level",
        ),
        (
            "binary.toml",
            b"\xff\xfe".decode("latin-1"),
            "binary.toml, line 1: not UTF-8 text (byte 0)",
        ),
    ],
)
def test_malformed_snapshots_name_file_and_line_or_field(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SnapshotError) as raised:
        load(path)
    assert str(raised.value) == f"{path.parent}/{message}"
    assert raised.value.path == path


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"nowhere\.toml: no such file$"):
        load(tmp_path / "nowhere.toml")
    with pytest.raises(SnapshotError, match=r"schema\.yaml: a snapshot file name must end in "):
        dump(SPEC, tmp_path / "schema.yaml")


def test_loading_normalises_hand_written_text() -> None:
    text = (
        'schemaspec = 1\ndialect = "postgresql"\n'
        '[tables.t.columns.created_at]\ntype = "timestamptz"\ndefault = "now()"\n'
        '[tables.t.checks.ck_t_positive]\nname = "ck_t_positive"\n'
        'sqltext = "(amount > (0)::numeric)"\n'
    )
    table = loads(text).tables["t"]
    assert table.columns["created_at"].default == "current_timestamp"
    assert table.checks["ck_t_positive"].sqltext == "amount>0"


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)
simple_types = st.sampled_from(
    ["integer", "bigint", "text", "varchar(20)", "numeric(10,2)", "boolean"]
)
columns = st.builds(
    ColumnSpec,
    type=simple_types,
    nullable=st.booleans(),
    autoincrement=st.booleans(),
    comment=st.none() | names,
)


@st.composite
def tables(draw: st.DrawFn) -> TableSpec:
    cols = draw(st.dictionaries(names, columns, min_size=1, max_size=5))
    column_names = sorted(cols)
    picked = st.lists(st.sampled_from(column_names), min_size=1, max_size=2, unique=True)
    pk = tuple(draw(picked))
    fk_cols = tuple(draw(picked))
    unique_cols = tuple(draw(picked))
    return TableSpec(
        columns=cols,
        primary_key=pk,
        foreign_keys={
            ",".join(fk_cols): ForeignKeySpec(
                columns=fk_cols,
                referred_table=draw(names),
                referred_columns=fk_cols,
                on_delete=draw(st.none() | st.just("CASCADE")),
            )
        },
        indexes=draw(
            st.dictionaries(
                names,
                st.builds(IndexSpec, columns=picked.map(tuple), unique=st.booleans()),
                max_size=2,
            )
        ),
        unique={
            ",".join(unique_cols): UniqueSpec(columns=unique_cols, name=draw(st.none() | names))
        },
        checks=draw(
            st.dictionaries(
                st.sampled_from(["ck_a", "ck_b"]), st.just(CheckSpec(sqltext="x>0")), max_size=1
            )
        ),
        comment=draw(st.none() | names),
    )


# Every source hands out normalised specs (primary key columns NOT NULL and so on); those are the
# values a snapshot must preserve exactly.
specs = st.builds(
    SchemaSpec,
    dialect=st.sampled_from([None, "postgresql"]),
    tables=st.dictionaries(names, tables(), max_size=3),
).map(normalize)


@settings(max_examples=60, deadline=None)
@given(spec=specs, suffix=st.sampled_from([".toml", ".json"]))
def test_property_load_of_dump_is_identity(
    tmp_path_factory: pytest.TempPathFactory, spec: SchemaSpec, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("snap") / f"s{suffix}"
    assert load(dump(spec, path)) == spec
