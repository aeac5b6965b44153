"""phase7 referral dispatch tables

Revision ID: 7f3e2a1b9c0d
Revises: 9d48d853728b
Create Date: 2026-02-05 11:00:00

Creates the six Phase 7 tables exactly as unioncore.models defines them: every constraint and
index is named by the metadata's naming convention (op.f marks a name as final).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7f3e2a1b9c0d"
down_revision: str | Sequence[str] | None = "9d48d853728b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def audit_columns() -> list[sa.Column[object]]:
    """The columns of unioncore.models.base.AuditMixin, fresh for each table."""
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True
        ),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "referral_books",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("book_number", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=50), nullable=False),
        sa.Column("contract_code", sa.String(length=50), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        *audit_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_books")),
    )
    op.create_table(
        "book_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("applicant_priority_number", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column(
            "registration_date",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        *audit_columns(),
        sa.CheckConstraint(
            "applicant_priority_number >= 0",
            name=op.f("ck_book_registrations_apn_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["referral_books.id"],
            name=op.f("fk_book_registrations_book_id_referral_books"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_book_registrations_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_registrations")),
        sa.UniqueConstraint(
            "member_id", "book_id", name=op.f("uq_book_registrations_member_id_book_id")
        ),
    )
    op.create_index(
        "ix_book_registrations_book_apn",
        "book_registrations",
        ["book_id", "applicant_priority_number"],
        unique=False,
    )
    op.create_table(
        "registration_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        *audit_columns(),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["book_registrations.id"],
            name=op.f("fk_registration_activities_registration_id_book_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_activities")),
    )
    op.create_index(
        op.f("ix_registration_activities_registration_id"),
        "registration_activities",
        ["registration_id"],
        unique=False,
    )
    op.create_table(
        "labor_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("workers_requested", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("wage_rate", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *audit_columns(),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["referral_books.id"],
            name=op.f("fk_labor_requests_book_id_referral_books"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labor_requests")),
    )
    op.create_index(op.f("ix_labor_requests_book_id"), "labor_requests", ["book_id"], unique=False)
    op.create_table(
        "job_bids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("labor_request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "bid_time", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("accepted", sa.Boolean(), server_default=sa.false(), nullable=False),
        *audit_columns(),
        sa.ForeignKeyConstraint(
            ["labor_request_id"],
            ["labor_requests.id"],
            name=op.f("fk_job_bids_labor_request_id_labor_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_job_bids_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_bids")),
    )
    op.create_index(
        op.f("ix_job_bids_labor_request_id"), "job_bids", ["labor_request_id"], unique=False
    )
    op.create_index(op.f("ix_job_bids_member_id"), "job_bids", ["member_id"], unique=False)
    op.create_table(
        "dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("labor_request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=True),
        sa.Column("replaced_bid_id", sa.Integer(), nullable=True),
        sa.Column(
            "dispatched_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        *audit_columns(),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["job_bids.id"], name=op.f("fk_dispatches_bid_id_job_bids")
        ),
        sa.ForeignKeyConstraint(
            ["labor_request_id"],
            ["labor_requests.id"],
            name=op.f("fk_dispatches_labor_request_id_labor_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_dispatches_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_bid_id"],
            ["job_bids.id"],
            name=op.f("fk_dispatches_replaced_bid_id_job_bids"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    op.create_index(op.f("ix_dispatches_bid_id"), "dispatches", ["bid_id"], unique=False)
    op.create_index(
        op.f("ix_dispatches_labor_request_id"), "dispatches", ["labor_request_id"], unique=False
    )
    op.create_index(op.f("ix_dispatches_member_id"), "dispatches", ["member_id"], unique=False)
    op.create_index(
        op.f("ix_dispatches_replaced_bid_id"), "dispatches", ["replaced_bid_id"], unique=False
    )


def downgrade() -> None:
    # Reverse foreign-key order: each table goes before the tables it references. Indexes go
    # with their tables; dropping them first would fail on MariaDB, which refuses to drop an
    # index a foreign key still uses.
    op.drop_table("dispatches")
    op.drop_table("job_bids")
    op.drop_table("labor_requests")
    op.drop_table("registration_activities")
    op.drop_table("book_registrations")
    op.drop_table("referral_books")
