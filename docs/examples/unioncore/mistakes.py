"""Build the "mistakes" database the docs' console examples compare with.

The UnionCore migrations are applied up to head, then the Phase 7 mistakes are made by hand,
the way a wrong migration or a hurried DBA would make them:

- ``book_registrations.applicant_priority_number`` becomes ``INTEGER`` (it must be
  ``NUMERIC(10,2)``: the priority number orders a referral book);
- ``referral_books.contract_code`` becomes ``NOT NULL`` (books without a contract have none);
- ``members.phone`` is renamed to ``phone_number``;
- a ``legacy_notes`` table (one ``id`` column) is left behind.

From the repository root::

    PYTHONPATH=docs/examples python -m unioncore.mistakes                  # ./unioncore.db
    PYTHONPATH=docs/examples python -m unioncore.mistakes postgresql+psycopg://postgres@127.0.0.1/mistakes

It only builds into an empty database (a new SQLite file, or a server database without
tables), so it can never change a database that holds anything; run again on the SQLite
database it built, it does nothing.

Two more fixtures of the docs, both copies of this example that a review would catch:

- ``python -m unioncore.mistakes --stale-snapshot specs/schema.toml`` writes the models'
  snapshot as it was before ``members.phone`` was added, so ``check`` finds it stale;
- ``python -m unioncore.mistakes --copy DIR --integer-apn`` (or ``--forgetful``) copies the
  example's Alembic project to ``DIR/unioncore`` with a broken Phase 7 revision (the APN as
  ``sa.Integer()``), or with two revisions added: one whose downgrade forgets its index, one
  that drops ``members.phone``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

EXAMPLE = Path(__file__).resolve().parent
DEFAULT_URL = "sqlite:///unioncore.db"
PHASE7_REVISION_FILE = "7f3e2a1b9c0d_phase7_referral_dispatch_tables.py"

# Two revisions on top of the example's head, each with a mistake `schemaspec migrations` finds.
FORGETFUL_REVISIONS = {
    "aaaa00000001_index_first_name.py": '''\
"""index members.first_name

Revision ID: aaaa00000001
Revises: 7f3e2a1b9c0d
"""

from alembic import op

revision = "aaaa00000001"
down_revision = "7f3e2a1b9c0d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_members_first_name", "members", ["first_name"])


def downgrade() -> None:
    # The mistake: the index is never dropped.
    pass
''',
    "dddd0000d0d0_drop_member_phone.py": '''\
"""drop members.phone

Revision ID: dddd0000d0d0
Revises: aaaa00000001
"""

import sqlalchemy as sa
from alembic import op

revision = "dddd0000d0d0"
down_revision = "aaaa00000001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The mistake: a destructive step nobody asked for.
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("phone")


def downgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
''',
}


def build(url: str | sa.URL = DEFAULT_URL) -> None:
    """Migrate the empty database at ``url`` to head, then make the Phase 7 mistakes."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            tables = sa.inspect(connection).get_table_names()
            if tables and _is_built(connection):
                # Each doc builds it before its examples: a second build is a no-op, not an error.
                return
            if tables:
                # Never alter a database that holds something else: it may be someone's data.
                raise SystemExit(
                    f"unioncore.mistakes: {engine.url.render_as_string(hide_password=True)} is"
                    f" not empty ({len(tables)} tables) and is not the mistakes database;"
                    " build into a new, empty database"
                )
            _build_on(connection)
    finally:
        engine.dispose()


def _build_on(connection: sa.Connection) -> None:
    config = Config(str(EXAMPLE / "alembic.ini"))
    config.attributes["connection"] = connection
    # Keep the caller's logging: no Alembic INFO lines for a build step.
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    make_mistakes(connection)


def _is_built(connection: sa.Connection) -> bool:
    """Whether the database is exactly what a build makes (compared with a fresh build)."""
    import schemaspec

    if connection.dialect.name != "sqlite":
        return False  # a scratch SQLite build says nothing about another kind of database
    scratch = sa.create_engine("sqlite://")
    try:
        with scratch.begin() as fresh:
            _build_on(fresh)
            wanted = schemaspec.from_database(fresh)
    finally:
        scratch.dispose()
    return not schemaspec.diff(wanted, schemaspec.from_database(connection))


def make_mistakes(connection: sa.Connection) -> None:
    """The hand-made changes, through Alembic's batch mode so they work on SQLite too."""
    op = Operations(MigrationContext.configure(connection))
    with op.batch_alter_table("book_registrations") as batch:
        batch.alter_column(
            "applicant_priority_number",
            existing_type=sa.Numeric(10, 2),
            existing_nullable=False,
            type_=sa.Integer(),
        )
    with op.batch_alter_table("referral_books") as batch:
        batch.alter_column("contract_code", existing_type=sa.String(50), nullable=False)
    with op.batch_alter_table("members") as batch:
        batch.alter_column("phone", existing_type=sa.String(30), new_column_name="phone_number")
    op.create_table("legacy_notes", sa.Column("id", sa.Integer, primary_key=True))


def write_stale_snapshot(path: str | Path) -> None:
    """Write the models' snapshot without ``members.phone``, as it was before that column."""
    import schemaspec
    from unioncore.models import Base

    spec = schemaspec.from_models(Base)
    members = spec.tables["members"]
    columns = {name: c for name, c in members.columns.items() if name != "phone"}
    stale = spec.model_copy(
        update={
            "tables": {**spec.tables, "members": members.model_copy(update={"columns": columns})}
        }
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    schemaspec.dump(stale, path)


def copy_example(
    directory: str | Path, *, integer_apn: bool = False, forgetful: bool = False
) -> Path:
    """Copy the Alembic project to ``directory/unioncore``; return the copy's alembic.ini."""
    target = Path(directory) / "unioncore"
    if target.exists():
        # A copy is a scratch project: refuse rather than mix it with one made earlier.
        raise SystemExit(f"unioncore.mistakes: {target} exists already; remove it first")
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    versions = target / "migrations" / "versions"
    if integer_apn:
        phase7 = versions / PHASE7_REVISION_FILE
        source = phase7.read_text()
        wrong = source.replace(
            'sa.Column("applicant_priority_number", sa.Numeric(precision=10, scale=2)',
            'sa.Column("applicant_priority_number", sa.Integer()',
        )
        if wrong == source:  # the revision changed: fail loudly rather than copy it unbroken
            raise SystemExit(f"unioncore.mistakes: cannot find the APN column in {phase7}")
        phase7.write_text(wrong)
    if forgetful:
        for name, text in FORGETFUL_REVISIONS.items():
            (versions / name).write_text(text)
    return target / "alembic.ini"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m unioncore.mistakes",
        description="Build the mistakes database the docs compare with.",
    )
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help=f"default: {DEFAULT_URL}")
    parser.add_argument("--stale-snapshot", metavar="FILE", help="write the stale snapshot instead")
    parser.add_argument("--copy", metavar="DIR", help="copy the Alembic project instead")
    parser.add_argument("--integer-apn", action="store_true", help="with --copy: APN as Integer")
    parser.add_argument("--forgetful", action="store_true", help="with --copy: two bad revisions")
    args = parser.parse_args(argv)
    if args.stale_snapshot:
        write_stale_snapshot(args.stale_snapshot)
    elif args.copy:
        copy_example(args.copy, integer_apn=args.integer_apn, forgetful=args.forgetful)
    else:
        build(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
