"""A member's bid on a labor request."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unioncore.models.base import AuditMixin, Base

if TYPE_CHECKING:
    from unioncore.models.dispatch import Dispatch


class JobBid(AuditMixin, Base):
    __tablename__ = "job_bids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    labor_request_id: Mapped[int] = mapped_column(
        ForeignKey("labor_requests.id"), nullable=False, index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), nullable=False, index=True)
    bid_time: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    accepted: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())

    # dispatches has two foreign keys to job_bids (bid_id and replaced_bid_id), so the join
    # must be named on both sides or configure_mappers() raises AmbiguousForeignKeysError.
    dispatch: Mapped[Dispatch | None] = relationship(
        back_populates="bid", foreign_keys="[Dispatch.bid_id]", uselist=False
    )
