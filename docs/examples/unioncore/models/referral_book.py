"""Referral books: the out-of-work lists members register on."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from unioncore.models.base import AuditMixin, Base


class ReferralBook(AuditMixin, Base):
    __tablename__ = "referral_books"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    book_number: Mapped[int] = mapped_column(Integer, nullable=False)
    region: Mapped[str] = mapped_column(String(50), nullable=False)
    # Nullable on purpose: books that are not tied to a contract have none.
    contract_code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    # true() renders as each dialect spells it (true on PostgreSQL/MariaDB, 1 on SQLite).
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
