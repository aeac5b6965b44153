"""A member's place on a referral book."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from unioncore.models.base import AuditMixin, Base


class BookRegistration(AuditMixin, Base):
    __tablename__ = "book_registrations"
    __table_args__ = (
        # Dispatch walks a book in priority order; this index is that walk.
        Index("ix_book_registrations_book_apn", "book_id", "applicant_priority_number"),
        UniqueConstraint("member_id", "book_id"),
        CheckConstraint("applicant_priority_number >= 0", name="apn_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    )
    book_id: Mapped[int] = mapped_column(ForeignKey("referral_books.id"), nullable=False)
    # NUMERIC(10,2), never Integer: the fractional part orders members registered on the same
    # day, and truncating it would reorder the book.
    applicant_priority_number: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    registration_date: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="registered")
