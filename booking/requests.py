"""Parents request care (R-BK-1..2, R-SVC, R-SUP-10) and cancel it (R-CAN-1..3).

Prices, request windows and cancellation fees are the programme's figures, kept by ``vouchers``;
booking code receives them through the ``Pricing`` port so that it never imports the layer above.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Select, Subquery, bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from core.actors import Actor, Role
from core.audit import AuditEvent, event_row, record
from core.clock import SEOUL, Clock
from core.db import KeyedRows, one_of, read_rows, write_new
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import N_

from .agencies import Agency, agency_districts
from .bookings import (
    HOLDING,
    BookedChild,
    Booking,
    BookingKind,
    BookingState,
    conflicts_as,
    move,
)
from .households import ChildState, Household, MemberState, lock_own_household

# R-CAN-3 counts the strikes of a calendar month: two months back reach its first day
LATE_CANCELLATION_REACH = timedelta(days=62)


@dataclass(frozen=True)
class BookingDraft:
    service: str
    starts_at: datetime
    ends_at: datetime
    child_ids: tuple[int, ...]
    request_key: str
    kind: BookingKind = BookingKind.ADHOC
    sick_rate: str = "flat"
    sick_note: str = ""  # R-SVC table: "uploaded" or "at_visit" for sick-child care
    notes: str = ""
    # a visit of a full-day infant-care contract: the contract carries the month's price
    covered_by_contract: bool = False


@dataclass(frozen=True)
class Price:
    total: int
    government: int
    parent: int
    tariff_year: int
    tier: str
    capped_minutes: int
    lines: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RequestWindow:  # R-BK-1
    earliest_days: int
    latest_hours: int
    urgent_latest_hours: int
    blackout_from: time
    blackout_until: time


@dataclass(frozen=True)
class StrikeTerms:  # R-CAN-3
    count: int
    window_hours: int
    bar_months: int


class PricingTerms(NamedTuple):
    """A one-row query of what pricing needs, and the values of its parameters."""

    query: Subquery
    params: dict[str, Any]


class Pricing(Protocol):
    def price(
        self, session: Session, household: Household, draft: BookingDraft, minutes_used: int
    ) -> Price: ...

    def monthly_price(
        self,
        session: Session,
        household: Household,
        child_ids: tuple[int, ...],
        month: date,
        hours: int,
    ) -> Price: ...

    def request_window(self, day: date) -> RequestWindow: ...

    def cancellation_fee(self, booking: Booking, at: datetime, waived: bool) -> int: ...

    def strike_terms(self, day: date) -> StrikeTerms: ...

    def request_terms(self, household: Household, day: date) -> PricingTerms:
        """What ``price_request`` reads of the family for care on ``day``, as a query that the
        request's facts select from: both are read in one round trip. The query must be the
        same object every time (only its parameters vary): the statement around it is built
        once for it."""

    def price_request(
        self,
        session: Session,
        household: Household,
        draft: BookingDraft,
        minutes_used: int,
        clock: Clock,
        terms: Sequence[Any],
    ) -> Price:
        """``price``, after refusing a family that may not book now (R-PAY-2 arrears);
        ``terms`` is the row of ``request_terms``."""


def request_booking(
    session: Session, actor: Actor, draft: BookingDraft, *, pricing: Pricing, clock: Clock
) -> Booking:
    """A parent's request: checked, priced, its subsidised hours reserved, waiting to be matched.

    Idempotent: the same ``request_key`` returns the booking made the first time.
    """
    prepared = prepare_request(session, actor, draft, pricing=pricing, clock=clock)
    if not prepared.earlier:
        write_request(session, actor, prepared.booking, clock=clock)
    return prepared.booking


class PreparedRequest(NamedTuple):
    booking: Booking
    earlier: bool  # the booking made before with the same request key: nothing to write


def prepare_request(
    session: Session, actor: Actor, draft: BookingDraft, *, pricing: Pricing, clock: Clock
) -> PreparedRequest:
    """Check and price a parent's request: a new booking, not yet in the session (see
    ``write_request``), or the one made earlier with the same request key."""
    if actor.role is not Role.PARENT:
        raise NotFound()
    # one booking at a time per household: the reserved hours can never exceed the cap together,
    # and a double click that waited for the lock finds the first booking
    household = lock_own_household(session, actor)
    terms = pricing.request_terms(household, draft.starts_at.astimezone(SEOUL).date())
    facts = request_facts(session, household, draft, now=clock.now(), pricing=terms)
    if facts.earlier_id is not None:
        earlier = session.get(Booking, facts.earlier_id)
        assert earlier is not None
        return PreparedRequest(earlier, earlier=True)
    _check_member(household, draft)
    _check_window(draft, pricing.request_window(draft.starts_at.astimezone(SEOUL).date()), clock)
    if draft.service == "sick" and draft.sick_note not in ("uploaded", "at_visit"):
        message = N_("Sick-child care needs a doctor's note: upload it or show it at the visit.")
        raise ValidationFailed(message, code="doctor_note_required", fields={"sick_note": message})
    strikes = pricing.strike_terms(clock.now().astimezone(SEOUL).date())
    if facts.recent_cancellations >= strikes.count:  # fewer cannot make a bar (R-CAN-3)
        barred_until = barred_until_date(session, household.id, pricing=pricing, clock=clock)
        if barred_until is not None:
            raise Forbidden(
                N_("After three late cancellations this month, booking is paused until %(date)s."),
                code="barred",
                date=barred_until.isoformat(),
            )
    price = pricing.price_request(
        session, household, draft, facts.reserved_minutes, clock, facts.pricing_terms
    )
    if facts.child_busy:
        raise Conflict(N_("A child is already booked at this time."), code="child_already_booked")
    if facts.agency_id is None:
        raise Conflict(N_("No agency serves your district yet."), code="no_agency")
    if draft.covered_by_contract:  # R-PAY-3: the monthly contract is paid as a whole
        price = Price(0, 0, 0, price.tariff_year, price.tier, 0, [])
    booking = new_booking(
        household.id,
        facts.agency_id,
        draft,
        price,
        requested_by=actor.user_id,
        urgent=_is_urgent(draft, pricing, clock),
        clock=clock,
    )
    # loaded already: ranking reads them before the booking is written, without a query
    booking.household = household
    children = {child.id: child for child in household.children}
    for booked in booking.children:
        booked.child = children[booked.child_id]
    return PreparedRequest(booking, earlier=False)


def write_request(
    session: Session,
    actor: Actor,
    booking: Booking,
    *,
    clock: Clock,
    with_rows: Sequence[KeyedRows] = (),
) -> None:
    """Write a prepared booking with its children's time, its transitions, the audit event and
    ``with_rows`` (its offers, say) that take its key (``write_new``: the hottest write of the
    service skips the unit of work, and on PostgreSQL is one statement); on PostgreSQL a child
    already booked at that time fails here even if two requests raced."""
    event = KeyedRows(
        AuditEvent.__table__,
        "subject_id",
        [event_row(actor, "booking.requested", "booking", clock=clock)],
    )
    with conflicts_as(
        {
            "ex_booked_children_time": Conflict(
                N_("A child is already booked at this time."), code="child_already_booked"
            )
        }
    ):
        write_new(
            session,
            [booking, *booking.children, *booking.transitions],
            keyed=[event, *with_rows],
        )


@dataclass(frozen=True)
class RequestFacts:
    """What a new request must know of the family's other bookings, read in one round trip."""

    earlier_id: int | None  # the booking already made with this request key
    reserved_minutes: int  # R-SUP-10: subsidised minutes held against the year's cap
    child_busy: bool  # a child is already booked at this time
    recent_cancellations: int  # cancelled bookings within the reach of R-CAN-3
    agency_id: int | None  # the agency to book with (see ``_agency_choice``)
    pricing_terms: tuple[Any, ...]  # the row of the pricing's own query (``Pricing.request_terms``)


