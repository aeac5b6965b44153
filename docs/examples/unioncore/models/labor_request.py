"""An employer's request for workers, filled from a referral book."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from unioncore.models.base import AuditMixin, Base


class LaborRequest(AuditMixin, Base):
    __tablename__ = "labor_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_name: Mapped[str] = mapped_column(String(200), nullable=False)
    book_id: Mapped[int] = mapped_column(
        ForeignKey("referral_books.id"), nullable=False, index=True
    )
    workers_requested: Mapped[int] = mapped_column(Integer, nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    wage_rate: Mapped[Decimal] = mapped_column(Numeric(8, 2), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
