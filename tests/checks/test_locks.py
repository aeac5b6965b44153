"""Lock lint: steps that fail or lock hard on a populated table, per database.

First the lint alone (statements in, risks out), then real migration chains on SQLite,
PostgreSQL and MariaDB: the risky way is a ``locking`` finding, the safer recipe it suggests is
clean, and ``allow_locking`` accepts a revision as ``allow_destructive`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from example_project import PHASE7_REVISION, add_revision, copy_example

import schemaspec
from schemaspec import ColumnSpec, SchemaSpec, SourceError, TableSpec
from schemaspec.checks.locks import LockRisk, lock_risks
from schemaspec.checks.migrations import Finding
from schemaspec.cli import main
from schemaspec.reports.migration_report import render_json, render_markdown, render_text

BEFORE = SchemaSpec(
    tables={
        "members": TableSpec(
            columns={
                "id": ColumnSpec(type="integer", nullable=False),
                "email": ColumnSpec(type="varchar(100)"),
                "amount": ColumnSpec(type="numeric(10,2)"),
            },
            primary_key=("id",),
        ),
        "audit.events": TableSpec(columns={"id": ColumnSpec(type="integer")}),
    }
)


def _after(**columns: ColumnSpec) -> SchemaSpec:
    members = BEFORE.tables["members"]
    changed = members.model_copy(update={"columns": {**members.columns, **columns}})
    return BEFORE.model_copy(update={"tables": {**BEFORE.tables, "members": changed}})


def summaries(dialect: str, *statements: str, after: SchemaSpec | None = None) -> list[str]:
    return [risk.summary for risk in lock_risks(statements, dialect, BEFORE, after)]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "CREATE INDEX ix_members_email ON members (email)",
            ["builds index ix_members_email on members without CONCURRENTLY"],
        ),
        (
            'CREATE UNIQUE INDEX "ix_events" ON audit."events" (id)',
            ["builds index ix_events on audit.events without CONCURRENTLY"],
        ),
        ("CREATE INDEX CONCURRENTLY ix_members_email ON members (email)", []),
        # A table the revision creates is empty: nothing waits on it.
        ("CREATE INDEX ix_new ON new_table (x)", []),
        (
            "ALTER TABLE members ADD CONSTRAINT fk_x FOREIGN KEY(id) REFERENCES other (id)",
            ["adds foreign key fk_x to members without NOT VALID"],
        ),
        ("ALTER TABLE members ADD CONSTRAINT fk_x FOREIGN KEY(id) REFERENCES o (id) NOT VALID", []),
        (
            "ALTER TABLE members ADD CONSTRAINT ck_x CHECK (id > 0)",
            ["adds check constraint ck_x to members without NOT VALID"],
        ),
        ("ALTER TABLE members ADD CONSTRAINT ck_x CHECK (id > 0) NOT VALID", []),
        (
            "ALTER TABLE members ADD CONSTRAINT uq_email UNIQUE (email)",
            ["adds unique uq_email to members, building its index under the lock"],
        ),
        ("ALTER TABLE members ADD CONSTRAINT uq_email UNIQUE USING INDEX ix_email", []),
        (
            "ALTER TABLE members ADD COLUMN badge INTEGER NOT NULL",
            ["adds members.badge NOT NULL without a default"],
        ),
        ("ALTER TABLE members ADD COLUMN badge INTEGER DEFAULT '0' NOT NULL", []),
        ("ALTER TABLE members ADD COLUMN badge INTEGER", []),
        ("ALTER TABLE members ADD COLUMN n BIGSERIAL NOT NULL", []),
        (
            "ALTER TABLE members ADD COLUMN token UUID DEFAULT gen_random_uuid()",
            ["adds members.token with a volatile default"],
        ),
        ("ALTER TABLE members ALTER COLUMN email SET NOT NULL", ["makes members.email NOT NULL"]),
        (
            "ALTER TABLE members ADD COLUMN a INTEGER NOT NULL, ADD CONSTRAINT ck CHECK (a > 0)",
            [
                "adds members.a NOT NULL without a default",
                "adds check constraint ck to members without NOT VALID",
            ],
        ),
        # Not DDL the lint knows: never a risk.
        ("UPDATE members SET email = 'x'", []),
    ],
)
def test_postgresql_statements(statement: str, expected: list[str]) -> None:
    assert summaries("postgresql", statement) == expected


@pytest.mark.parametrize(
    ("old", "new", "rewrites"),
    [
        ("varchar(100)", "varchar(200)", False),
        ("varchar(100)", "text", False),
        ("varchar(100)", "varchar(50)", True),
        ("numeric(10,2)", "numeric(12,2)", False),
        ("numeric(10,2)", "numeric(12,3)", True),
        ("integer", "bigint", True),
        ("text", "varchar(10)", True),
    ],
)
def test_postgresql_type_changes_that_rewrite(old: str, new: str, rewrites: bool) -> None:
    before = {"email": ColumnSpec(type=old)}
    spec = _after(**before)
    statement = f"ALTER TABLE members ALTER COLUMN email TYPE {new.upper()}"
    risks = lock_risks([statement], "postgresql", spec, _after(email=ColumnSpec(type=new)))
    expected = [f"changes the type of members.email from {old} to {new}"] if rewrites else []
    assert [risk.summary for risk in risks] == expected


def test_a_using_clause_always_rewrites() -> None:
    statement = "ALTER TABLE members ALTER COLUMN email TYPE VARCHAR(200) USING email::varchar"
    after = _after(email=ColumnSpec(type="varchar(200)"))
    assert summaries("postgresql", statement, after=after) == [
        "changes the type of members.email from varchar(100) to varchar(200)"
    ]


def test_a_risk_carries_the_statement_the_problem_and_the_recipe() -> None:
    (risk,) = lock_risks(["CREATE  INDEX ix_e ON members\n  (email);"], "postgresql", BEFORE)
    assert risk == LockRisk(
        table="members",
        summary="builds index ix_e on members without CONCURRENTLY",
        statement="CREATE INDEX ix_e ON members (email)",
        problem="writes to members wait until the index is built (SHARE lock)",
        recipe="build it with CONCURRENTLY, outside the migration's transaction: with "
        "op.get_context().autocommit_block(): op.create_index(..., postgresql_concurrently=True)",
    )


def test_mysql_statements() -> None:
    fk = "ALTER TABLE members ADD CONSTRAINT fk_x FOREIGN KEY(id) REFERENCES other (id)"
    assert summaries("mysql", fk) == ["adds foreign key fk_x to members"]
    # Checks off for the session: InnoDB adds the key in place.
    assert summaries("mysql", "SET foreign_key_checks = 0", fk, "SET foreign_key_checks = 1") == []
    # Online on InnoDB, and MySQL fills a new NOT NULL column with the type's implicit default.
    assert summaries("mysql", "CREATE INDEX ix ON members (email)") == []
    assert summaries("mysql", "ALTER TABLE members ADD COLUMN b INTEGER NOT NULL") == []
    # 100 and 200 characters both need a two-byte length prefix: in place.
    widened = _after(email=ColumnSpec(type="varchar(200)"))
    assert (
        summaries("mysql", "ALTER TABLE members MODIFY email VARCHAR(200) NULL", after=widened)
        == []
    )
    narrowed = _after(email=ColumnSpec(type="varchar(50)"))
    assert summaries(
        "mysql", "ALTER TABLE members MODIFY email VARCHAR(50) NULL", after=narrowed
    ) == ["changes the type of members.email from varchar(100) to varchar(50)"]
    small = _after(email=ColumnSpec(type="varchar(20)"))
    # 20 and 60 characters both fit a one-byte length prefix, even at 4 bytes a character;
    # 64 does not.
    for length, copies in ((60, False), (64, True)):
        after = _after(email=ColumnSpec(type=f"varchar({length})"))
        statement = f"ALTER TABLE members MODIFY email VARCHAR({length}) NULL"
        found = [risk.summary for risk in lock_risks([statement], "mysql", small, after)]
        expected = f"changes the type of members.email from varchar(20) to varchar({length})"
        assert found == ([expected] if copies else [])
    assert summaries("mysql", "ALTER TABLE members MODIFY email VARCHAR(100) NOT NULL") == [
        "makes members.email NOT NULL"
    ]


def test_sqlite_batch_copies() -> None:
    create = (
        "CREATE TABLE _alembic_tmp_members (id INTEGER NOT NULL, email VARCHAR(100) NOT NULL, "
        "amount NUMERIC(10, 2), badge INTEGER NOT NULL, flag BOOLEAN DEFAULT '0' NOT NULL, "
        "PRIMARY KEY (id), CONSTRAINT ck CHECK (badge > 0))"
    )
    copy = (
        "INSERT INTO _alembic_tmp_members (id, email, amount) "
        "SELECT members.id, members.email, members.amount FROM members"
    )
    assert summaries("sqlite", create, copy) == [
        "makes members.email NOT NULL without a backfill (batch copy)",
        "adds members.badge NOT NULL without a default (batch copy)",
    ]
    backfill = "UPDATE members SET email='' WHERE members.email IS NULL"
    assert summaries("sqlite", backfill, create, copy) == [
        "adds members.badge NOT NULL without a default (batch copy)"
    ]
    # Refused by SQLite only when the table has a row.
    assert summaries("sqlite", "ALTER TABLE members ADD COLUMN badge INTEGER NOT NULL") == [
        "adds members.badge NOT NULL without a default"
    ]
    assert (
        summaries("sqlite", "ALTER TABLE members ADD COLUMN b INTEGER DEFAULT '1' NOT NULL") == []
    )
    # SQLite locks the whole database for any write: only failures count.
    assert summaries("sqlite", "CREATE INDEX ix ON members (email)") == []


def test_an_unknown_database_is_not_linted() -> None:
    assert summaries("oracle", "CREATE INDEX ix ON members (email)") == []


# -- real chains ---------------------------------------------------------------------------

RISKY = "eeee00000001"
#: The example's own index on members, built without CONCURRENTLY (a finding on PostgreSQL).
EXAMPLE_INDEX = "3d5f7b9c1e2a"
SAFE = "eeee00000002"

#: Per database: the risky revision's upgrade, its downgrade, the finding's summaries, and a
#: revision doing the same the safe way.
CHAINS = {
    "postgresql": (
        """
        op.add_column("members", sa.Column("badge", sa.Integer(), nullable=False))
        op.create_index("ix_members_created_by", "members", ["created_by"])
        op.add_column("members", sa.Column("sponsor_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_members_sponsor", "members", "members", ["sponsor_id"], ["id"])
        op.create_check_constraint(op.f("ck_members_badge"), "members", "badge > 0")
        op.alter_column("members", "member_number", type_=sa.String(10),
                        existing_type=sa.String(20))
        """,
        """
        op.alter_column("members", "member_number", type_=sa.String(20),
                        existing_type=sa.String(10))
        op.drop_constraint(op.f("ck_members_badge"), "members", type_="check")
        op.drop_constraint("fk_members_sponsor", "members", type_="foreignkey")
        op.drop_column("members", "sponsor_id")
        op.drop_index("ix_members_created_by", table_name="members")
        op.drop_column("members", "badge")
        """,
        [
            "adds members.badge NOT NULL without a default",
            "builds index ix_members_created_by on members without CONCURRENTLY",
            "adds foreign key fk_members_sponsor to members without NOT VALID",
            "adds check constraint ck_members_badge to members without NOT VALID",
            "changes the type of members.member_number from varchar(20) to varchar(10)",
        ],
        """
        op.add_column("members", sa.Column("badge", sa.Integer(), nullable=False,
                                           server_default="1"))
        with op.get_context().autocommit_block():
            op.create_index("ix_members_created_by", "members", ["created_by"],
                            postgresql_concurrently=True)
        op.add_column("members", sa.Column("sponsor_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_members_sponsor", "members", "members", ["sponsor_id"],
                              ["id"], postgresql_not_valid=True)
        op.execute("ALTER TABLE members VALIDATE CONSTRAINT fk_members_sponsor")
        op.create_check_constraint(op.f("ck_members_badge"), "members", "badge > 0",
                                   postgresql_not_valid=True)
        op.execute("ALTER TABLE members VALIDATE CONSTRAINT ck_members_badge")
        op.alter_column("members", "member_number", type_=sa.String(40),
                        existing_type=sa.String(20))
        """,
    ),
    "mysql": (
        """
        op.add_column("members", sa.Column("sponsor_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_members_sponsor", "members", "members", ["sponsor_id"], ["id"])
        op.alter_column("members", "member_number", type_=sa.String(200),
                        existing_type=sa.String(20), existing_nullable=False)
        """,
        """
        op.alter_column("members", "member_number", type_=sa.String(20),
                        existing_type=sa.String(200), existing_nullable=False)
        op.drop_constraint("fk_members_sponsor", "members", type_="foreignkey")
        op.drop_index("fk_members_sponsor", table_name="members")
        op.drop_column("members", "sponsor_id")
        """,
        [
            "adds foreign key fk_members_sponsor to members",
            "changes the type of members.member_number from varchar(20) to varchar(200)",
        ],
        """
        op.add_column("members", sa.Column("sponsor_id", sa.Integer(), nullable=True))
        op.execute("SET foreign_key_checks = 0")
        op.create_foreign_key("fk_members_sponsor", "members", "members", ["sponsor_id"], ["id"])
        op.execute("SET foreign_key_checks = 1")
        op.alter_column("members", "member_number", type_=sa.String(60),
                        existing_type=sa.String(20), existing_nullable=False)
        """,
    ),
    "sqlite": (
        """
        with op.batch_alter_table("members") as batch:
            batch.add_column(sa.Column("badge", sa.Integer(), nullable=False))
            batch.alter_column("email", existing_type=sa.String(255), nullable=False)
        """,
        """
        with op.batch_alter_table("members") as batch:
            batch.alter_column("email", existing_type=sa.String(255), nullable=True)
            batch.drop_column("badge")
        """,
        [
            "makes members.email NOT NULL without a backfill (batch copy)",
            "adds members.badge NOT NULL without a default (batch copy)",
        ],
        """
        op.add_column("members", sa.Column("badge", sa.Integer(), nullable=True))
        op.execute("UPDATE members SET badge = 1, email = '' WHERE email IS NULL OR badge IS NULL")
        with op.batch_alter_table("members") as batch:
            batch.alter_column("badge", existing_type=sa.Integer(), nullable=False)
            batch.alter_column("email", existing_type=sa.String(255), nullable=False)
        """,
    ),
}


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def database(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """(kind, URL): a scratch SQLite file (``None``), or an empty PostgreSQL / MariaDB."""
    if request.param == "sqlite":
        return "sqlite", None
    url: str = request.getfixturevalue(f"schemaspec_{request.param}_url")
    return request.param, url


def _risky(ini: Path, kind: str) -> None:
    upgrade, downgrade, _, _ = CHAINS[kind]
    add_revision(ini, RISKY, PHASE7_REVISION, upgrade, downgrade, message="risky")


def test_the_risky_way_is_a_locking_finding(
    tmp_path: Path, database: tuple[str, str | None]
) -> None:
    kind, url = database
    ini = copy_example(tmp_path)
    _risky(ini, kind)
    # Destructive steps are test_migrations.py's; accepted here so only locking remains, as
    # is the example's own index on members (test_migrations.py).
    report = schemaspec.check_migrations(
        ini, url=url, allow_destructive=[RISKY], allow_locking=[EXAMPLE_INDEX]
    )
    (finding,) = report.findings
    expected = CHAINS[kind][2]
    assert (finding.kind, finding.revision, finding.changes) == ("locking", RISKY, ())
    assert finding.message == f"{RISKY} " + "; ".join(expected)
    assert [risk.summary for risk in finding.locks] == expected
    assert {risk.table for risk in finding.locks} == {"members"}
    assert report.revisions[-1].round_trip == "clean"


def test_the_safer_recipe_is_clean(tmp_path: Path, database: tuple[str, str | None]) -> None:
    kind, url = database
    ini = copy_example(tmp_path)
    add_revision(ini, SAFE, PHASE7_REVISION, CHAINS[kind][3], "pass", message="safe")
    # Making a column NOT NULL stays destructive (test_migrations.py), whichever way it is done.
    report = schemaspec.check_migrations(
        ini, url=url, allow_destructive=[SAFE], allow_locking=[EXAMPLE_INDEX]
    )
    # Its downgrade is "pass": the round trip is not this test's subject.
    assert [f.kind for f in report.findings] == ["downgrade_not_clean"]


def test_allow_locking_accepts_one_revision(tmp_path: Path) -> None:
    ini = copy_example(tmp_path)
    _risky(ini, "sqlite")
    report = schemaspec.check_migrations(ini, allow_destructive=[RISKY], allow_locking=[RISKY[:8]])
    assert report.findings == ()
    assert [(f.kind, f.revision) for f in report.accepted] == [
        ("destructive", RISKY),
        ("locking", RISKY),
    ]
    with pytest.raises(SourceError) as raised:
        schemaspec.check_migrations(ini, allow_locking=["0000feedbeef"])
    assert str(raised.value).startswith(f"{ini}: unknown revision '0000feedbeef': ")


def _sqlite_report(tmp_path: Path, **allow: list[str]) -> schemaspec.MigrationReport:
    ini = copy_example(tmp_path)
    _risky(ini, "sqlite")
    return schemaspec.check_migrations(ini, allow_destructive=[RISKY], **allow)


def test_reports_show_each_statement_with_its_recipe(tmp_path: Path) -> None:
    report = _sqlite_report(tmp_path)
    text = render_text(report)
    finding = report.findings[0]
    statement = finding.locks[0].statement
    assert statement.startswith("INSERT INTO _alembic_tmp_members (id, member_number, ")
    assert text.endswith(
        "1 finding:\n"
        f"  [locking] {finding.message}\n"
        f"      {statement}\n"
        "        on a populated table: the copy of members fails on the first row where email "
        "is NULL\n"
        "        safer: backfill first in the same revision (op.execute('UPDATE members SET "
        "email = ... WHERE email IS NULL')), then alter the column\n"
        f"      {statement}\n"
        "        on a populated table: the copy of members has no value for badge: it fails on "
        "the first row\n"
        "        safer: give badge a server_default, or add it nullable, backfill it, and make "
        "it NOT NULL in a later batch\n"
    )
    document = json.loads(render_json(report))
    assert document["findings"][0]["locks"] == [risk.model_dump() for risk in finding.locks]
    markdown = render_markdown(report)
    assert (
        f"- `{RISKY}` **locking**: {finding.message}\n"
        f"  - `{statement}`: on a populated table, the copy of members fails on the first row "
        "where email is NULL\n"
    ) in markdown


def test_accepted_locking_steps_name_their_flag(tmp_path: Path) -> None:
    report = _sqlite_report(tmp_path, allow_locking=[RISKY])
    text = render_text(report)
    locking = next(f for f in report.accepted if f.kind == "locking")
    assert f"accepted: {locking.message} (--allow-locking {RISKY})\n" in text
    assert "#### Accepted locking steps" in render_markdown(report)
    assert isinstance(locking, Finding)


def test_the_command_line_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini = copy_example(tmp_path)
    _risky(ini, "sqlite")
    args = ["migrations", str(ini), "--allow-destructive", RISKY]
    assert main(args) == 1
    assert f"[locking] {RISKY} makes members.email NOT NULL" in capsys.readouterr().out
    assert main([*args, "--allow-locking", RISKY]) == 0
    assert f"(--allow-locking {RISKY})" in capsys.readouterr().out
