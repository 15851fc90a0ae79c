"""Referrals to the officers' support queue from a home visit (R-ECH-2 → R-SUP-1..3).

When a visit links a family to the care service, the district's officers get a referral in
their queue: the family may be entitled to care with a tier, and an officer contacts it to
record its application for support (``support_applications.submit_application`` in person) so
that a family found at risk gets care without a second visit. A referral stays open until an
officer closes it (the application recorded, or the family declined).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Select, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from booking.home_visit_steps import ServiceLink
from booking.home_visit_steps import link_service as link_visit_service
from booking.home_visits import LinkedService, LinkedServiceKind, VisitCase, get_case
from booking.households import Household
from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock
from core.db import Base
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_


class ReferralStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class SupportReferral(Base):
    __tablename__ = "support_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("visit_cases.id", ondelete="CASCADE"))
    linked_service_id: Mapped[int | None] = mapped_column(
        ForeignKey("linked_services.id", ondelete="SET NULL")
    )
    # the family's household when it is registered with Dolbom (the October round)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    child_name: Mapped[str] = mapped_column(String(80))
    child_birth_date: Mapped[date]
    guardian_name: Mapped[str] = mapped_column(String(80))
    guardian_contact: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=ReferralStatus.OPEN)
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closing_note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[VisitCase] = relationship()
    household: Mapped[Household | None] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="referral_status_known"),
        # one open referral per child's case, enforced by the database
        Index(
            "uq_support_referrals_open_case",
            "case_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status == ReferralStatus.OPEN


def referrals_for_actor(actor: Actor) -> Select[tuple[SupportReferral]]:
    query = select(SupportReferral)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.OFFICER and actor.district_code:
        return query.where(SupportReferral.district_code == actor.district_code)
    return query.where(False)


def open_referrals(session: Session, actor: Actor) -> list[SupportReferral]:
    """The open referrals of the officer's district, oldest first (for the support queue)."""
    query = referrals_for_actor(actor).where(SupportReferral.status == ReferralStatus.OPEN)
    return list(session.scalars(query.order_by(SupportReferral.created_at, SupportReferral.id)))


def get_referral(session: Session, actor: Actor, referral_id: int) -> SupportReferral:
    referral = session.scalar(referrals_for_actor(actor).where(SupportReferral.id == referral_id))
    if referral is None:
        raise NotFound()
    return referral


def link_service(
    session: Session, actor: Actor, case_id: int, link: ServiceLink, *, clock: Clock
) -> LinkedService:
    """R-ECH-2: link a service to a visited child; the care service also refers the family to
    the district's support queue."""
    linked = link_visit_service(session, actor, case_id, link, clock=clock)
    if link.service is LinkedServiceKind.CARE_SERVICE:
        refer(session, actor, get_case(session, actor, case_id), linked, clock=clock)
    return linked


def refer(
    session: Session, actor: Actor, case: VisitCase, linked: LinkedService, *, clock: Clock
) -> SupportReferral:
    if session.scalar(
        select(SupportReferral.id).where(
            SupportReferral.case_id == case.id, SupportReferral.status == ReferralStatus.OPEN
        )
    ):
        raise Conflict(N_("This family is already in the support queue."), code="referral_open")
    referral = SupportReferral(
        district_code=case.district_code,
        case_id=case.id,
        linked_service_id=linked.id,
        household_id=case.child.household_id if case.child is not None else None,
        child_name=case.child_name,
        child_birth_date=case.child_birth_date,
        guardian_name=case.guardian_name,
        guardian_contact=case.guardian_phone,
        note=linked.note,
        status=ReferralStatus.OPEN.value,
        created_by_user_id=actor.user_id,
        created_at=clock.now(),
    )
    session.add(referral)
    session.flush()
    record(session, actor, "referral.opened", "support_referral", referral.id, clock=clock)
    return referral


def close_referral(
    session: Session, actor: Actor, referral_id: int, note: str, *, clock: Clock
) -> SupportReferral:
    """An officer closes a referral: the application recorded, or the family declined."""
    if actor.role is not Role.OFFICER:
        raise NotFound()
    referral = get_referral(session, actor, referral_id)
    if not referral.is_open:
        raise Conflict(N_("This referral is already closed."), code="referral_closed")
    if len(note) > 2000:
        raise ValidationFailed(fields={"note": N_("This text is too long.")})
    referral.status = ReferralStatus.CLOSED.value
    referral.closed_by_user_id = actor.user_id
    referral.closed_at = clock.now()
    referral.closing_note = note.strip()
    session.flush()
    record(session, actor, "referral.closed", "support_referral", referral.id, clock=clock)
    return referral
