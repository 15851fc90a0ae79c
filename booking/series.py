"""Regular use (R-BK-1, R-BK-2): next month's weekly pattern, matched by the agency as a series.

In the monthly window (until the 25th), a family with regular children submits next month's
pattern, e.g. Monday, Wednesday and Friday 15:00–19:00. Each date becomes a booking of the series,
priced and holding its subsidised hours like any other; the agency assigns the whole series,
preferring one caregiver for all of it, and confirms it before the month starts.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actors import Actor, Role
from core.clock import SEOUL, Clock, seoul_today
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_

from .assignment import CaregiverLimits, rank_candidates
from .bookings import Booking, BookingKind, BookingSeries, BookingState
from .households import get_own_household
from .matching import assign, confirm
from .requests import BookingDraft, Pricing, request_booking

WINDOW_LAST_DAY = 25  # the monthly window for next month's schedule closes on the 25th


@dataclass(frozen=True)
class SeriesDraft:
    month: date  # any day of the month the pattern is for
    weekdays: tuple[int, ...]  # 0 = Monday
    starts_at: time
    ends_at: time
    child_ids: tuple[int, ...]
    service: str = "basic"
    notes: str = ""


def occurrences(draft: SeriesDraft) -> list[date]:
    first = draft.month.replace(day=1)
    days = calendar.monthrange(first.year, first.month)[1]
    return [
        first.replace(day=d)
        for d in range(1, days + 1)
        if first.replace(day=d).weekday() in draft.weekdays
    ]


def submit_series(
    session: Session, actor: Actor, draft: SeriesDraft, *, pricing: Pricing, clock: Clock
) -> BookingSeries:
    household = get_own_household(session, actor)
    today = seoul_today(clock)
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if draft.month.replace(day=1) != next_month or today.day > WINDOW_LAST_DAY:
        message = N_("Regular schedules are submitted for next month, until the 25th.")
        raise ValidationFailed(message, code="window_closed", fields={"month": message})
    if not draft.weekdays or any(not 0 <= d <= 6 for d in draft.weekdays):
        message = N_("Choose the days of the week.")
        raise ValidationFailed(message, fields={"weekdays": message})
    series = BookingSeries(
        household_id=household.id,
        agency_id=0,
        month=f"{next_month:%Y-%m}",
        service=draft.service,
        weekdays=sorted(set(draft.weekdays)),
        start_minute=draft.starts_at.hour * 60 + draft.starts_at.minute,
        end_minute=draft.ends_at.hour * 60 + draft.ends_at.minute,
        child_ids=list(draft.child_ids),
        state="submitted",
        created_by_user_id=actor.user_id,
        created_at=clock.now(),
    )
    contract = draft.service == "infant_fullday"  # R-SUP-10: a monthly contract, R-PAY-3
    bookings = []
    for day in occurrences(draft):
        booking = request_booking(
            session,
            actor,
            BookingDraft(
                service=draft.service,
                starts_at=datetime.combine(day, draft.starts_at, SEOUL),
                ends_at=datetime.combine(day, draft.ends_at, SEOUL),
                child_ids=draft.child_ids,
                request_key=f"series:{next_month:%Y-%m}:{day.isoformat()}:{draft.starts_at:%H%M}",
                kind=BookingKind.REGULAR,
                notes=draft.notes,
                covered_by_contract=contract,
            ),
            pricing=pricing,
            clock=clock,
        )
        bookings.append(booking)
    series.agency_id = bookings[0].agency_id if bookings else 0
    if contract:
        minutes = sum(int((b.ends_at - b.starts_at).total_seconds()) // 60 for b in bookings)
        series.monthly_hours = minutes // 60
        price = pricing.monthly_price(
            session, household, draft.child_ids, next_month, minutes // 60
        )
        series.total, series.government, series.parent = price.total, price.government, price.parent
    session.add(series)
    session.flush()
    for booking in bookings:
        booking.series_id = series.id
    session.flush()
    return series


def series_bookings(session: Session, series: BookingSeries) -> list[Booking]:
    return list(
        session.scalars(
            select(Booking).where(Booking.series_id == series.id).order_by(Booking.starts_at)
        )
    )


def get_series(session: Session, actor: Actor, series_id: int) -> BookingSeries:
    series = session.get(BookingSeries, series_id)
    if series is None:
        raise NotFound()
    if actor.role is Role.AGENCY_STAFF and series.agency_id == actor.agency_id:
        return series
    if actor.role is Role.PARENT and series.household_id == get_own_household(session, actor).id:
        return series
    raise NotFound()


def series_candidates(
    session: Session, series: BookingSeries, *, limits: CaregiverLimits
) -> list[int]:
    """Caregivers who can take every date of the series, best first by their rank on the first."""
    bookings = [
        b
        for b in series_bookings(session, series)
        if b.state in (BookingState.REQUESTED, BookingState.OFFERED)
    ]
    if not bookings:
        return []
    ranked = [c.caregiver.id for c in rank_candidates(session, bookings[0], limits=limits)]
    able = set(ranked)
    for booking in bookings[1:]:
        able &= {c.caregiver.id for c in rank_candidates(session, booking, limits=limits)}
    return [caregiver_id for caregiver_id in ranked if caregiver_id in able]


def assign_series(
    session: Session,
    actor: Actor,
    series_id: int,
    caregiver_id: int,
    *,
    reason: str,
    limits: CaregiverLimits,
    clock: Clock,
) -> BookingSeries:
    """One caregiver for the whole series; if a date cannot be taken, nothing is assigned."""
    series = get_series(session, actor, series_id)
    if actor.role is not Role.AGENCY_STAFF:
        raise NotFound()
    for booking in series_bookings(session, series):
        if booking.state in (BookingState.REQUESTED, BookingState.OFFERED):
            try:
                assign(
                    session, actor, booking, caregiver_id, reason=reason, limits=limits, clock=clock
                )
            except Conflict as error:
                raise Conflict(
                    N_("The caregiver cannot take the series on %(date)s."),
                    code="series_unassignable",
                    date=booking.starts_at.astimezone(SEOUL).date().isoformat(),
                ) from error
    series.caregiver_id = caregiver_id
    series.state = "matched"
    session.flush()
    return series


def confirm_series(
    session: Session, actor: Actor, series_id: int, *, clock: Clock
) -> BookingSeries:
    series = get_series(session, actor, series_id)
    if actor.role is not Role.AGENCY_STAFF or series.state != "matched":
        raise Conflict(N_("Assign the series before confirming it."), code="series_not_matched")
    for booking in series_bookings(session, series):
        if booking.state == BookingState.MATCHED:
            confirm(session, actor, booking, clock=clock)
    series.state = "confirmed"
    session.flush()
    return series
