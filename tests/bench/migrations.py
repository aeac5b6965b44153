"""Migration review growth: ``check_migrations`` on a history of one new table per revision.

A review upgrades, downgrades and upgrades every revision again, and snapshots the schema
around each step; the migrations alone (the same up/down/up, no snapshot) are its floor. With
N revisions the schema holds up to N tables, so a review that reflected the whole schema at
every snapshot would grow with N squared; reading only the tables a step changed keeps it
linear. :func:`measure_review` times both, interleaved, and reports their ratio.
"""

from __future__ import annotations

import tempfile
import textwrap
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import schemaspec
from schemaspec.sources.alembic import AlembicProject

#: The revision files' bodies: table n refers to table n-1, with an index and a default, so
#: every snapshot reads foreign keys, indexes and defaults as a real history's would.
_REVISION = '''\
"""chain table {number}

Revision ID: {revision}
Revises: {down}
"""

import sqlalchemy as sa
from alembic import op

revision = {revision!r}
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        {table!r},
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, {foreign_key}),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
        sa.Column("amount", sa.Numeric(10, 2)),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_{table}_parent_id", {table!r}, ["parent_id"])


def downgrade() -> None:
    op.drop_table({table!r})  # its index with it (MySQL refuses to drop a foreign key's index)
'''

_ENV = """\
from alembic import context

config = context.config
context.configure(connection=config.attributes["connection"], target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
"""

_INI = """\
[alembic]
script_location = %(here)s/migrations
"""


def revision_id(number: int) -> str:
    return f"rev{number:05d}"


def write_history(directory: Path, revisions: int) -> Path:
    """An Alembic project of ``revisions`` revisions, each creating one table; its alembic.ini."""
    versions = directory / "migrations" / "versions"
    versions.mkdir(parents=True)
    (directory / "migrations" / "env.py").write_text(_ENV)
    for number in range(revisions):
        table = f"chain_{number:05d}"
        parent = f"chain_{number - 1:05d}" if number else None
        foreign_key = f'sa.ForeignKey("{parent}.id")' if parent else "nullable=True"
        down = revision_id(number - 1) if number else None
        (versions / f"{revision_id(number)}.py").write_text(
            _REVISION.format(
                number=number,
                revision=revision_id(number),
                down=down,
                table=table,
                foreign_key=foreign_key,
            )
        )
    ini = directory / "alembic.ini"
    ini.write_text(textwrap.dedent(_INI))
    return ini


def bare(ini: Path, url: str | None) -> None:
    """The floor: each revision up, down and up again, as a review runs them, no snapshot."""
    project = AlembicProject.open(ini)
    with project.migrate(url) as migrator:
        for script in project.ordered():
            migrator.upgrade(script.revision)
            migrator.downgrade(script)
            migrator.upgrade(script.revision)


def review(ini: Path, url: str | None, revisions: int) -> None:
    report = schemaspec.check_migrations(ini, url=url)
    if report or len(report.revisions) != revisions:
        raise AssertionError(f"the review found problems: {[f.message for f in report.findings]}")


@dataclass
class ReviewRow:
    database: str
    revisions: int
    bare: float
    review: float

    @property
    def ratio(self) -> float:
        return self.review / self.bare


def measure_review(
    database: str,
    revisions: int,
    url_for: Callable[[], AbstractContextManager[str | None]],
    repeat: int,
) -> ReviewRow:
    """Best of ``repeat`` interleaved runs of the bare migrations and of the review.

    ``url_for()`` is a context manager yielding an empty database's URL (``None``: the
    review's own scratch SQLite file).
    """
    best_bare = best_review = float("inf")
    with tempfile.TemporaryDirectory(prefix="schemaspec_bench_") as directory:
        ini = write_history(Path(directory), revisions)
        for _ in range(repeat):
            with url_for() as url:
                start = time.perf_counter()
                bare(ini, url)
                best_bare = min(best_bare, time.perf_counter() - start)
                start = time.perf_counter()
                review(ini, url, revisions)
                best_review = min(best_review, time.perf_counter() - start)
    return ReviewRow(database, revisions, best_bare, best_review)


def review_lines(rows: list[ReviewRow]) -> list[str]:
    """A Markdown table: revisions, bare migrations, review, their ratio."""
    lines = [
        "| database | revisions | migrations alone (s) | check_migrations (s) | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.database} | {row.revisions} | {row.bare:.2f} | {row.review:.2f} "
            f"| {row.ratio:.2f}x |"
        )
    return lines
