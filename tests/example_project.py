"""Copies of the UnionCore example's Alembic project, for tests that add or remove revisions."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import sqlalchemy as sa

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "unioncore"
INI = EXAMPLE / "alembic.ini"
PHASE7_REVISION = "7f3e2a1b9c0d"
MERGE_REVISION = "9d48d853728b"
PHASE7 = (
    "book_registrations",
    "dispatches",
    "job_bids",
    "labor_requests",
    "referral_books",
    "registration_activities",
)


def copy_example(tmp_path: Path, *, without: tuple[str, ...] = ()) -> Path:
    """Copy the example to ``tmp_path/unioncore``, leaving out the revisions in ``without``.

    Returns the copy's alembic.ini. Its env.py imports ``unioncore.models``, which the test
    session already has from docs/examples, so the copy migrates exactly like the original.
    """
    target = tmp_path / "unioncore"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    versions = target / "migrations" / "versions"
    for revision in without:
        (found,) = versions.glob(f"{revision}_*.py")
        found.unlink()
    return target / "alembic.ini"


def add_revision(
    ini: Path,
    revision: str,
    down_revision: str | tuple[str, ...] | None,
    upgrade: str,
    downgrade: str = "pass",
    message: str = "test revision",
) -> Path:
    """Write a revision file next to the copy's others; bodies are Python using ``op``/``sa``."""
    path = ini.parent / "migrations" / "versions" / f"{revision}_test.py"
    body = textwrap.dedent(
        '''\
        """{message}

        Revision ID: {revision}
        Revises: {down}
        """

        import sqlalchemy as sa
        from alembic import op

        revision = {revision!r}
        down_revision = {down_revision!r}
        branch_labels = None
        depends_on = None


        def upgrade() -> None:
        {upgrade}


        def downgrade() -> None:
        {downgrade}
        '''
    ).format(
        message=message,
        revision=revision,
        down=down_revision,
        down_revision=down_revision,
        upgrade=textwrap.indent(textwrap.dedent(upgrade).strip(), "    "),
        downgrade=textwrap.indent(textwrap.dedent(downgrade).strip(), "    "),
    )
    path.write_text(body)
    return path


def tables(url: str) -> list[str]:
    """The tables of the database at ``url``, sorted."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()


def enum_types(url: str) -> list[str]:
    """PostgreSQL enum types of the database at ``url``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT typname FROM pg_type WHERE typtype = 'e'")
            return sorted(str(row[0]) for row in rows)
    finally:
        engine.dispose()