def request_facts(
    session: Session,
    household: Household,
    draft: BookingDraft,
    *,
    now: datetime,
    pricing: PricingTerms,
) -> RequestFacts:
    year_start = datetime(draft.starts_at.astimezone(SEOUL).year, 1, 1, tzinfo=SEOUL)
    row = read_rows(
        session,
        _request_facts_statement(pricing.query),
        {
            **pricing.params,
            "household_id": household.id,
            "district_code": household.district_code,
            "request_key": draft.request_key,
            "child_ids": list(draft.child_ids),
            "starts_at": draft.starts_at,
            "ends_at": draft.ends_at,
            "year_start": year_start,
            "year_end": year_start.replace(year=year_start.year + 1),
            "cancelled_since": now - LATE_CANCELLATION_REACH,
        },
    ).one()
    return RequestFacts(
        earlier_id=row.earlier_id,
        reserved_minutes=int(row.reserved_minutes or 0),
        child_busy=bool(row.child_busy),
        recent_cancellations=int(row.recent_cancellations or 0),
        agency_id=row.agency_id,
        pricing_terms=tuple(row)[len(row) - len(pricing.query.c) :],  # the pricing's come last
    )


@cache  # built once per pricing query: a request then only binds its values (no SQL is composed)
def _request_facts_statement(pricing: Subquery) -> Select[tuple[Any, ...]]:
    household_id = bindparam("household_id")
    by_key = select(Booking.id).where(
        Booking.household_id == household_id, Booking.request_key == bindparam("request_key")
    )
    child_busy = (
        select(BookedChild.booking_id)
        .where(
            BookedChild.child_id.in_(bindparam("child_ids", expanding=True)),
            BookedChild.active,  # the copy of "its booking holds the time"
            BookedChild.starts_at < bindparam("ends_at"),
            BookedChild.ends_at > bindparam("starts_at"),
        )
        .exists()
    )
    cancelled = select(func.count()).where(
        Booking.household_id == household_id,
        Booking.state == BookingState.CANCELLED,
        Booking.starts_at >= bindparam("cancelled_since"),
    )
    reserved = _reserved_minutes_query(household_id, bindparam("year_start"), bindparam("year_end"))
    agency = _agency_choice(household_id, bindparam("district_code"))
    return select(
        by_key.scalar_subquery().label("earlier_id"),
        reserved.scalar_subquery().label("reserved_minutes"),
        child_busy.label("child_busy"),
        cancelled.scalar_subquery().label("recent_cancellations"),
        agency.scalar_subquery().label("agency_id"),
        *pricing.c,
    ).select_from(pricing)


