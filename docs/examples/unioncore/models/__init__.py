"""Every UnionCore model, registered on ``Base.metadata``.

Importing this package imports each model module, so ``unioncore.models:Base`` is the full
schema: the target metadata for Alembic and the "expected" side for schemaspec.
"""

from unioncore.models.base import AuditMixin, Base
from unioncore.models.book_registration import BookRegistration
from unioncore.models.dispatch import Dispatch
from unioncore.models.job_bid import JobBid
from unioncore.models.labor_request import LaborRequest
from unioncore.models.member import Member, MemberStatus
from unioncore.models.referral_book import ReferralBook
from unioncore.models.registration_activity import RegistrationActivity

__all__ = [
    "AuditMixin",
    "Base",
    "BookRegistration",
    "Dispatch",
    "JobBid",
    "LaborRequest",
    "Member",
    "MemberStatus",
    "ReferralBook",
    "RegistrationActivity",
]
