"""Small Alembic projects written into a directory, for the plugin's and runner's tests.

The seed's chain: members, then book_registrations with a NUMERIC(10,2) priority number; the
revision the seed worried about (APN made INTEGER) is added by the tests that need it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

INI = """\
[alembic]
script_location = %(here)s/migrations
path_separator = os
sqlalchemy.url = sqlite:///%(here)s/never-used.db
"""

ENV = """\
from alembic import context
from sqlalchemy import create_engine, pool

config = context.config


def run_on(connection):
    render_as_batch = connection.dialect.name == "sqlite"
    context.configure(connection=connection, render_as_batch=render_as_batch)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_on(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as conn:
        run_on(conn)
"""

MEMBERS = "a1000000000a"
REGISTRATIONS = "b2000000000b"
APN_INTEGER = "c3000000000c"

CREATE_MEMBERS = """
op.create_table(
    "members",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("last_name", sa.String(50), nullable=False),
)
"""

CREATE_REGISTRATIONS = """
op.create_table(
    "book_registrations",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
    sa.Column("applicant_priority_number", sa.Numeric(10, 2), nullable=False),
)
"""

APN_TO_INTEGER = """
with op.batch_alter_table("book_registrations") as batch:
    batch.alter_column(
        "applicant_priority_number", type_=sa.Integer(), existing_type=sa.Numeric(10, 2)
    )
"""

APN_TO_NUMERIC = """
with op.batch_alter_table("book_registrations") as batch:
    batch.alter_column(
        "applicant_priority_number", type_=sa.Numeric(10, 2), existing_type=sa.Integer()
    )
"""

#: The models the chain's head (without APN_INTEGER) builds.
MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()
sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("last_name", sa.String(50), nullable=False),
)
sa.Table(
    "book_registrations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
    sa.Column("applicant_priority_number", sa.Numeric(10, 2), nullable=False),
)
"""


def write_project(directory: Path) -> Path:
    """The two-revision chain (members, book_registrations) in ``directory``; its alembic.ini."""
    (directory / "migrations" / "versions").mkdir(parents=True)
    (directory / "alembic.ini").write_text(INI, encoding="utf-8")
    (directory / "migrations" / "env.py").write_text(ENV, encoding="utf-8")
    add_revision(directory, MEMBERS, None, CREATE_MEMBERS, 'op.drop_table("members")')
    add_revision(
        directory,
        REGISTRATIONS,
        MEMBERS,
        CREATE_REGISTRATIONS,
        'op.drop_table("book_registrations")',
    )
    return directory / "alembic.ini"


def add_revision(
    directory: Path,
    revision: str,
    down_revision: str | tuple[str, ...] | None,
    upgrade: str,
    downgrade: str,
) -> None:
    body = textwrap.dedent(
        """\
        import sqlalchemy as sa
        from alembic import op

        revision = {revision!r}
        down_revision = {down_revision!r}
        branch_labels = None
        depends_on = None


        def upgrade():
        {upgrade}


        def downgrade():
        {downgrade}
        """
    ).format(
        revision=revision,
        down_revision=down_revision,
        upgrade=textwrap.indent(textwrap.dedent(upgrade).strip(), "    "),
        downgrade=textwrap.indent(textwrap.dedent(downgrade).strip(), "    "),
    )
    path = directory / "migrations" / "versions" / f"{revision}_rev.py"
    path.write_text(body, encoding="utf-8")


def add_apn_to_integer(directory: Path) -> None:
    """The revision the seed feared: the priority number made INTEGER (and back on downgrade)."""
    add_revision(directory, APN_INTEGER, REGISTRATIONS, APN_TO_INTEGER, APN_TO_NUMERIC)