def new_booking(
    household_id: int,
    agency_id: int,
    draft: BookingDraft,
    price: Price,
    *,
    requested_by: int,
    clock: Clock,
    urgent: bool = False,
) -> Booking:
    """A requested booking of ``draft`` at ``price``, holding its children's time."""
    return Booking(
        household_id=household_id,
        agency_id=agency_id,
        kind=draft.kind.value,
        service=draft.service,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        state=BookingState.REQUESTED.value,
        urgent=urgent,
        total=price.total,
        government=price.government,
        parent=price.parent,
        tariff_year=price.tariff_year,
        tier=price.tier,
        capped_minutes=price.capped_minutes,
        price_lines=price.lines,
        sick_note=draft.sick_note,
        notes=draft.notes.strip(),
        requested_by_user_id=requested_by,
        request_key=draft.request_key,
        created_at=clock.now(),
        children=[
            BookedChild(
                child_id=child_id, starts_at=draft.starts_at, ends_at=draft.ends_at, active=True
            )
            for child_id in dict.fromkeys(draft.child_ids)
        ],
        transitions=[],  # none yet: known empty, never read back from the database
    )


def reserved_minutes(session: Session, household_id: int, year: int) -> int:
    """R-SUP-10: subsidised minutes the household's bookings hold against the year's cap."""
    year_start = datetime(year, 1, 1, tzinfo=SEOUL)
    return int(
        session.scalar(
            _reserved_minutes_query(household_id, year_start, year_start.replace(year=year + 1))
        )
        or 0
    )


