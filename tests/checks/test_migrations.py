"""check_migrations: one head, exact downgrade round trips, destructive steps, models at head."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from example_project import (
    INI,
    MERGE_REVISION,
    PHASE7,
    PHASE7_REVISION,
    add_revision,
    copy_example,
    enum_types,
    tables,
)

import schemaspec
from schemaspec import Change, ColumnSpec, DatabaseConnectionError, EnumSpec, IndexSpec, SourceError
from schemaspec.checks.migrations import Finding, RevisionResult

MODELS = "unioncore.models:Base"
#: The example's index on members is built without CONCURRENTLY: a locking finding on
#: PostgreSQL (tests/checks/test_locks.py), accepted where another finding is the subject.
EXAMPLE_INDEX = "3d5f7b9c1e2a"

#: The example's revisions in the order they are applied, with their down revisions.
EXAMPLE_ORDER = [
    ("1a2b3c4d5e6f", ()),
    ("3d5f7b9c1e2a", ("1a2b3c4d5e6f",)),
    ("2c4e6a8b0d1f", ("1a2b3c4d5e6f",)),
    (MERGE_REVISION, ("2c4e6a8b0d1f", "3d5f7b9c1e2a")),
    (PHASE7_REVISION, (MERGE_REVISION,)),
]


@pytest.fixture(params=["scratch", "postgresql"])
def url(request: pytest.FixtureRequest) -> str | None:
    """None (a scratch SQLite file) or an empty PostgreSQL database."""
    if request.param == "scratch":
        return None
    value: str = request.getfixturevalue("schemaspec_postgresql_url")
    return value


def assert_left_empty(url: str | None) -> None:
    if url is not None:
        assert tables(url) == []
        assert enum_types(url) == []


# -- the example ---------------------------------------------------------------------------


def test_the_example_is_clean_on_every_database(schemaspec_database_url: str) -> None:
    report = schemaspec.check_migrations(INI, url=schemaspec_database_url, models=MODELS)
    if schemaspec_database_url.startswith("postgresql"):
        # The index on members: a locking finding there alone, accepted like a destructive step.
        assert [(f.kind, f.revision) for f in report.findings] == [("locking", EXAMPLE_INDEX)]
        report = schemaspec.check_migrations(
            INI, url=schemaspec_database_url, models=MODELS, allow_locking=[EXAMPLE_INDEX]
        )
    assert report.findings == ()
    assert not report
    assert report.heads == (PHASE7_REVISION,)
    assert [(r.revision, r.down_revisions, r.round_trip) for r in report.revisions] == [
        (revision, parents, "clean") for revision, parents in EXAMPLE_ORDER
    ]
    phase7 = report.revisions[-1]
    assert [(c.kind, c.object, c.path) for c in phase7.changes] == [
        ("unexpected", "table", name) for name in PHASE7
    ]
    assert phase7.description == "phase7 referral dispatch tables"
    assert report.revisions[3].changes == ()  # the merge changes no schema
    assert tables(schemaspec_database_url) == []


def test_the_example_on_a_scratch_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    report = schemaspec.check_migrations(str(INI), models=MODELS)
    assert (report.findings, report.dialect, report.models) == ((), "sqlite", MODELS)
    assert os.listdir(tmp_path) == []


def test_models_that_differ_from_head_are_a_finding(tmp_path: Path) -> None:
    ini = copy_example(tmp_path, without=(PHASE7_REVISION,))
    report = schemaspec.check_migrations(ini, models=MODELS)
    (finding,) = report.findings
    assert (finding.kind, finding.revision) == ("models_differ", MERGE_REVISION)
    assert finding.message == (
        f"the schema at head ({MERGE_REVISION}) differs from the models: 6 tables missing"
    )
    assert [(c.kind, c.path) for c in finding.changes] == [("missing", name) for name in PHASE7]


# -- downgrades ----------------------------------------------------------------------------

FORGETFUL = "aaaa00000001"


def test_a_downgrade_that_forgets_an_index_is_caught_and_named(
    url: str | None, tmp_path: Path
) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        FORGETFUL,
        PHASE7_REVISION,
        upgrade='op.create_index("ix_members_first_name", "members", ["first_name"])',
        downgrade="pass",
        message="index members.first_name",
    )
    # On PostgreSQL the index is also built without CONCURRENTLY (tests/checks/test_locks.py).
    report = schemaspec.check_migrations(ini, url=url, allow_locking=[EXAMPLE_INDEX, FORGETFUL])
    assert report.findings == (
        Finding(
            kind="downgrade_not_clean",
            revision=FORGETFUL,
            message=f"downgrade of {FORGETFUL} does not restore the schema before it: "
            "1 index left behind",
            changes=(
                Change(
                    kind="unexpected",
                    object="index",
                    path="members.indexes.ix_members_first_name",
                    actual=IndexSpec(columns=("first_name",)),
                ),
            ),
        ),
    )
    assert report.revisions[-1] == RevisionResult(
        revision=FORGETFUL,
        down_revisions=(PHASE7_REVISION,),
        description="index members.first_name",
        changes=report.findings[0].changes,
        round_trip="not clean",
    )
    assert_left_empty(url)


def test_a_revision_after_an_unclean_one_is_still_checked(tmp_path: Path) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        FORGETFUL,
        PHASE7_REVISION,
        upgrade='op.create_index("ix_m_fn", "members", ["first_name"])',
    )
    add_revision(
        ini,
        "aaaa00000002",
        FORGETFUL,
        upgrade='op.create_index("ix_m_email_ln", "members", ["email", "last_name"])',
        downgrade='op.drop_index("ix_m_email_ln", table_name="members")',
    )
    report = schemaspec.check_migrations(ini, models=MODELS)
    assert [(f.kind, f.revision) for f in report.findings] == [
        ("downgrade_not_clean", FORGETFUL),
        ("models_differ", "aaaa00000002"),
    ]
    assert [(r.revision, r.round_trip) for r in report.revisions[-2:]] == [
        (FORGETFUL, "not clean"),
        ("aaaa00000002", "clean"),
    ]


def test_a_downgrade_that_raises_is_a_finding(tmp_path: Path) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        FORGETFUL,
        PHASE7_REVISION,
        upgrade='op.create_index("ix_members_first_name", "members", ["first_name"])',
        downgrade='raise NotImplementedError("no way back")',
    )
    report = schemaspec.check_migrations(ini)
    assert report.findings == (
        Finding(
            kind="downgrade_failed",
            revision=FORGETFUL,
            message=f"{ini}: downgrade of revision {FORGETFUL} failed: "
            "NotImplementedError: no way back",
        ),
    )
    assert report.revisions[-1].round_trip == "failed"


# -- a migration that raises ---------------------------------------------------------------

BOOM = "eeee00000001"


def test_a_migration_raising_midway_is_reported_and_leaves_nothing(
    url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        BOOM,
        MERGE_REVISION,
        upgrade="""
            op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
            raise RuntimeError("boom halfway")
        """,
        downgrade='op.drop_table("half_done")',
    )
    add_revision(ini, "ffff00000001", (BOOM, PHASE7_REVISION), upgrade="pass")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    report = schemaspec.check_migrations(ini, url=url, allow_locking=[EXAMPLE_INDEX])

    assert report.findings == (
        Finding(
            kind="upgrade_failed",
            revision=BOOM,
            message=f"{ini}: upgrade of revision {BOOM} failed: RuntimeError: boom halfway",
        ),
    )
    failed = [r for r in report.revisions if r.round_trip == "failed"]
    assert [r.revision for r in failed] == [BOOM]
    assert BOOM not in report.unchecked
    assert "ffff00000001" in report.unchecked
    assert os.listdir(scratch) == []
    assert_left_empty(url)


def test_a_statement_the_database_refuses_is_a_finding_not_a_lost_connection(
    tmp_path: Path,
) -> None:
    ini = copy_example(tmp_path)
    add_revision(ini, BOOM, PHASE7_REVISION, upgrade='op.execute("SELECT * FROM no_such_table")')
    report = schemaspec.check_migrations(ini)
    assert report.findings == (
        Finding(
            kind="upgrade_failed",
            revision=BOOM,
            message=f"{ini}: upgrade of revision {BOOM} failed: "
            "OperationalError: no such table: no_such_table",
        ),
    )


def test_a_connection_lost_in_a_revision_is_an_error_not_a_finding(tmp_path: Path) -> None:
    """The server going away (here: the error SQLAlchemy raises when it does) is no fault of
    the revision that was running: an error, and the database is still emptied."""
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        BOOM,
        PHASE7_REVISION,
        upgrade="""
            raise sa.exc.OperationalError(
                "SELECT 1", None, Exception("server closed the connection unexpectedly\\nmore"),
                connection_invalidated=True,
            )
        """,
    )
    database = tmp_path / "check.db"
    url = f"sqlite:///{database}"
    with pytest.raises(DatabaseConnectionError) as raised:
        schemaspec.check_migrations(ini, url=url)
    assert str(raised.value) == (
        f"{ini}: lost the connection to {url} while running the upgrade of revision {BOOM}:"
        " server closed the connection unexpectedly"
    )
    assert raised.value.__cause__ is None and raised.value.__context__ is None
    assert tables(url) == []


# -- heads ---------------------------------------------------------------------------------


def test_several_heads_is_a_finding_naming_them(tmp_path: Path) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        "bbbb00000001",
        MERGE_REVISION,
        upgrade='op.create_index("ix_members_first_name", "members", ["first_name"])',
        downgrade='op.drop_index("ix_members_first_name", table_name="members")',
    )
    report = schemaspec.check_migrations(ini)
    assert report.heads == (PHASE7_REVISION, "bbbb00000001")
    assert report.findings == (
        Finding(
            kind="multiple_heads",
            message=f"2 heads ({PHASE7_REVISION}, bbbb00000001); merge them into one"
            " (alembic merge heads)",
        ),
    )
    # Both branches are walked, each with a clean round trip.
    assert {r.revision: r.round_trip for r in report.revisions}["bbbb00000001"] == "clean"
    assert len(report.revisions) == 6


def test_a_three_way_merge_goes_back_to_all_its_parents(tmp_path: Path, url: str | None) -> None:
    ini = copy_example(tmp_path)
    for revision, column in (("cccc00000001", "nickname"), ("cccc00000002", "title")):
        add_revision(
            ini,
            revision,
            MERGE_REVISION,
            upgrade=f"""
                with op.batch_alter_table("members") as batch:
                    batch.add_column(sa.Column("{column}", sa.String(20)))
            """,
            downgrade=f"""
                with op.batch_alter_table("members") as batch:
                    batch.drop_column("{column}")
            """,
        )
    add_revision(ini, "dddd00000001", (PHASE7_REVISION, "cccc00000001", "cccc00000002"), "pass")
    report = schemaspec.check_migrations(ini, url=url, allow_locking=[EXAMPLE_INDEX])
    assert report.findings == ()
    assert report.revisions[-1].revision == "dddd00000001"
    assert report.revisions[-1].round_trip == "clean"
    assert_left_empty(url)


# -- destructive steps ---------------------------------------------------------------------

DROPPER = "dddd0000d0d0"


def add_column_drop(ini: Path) -> None:
    add_revision(
        ini,
        DROPPER,
        PHASE7_REVISION,
        upgrade="""
            with op.batch_alter_table("members") as batch:
                batch.drop_column("phone")
        """,
        downgrade="""
            with op.batch_alter_table("members") as batch:
                batch.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        """,
        message="drop members.phone",
    )


def test_a_migration_that_drops_a_column_is_flagged_destructive(
    tmp_path: Path, url: str | None
) -> None:
    ini = copy_example(tmp_path)
    add_column_drop(ini)
    report = schemaspec.check_migrations(ini, url=url, allow_locking=[EXAMPLE_INDEX])
    assert report.findings == (
        Finding(
            kind="destructive",
            revision=DROPPER,
            message=f"{DROPPER} drops column members.phone",
            changes=(
                Change(
                    kind="missing",
                    object="column",
                    path="members.phone",
                    expected=ColumnSpec(type="varchar(30)"),
                ),
            ),
        ),
    )
    assert report.revisions[-1].round_trip == "clean"


def test_allow_destructive_accepts_one_revision(tmp_path: Path) -> None:
    ini = copy_example(tmp_path)
    add_column_drop(ini)
    report = schemaspec.check_migrations(ini, allow_destructive=[DROPPER[:8]])
    assert report.findings == ()
    assert [(f.kind, f.revision) for f in report.accepted] == [("destructive", DROPPER)]
    with pytest.raises(SourceError) as raised:
        schemaspec.check_migrations(ini, allow_destructive=["0000feedbeef"])
    assert str(raised.value).startswith(f"{ini}: unknown revision '0000feedbeef': ")


NARROWER = "abcd00000001"


@pytest.mark.parametrize(
    ("upgrade", "downgrade", "message"),
    [
        (
            'batch.alter_column("applicant_priority_number", type_=sa.Integer(),'
            " existing_type=sa.Numeric(10, 2))",
            'batch.alter_column("applicant_priority_number", type_=sa.Numeric(10, 2),'
            " existing_type=sa.Integer())",
            "narrows book_registrations.applicant_priority_number from numeric(10,2) to integer",
        ),
        (
            'batch.alter_column("status", type_=sa.String(10), existing_type=sa.String(20))',
            'batch.alter_column("status", type_=sa.String(20), existing_type=sa.String(10))',
            "narrows book_registrations.status from varchar(20) to varchar(10)",
        ),
        (
            'batch.alter_column("registration_date", nullable=True, existing_nullable=False,'
            " existing_type=sa.DateTime(timezone=True))\n"
            'batch.drop_constraint(op.f("ck_book_registrations_apn_non_negative"), type_="check")',
            'batch.alter_column("registration_date", nullable=False, existing_nullable=True,'
            " existing_type=sa.DateTime(timezone=True))\n"
            "batch.create_check_constraint("
            'op.f("ck_book_registrations_apn_non_negative"), "applicant_priority_number >= 0")',
            "drops check constraint"
            " book_registrations.checks.ck_book_registrations_apn_non_negative",
        ),
    ],
    ids=["numeric-to-integer", "varchar-narrowed", "check-dropped"],
)
def test_destructive_alterations_are_flagged(
    tmp_path: Path, url: str | None, upgrade: str, downgrade: str, message: str
) -> None:
    ini = copy_example(tmp_path)
    add_revision(
        ini,
        NARROWER,
        PHASE7_REVISION,
        upgrade='with op.batch_alter_table("book_registrations") as batch:\n'
        + "\n".join("    " + line for line in upgrade.splitlines()),
        downgrade='with op.batch_alter_table("book_registrations") as batch:\n'
        + "\n".join("    " + line for line in downgrade.splitlines()),
    )
    # On PostgreSQL a type change also rewrites the table (tests/checks/test_locks.py).
    report = schemaspec.check_migrations(ini, url=url, allow_locking=[EXAMPLE_INDEX, NARROWER])
    assert [(f.kind, f.revision, f.message) for f in report.findings] == [
        ("destructive", NARROWER, f"{NARROWER} {message}")
    ]
    assert report.revisions[-1].round_trip == "clean"


def test_a_first_revision_whose_downgrade_leaves_an_enum_type_is_caught(
    tmp_path: Path, schemaspec_postgresql_url: str
) -> None:
    # Downgraded to no tables at all, the database still has the enum type: nothing is skipped
    # because another kind of object is absent.
    ini = copy_example(tmp_path, without=tuple(revision for revision, _ in EXAMPLE_ORDER))
    add_revision(
        ini,
        "aaaa00000001",
        None,
        upgrade='op.create_table("moods", sa.Column("id", sa.Integer, primary_key=True),'
        ' sa.Column("mood", sa.Enum("happy", "sad", name="mood")))',
        downgrade='op.drop_table("moods")',
        message="moods",
    )
    report = schemaspec.check_migrations(ini, url=schemaspec_postgresql_url)
    assert report.findings == (
        Finding(
            kind="downgrade_not_clean",
            revision="aaaa00000001",
            message="downgrade of aaaa00000001 does not restore the schema before it: "
            "1 enum left behind",
            changes=(
                Change(
                    kind="unexpected",
                    object="enum",
                    path="enums.mood",
                    actual=EnumSpec(values=("happy", "sad")),
                ),
            ),
        ),
    )
