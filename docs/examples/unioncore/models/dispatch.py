"""A member sent to a job."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unioncore.models.base import AuditMixin, Base

if TYPE_CHECKING:
    from unioncore.models.job_bid import JobBid


class Dispatch(AuditMixin, Base):
    __tablename__ = "dispatches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    labor_request_id: Mapped[int] = mapped_column(
        ForeignKey("labor_requests.id"), nullable=False, index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), nullable=False, index=True)
    # Null for dispatches made without a bid (a direct call-out).
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("job_bids.id"), nullable=True, index=True)
    # The bid this dispatch replaced when a worker was swapped out.
    replaced_bid_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_bids.id"), nullable=True, index=True
    )
    dispatched_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="dispatched")

    # Two foreign keys lead to job_bids; foreign_keys says which one each relationship follows.
    bid: Mapped[JobBid | None] = relationship(back_populates="dispatch", foreign_keys=[bid_id])
    replaced_bid: Mapped[JobBid | None] = relationship(foreign_keys=[replaced_bid_id])