def _reserved_minutes_query(
    household_id: Any, year_start: Any, year_end: Any
) -> Select[tuple[int]]:
    """Values or bound parameters: the query of ``reserved_minutes``, or a part of a larger one."""
    return select(func.coalesce(func.sum(Booking.capped_minutes), 0)).where(
        Booking.household_id == household_id,
        one_of(Booking.state, [s.value for s in HOLDING]),
        Booking.service != "infant_fullday",  # its hours count against a monthly cap
        Booking.starts_at >= year_start,
        Booking.starts_at < year_end,
    )


def _check_member(household: Household, draft: BookingDraft) -> None:
    if household.member_state != MemberState.FULL:  # R-BK-2
        raise Forbidden(
            N_(
                "Only full members can book: your tier decision "
                "or the agency's approval is pending."
            ),
            code="not_full_member",
        )
    children = {child.id: child for child in household.children}
    if not draft.child_ids or any(child_id not in children for child_id in draft.child_ids):
        message = N_("Choose children of your own household.")
        raise ValidationFailed(message, code="unknown_child", fields={"child_ids": message})
    if draft.kind is BookingKind.REGULAR and any(
        children[child_id].state != ChildState.REGULAR for child_id in draft.child_ids
    ):
        message = N_("A child on the waiting list can use ad-hoc care only.")
        raise ValidationFailed(message, code="child_waiting", fields={"child_ids": message})


def _check_window(draft: BookingDraft, window: RequestWindow, clock: Clock) -> None:
    """R-BK-1: from 5 days to 4 hours ahead (2 with the urgent surcharge), never between
    22:00 and 06:00; regular bookings are made in the monthly window instead."""
    now = clock.now()
    if draft.starts_at <= now:
        message = N_("The care must start in the future.")
        raise ValidationFailed(message, code="in_the_past", fields={"starts_at": message})
    if draft.kind is not BookingKind.ADHOC:
        return
    local = now.astimezone(SEOUL).time()
    if local >= window.blackout_from or local < window.blackout_until:
        raise ValidationFailed(
            N_("Requests are not accepted between 22:00 and 06:00."), code="night_request"
        )
    if draft.starts_at > now + timedelta(days=window.earliest_days):
        message = N_("Ad-hoc care can be requested at most 5 days ahead.")
        raise ValidationFailed(message, code="too_early", fields={"starts_at": message})
    if draft.starts_at < now + timedelta(hours=window.urgent_latest_hours):
        message = N_("Ad-hoc care must be requested at least 2 hours ahead.")
        raise ValidationFailed(message, code="too_late", fields={"starts_at": message})


def _is_urgent(draft: BookingDraft, pricing: Pricing, clock: Clock) -> bool:
    window = pricing.request_window(draft.starts_at.astimezone(SEOUL).date())
    return draft.kind is BookingKind.ADHOC and draft.starts_at < clock.now() + timedelta(
        hours=window.latest_hours
    )


