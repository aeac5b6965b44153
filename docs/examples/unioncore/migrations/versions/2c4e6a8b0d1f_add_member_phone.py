"""add members.phone

Revision ID: 2c4e6a8b0d1f
Revises: 1a2b3c4d5e6f
Create Date: 2026-01-20 10:15:00

One of two branches made in parallel on top of 1a2b3c4d5e6f; 9d48d853728b merges them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2c4e6a8b0d1f"
down_revision: str | Sequence[str] | None = "1a2b3c4d5e6f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode so the same revision runs on SQLite, which rebuilds the table instead.
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_column("phone")
