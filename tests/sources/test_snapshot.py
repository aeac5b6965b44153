"""Snapshot files: deterministic, round-tripping, atomic, and precise about what is wrong."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from zoo import portable_zoo, zoo

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
    diff,
    dump,
    from_database,
    from_models,
    load,
)
from schemaspec.dialects import normalize
from schemaspec.sources.snapshot import dumps, loads
from schemaspec.sql.type_names import canonical_type_name

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


_FK = (
    '[tables.t.foreign_keys.a]\ncolumns = ["a"]\nreferred_table = "u"\nreferred_columns = ["id"]\n'
)
_VERSION = "field 'schemaspec': format version must be 1, not"


# Never silently wrong: a file is read whole or refused, naming the file, the line or field, and
# what is valid. Each case is a mistake a person makes by hand.
@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "dup.json",
            '{"schemaspec": 1,\n "tables": {"t": {"columns": {"x": {"type": "text",\n'
            ' "nullable": false, "type": "integer"}}}}}',
            "dup.json, line 3, field 'tables.t.columns.x.type': duplicate key 'type': JSON "
            "would silently keep only the last value",
        ),
        (
            "dup-table.json",
            '{"schemaspec": 1, "tables": {\n"t": {},\n"u": {},\n"t": {"comment": "x"}}}',
            "dup-table.json, line 4, field 'tables.t': duplicate key 't': JSON would silently "
            "keep only the last value",
        ),
        (
            "dup-escaped.json",
            '{"schemaspec": 1, "dialect": "sqlite", "\\u0064ialect": "mysql"}',
            "dup-escaped.json, line 1, field 'dialect': duplicate key 'dialect': JSON would "
            "silently keep only the last value",
        ),
        (
            "dup-after-list.json",
            '{"schemaspec": 1, "tables": {"t": {"primary_key": ["a", "b"],\n'
            ' "checks": {"c": {"sqltext": "a>0", "sqltext": "a>1"}}}}}',
            "dup-after-list.json, line 2, field 'tables.t.checks.c.sqltext': duplicate key "
            "'sqltext': JSON would silently keep only the last value",
        ),
        (
            "dup.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "text"\ntype = "integer"\n',
            "dup.toml, line 4: invalid TOML: Cannot overwrite a value",
        ),
        ("zero.toml", "schemaspec = 0\n", f"zero.toml, {_VERSION} 0"),
        ("negative.json", '{"schemaspec": -1}', f"negative.json, {_VERSION} -1"),
        ("boolean.toml", "schemaspec = true\n", f"boolean.toml, {_VERSION} true"),
        ("fraction.toml", "schemaspec = 1.0\n", f"fraction.toml, {_VERSION} 1.0"),
        ("string.json", '{"schemaspec": "1"}', f"string.json, {_VERSION} '1'"),
        ("list.toml", "schemaspec = [1]\n", f"list.toml, {_VERSION} a list"),
        (
            "postgres.toml",
            'schemaspec = 1\ndialect = "postgres"\n',
            "postgres.toml, field 'dialect': unknown dialect 'postgres': did you mean "
            "'postgresql'? choose one of postgresql, mysql, mariadb, sqlite",
        ),
        (
            "oracle.toml",
            'schemaspec = 1\ndialect = "oracle"\n',
            "oracle.toml, field 'dialect': unknown dialect 'oracle': choose one of postgresql, "
            "mysql, mariadb, sqlite",
        ),
        (
            "typo.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "intgr"\n',
            "typo.toml, field 'tables.t.columns.x.type': unknown type 'intgr': did you mean "
            "'integer'? (a user-defined type of that name is written in double quotes: \"intgr\")",
        ),
        (
            "tz.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "timestamp with timezone"\n',
            "tz.toml, field 'tables.t.columns.x.type': unknown type 'timestamp with timezone': "
            "did you mean 'timestamptz'? (a user-defined type of that name is written in double "
            'quotes: "timestamp with timezone")',
        ),
        (
            "array.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "bignit[]"\n',
            "array.toml, field 'tables.t.columns.x.type': unknown type 'bignit[]': did you mean "
            "'bigint'? (a user-defined type of that name is written in double quotes: \"bignit\")",
        ),
        (
            "variant.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "integer"\n'
            'variants = { sqlite = "txet" }\n',
            "variant.toml, field 'tables.t.columns.x.variants.sqlite': unknown type 'txet': did "
            "you mean 'text'? (a user-defined type of that name is written in double quotes: "
            '"txet")',
        ),
        (
            "variant-dialect.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "integer"\n'
            'variants = { sqlit = "text" }\n',
            "variant-dialect.toml, field 'tables.t.columns.x.variants.sqlit': unknown dialect "
            "'sqlit': did you mean 'sqlite'? choose one of postgresql, mysql, mariadb, sqlite",
        ),
        (
            "not-a-type.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "varchar(20) not null"\n',
            "not-a-type.toml, field 'tables.t.columns.x.type': not a type: 'varchar(20) not null'",
        ),
        (
            "empty-type.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = ""\n',
            "empty-type.toml, field 'tables.t.columns.x.type': not a type: ''",
        ),
        (
            "unsigned.toml",
            'schemaspec = 1\n[tables.t.columns.x]\ntype = "text unsigned"\n',
            "unsigned.toml, field 'tables.t.columns.x.type': not a type: 'text unsigned' (text "
            "has no unsigned form)",
        ),
        (
            "action.toml",
            f'schemaspec = 1\n{_FK}on_delete = "casade"\n',
            "action.toml, field 'tables.t.foreign_keys.a.on_delete': unknown foreign key action "
            "'casade': did you mean 'CASCADE'? choose one of CASCADE, SET NULL, SET DEFAULT, "
            "RESTRICT, NO ACTION",
        ),
        (
            "update.toml",
            f'schemaspec = 1\n{_FK}on_update = "ignore"\n',
            "update.toml, field 'tables.t.foreign_keys.a.on_update': unknown foreign key action "
            "'ignore': choose one of CASCADE, SET NULL, SET DEFAULT, RESTRICT, NO ACTION",
        ),
        (
            "deferrable.toml",
            f'schemaspec = 1\n{_FK}deferrable = "later"\n',
            "deferrable.toml, field 'tables.t.foreign_keys.a.deferrable': unknown deferrable "
            "mode 'later': choose one of immediate, deferred",
        ),
        (
            "deferred.toml",
            f'schemaspec = 1\n{_FK}deferrable = "defered"\n',
            "deferred.toml, field 'tables.t.foreign_keys.a.deferrable': unknown deferrable mode "
            "'defered': did you mean 'deferred'? choose one of immediate, deferred",
        ),
        (
            "method.toml",
            'schemaspec = 1\n[tables.t.indexes.i]\ncolumns = ["a"]\nmethod = "btre"\n',
            "method.toml, field 'tables.t.indexes.i.method': unknown index method 'btre': did "
            "you mean 'btree'?",
        ),
        (
            "where.toml",
            'schemaspec = 1\n[tables.t.indexes.i]\ncolumns = ["a"]\nwhere = "a>0"\n'
            'where_dialects = ["postgres"]\n',
            "where.toml, field 'tables.t.indexes.i.where_dialects': unknown dialect 'postgres': "
            "did you mean 'postgresql'? choose one of postgresql, mysql, mariadb, sqlite",
        ),
        (
            "created.toml",
            'schemaspec = 1\n[tables.t.indexes.i]\ncolumns = ["a"]\ncreated_on = ["sqlit"]\n',
            "created.toml, field 'tables.t.indexes.i.created_on': unknown dialect 'sqlit': did "
            "you mean 'sqlite'? choose one of postgresql, mysql, mariadb, sqlite",
        ),
        (
            "emulates.toml",
            'schemaspec = 1\n[tables.t.checks.c]\nsqltext = "a in (0, 1)"\nemulates = "bool"\n',
            "emulates.toml, field 'tables.t.checks.c.emulates': unknown emulated type 'bool': "
            "did you mean 'boolean'? choose one of boolean, enum",
        ),
        (
            "table-variant.toml",
            'schemaspec = 1\n[variants.postgres.t.columns.x]\ntype = "text"\n',
            "table-variant.toml, field 'variants.postgres': unknown dialect 'postgres': did you "
            "mean 'postgresql'? choose one of postgresql, mysql, mariadb, sqlite",
        ),
    ],
)
def test_hand_written_mistakes_are_refused_with_the_choices(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SnapshotError) as raised:
        load(path)
    assert str(raised.value) == f"{path.parent}/{message}"
    assert raised.value.path == path


# (as written, as the sources write it): case, spacing and synonyms every database agrees on.
HAND_WRITTEN_TYPES = [
    ("NUMERIC(10, 2)", "numeric(10,2)"),
    ("decimal(10,2)", "numeric(10,2)"),
    ("Decimal ( 10 , 2 ) Unsigned", "numeric(10,2) unsigned"),
    ("int", "integer"),
    ("INT4", "integer"),
    ("int(11)", "integer"),
    ("int2", "smallint"),
    ("int8", "bigint"),
    ("bigint(20) unsigned zerofill", "bigint unsigned"),
    ("tinyint(1)", "boolean"),
    ("tinyint(4)", "tinyint"),
    ("bool", "boolean"),
    ("character varying(20)", "varchar(20)"),
    ("nvarchar(20)", "varchar(20)"),
    ("character(3)", "char(3)"),
    ("timestamp with time zone", "timestamptz"),
    ("TIMESTAMP(3) WITH TIME ZONE", "timestamptz(3)"),
    ("timestamp without time zone", "timestamp"),
    ("time with time zone", "timetz"),
    ("datetime(6)", "timestamp(6)"),
    ("double precision", "double"),
    ("float8", "double"),
    ("float4", "real"),
    ("bytea", "bytes"),
    ("blob", "bytes"),
    ("bit", "bit(1)"),
    ("year(4)", "year"),
    ("int[]", "integer[]"),
    ("character varying(20) [ ]", "varchar(20)[]"),
    ("ENUM('a', 'b''c')", "enum('a','b''c')"),
    ("enum(Mood)", "enum(Mood)"),
    ("SET('x', 'y')", "set('x','y')"),
    ("Interval Day To Second(3)", "interval day to second(3)"),
    # Extension and user types are taken as they are, as readers give them.
    ("POINT", "point"),
    ("geometry(Point, 4326)", "geometry(point,4326)"),
    ("citext", "citext"),
    ("hstore", "hstore"),
    ("ltree", "ltree"),
    ("inet", "inet"),
    ("my_schema.my_type", "my_schema.my_type"),
    ("account_status", "account_status"),
    # In double quotes: taken as written where the bare name would be refused or rewritten.
    ('"intgr"', "intgr"),
    ('"int8"', "int8"),
    ('"mydomain"', '"mydomain"'),
]


@pytest.mark.parametrize(("written", "canonical"), HAND_WRITTEN_TYPES)
def test_hand_written_types_load_as_the_sources_write_them(written: str, canonical: str) -> None:
    document = {"schemaspec": 1, "tables": {"t": {"columns": {"x": {"type": written}}}}}
    assert loads(json.dumps(document), "json").tables["t"].columns["x"].type == canonical


def test_a_hand_written_snapshot_compares_equal_to_the_models_it_describes() -> None:
    # As typed, DECIMAL(10, 2) against numeric(10,2) and "cascade" against "CASCADE" were
    # differences, and dialect "PostgreSQL" a foreign database.
    text = (
        'schemaspec = 1\ndialect = "PostgreSQL"\n'
        '[tables.t]\nprimary_key = ["id"]\n'
        '[tables.t.columns.id]\ntype = "INT"\nnullable = false\nautoincrement = true\n'
        '[tables.t.columns.price]\ntype = "DECIMAL(10, 2)"\n'
        '[tables.t.columns.at]\ntype = "timestamp with time zone"\n'
        '[tables.t.columns.parent_id]\ntype = "int4"\n'
        '[tables.t.foreign_keys.parent_id]\ncolumns = ["parent_id"]\nreferred_table = "t"\n'
        'referred_columns = ["id"]\non_delete = "cascade"\ndeferrable = "DEFERRED"\n'
    )
    md = sa.MetaData()
    sa.Table(
        "t",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column(
            "parent_id",
            sa.Integer,
            sa.ForeignKey("t.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        ),
    )
    loaded = loads(text)
    assert loaded.dialect == "postgresql"
    assert diff(loaded, from_models(md, dialect="postgresql")).changes == ()


def _reader_types() -> list[str]:
    """Every type string the model reader gives the dialect zoo, for every database."""
    found: set[str] = set()
    for name in ("sqlite", "postgresql", "mysql"):
        for md in (zoo(name), portable_zoo(name)):
            for dialect in (None, "postgresql", "mysql", "sqlite"):
                spec = from_models(md, dialect=dialect)
                for tables in (spec.tables, *spec.variants.values()):
                    for table in tables.values():
                        for column in table.columns.values():
                            found.update((column.type, *column.variants.values()))
    return sorted(found)


def test_every_type_a_reader_writes_is_already_canonical() -> None:
    # Loading must not rewrite what a source wrote: each is its own canonical form, so dumped
    # snapshots stay unquoted and byte-for-byte what they were.
    types = _reader_types()
    assert len(types) > 50
    assert [t for t in types if canonical_type_name(t) != t] == []


@pytest.mark.parametrize(
    "type_",
    [
        # What SQLite's reader keeps as declared, and a user type one letter off a built-in one:
        # the rules would rewrite or refuse them, so dump writes them in double quotes.
        "int8",
        "character varying(20)",
        "foobar(1, 2)",
        "money2",
        "intgr[]",
        'we"ird',
        "",
        "integer not null",
    ],
)
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_types_the_rules_would_change_still_round_trip(
    tmp_path: Path, type_: str, suffix: str
) -> None:
    spec = SchemaSpec(tables={"t": TableSpec(columns={"x": ColumnSpec(type=type_)})})
    path = dump(spec, tmp_path / f"s{suffix}")
    assert load(path) == spec
    written = loads(path.read_text(), suffix[1:])
    assert written == spec
    assert canonical_type_name('"' + type_.replace('"', '""') + '"') == type_


def test_types_sqlite_keeps_as_declared_survive_a_snapshot(tmp_path: Path) -> None:
    # SQLite keeps any declared type name; the reader gives the ones SQLAlchemy does not know
    # by the names a hand-written snapshot gives them (INT8 is bigint), and unknown names as
    # declared, a near miss of a known one (INTGR) included: it is the database's own type.
    database = tmp_path / "app.db"
    connection = sqlite3.connect(database)
    connection.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT8, b CHARACTER VARYING(20), c POINT,"
        " d INTGR, e NUMERIC(10, 2))"
    )
    connection.close()
    spec = from_database(f"sqlite:///{database}")
    assert {name: column.type for name, column in spec.tables["t"].columns.items()} == {
        "id": "integer",
        "a": "bigint",
        "b": "varchar(20)",
        "c": "point",
        "d": "intgr",
        "e": "numeric(10,2)",
    }
    for suffix in (".toml", ".json"):
        path = dump(spec, tmp_path / f"s{suffix}")
        assert load(path) == spec
        assert diff(load(path), from_database(f"sqlite:///{database}")).changes == ()
    # Written in quotes: read bare, the hand-written rules would refuse it as a near miss.
    assert 'type = "\\"intgr\\""' in (tmp_path / "s.toml").read_text()


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
