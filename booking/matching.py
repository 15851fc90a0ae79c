"""Matching a booking to a caregiver: automatic offers (R-BK-6) and the agency's hand (R-BK-4).

Ad-hoc requests are offered to up to 10 ranked caregivers; the first to accept gets the booking.
Offers expire after a set time, and the booking then waits for the agency to assign it by hand.
Every way in ends in ``_match``, which locks the booking, re-checks the caregiver's time and
flushes: on PostgreSQL the exclusion constraint makes a second booking of the same caregiver at
the same time impossible even if two requests race past the check.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock
from core.db import Base, KeyedRows
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_
from core.outbox import notify

from .assignment import Candidate, CaregiverLimits, rank_candidates
from .bookings import Booking, BookingState, flush_or_conflict, move, overlapping
from .caregivers import Caregiver
from .requests import BookingDraft, Pricing, prepare_request, write_request

MAX_OFFERS = 10  # R-BK-6


class OfferState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class Offer(Base):
    __tablename__ = "booking_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    caregiver_id: Mapped[int] = mapped_column(ForeignKey("caregivers.id"))
    rank: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default=OfferState.PENDING)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    booking: Mapped[Booking] = relationship()

    __table_args__ = (Index("ix_booking_offers_caregiver_state", "caregiver_id", "state"),)


class SlotTaken(Conflict):
    code = "slot_unavailable"
    message = N_("The caregiver is no longer free at this time.")


def describe(candidate: Candidate) -> str:
    """The ranking's reasons as stored text (English source; pages translate the parts)."""
    return " ".join(
        reason.message % reason.params if reason.params else reason.message
        for reason in candidate.reasons
    )


def request_and_offer(
    session: Session,
    actor: Actor,
    draft: BookingDraft,
    *,
    pricing: Pricing,
    limits: CaregiverLimits,
    clock: Clock,
    expires_in: timedelta,
) -> Booking:
    """A parent's request (``request_booking``), offered at once to the best caregivers.

    The caregivers are ranked before the booking is written, so that the booking, its children's
    time and its state are written in one flush. A repeated request key finds the booking made the
    first time and offers nothing again.
    """
    booking, earlier = prepare_request(session, actor, draft, pricing=pricing, clock=clock)
    if earlier:
        return booking
    ranked = rank_candidates(session, booking, limits=limits)[:MAX_OFFERS]
    if ranked:
        move(booking, BookingState.OFFERED, None, clock=clock, reason=_offered(ranked))
    # the offers are plain rows written with the booking: no objects for the unit of work
    offers = KeyedRows(Offer.__table__, "booking_id", _offer_rows(ranked, clock, expires_in))
    write_request(session, actor, booking, clock=clock, with_rows=[offers])
    return booking


def offer_booking(
    session: Session,
    booking: Booking,
    *,
    limits: CaregiverLimits,
    clock: Clock,
    expires_in: timedelta,
) -> list[Offer]:
    """Offer a written booking to the best caregivers; with none free it waits for the agency."""
    ranked = rank_candidates(session, booking, limits=limits)[:MAX_OFFERS]
    if not ranked:
        return []
    offers = list(
        session.scalars(
            insert(Offer).returning(Offer, sort_by_parameter_order=True),
            [{**row, "booking_id": booking.id} for row in _offer_rows(ranked, clock, expires_in)],
        )
    )
    move(booking, BookingState.OFFERED, None, clock=clock, reason=_offered(ranked))
    session.flush()
    return offers


def _offer_rows(
    ranked: list[Candidate], clock: Clock, expires_in: timedelta
) -> list[dict[str, object]]:
    """The offers as plain rows, but for their booking's id: ten objects per request would add
    up in the unit of work."""
    now = clock.now()
    return [
        {
            "caregiver_id": candidate.caregiver.id,
            "rank": rank,
            "reason": describe(candidate),
            "state": OfferState.PENDING.value,
            "created_at": now,
            "expires_at": now + expires_in,
        }
        for rank, candidate in enumerate(ranked, start=1)
    ]


