"""Properties that hold for every spec, checked on random ones (hypothesis).

- ``load(dump(s)) == s`` in TOML and in JSON, for any text in any field (column types included:
  one that loading would rewrite or refuse is written in double quotes);
- a type written in double quotes reads back exactly, whatever its text;
- ``diff(s, s)`` is empty;
- ``diff(a, b)`` and ``diff(b, a)`` mirror each other: missing <-> unexpected, ``changed`` with
  expected and actual swapped, nothing else different;
- any corruption of a snapshot file loads as a spec or raises ``SnapshotError``, nothing else.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemaspec import (
    Change,
    CheckSpec,
    ColumnSpec,
    EnumSpec,
    ForeignKeySpec,
    IndexSpec,
    SchemaSpec,
    SnapshotError,
    TableSpec,
    UniqueSpec,
    diff,
    dump,
    load,
)
from schemaspec.dialects import normalize
from schemaspec.sources.snapshot import dumps
from schemaspec.sql.type_names import canonical_type_name, written_type_name

# Any Unicode scalar value a UTF-8 file can hold, control characters included: snapshots carry
# comments, defaults and expressions verbatim.
any_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
# Few distinct names, so that two random specs share tables and columns and differ inside them.
few_names = st.sampled_from(["id", "name", "Prénom", "order", "a b", 'q"t', "x.y"])
types = st.sampled_from(
    [
        "integer",
        "bigint",
        "text",
        "varchar(20)",
        "numeric(10,2)",
        "boolean",
        "timestamptz",
        "json",
        "enum(status)",
        "enum('a','b')",
        "float",
        # What readers may emit that the hand-written rules would change: SQLite keeps a declared
        # type it does not know as written, user types may sit one letter off a built-in one.
        "int8",
        "character varying(20)",
        "foobar(1, 2)",
        "money2",
        "intgr[]",
        '"mydomain"',
        "geometry(point,4326)",
        "enum(Mood)",
        "integer[]",
    ]
) | any_text.filter(bool)
sql_text = st.sampled_from(["0", "'active'", "now()", "(x > 0)", "lower(name)", "1.50"]) | any_text

columns = st.builds(
    ColumnSpec,
    type=types,
    nullable=st.booleans(),
    default=st.none() | sql_text,
    autoincrement=st.booleans(),
    computed=st.none() | sql_text,
    comment=st.none() | any_text,
)


@st.composite
def tables(draw: st.DrawFn, keys: st.SearchStrategy[str] = names) -> TableSpec:
    cols = draw(st.dictionaries(keys, columns, min_size=1, max_size=4))
    picked = st.lists(st.sampled_from(sorted(cols)), min_size=1, max_size=2, unique=True).map(tuple)
    foreign = draw(st.lists(picked, max_size=2))
    uniques = draw(st.lists(picked, max_size=2))
    return TableSpec(
        columns=cols,
        primary_key=draw(st.just(()) | picked),
        foreign_keys={
            ",".join(fk): ForeignKeySpec(
                columns=fk,
                referred_table=draw(keys),
                referred_columns=fk,
                name=draw(st.none() | names),
                on_delete=draw(st.none() | st.sampled_from(["CASCADE", "SET NULL"])),
                on_update=draw(st.none() | st.just("CASCADE")),
            )
            for fk in foreign
        },
        indexes=draw(
            st.dictionaries(
                keys,
                st.builds(
                    IndexSpec,
                    columns=picked | st.tuples(sql_text.filter(bool)),
                    unique=st.booleans(),
                    where=st.none() | sql_text,
                ),
                max_size=2,
            )
        ),
        unique={",".join(u): UniqueSpec(columns=u, name=draw(st.none() | names)) for u in uniques},
        checks=draw(
            st.dictionaries(
                keys,
                st.builds(CheckSpec, sqltext=sql_text, name=st.none() | names),
                max_size=2,
            )
        ),
        comment=draw(st.none() | any_text),
    )


dialects = st.sampled_from([None, "postgresql", "mysql", "sqlite"])
enums = st.dictionaries(
    st.just("status") | names, st.builds(EnumSpec, values=st.lists(any_text).map(tuple))
)


def specs(dialect: st.SearchStrategy[str | None] = dialects) -> st.SearchStrategy[SchemaSpec]:
    # Every source hands out normalised specs; those are what snapshots and diffs see.
    return st.builds(
        SchemaSpec,
        dialect=dialect,
        tables=st.dictionaries(names, tables(), max_size=3),
        enums=enums,
    ).map(normalize)


def nearby_specs(dialect: str | None) -> st.SearchStrategy[SchemaSpec]:
    return st.builds(
        SchemaSpec,
        dialect=st.just(dialect),
        tables=st.dictionaries(few_names, tables(few_names), max_size=3),
        enums=st.dictionaries(
            few_names, st.builds(EnumSpec, values=st.lists(few_names).map(tuple))
        ),
    ).map(normalize)


@st.composite
def spec_pairs(draw: st.DrawFn) -> tuple[SchemaSpec, SchemaSpec]:
    dialect = draw(dialects)
    return draw(nearby_specs(dialect)), draw(nearby_specs(dialect))


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(spec=specs(), format=st.sampled_from(["toml", "json"]))
def test_load_of_dump_is_the_spec(spec: SchemaSpec, format: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"schema.{format}"
        dump(spec, path)
        assert load(path) == spec


@PROPERTY
@given(type_=any_text | types)
def test_a_quoted_type_reads_back_exactly(type_: str) -> None:
    # The escape dump relies on: whatever a reader emitted comes back unchanged.
    assert canonical_type_name(written_type_name(type_)) == type_


@PROPERTY
@given(spec=specs())
def test_diff_of_a_spec_with_itself_is_empty(spec: SchemaSpec) -> None:
    result = diff(spec, spec)
    assert result.changes == ()
    assert not result


def mirrored(change: Change) -> Change:
    kind = {"missing": "unexpected", "unexpected": "missing"}.get(change.kind, change.kind)
    return change.model_copy(
        update={"kind": kind, "expected": change.actual, "actual": change.expected}
    )


@PROPERTY
@given(pair=spec_pairs())
def test_diff_both_ways_mirror_each_other(pair: tuple[SchemaSpec, SchemaSpec]) -> None:
    a, b = pair
    forward, backward = diff(a, b), diff(b, a)
    assert sorted(map(repr, map(mirrored, forward.changes))) == sorted(map(repr, backward.changes))
    assert bool(forward) == bool(backward)
    # Not "== (a != b)": a constraint name only one side has is not a difference, by design
    # (databases invent names for unnamed constraints).
    if a == b:
        assert not forward


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[str, bytes]:
    format = draw(st.sampled_from(["toml", "json"]))
    data = bytearray(dumps(draw(specs()), format).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        byte = draw(st.integers(0, 255))
        if action == "replace" and position < len(data):
            data[position] = byte
        elif action == "insert":
            data.insert(position, byte)
        elif action == "delete" and position < len(data):
            del data[position]
        elif action == "truncate":
            del data[position:]
    return format, bytes(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=corrupted())
def test_a_corrupted_snapshot_loads_or_raises_snapshot_error(case: tuple[str, bytes]) -> None:
    format, data = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"schema.{format}"
        path.write_bytes(data)
        try:
            spec = load(path)
        except SnapshotError as error:
            assert error.path == path
            assert str(error).startswith(str(path))
        else:
            # What still parses must be a valid, normalised spec.
            assert normalize(spec) == spec
