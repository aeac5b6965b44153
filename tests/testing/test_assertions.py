"""assert_matches: the exact failure message, and every kind of source it resolves."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import schemaspec
from schemaspec.errors import SourceError
from schemaspec.testing.assertions import SchemaMismatch, assert_matches, source_name, to_spec
from schemaspec.util.redact import mask_url


def registrations(apn_type: sa.types.TypeEngine[object]) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "book_registrations",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("applicant_priority_number", apn_type, nullable=False),
    )
    return metadata


class Base(DeclarativeBase):
    pass


class BookRegistration(Base):
    __tablename__ = "book_registrations"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    applicant_priority_number: Mapped[float] = mapped_column(sa.Numeric(10, 2), nullable=False)


APN_REPORT = (
    "Schema differences:\n"
    "\n"
    "book_registrations\n"
    "  book_registrations.applicant_priority_number: type numeric(10,2) expected, integer found\n"
    "\n"
    "1 column changed"
)


def test_equal_schemas_pass() -> None:
    assert (
        assert_matches(registrations(sa.Numeric(10, 2)), registrations(sa.Numeric(10, 2))) is None
    )


def test_mismatch_message_is_the_text_report() -> None:
    expected, actual = registrations(sa.Numeric(10, 2)), registrations(sa.Integer())
    with pytest.raises(SchemaMismatch) as caught:
        assert_matches(expected, actual)
    assert str(caught.value) == APN_REPORT
    assert caught.value.report == APN_REPORT
    assert caught.value.result == schemaspec.diff(to_spec(expected), to_spec(actual))


def test_mismatch_is_an_assertion_error_exported_at_the_top() -> None:
    assert issubclass(schemaspec.SchemaMismatch, AssertionError)
    assert schemaspec.assert_matches is assert_matches
    with pytest.raises(AssertionError):
        schemaspec.assert_matches(registrations(sa.Numeric(10, 2)), registrations(sa.Integer()))


def test_specs_are_accepted_directly() -> None:
    expected = schemaspec.from_models(registrations(sa.Numeric(10, 2)))
    actual = schemaspec.from_models(registrations(sa.Integer()))
    with pytest.raises(SchemaMismatch) as caught:
        assert_matches(expected, actual)
    assert str(caught.value) == APN_REPORT


def test_options_are_forwarded_to_diff() -> None:
    # diff() takes no option today; an unknown one reaching it proves the forwarding.
    same = registrations(sa.Integer())
    with pytest.raises(TypeError, match="bogus"):
        assert_matches(same, same, bogus=True)


def test_snapshot_paths_are_named_in_the_report(tmp_path: Path) -> None:
    expected = schemaspec.dump(
        schemaspec.from_models(registrations(sa.Numeric(10, 2))), tmp_path / "expected.toml"
    )
    actual = schemaspec.dump(
        schemaspec.from_models(registrations(sa.Integer())), tmp_path / "actual.json"
    )
    with pytest.raises(SchemaMismatch) as caught:
        assert_matches(expected, str(actual))
    assert str(caught.value) == APN_REPORT.replace(
        "Schema differences:",
        f"Schema differences between {expected} (expected) and {actual} (actual):",
    )


def test_models_against_a_real_database(schemaspec_database_url: str) -> None:
    engine = sa.create_engine(schemaspec_database_url)
    try:
        Base.metadata.create_all(engine)
        assert_matches(Base, engine)
        assert_matches(Base.metadata, schemaspec_database_url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE book_registrations"))
        registrations(sa.Integer()).create_all(engine)
        with pytest.raises(SchemaMismatch) as caught:
            assert_matches(Base, engine)
    finally:
        engine.dispose()
    masked = mask_url(schemaspec_database_url)
    assert str(caught.value) == APN_REPORT.replace(
        "Schema differences:",
        f"Schema differences between {__name__}:Base (expected) and {masked} (actual):",
    )


@pytest.mark.parametrize(
    ("source", "name"),
    [
        (Path("specs/a.toml"), "specs/a.toml"),
        ("specs/a.json", "specs/a.json"),
        ("app.models:Base", "app.models:Base"),
        ("postgresql://u:secret@db/app", "postgresql://u:***@db/app"),
        (sa.engine.make_url("mysql+pymysql://u:secret@db/app"), "mysql+pymysql://u:***@db/app"),
        (Base, f"{__name__}:Base"),
        (Base.metadata, None),
        ("not a source", None),
    ],
)
def test_source_names(source: object, name: str | None) -> None:
    assert source_name(source) == name


def test_an_unknown_source_is_a_source_error() -> None:
    with pytest.raises(SourceError) as caught:
        assert_matches(42, registrations(sa.Integer()))
    assert str(caught.value) == (
        "cannot compare an object of type 'int': expected a SchemaSpec, models (MetaData, a "
        "declarative base, 'pkg.module:Base'), a database (Engine, Connection, URL) or a "
        "snapshot path"
    )


CONTRACT = """\
schemaspec = 1
mode = "contract"