def _offered(ranked: list[Candidate]) -> str:
    return f"offered to {len(ranked)} caregivers"


def pending_offers(session: Session, actor: Actor) -> list[Offer]:
    caregiver = _own_caregiver(session, actor)
    return list(
        session.scalars(
            select(Offer)
            .where(Offer.caregiver_id == caregiver.id, Offer.state == OfferState.PENDING)
            .order_by(Offer.created_at)
        )
    )


def accept_offer(
    session: Session, actor: Actor, offer_id: int, *, limits: CaregiverLimits, clock: Clock
) -> Booking:
    """The first caregiver to accept gets the booking; the others' offers are withdrawn."""
    caregiver = _own_caregiver(session, actor)
    offer = session.scalar(
        select(Offer).where(Offer.id == offer_id, Offer.caregiver_id == caregiver.id)
    )
    if offer is None:
        raise NotFound()
    booking = _locked(session, offer.booking_id)
    if (
        offer.state != OfferState.PENDING
        or booking.state != BookingState.OFFERED
        or offer.expires_at <= clock.now()
    ):
        raise Conflict(N_("This offer is no longer open."), code="offer_closed")
    _match(session, booking, caregiver.id, actor, limits=limits, clock=clock, reason=offer.reason)
    offer.state = OfferState.ACCEPTED.value
    session.execute(
        update(Offer)
        .where(
            Offer.booking_id == booking.id, Offer.id != offer.id, Offer.state == OfferState.PENDING
        )
        .values(state=OfferState.WITHDRAWN.value)
    )
    session.flush()
    return booking


def decline_offer(session: Session, actor: Actor, offer_id: int, *, clock: Clock) -> None:
    caregiver = _own_caregiver(session, actor)
    offer = session.scalar(
        select(Offer).where(Offer.id == offer_id, Offer.caregiver_id == caregiver.id)
    )
    if offer is None:
        raise NotFound()
    if offer.state != OfferState.PENDING:
        raise Conflict(N_("This offer is no longer open."), code="offer_closed")
    offer.state = OfferState.DECLINED.value
    booking = _locked(session, offer.booking_id)
    _back_to_agency_if_no_offers(session, booking, clock=clock)
    session.flush()


def assign(
    session: Session,
    actor: Actor,
    booking: Booking,
    caregiver_id: int,
    *,
    reason: str,
    limits: CaregiverLimits,
    clock: Clock,
    overtime: bool = False,
) -> Booking:
    """The agency assigns (or reassigns) by hand, with a reason; hard rules still apply."""
    if actor.role is not Role.AGENCY_STAFF or booking.agency_id != actor.agency_id:
        raise NotFound()
    caregiver = session.get(Caregiver, caregiver_id)
    if caregiver is None or caregiver.agency_id != actor.agency_id:
        raise NotFound()
    booking = _locked(session, booking.id)
    if booking.caregiver_id is not None:
        if not reason.strip():
            message = N_("Give the reason for the change.")
            raise ValidationFailed(message, code="reason_required", fields={"reason": message})
        unassign(session, actor, booking, reason=reason, clock=clock)
    candidates = rank_candidates(
        session, booking, limits=limits, overtime=overtime, only=caregiver_id
    )
    if not candidates:
        raise Conflict(
            N_("This caregiver cannot take the booking: skills, hours, leave or another visit."),
            code="caregiver_unsuitable",
        )
    chosen = reason.strip() or describe(candidates[0])
    _match(session, booking, caregiver_id, actor, limits=limits, clock=clock, reason=chosen)
    session.execute(
        update(Offer)
        .where(Offer.booking_id == booking.id, Offer.state == OfferState.PENDING)
        .values(state=OfferState.WITHDRAWN.value)
    )
    session.flush()
    return booking


