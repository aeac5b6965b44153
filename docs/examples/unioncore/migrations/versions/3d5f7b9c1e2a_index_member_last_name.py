"""index members.last_name

Revision ID: 3d5f7b9c1e2a
Revises: 1a2b3c4d5e6f
Create Date: 2026-01-22 14:40:00

One of two branches made in parallel on top of 1a2b3c4d5e6f; 9d48d853728b merges them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3d5f7b9c1e2a"
down_revision: str | Sequence[str] | None = "1a2b3c4d5e6f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_members_last_name"), "members", ["last_name"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_members_last_name"), table_name="members")
