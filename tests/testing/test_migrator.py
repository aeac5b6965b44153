"""The migration runner (schemaspec_migrator) and the values-survive check, on real databases."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from testing.alembic_chain import (
    APN_INTEGER,
    MEMBERS,
    REGISTRATIONS,
    add_apn_to_integer,
    add_revision,
    write_project,
)

from schemaspec.errors import SourceError
from schemaspec.testing.migrator import MigrationRunner
from schemaspec.testing.values import ValueDifference, ValuesChanged
from schemaspec.util.redact import mask_url

pytest_plugins = ["pytester"]

MEMBER_ROWS = [{"id": 1, "last_name": "Ng"}, {"id": 2, "last_name": "Li"}]
#: The seed's worry: fractional priority numbers order members registered on the same day.
APN_ROWS = [
    {"id": 1, "member_id": 1, "applicant_priority_number": Decimal("12.50")},
    {"id": 2, "member_id": 2, "applicant_priority_number": Decimal("12.00")},
    {"id": 3, "member_id": 2, "applicant_priority_number": Decimal("3.75")},
]


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    path = write_project(tmp_path)
    add_apn_to_integer(tmp_path)
    return path


def test_data_written_between_revisions_is_what_the_next_revision_finds(
    ini: Path, schemaspec_database_url: str
) -> None:
    with MigrationRunner.open(ini, schemaspec_database_url) as migrator:
        assert migrator.revisions == [MEMBERS, REGISTRATIONS, APN_INTEGER]
        assert migrator.current() == ()
        migrator.upgrade(MEMBERS)
        migrator.insert("members", MEMBER_ROWS)
        migrator.upgrade(REGISTRATIONS)
        migrator.insert("book_registrations", APN_ROWS[:1])
        assert migrator.current() == (REGISTRATIONS,)
        assert migrator.rows("members") == MEMBER_ROWS
        assert migrator.rows("book_registrations") == APN_ROWS[:1]
        migrator.upgrade("head")
        assert migrator.rows("book_registrations") == [
            {
                "id": 1,
                "member_id": 1,
                "applicant_priority_number": 12 if "sqlite" in schemaspec_database_url else 13,
            }
        ]
        migrator.downgrade("-1")
        assert migrator.current() == (REGISTRATIONS,)
        migrator.downgrade("base")
        assert migrator.current() == ()
        assert "members" not in migrator.snapshot().tables
        assert migrator.engine is migrator.connection.engine
        assert migrator.url == mask_url(schemaspec_database_url)
        assert repr(migrator) == f"<MigrationRunner {ini} on {migrator.url}>"


@pytest.mark.parametrize(
    "kind",
    [
        # SQLite's CAST truncates; PostgreSQL and MariaDB round half away from zero.
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgresql),
        pytest.param("mysql", id="mysql", marks=pytest.mark.mysql),
    ],
)
def test_numeric_made_integer_is_caught_with_the_column_and_first_values(
    ini: Path, kind: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"schemaspec_{kind}_url")
    rounded = Decimal(12) if kind == "sqlite" else Decimal(13)
    with MigrationRunner.open(ini, url) as migrator:
        migrator.upgrade(REGISTRATIONS)
        migrator.insert("members", MEMBER_ROWS)
        with pytest.raises(ValuesChanged) as caught:
            migrator.assert_values_survive("book_registrations", APN_ROWS, to=APN_INTEGER)
        # Back where it started, the rows in it (with what the round trip left of them).
        assert migrator.current() == (REGISTRATIONS,)
        assert [row["id"] for row in migrator.rows("book_registrations")] == [1, 2, 3]
    up = f"upgrade {REGISTRATIONS} -> {APN_INTEGER}"
    down = f"downgrade {APN_INTEGER} -> {REGISTRATIONS}"
    apn = "applicant_priority_number"
    assert caught.value.differences == (
        ValueDifference(up, "book_registrations", apn, 2, 3, {"id": 1}, Decimal("12.50"), rounded),
        ValueDifference(
            down, "book_registrations", apn, 2, 3, {"id": 1}, Decimal("12.50"), rounded
        ),
    )
    shown = int(rounded)
    assert str(caught.value) == (
        f"values in book_registrations changed by the {up}:\n"
        f"  {apn}: 2 of 3 rows changed; first id=1: Decimal('12.50') before, {shown} after\n"
        f"values in book_registrations changed by the {down}:\n"
        f"  {apn}: 2 of 3 rows changed; first id=1: Decimal('12.50') before,"
        f" Decimal('{shown}.00') after"
    )


def test_values_that_survive_pass(tmp_path: Path, schemaspec_sqlite_url: str) -> None:
    ini = write_project(tmp_path)
    add_revision(
        tmp_path,
        "d4000000000d",
        REGISTRATIONS,
        'op.add_column("book_registrations", sa.Column("note", sa.Text))',
        'with op.batch_alter_table("book_registrations") as batch:\n    batch.drop_column("note")',
    )
    with MigrationRunner.open(ini, schemaspec_sqlite_url) as migrator:
        migrator.upgrade(REGISTRATIONS)
        migrator.insert("members", MEMBER_ROWS)
        # No id given: the inserted rows are told apart from earlier ones by their new keys.
        migrator.insert("book_registrations", [APN_ROWS[0]])
        migrator.assert_values_survive(
            "book_registrations",
            [{"member_id": 2, "applicant_priority_number": Decimal("3.75")}],
        )
        assert migrator.current() == (REGISTRATIONS,)


def test_a_dropped_column_is_reported_as_gone(tmp_path: Path, schemaspec_sqlite_url: str) -> None:
    ini = write_project(tmp_path)
    add_revision(
        tmp_path,
        "d4000000000d",
        MEMBERS,
        'with op.batch_alter_table("members") as batch:\n    batch.drop_column("last_name")',
        'op.add_column("members", sa.Column("last_name", sa.String(50)))',
    )
    with MigrationRunner.open(ini, schemaspec_sqlite_url) as migrator:
        migrator.upgrade(MEMBERS)
        with pytest.raises(ValuesChanged) as caught:
            migrator.assert_values_survive("members", MEMBER_ROWS, to="d4000000000d")
    assert str(caught.value) == (
        "values in members changed by the upgrade a1000000000a -> d4000000000d:\n"
        "  last_name: 2 of 2 rows changed; first id=1: 'Ng' before, the column is gone\n"
        "values in members changed by the downgrade d4000000000d -> a1000000000a:\n"
        "  last_name: 2 of 2 rows changed; first id=1: 'Ng' before, None after"
    )


def test_misuse_is_one_line(ini: Path, schemaspec_sqlite_url: str) -> None:
    with MigrationRunner.open(ini, schemaspec_sqlite_url) as migrator:
        with pytest.raises(SourceError) as at_base:
            migrator.assert_values_survive("members", MEMBER_ROWS)
        migrator.upgrade(MEMBERS)
        with pytest.raises(SourceError) as no_table:
            migrator.rows("book_registrations")
        with pytest.raises(SourceError) as no_rows:
            migrator.assert_values_survive("members", [])
    assert str(at_base.value) == (
        "assert_values_survive starts at one revision, and the database is at base: upgrade to"
        " the revision before the one under test first"
    )
    assert str(no_table.value) == (
        f"no table 'book_registrations' in the database at revision {MEMBERS}"
    )
    assert str(no_rows.value) == "assert_values_survive needs sample rows to compare"


INNER_TEST = f"""
from decimal import Decimal