[tables.book_registrations.columns.applicant_priority_number]
type = "numeric(10,2)"
"""


def test_assert_contract_holds_and_fails_with_the_report(tmp_path: Path) -> None:
    path = tmp_path / "law.contract.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    assert schemaspec.assert_contract(path, registrations(sa.Numeric(10, 2))) is None
    with pytest.raises(schemaspec.ContractViolation) as caught:
        schemaspec.assert_contract(str(path), registrations(sa.Integer()))
    assert str(caught.value) == APN_REPORT.replace(
        "Schema differences:",
        f"Schema differences between contract {path} (expected) and the schema checked (actual):",
    )
    # A SchemaMismatch, so code catching that (and pytest) treats both alike.
    assert isinstance(caught.value, SchemaMismatch)
    assert [change.path for change in caught.value.result.changes] == [
        "book_registrations.applicant_priority_number"
    ]
    # A Contract object is named "contract".
    with pytest.raises(schemaspec.ContractViolation) as unnamed:
        schemaspec.assert_contract(schemaspec.load_contract(path), registrations(sa.Integer()))
    assert str(unnamed.value).splitlines()[0] == (
        "Schema differences between contract (expected) and the schema checked (actual):"
    )


def test_assert_migrations_fails_with_the_migration_report(tmp_path: Path) -> None:
    from testing.alembic_chain import REGISTRATIONS, add_revision, write_project

    ini = write_project(tmp_path)
    schemaspec.assert_migrations(ini)
    add_revision(
        tmp_path,
        "d4000000000d",
        REGISTRATIONS,
        'op.create_index("ix_apn", "book_registrations", ["applicant_priority_number"])',
        "pass",
    )
    with pytest.raises(schemaspec.MigrationFindings) as caught:
        schemaspec.assert_migrations(str(ini))
    report = caught.value.report
    assert [finding.kind for finding in report.findings] == ["downgrade_not_clean"]
    assert str(caught.value) == (
        f"Migrations in {ini}: 3 revisions on sqlite, head d4000000000d\n"
        "  a1000000000a  base                          clean      1 table added\n"
        "  b2000000000b  a1000000000a                  clean      1 table added\n"
        "  d4000000000d  b2000000000b                  not clean  1 index added\n"
        "\n"
        "1 finding:\n"
        "  [downgrade_not_clean] downgrade of d4000000000d does not restore the schema before"
        " it: 1 index left behind\n"
        "      book_registrations.indexes.ix_apn: index left behind (on"
        " applicant_priority_number)"
    )
    # A report already made is asserted as it is.
    with pytest.raises(schemaspec.MigrationFindings) as again:
        schemaspec.assert_migrations(report)
    assert str(again.value) == str(caught.value)
    assert issubclass(schemaspec.MigrationFindings, AssertionError)


def test_assert_migrations_refuses_review_options_with_a_report(tmp_path: Path) -> None:
    from testing.alembic_chain import write_project

    report = schemaspec.check_migrations(write_project(tmp_path))
    with pytest.raises(TypeError) as caught:
        schemaspec.assert_migrations(report, models="app.models:Base")
    assert str(caught.value) == (
        "assert_migrations: url, models and allow_destructive review an Alembic config; a"
        " MigrationReport is already reviewed (pass them to check_migrations instead)"
    )
