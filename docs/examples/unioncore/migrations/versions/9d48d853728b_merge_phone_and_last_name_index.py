"""merge the members.phone and members.last_name index branches

Revision ID: 9d48d853728b
Revises: 2c4e6a8b0d1f, 3d5f7b9c1e2a
Create Date: 2026-02-05 08:30:00

"""

from collections.abc import Sequence

revision: str = "9d48d853728b"
down_revision: str | Sequence[str] | None = ("2c4e6a8b0d1f", "3d5f7b9c1e2a")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