def _agency_choice(household_id: Any, district_code: Any) -> Select[tuple[int]]:
    """The agency the family already uses if it still serves the district, else the first one."""
    serving = select(agency_districts.c.agency_id).where(
        agency_districts.c.district_code == district_code
    )
    last = (
        select(Booking.agency_id)
        .where(Booking.household_id == household_id)
        .order_by(Booking.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    first = (
        select(Agency.id)
        .where(Agency.id.in_(serving))
        .order_by(Agency.code)
        .limit(1)
        .scalar_subquery()
    )
    return select(
        func.coalesce(serving.where(agency_districts.c.agency_id == last).scalar_subquery(), first)
    )


# --- cancellations (R-CAN-1..3) ----------------------------------------------------------------


def cancellation_quote(
    booking: Booking, *, pricing: Pricing, clock: Clock, waived: bool = False
) -> int:
    """The fee the family would pay if it cancelled now (shown before it confirms)."""
    if booking.state not in (
        s.value
        for s in (
            BookingState.REQUESTED,
            BookingState.OFFERED,
            BookingState.MATCHED,
            BookingState.CONFIRMED,
        )
    ):
        raise Conflict(N_("This booking can no longer be cancelled."), code="not_cancellable")
    return pricing.cancellation_fee(booking, clock.now(), waived)


def cancel_booking(
    session: Session,
    actor: Actor,
    booking: Booking,
    *,
    reason: str,
    waived: bool,
    pricing: Pricing,
    clock: Clock,
) -> Booking:
    """R-CAN-1..2: the fee is fixed now; a late cancellation counts as a strike (R-CAN-3)."""
    fee = cancellation_quote(booking, pricing=pricing, clock=clock, waived=waived)
    booking.cancellation_fee = fee
    booking.cancellation_waived = waived
    booking.capped_minutes = 0  # R-SUP-10: the reserved hours are released
    move(booking, BookingState.CANCELLED, actor, clock=clock, reason=reason)
    session.flush()
    record(
        session,
        actor,
        "booking.cancelled",
        "booking",
        booking.id,
        clock=clock,
        fee=fee,
        waived=waived,
    )
    return booking


def late_cancellations(
    session: Session, household_id: int, *, pricing: Pricing, clock: Clock
) -> list[tuple[date, date]]:
    """R-CAN-3 strikes of the last two months: (day of the cancellation, service date) of each
    cancellation within 72 h of the start, counted once per service date."""
    now = clock.now()
    terms = pricing.strike_terms(now.astimezone(SEOUL).date())
    cancelled = session.scalars(
        select(Booking)
        .where(
            Booking.household_id == household_id,
            Booking.state == BookingState.CANCELLED,
            Booking.starts_at >= now - LATE_CANCELLATION_REACH,
        )
        .options(selectinload(Booking.transitions))  # each one's time of cancellation, at once
    )
    first_by_service_day: dict[date, date] = {}
    for booking in cancelled:
        at = booking.transitions[-1].at
        if (
            booking.starts_at - at <= timedelta(hours=terms.window_hours)
            and not booking.cancellation_waived
            and not booking.strike_bought_back
        ):
            service_day = booking.starts_at.astimezone(SEOUL).date()
            day = at.astimezone(SEOUL).date()
            first_by_service_day[service_day] = min(day, first_by_service_day.get(service_day, day))
    return sorted((day, service_day) for service_day, day in first_by_service_day.items())


def strikes_this_month(
    session: Session, household_id: int, *, pricing: Pricing, clock: Clock
) -> int:
    today = clock.now().astimezone(SEOUL).date()
    return sum(
        1
        for day, _ in late_cancellations(session, household_id, pricing=pricing, clock=clock)
        if (day.year, day.month) == (today.year, today.month)
    )


def barred_until_date(
    session: Session, household_id: int, *, pricing: Pricing, clock: Clock
) -> date | None:
    """R-CAN-3: the third strike of a calendar month bars booking for a month from that day."""
    today = clock.now().astimezone(SEOUL).date()
    terms = pricing.strike_terms(today)
    by_month: dict[tuple[int, int], list[date]] = {}
    for day, _ in late_cancellations(session, household_id, pricing=pricing, clock=clock):
        by_month.setdefault((day.year, day.month), []).append(day)
    ends = []
    for days in by_month.values():
        if len(days) >= terms.count:
            ends.append(_add_months(days[terms.count - 1], terms.bar_months))
    until = max(ends, default=None)
    return until if until is not None and until > today else None


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