def test_priority_numbers_survive(schemaspec_migrator):
    schemaspec_migrator.upgrade("{REGISTRATIONS}")
    schemaspec_migrator.insert("members", [{{"id": 1, "last_name": "Ng"}}])
    schemaspec_migrator.assert_values_survive(
        "book_registrations",
        [{{"id": 1, "member_id": 1, "applicant_priority_number": Decimal("12.50")}}],
    )
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    write_project(pytester.path)
    add_apn_to_integer(pytester.path)
    pytester.makeini("[pytest]\nschemaspec_alembic_config = alembic.ini\n")
    pytester.makepyfile(test_data=INNER_TEST)
    return pytester


def test_the_fixture_fails_with_the_values_and_says_where_it_ran(
    project: pytest.Pytester,
) -> None:
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       schemaspec.testing.values.ValuesChanged: values in book_registrations"
            f" changed by the upgrade {REGISTRATIONS} -> {APN_INTEGER}:",
            "E         applicant_priority_number: 1 of 1 rows changed; first id=1:"
            " Decimal('12.50') before, 12 after",
            "E       values in book_registrations changed by the downgrade"
            f" {APN_INTEGER} -> {REGISTRATIONS}:",
            "E         applicant_priority_number: 1 of 1 rows changed; first id=1:"
            " Decimal('12.50') before, Decimal('12.00') after",
            "*- schemaspec scratch databases -*",
            "sqlite:///*/schemaspec_scratch_*.db (dropped after the test)",
        ]
    )


@pytest.mark.postgresql
def test_the_fixture_migrates_where_schemaspec_migrator_url_says(
    project: pytest.Pytester,
) -> None:
    project.makeconftest(
        """
        import pytest

        @pytest.fixture
        def schemaspec_migrator_url(schemaspec_postgresql_url):
            return schemaspec_postgresql_url
        """
    )
    result = project.runpytest_inprocess(
        "-p", "no:cacheprovider", "--schemaspec-scratch-prefix", "ci_7_"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E         applicant_priority_number: 1 of 1 rows changed; first id=1:"
            " Decimal('12.50') before, 13 after",
            "*- schemaspec scratch databases -*",
            "postgresql+psycopg://*/ci_7_* (dropped after the test)",
        ]
    )


def test_the_fixture_without_an_alembic_config_is_a_one_line_error(
    project: pytest.Pytester,
) -> None:
    project.makeini("[pytest]\n")
    result = project.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*_ ERROR at setup of test_priority_numbers_survive _*",
            "schemaspec: the schemaspec_migrator fixture: no Alembic config given: name it as"
            " alembic_config in [tool.schemaspec] or the ini option schemaspec_alembic_config,"
            " or pass --schemaspec-alembic-config alembic.ini",
        ]
    )
