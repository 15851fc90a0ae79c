"""The visit itself (R-BK-7): check-in, check-out, extensions and the family absent at the door.

Booked time is billed: care is never shortened after it starts, so checking out early changes
nothing in the price; an extension is recorded (agreed through the agency, or on site and
reported afterwards) and priced by the settlement.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock
from core.documents import DocumentStore, Upload, checked_uploads, safe_filename
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_

from .bookings import Booking, BookingState, move
from .caregivers import Caregiver

EARLIEST_CHECK_IN = timedelta(minutes=30)


def own_booking(session: Session, actor: Actor, booking_id: int) -> Booking:
    """A booking of the calling caregiver (others do not exist for them)."""
    if actor.role is not Role.CAREGIVER:
        raise NotFound()
    booking = session.scalar(
        select(Booking)
        .join(Caregiver, Caregiver.id == Booking.caregiver_id)
        .where(Booking.id == booking_id, Caregiver.user_id == actor.user_id)
    )
    if booking is None:
        raise NotFound()
    return booking


def check_in(session: Session, actor: Actor, booking_id: int, *, clock: Clock) -> Booking:
    booking = own_booking(session, actor, booking_id)
    if clock.now() < booking.starts_at - EARLIEST_CHECK_IN:
        raise Conflict(N_("Check in at most 30 minutes before the care starts."), code="too_early")
    move(booking, BookingState.IN_PROGRESS, actor, clock=clock)
    booking.checked_in_at = clock.now()
    session.flush()
    record(session, actor, "visit.checked_in", "booking", booking.id, clock=clock)
    return booking


def check_out(session: Session, actor: Actor, booking_id: int, *, clock: Clock) -> Booking:
    booking = own_booking(session, actor, booking_id)
    move(booking, BookingState.COMPLETED, actor, clock=clock)
    booking.checked_out_at = clock.now()
    session.flush()
    record(session, actor, "visit.checked_out", "booking", booking.id, clock=clock)
    return booking


def record_extension(
    session: Session, actor: Actor, booking_id: int, minutes: int, reason: str, *, clock: Clock
) -> Booking:
    """R-BK-7: time beyond the booking, in 30-minute units, with who agreed to it."""
    booking = own_booking(session, actor, booking_id)
    if booking.state not in (BookingState.IN_PROGRESS, BookingState.COMPLETED):
        raise Conflict(
            N_("An extension is recorded during or after the visit."), code="not_started"
        )
    if minutes <= 0 or minutes % 30:
        message = N_("Extensions are counted in half hours.")
        raise ValidationFailed(message, fields={"minutes": message})
    if not reason.strip():
        message = N_("Say who agreed to the extension.")
        raise ValidationFailed(message, fields={"reason": message})
    booking.extension_minutes += minutes
    session.flush()
    record(
        session,
        actor,
        "visit.extended",
        "booking",
        booking.id,
        clock=clock,
        minutes=minutes,
        reason=reason.strip(),
    )
    return booking


def record_no_show(session: Session, actor: Actor, booking_id: int, *, clock: Clock) -> Booking:
    """R-BK-7: nobody at the door: the family pays 100% with no government support."""
    booking = own_booking(session, actor, booking_id)
    if clock.now() < booking.starts_at:
        raise Conflict(
            N_("A no-show is recorded after the care was due to start."), code="too_early"
        )
    move(booking, BookingState.NO_SHOW, actor, clock=clock)
    booking.parent, booking.government = booking.total, 0
    session.flush()
    record(session, actor, "visit.no_show", "booking", booking.id, clock=clock)
    return booking


def attach_doctor_note(
    session: Session,
    booking: Booking,
    upload: Upload,
    *,
    store: DocumentStore,
    actor: Actor,
    clock: Clock,
) -> Booking:
    """Sick-child care: the family uploads the doctor's note (R-SVC table) before the visit."""
    if booking.service != "sick":
        message = N_("Only sick-child care needs a doctor's note.")
        raise ValidationFailed(message, code="not_sick_care", fields={"document": message})
    if booking.state not in (
        BookingState.REQUESTED,
        BookingState.OFFERED,
        BookingState.MATCHED,
        BookingState.CONFIRMED,
    ):
        raise Conflict(N_("This booking can no longer be changed."), code="booking_closed")
    ((checked, kind),) = checked_uploads([upload], field="document")
    booking.sick_note_key = store.save(checked.data, kind)
    booking.sick_note_filename = safe_filename(checked.filename)
    booking.sick_note_type = kind
    booking.sick_note = "uploaded"
    session.flush()
    record(session, actor, "booking.doctor_note", "booking", booking.id, clock=clock)
    return booking
