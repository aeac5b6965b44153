"""Union members."""

from __future__ import annotations

import enum

from sqlalchemy import Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from unioncore.models.base import AuditMixin, Base


class MemberStatus(enum.StrEnum):
    # Names equal values: SQLAlchemy stores an Enum's names, and the database should hold
    # the same words the code reads.
    active = "active"
    inactive = "inactive"
    suspended = "suspended"


class Member(AuditMixin, Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_number: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    # Indexed by revision 3d5f7b9c1e2a: dispatchers search members by surname.
    last_name: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    # Added by revision 2c4e6a8b0d1f.
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # A native enum: a named type on PostgreSQL, an inline ENUM on MariaDB, VARCHAR on SQLite.
    status: Mapped[MemberStatus] = mapped_column(
        Enum(MemberStatus, name="member_status"), nullable=False, default=MemberStatus.active
    )
