"""Contracts: pins checked against any spec, exact violations, and clear file errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa
from unioncore.models import Base

from schemaspec import (
    Change,
    ColumnSpec,
    ContractError,
    ForeignKeySpec,
    SchemaSpec,
    SnapshotError,
    TableSpec,
    from_database,
    from_models,
    load,
    load_contract,
)
from schemaspec.checks.contracts import (
    ColumnContract,
    Contract,
    ContractWarning,
    TableContract,
    check_contract,
    contract_warnings,
    loads_contract,
)
from schemaspec.reports.diff_report import render_text

ROOT = Path(__file__).resolve().parents[2]
UNIONCORE_CONTRACT = ROOT / "docs" / "examples" / "unioncore" / "schema-is-law.contract.toml"


def _with_column(spec: SchemaSpec, table: str, column: str, value: ColumnSpec | None) -> SchemaSpec:
    columns = dict(spec.tables[table].columns)
    if value is None:
        del columns[column]
    else:
        columns[column] = value
    tables = {**spec.tables, table: spec.tables[table].model_copy(update={"columns": columns})}
    return spec.model_copy(update={"tables": tables})


@pytest.mark.parametrize("dialect", [None, "postgresql", "mysql", "sqlite"])
def test_the_unioncore_models_satisfy_their_contract(dialect: str | None) -> None:
    contract = load_contract(UNIONCORE_CONTRACT)
    assert contract.check(from_models(Base, dialect=dialect)).changes == ()


def test_the_committed_unioncore_snapshot_satisfies_the_contract() -> None:
    assert load_contract(UNIONCORE_CONTRACT).check(load(ROOT / "specs" / "unioncore.toml")) == (
        load_contract(UNIONCORE_CONTRACT).check(from_models(Base))
    )


def test_the_contract_holds_on_every_real_database(schemaspec_database_url: str) -> None:
    engine = sa.create_engine(schemaspec_database_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    spec = from_database(schemaspec_database_url)
    assert load_contract(UNIONCORE_CONTRACT).check(spec).changes == ()


def test_the_seed_mistakes_are_violations() -> None:
    """An Integer APN, a NOT NULL contract_code, a lost audit column, a lost FK, a new table."""
    spec = from_models(Base, dialect="postgresql")
    broken = _with_column(
        spec,
        "book_registrations",
        "applicant_priority_number",
        ColumnSpec(type="integer", nullable=False),
    )
    broken = _with_column(
        broken, "referral_books", "contract_code", ColumnSpec(type="varchar(50)", nullable=False)
    )
    broken = _with_column(broken, "job_bids", "updated_by", None)
    dispatches = broken.tables["dispatches"]
    foreign_keys = dict(dispatches.foreign_keys)
    bid = foreign_keys.pop("bid_id")
    foreign_keys["replaced_bid_id"] = ForeignKeySpec(
        columns=("replaced_bid_id",), referred_table="dispatches", referred_columns=("id",)
    )
    tables = {
        **broken.tables,
        "dispatches": dispatches.model_copy(update={"foreign_keys": foreign_keys}),
        "check_marks": TableSpec(columns={"id": ColumnSpec(type="integer", nullable=False)}),
    }
    broken = broken.model_copy(update={"tables": tables})
    result = load_contract(UNIONCORE_CONTRACT).check(broken)
    assert bid.referred_table == "job_bids"
    assert result.changes == (
        Change(
            kind="changed",
            object="column",
            path="book_registrations.applicant_priority_number",
            attributes=frozenset({"type"}),
            expected={"type": "numeric(10,2)"},
            actual={"type": "integer"},
        ),
        Change(kind="unexpected", object="table", path="check_marks", actual=tables["check_marks"]),
        Change(
            kind="missing",
            object="foreign_key",
            path="dispatches.foreign_keys.bid_id",
            expected=load_contract(UNIONCORE_CONTRACT).tables["dispatches"].foreign_keys["bid_id"],
        ),
        Change(
            kind="changed",
            object="foreign_key",
            path="dispatches.foreign_keys.replaced_bid_id",
            attributes=frozenset({"referred_table"}),
            expected={"referred_table": "job_bids"},
            actual={"referred_table": "dispatches"},
        ),
        Change(
            kind="missing", object="column", path="job_bids.updated_by", expected=ColumnContract()
        ),
        Change(
            kind="changed",
            object="column",
            path="referral_books.contract_code",
            attributes=frozenset({"nullable"}),
            expected={"nullable": True},
            actual={"nullable": False},
        ),
    )
    assert render_text(result, expected="contract", actual="models") == (
        "Schema differences between contract (expected) and models (actual):\n"
        "\n"
        "book_registrations\n"
        "  book_registrations.applicant_priority_number: type numeric(10,2) expected,"
        " integer found\n"
        "\n"
        "check_marks\n"
        "  check_marks: unexpected table (1 column)\n"
        "\n"
        "dispatches\n"
        "  dispatches.foreign_keys.bid_id: foreign key missing (bid_id -> job_bids(id))\n"
        "  dispatches.foreign_keys.replaced_bid_id: referred_table job_bids expected,"
        " dispatches found\n"
        "\n"
        "job_bids\n"
        "  job_bids.updated_by: column missing\n"
        "\n"
        "referral_books\n"
        "  referral_books.contract_code: nullable true expected, false found\n"
        "\n"
        "2 columns changed, 1 column missing, 1 foreign key changed, 1 foreign key missing,"
        " 1 unexpected table\n"
    )


def test_glob_keys_with_exclusions() -> None:
    contract = Contract(
        mode="contract",
        tables={
            "*": TableContract(
                exclude=("legacy_*",), columns={"created_at": ColumnContract(nullable=False)}
            )
        },
    )
    spec = SchemaSpec(
        tables={
            "a": TableSpec(columns={"created_at": ColumnSpec(type="timestamp", nullable=False)}),
            "b": TableSpec(columns={"created_at": ColumnSpec(type="timestamp")}),
            "c": TableSpec(),
            "legacy_x": TableSpec(),
        }
    )
    assert contract.check(spec).changes == (
        Change(
            kind="changed",
            object="column",
            path="b.created_at",
            attributes=frozenset({"nullable"}),
            expected={"nullable": False},
            actual={"nullable": True},
        ),
        Change(
            kind="missing",
            object="column",
            path="c.created_at",
            expected=ColumnContract(nullable=False),
        ),
    )


def test_pinned_types_are_compared_the_way_the_checked_database_stores_them() -> None:
    # timestamptz has no time zone on MariaDB: the pin still holds against a MariaDB spec.
    contract = loads_contract(
        'schemaspec = 1\nmode = "contract"\n'
        '[tables.t.columns.at]\ntype = "timestamptz"\ndefault = "now()"\n'
    )
    mysql = SchemaSpec(
        dialect="mysql",
        tables={
            "t": TableSpec(
                columns={"at": ColumnSpec(type="timestamp", default="current_timestamp")}
            )
        },
    )
    postgresql = SchemaSpec(
        dialect="postgresql",
        tables={
            "t": TableSpec(
                columns={"at": ColumnSpec(type="timestamp", default="current_timestamp")}
            )
        },
    )
    assert contract.check(mysql).changes == ()
    assert contract.check(postgresql).changes == (
        Change(
            kind="changed",
            object="column",
            path="t.at",
            attributes=frozenset({"type"}),
            expected={"type": "timestamptz"},
            actual={"type": "timestamp"},
        ),
    )


def test_absent_pins_and_enums() -> None:
    contract = loads_contract(
        'schemaspec = 1\nmode = "contract"\n'
        "[tables.t.columns.old]\npresent = false\n"
        '[tables.t.indexes.ix_t_a]\ncolumns = ["a"]\nunique = true\n'
        '[enums.member_status]\nvalues = ["active", "inactive"]\n'
    )
    spec = SchemaSpec(
        dialect="postgresql",
        tables={"t": TableSpec(columns={"old": ColumnSpec(type="integer")})},
        enums={},
    )
    result = contract.check(spec)
    assert [(change.kind, change.path) for change in result.changes] == [
        ("missing", "enums.member_status"),
        ("missing", "t.indexes.ix_t_a"),
        ("unexpected", "t.old"),
    ]
    # Databases without named enums keep the values in the column type: enum pins do not apply,
    # and the check says so.
    with pytest.warns(ContractWarning, match=r"^enum pins \(member_status\) check nothing here"):
        mysql = contract.check(spec.model_copy(update={"dialect": "mysql"}))
    assert [change.path for change in mysql.changes] == ["t.indexes.ix_t_a", "t.old"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'mode = "contract"\n',
            "c.toml: not a schemaspec file: the key 'schemaspec' (format version) is missing",
        ),
        (
            "schemaspec = 1\n",
            "c.toml, field 'mode': not a contract: a contract file says mode = \"contract\"",
        ),
        (
            'schemaspec = 1\nmode = "contract"\n[tables.t.columns.c]\ntype = 10\n',
            "c.toml, line 4, field 'tables.t.columns.c.type': Input should be a valid string",
        ),
        (
            'schemaspec = 1\nmode = "contract"\n\n[tables.t.columns.c]\nnulable = true\n',
            "c.toml, line 5, field 'tables.t.columns.c.nulable': Extra inputs are not permitted",
        ),
        (
            'schemaspec = 1\nmode = "contract"\n[tables.t\n',
            "c.toml, line 3: invalid TOML: Expected ']' at the end of a table declaration",
        ),
        (
            'schemaspec = 2\nmode = "contract"\n',
            "c.toml, field 'schemaspec': written in contract format 2, newer than this "
            "schemaspec reads (1); upgrade schemaspec",
        ),
        # A contract without pins would hold against every schema.
        (
            'schemaspec = 1\nmode = "contract"\n',
            "c.toml: the contract pins nothing: declare what must hold as [tables.NAME] or"
            " [enums.NAME] (or views, sequences, triggers, routines, extensions)",
        ),
        (
            'schemaspec = 1\nmode = "contract"\ndialect = "postgresql"\ntables = {}\nenums = {}\n',
            "c.toml: the contract pins nothing: declare what must hold as [tables.NAME] or"
            " [enums.NAME] (or views, sequences, triggers, routines, extensions)",
        ),
    ],
)
def test_contract_file_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    assert str(caught.value) == f"{tmp_path}/{message}"
    assert isinstance(caught.value, SnapshotError)


def test_a_missing_contract_file(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"nope\.toml: no such file$"):
        load_contract(tmp_path / "nope.toml")


_HEAD = 'schemaspec = 1\nmode = "contract"\n'
_FK = "[tables.t.foreign_keys.a]\n"


# Never silently wrong: what a contract file says is read whole or refused, with the file, the
# line where it can be found, the field and the valid choices.
@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "c.json",
            '{"schemaspec": 1, "mode": "contract",\n "tables": {"t": {"columns":\n'
            ' {"c": {"type": "text"}, "c": {"type": "integer"}}}}}',
            "c.json, line 3, field 'tables.t.columns.c': duplicate key 'c': JSON would silently "
            "keep only the last value",
        ),
        (
            "c.toml",
            'schemaspec = 0\nmode = "contract"\n',
            "c.toml, field 'schemaspec': format version must be 1, not 0",
        ),
        (
            "c.toml",
            'schemaspec = -3\nmode = "contract"\n',
            "c.toml, field 'schemaspec': format version must be 1, not -3",
        ),
        (
            "c.toml",
            'schemaspec = true\nmode = "contract"\n',
            "c.toml, field 'schemaspec': format version must be 1, not true",
        ),
        (
            "c.toml",
            f'{_HEAD}dialect = "postgres"\n[tables.t]\n',
            "c.toml, line 3, field 'dialect': unknown dialect 'postgres': did you mean "
            "'postgresql'? choose one of postgresql, mysql, mariadb, sqlite",
        ),
        (
            "c.toml",
            f'{_HEAD}[tables.t.columns.a]\ntype = "text"\n[tables.t.columns.b]\ntype = "intgr"\n',
            "c.toml, line 6, field 'tables.t.columns.b.type': unknown type 'intgr': did you mean "
            "'integer'? (a user-defined type of that name is written in double quotes: \"intgr\")",
        ),
        (
            "c.toml",
            f'{_HEAD}[tables.t.columns.a]\ntype = "integer not null"\n',
            "c.toml, line 4, field 'tables.t.columns.a.type': not a type: 'integer not null'",
        ),
        (
            "c.toml",
            f'{_HEAD}{_FK}on_delete = "casade"\n',
            "c.toml, line 4, field 'tables.t.foreign_keys.a.on_delete': unknown foreign key "
            "action 'casade': did you mean 'CASCADE'? choose one of CASCADE, SET NULL, "
            "SET DEFAULT, RESTRICT, NO ACTION",
        ),
        (
            "c.toml",
            f'{_HEAD}{_FK}on_update = "ignore"\n',
            "c.toml, line 4, field 'tables.t.foreign_keys.a.on_update': unknown foreign key "
            "action 'ignore': choose one of CASCADE, SET NULL, SET DEFAULT, RESTRICT, NO ACTION",
        ),
    ],
)
def test_contract_values_are_read_whole_or_refused(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ContractError) as caught:
        load_contract(path)
    assert str(caught.value) == f"{tmp_path}/{message}"


def test_pinned_types_are_canonical_and_compare_as_the_sources_write_them() -> None:
    contract = loads_contract(
        f'{_HEAD}dialect = "MariaDB"\n'
        "[tables.t.columns]\n"
        'a = { type = "NUMERIC(10, 2)" }\n'
        'b = { type = "character varying(40)" }\n'
        'c = { type = "int4" }\n'
        'd = { type = "timestamp with time zone" }\n'
        'e = { type = "geometry(Point, 4326)" }\n'
        "f = { type = '\"intgr\"' }\n" + _FK + 'on_delete = "set  null"\non_update = "no action"\n'
    )
    assert contract.dialect == "mysql"
    assert {name: pin.type for name, pin in contract.tables["t"].columns.items()} == {
        "a": "numeric(10,2)",
        "b": "varchar(40)",
        "c": "integer",
        "d": "timestamptz",
        "e": "geometry(point,4326)",
        "f": "intgr",
    }
    fk = contract.tables["t"].foreign_keys["a"]
    assert (fk.on_delete, fk.on_update) == ("SET NULL", "NO ACTION")
    spec = SchemaSpec(
        dialect="postgresql",
        tables={
            "t": TableSpec(
                columns={
                    "a": ColumnSpec(type="numeric(10,2)"),
                    "b": ColumnSpec(type="varchar(40)"),
                    "c": ColumnSpec(type="integer"),
                    "d": ColumnSpec(type="timestamptz"),
                    "e": ColumnSpec(type="geometry(point,4326)"),
                    "f": ColumnSpec(type="intgr"),
                },
                foreign_keys={
                    "a": ForeignKeySpec(
                        columns=("a",),
                        referred_table="u",
                        referred_columns=("id",),
                        on_delete="SET NULL",
                    )
                },
            )
        },
    )
    # As typed, every pin would have been a difference ("NUMERIC(10, 2)" is not
    # "numeric(10,2)"); canonical, none is.
    assert contract.check(spec).changes == ()


def test_a_snapshot_loader_refuses_a_contract(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('schemaspec = 1\nmode = "contract"\n')
    with pytest.raises(SnapshotError) as caught:
        load(path)
    assert str(caught.value) == (
        f"{path}: this is a contract file, not a snapshot: check it with "
        "'schemaspec contract FILE SOURCE' (Python: schemaspec.load_contract)"
    )


def test_json_contracts_and_the_schema_key(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(
        '{"$schema": "specs/schemaspec-contract.schema.json", "schemaspec": 1,'
        ' "mode": "contract", "tables": {"t": {"present": false}}}'
    )
    assert load_contract(path) == Contract(
        mode="contract", tables={"t": TableContract(present=False)}
    )


def test_pinned_expressions_and_actions_are_canonicalised() -> None:
    contract = loads_contract(
        'schemaspec = 1\nmode = "contract"\n'
        "[tables.book_registrations.checks.ck_book_registrations_apn_non_negative]\n"
        'sqltext = "(APPLICANT_PRIORITY_NUMBER>=0)"\n'
        "[tables.book_registrations.foreign_keys.member_id]\n"
        'on_delete = "cascade"\non_update = "NO ACTION"\n'
        "[tables.book_registrations.foreign_keys.book_id]\n"
        'on_delete = "cascade"\n'
    )
    assert contract.check(from_models(Base, dialect="postgresql")).changes == (
        Change(
            kind="changed",
            object="foreign_key",
            path="book_registrations.foreign_keys.book_id",
            attributes=frozenset({"on_delete"}),
            expected={"on_delete": "CASCADE"},
            actual={"on_delete": None},
        ),
    )


GLOB_MISS = (
    "table glob 'audit_*' matches no table, so its pins check nothing: fix the pattern or remove it"
)
ENUMS_UNCHECKED = (
    "enum pins (member_status) check nothing here: this database keeps enum values in the"
    " column type (only PostgreSQL has named enums); pin the enum columns' type instead"
)
PINS_NOTHING = (
    "the contract pins nothing: declare what must hold as [tables.NAME] or [enums.NAME] (or "
    "views, sequences, triggers, routines, extensions)"
)
WARNED_SPEC = SchemaSpec(
    dialect="postgresql",
    tables={"members": TableSpec(columns={"created_at": ColumnSpec(type="timestamp")})},
)


@pytest.mark.parametrize(
    ("text", "dialect", "expected"),
    [
        # A glob that matches no table pins nothing: a renamed table or a typo would pass.
        ('[tables."audit_*"]\ncolumns.created_at = {}\n', "postgresql", (GLOB_MISS,)),
        ('[tables."mem*"]\ncolumns.created_at = {}\n', "postgresql", ()),
        # Pinned absent, matching nothing is the pin holding.
        ('[tables."audit_*"]\npresent = false\n', "postgresql", ()),
        ('[enums.member_status]\nvalues = ["a"]\n', "mysql", (ENUMS_UNCHECKED,)),
        ('[enums.member_status]\nvalues = ["a"]\n', "sqlite", (ENUMS_UNCHECKED,)),
        ('[enums.member_status]\nvalues = ["a"]\n', "postgresql", ()),
        (
            '[tables."audit_*"]\ncolumns.id = {}\n[enums.member_status]\nvalues = ["a"]\n',
            "sqlite",
            (GLOB_MISS, ENUMS_UNCHECKED),
        ),
    ],
)
def test_pins_that_check_nothing_are_warnings(
    text: str, dialect: str, expected: tuple[str, ...]
) -> None:
    contract = loads_contract(f'schemaspec = 1\nmode = "contract"\n{text}')
    spec = WARNED_SPEC.model_copy(update={"dialect": dialect})
    assert contract_warnings(contract, spec) == expected
    # Contract.check raises the same as Python warnings, pointing at the caller's line.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        contract.check(spec)
    assert [(w.category, str(w.message), w.filename) for w in caught] == [
        (ContractWarning, message, __file__) for message in expected
    ]


def test_a_contract_built_in_code_without_pins_warns() -> None:
    with pytest.warns(ContractWarning) as caught:
        result = check_contract(Contract(mode="contract"), WARNED_SPEC)
    assert result.changes == ()
    assert [(str(w.message), w.filename) for w in caught] == [(PINS_NOTHING, __file__)]


def test_check_contract_can_leave_the_warnings_to_the_caller(
    recwarn: pytest.WarningsRecorder,
) -> None:
    check_contract(Contract(mode="contract"), WARNED_SPEC, warn=False)
    assert list(recwarn) == []


def test_views_triggers_and_routines_are_pinned_like_enums() -> None:
    from schemaspec.spec import RoutineSpec, TriggerSpec, ViewSpec

    spec = SchemaSpec(
        dialect="postgresql",
        views={"active_members": ViewSpec(definition="select id from members where active")},
        triggers={
            "members.touch": TriggerSpec(
                table="members", timing="before", events=("update",), body="execute function f()"
            )
        },
        routines={"f()": RoutineSpec(returns="trigger", volatility="volatile", body="begin end")},
    )
    contract = loads_contract(
        'schemaspec = 1\nmode = "contract"\n'
        '[views.active_members]\ndefinition = "SELECT id\\n  FROM members WHERE active;"\n'
        '[triggers."members.touch"]\ntiming = "after"\n'
        '[routines."f()"]\nvolatility = "stable"\n'
        "[views.legacy]\npresent = false\n"
        "[sequences.invoice_numbers]\n"
    )
    assert check_contract(contract, spec, warn=False).changes == (
        Change(
            kind="changed",
            object="routine",
            path="routines.f()",
            attributes=frozenset({"volatility"}),
            expected={"volatility": "stable"},
            actual={"volatility": "volatile"},
        ),
        Change(
            kind="missing",
            object="sequence",
            path="sequences.invoice_numbers",
            expected=contract.sequences["invoice_numbers"],
        ),
        Change(
            kind="changed",
            object="trigger",
            path="triggers.members.touch",
            attributes=frozenset({"timing"}),
            expected={"timing": "after"},
            actual={"timing": "before"},
        ),
    )