def unassign(
    session: Session, actor: Actor, booking: Booking, *, reason: str, clock: Clock
) -> Booking:
    if actor.role is not Role.AGENCY_STAFF or booking.agency_id != actor.agency_id:
        raise NotFound()
    if booking.caregiver_id is None or booking.state not in (
        BookingState.MATCHED,
        BookingState.CONFIRMED,
    ):
        raise Conflict(N_("This booking has no caregiver to take off."), code="not_assigned")
    if not reason.strip():
        message = N_("Give the reason for the change.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": message})
    previous = booking.caregiver_id
    booking.caregiver_id = None
    move(booking, BookingState.REQUESTED, actor, clock=clock, reason=reason.strip())
    session.flush()
    record(
        session,
        actor,
        "booking.unassigned",
        "booking",
        booking.id,
        clock=clock,
        caregiver=previous,
        reason=reason.strip(),
    )
    return booking


def confirm(session: Session, actor: Actor, booking: Booking, *, clock: Clock) -> Booking:
    """The agency confirms the match (R-BK-1); the family is told who is coming."""
    if actor.role is not Role.AGENCY_STAFF or booking.agency_id != actor.agency_id:
        raise NotFound()
    move(booking, BookingState.CONFIRMED, actor, clock=clock)
    session.flush()
    notify(
        session,
        booking.household.applicant_user_id,
        "booking_confirmed",
        N_("Your booking of %(date)s is confirmed: %(caregiver)s will come."),
        clock=clock,
        link=f"/bookings/{booking.id}",
        date=booking.starts_at.isoformat(),
        caregiver=booking.caregiver.name if booking.caregiver else "",
    )
    return booking


def expire_offers(session: Session, *, clock: Clock) -> int:
    """Offers nobody accepted in time lapse; their bookings go back to the agency (R-BK-6)."""
    now = clock.now()
    stale = list(
        session.scalars(
            select(Offer).where(Offer.state == OfferState.PENDING, Offer.expires_at <= now)
        )
    )
    for offer in stale:
        offer.state = OfferState.EXPIRED.value
    for booking_id in {offer.booking_id for offer in stale}:
        _back_to_agency_if_no_offers(session, _locked(session, booking_id), clock=clock)
    session.flush()
    return len(stale)


def _back_to_agency_if_no_offers(session: Session, booking: Booking, *, clock: Clock) -> None:
    session.flush()
    still_open = session.scalar(
        select(Offer.id)
        .where(Offer.booking_id == booking.id, Offer.state == OfferState.PENDING)
        .limit(1)
    )
    if still_open is None and booking.state == BookingState.OFFERED:
        move(
            booking,
            BookingState.REQUESTED,
            None,
            clock=clock,
            reason="no caregiver accepted: the agency assigns",
        )


def _match(
    session: Session,
    booking: Booking,
    caregiver_id: int,
    actor: Actor,
    *,
    limits: CaregiverLimits,
    clock: Clock,
    reason: str,
) -> None:
    if overlapping(
        session,
        caregiver_id=caregiver_id,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        exclude=booking.id,
    ):
        raise SlotTaken()
    with session.no_autoflush:  # the change reaches the database at the flush below, not before
        booking.caregiver_id = caregiver_id
        booking.assignment_reason = reason
        move(booking, BookingState.MATCHED, actor, clock=clock, reason=reason)
    flush_or_conflict(session, {"ex_bookings_caregiver_time": SlotTaken()})
    record(
        session,
        actor,
        "booking.matched",
        "booking",
        booking.id,
        clock=clock,
        caregiver=caregiver_id,
    )


def _locked(session: Session, booking_id: int) -> Booking:
    booking = session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if booking is None:
        raise NotFound()
    return booking


def _own_caregiver(session: Session, actor: Actor) -> Caregiver:
    caregiver = (
        session.scalar(select(Caregiver).where(Caregiver.user_id == actor.user_id))
        if actor.role is Role.CAREGIVER
        else None
    )
    if caregiver is None:
        raise NotFound()
    return caregiver
