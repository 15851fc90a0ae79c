"""Monthly settlement with each agency: lock the month into a snapshot, then claim from it.

``lock_month`` copies every settleable booking (completed visits, no-shows, cancellation fees,
waived cancellations) and every confirmed full-day contract into ``settlement_items``, once: the
item's ``source`` is unique, so nothing is ever claimed twice. Bookings of earlier months that
became settleable late are picked up by the next lock as corrections. ``build_claims`` checks the
items (reason codes), and makes one draft claim per agency; a re-run replaces drafts only.
Confirming a claim posts the voucher claim to the ledger; paying it posts the payment.

All of it is set-based SQL so that a national month (hundreds of thousands of visits) settles in
seconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from booking.bookings import BookedChild, Booking, BookingSeries, BookingState
from booking.households import Household
from core.clock import SEOUL, Clock
from core.db import Base
from core.errors import Conflict
from core.i18n import N_

from .cancellation import waived_cancellation_pay
from .payments import CommandState, Operation, Payment, PaymentCommand
from .sql_dates import minutes_between, seoul_month
from .tariffs import TariffBook

CORRECTION_DAYS = 366  # bookings this far back may still be settled late, as corrections


class ItemKind(enum.StrEnum):
    VISIT = "visit"
    NO_SHOW = "no_show"
    CANCELLATION_FEE = "cancellation_fee"
    WAIVED_CANCELLATION = "waived_cancellation"
    CONTRACT = "contract"
    REFUND = "refund"  # a card refund for a correction, deducted from the agency's claim


class Reason(enum.StrEnum):
    """Why a line's government share is not claimed (rejected) or reduced (adjusted)."""

    OVER_CAP = "over_cap"
    NO_EFFECTIVE_TIER = "no_effective_tier"
    UNQUALIFIED_CAREGIVER = "unqualified_caregiver"
    DUPLICATE = "duplicate"


class ClaimState(enum.StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PAID = "paid"


class AgencyClaim(Base):
    __tablename__ = "agency_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    state: Mapped[str] = mapped_column(String(10), default=ClaimState.DRAFT)
    lines: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    government: Mapped[int] = mapped_column(default=0)  # as claimed, after the checks
    parent: Mapped[int] = mapped_column(default=0)
    fees: Mapped[int] = mapped_column(default=0)
    refunds: Mapped[int] = mapped_column(default=0)
    payable: Mapped[int] = mapped_column(default=0)  # government + parent + fees - refunds
    built_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]

    __table_args__ = (Index("uq_agency_claims_month_agency", "month", "agency_id", unique=True),)


class SettlementItem(Base):
    """One line of the snapshot: a booking (or contract) as it stood when the month was locked.

    A line belongs to the claim of its month and agency (``AgencyClaim`` is unique on both).
    """

    __tablename__ = "settlement_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), unique=True)  # booking:ID or contract:ID
    month: Mapped[str] = mapped_column(String(7))  # the month that claims it
    service_month: Mapped[str] = mapped_column(String(7))  # earlier: a correction
    kind: Mapped[str] = mapped_column(String(20))
    # agency, household and caregiver are copied from the booking (or contract) in the same
    # statement, whose foreign key vouches for them: no key of their own, so a national lock
    # does not check three more keys for each of its hundreds of thousands of rows
    agency_id: Mapped[int]
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"))
    household_id: Mapped[int]
    district_code: Mapped[str] = mapped_column(String(5))
    caregiver_id: Mapped[int | None]
    service: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    minutes: Mapped[int]
    children: Mapped[int]
    tier: Mapped[str] = mapped_column(String(8))
    total: Mapped[int]
    government: Mapped[int]
    parent: Mapped[int]
    fee: Mapped[int] = mapped_column(default=0)
    refund: Mapped[int] = mapped_column(default=0)
    claimed_government: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(10), default="accepted")  # adjusted, rejected

    __table_args__ = (
        Index("ix_settlement_items_month_agency", "month", "agency_id"),
        Index("ix_settlement_items_caregiver_time", "caregiver_id", "starts_at"),
    )


@dataclass(frozen=True)
class LockResult:
    month: str
    items: int
    corrections: int


def month_bounds(month: str) -> tuple[datetime, datetime]:
    year, number = (int(part) for part in month.split("-"))
    start = datetime.combine(date(year, number, 1), time(0), tzinfo=SEOUL)
    following = date(year + number // 12, number % 12 + 1, 1)
    return start, datetime.combine(following, time(0), tzinfo=SEOUL)


def lock_month(session: Session, month: str, *, tariffs: TariffBook, clock: Clock) -> LockResult:
    """Snapshot what the month (and any late earlier booking) owes; idempotent.

    Agencies whose claim for the month is already confirmed get nothing more this month: their
    late items wait for the next month, as corrections. A booking locked earlier whose amounts
    changed since (an extension reported late, say) gets a correction line with the difference.
    """
    start, end = month_bounds(month)
    if end > clock.now():
        raise Conflict(N_("A month is settled after it ends."), code="month_not_over")
    closed = select(AgencyClaim.agency_id).where(
        AgencyClaim.month == month, AgencyClaim.state != ClaimState.DRAFT
    )
    window = start - timedelta(days=CORRECTION_DAYS)
    before = _items_of(session, month)
    _lock_bookings(session, month, window, end, closed)
    _lock_changes(session, month, window, end, closed)
    _lock_contracts(session, month, start, end, closed)
    _lock_refunds(session, month, end, closed)
    inserted = _items_of(session, month) - before
    _waived_pay(session, month, tariffs)
    corrections = session.scalar(
        select(func.count()).where(
            SettlementItem.month == month, SettlementItem.service_month != month
        )
    )
    session.flush()
    return LockResult(month, inserted, int(corrections or 0))


def _booking_amounts(session: Session) -> dict[str, Any]:
    """What each settleable booking owes now, as SQL expressions over ``bookings``."""
    minutes = minutes_between(Booking.starts_at, Booking.ends_at, session)
    booked_minutes = func.nullif(minutes, 0)
    extra_total = func.coalesce(Booking.total * Booking.extension_minutes // booked_minutes, 0)
    extra_government = func.coalesce(
        Booking.government * Booking.extension_minutes // booked_minutes, 0
    )
    no_show = Booking.state == BookingState.NO_SHOW
    visit = Booking.state == BookingState.COMPLETED
    delivered = visit | no_show
    return {
        "minutes": case((delivered, minutes + Booking.extension_minutes), else_=0),
        "total": case((no_show, Booking.total), (visit, Booking.total + extra_total), else_=0),
        "government": case((visit, Booking.government + extra_government), else_=0),
        "parent": case(
            (no_show, Booking.total),
            (visit, Booking.parent + extra_total - extra_government),
            else_=0,
        ),
        "fee": case(
            (delivered, 0),
            (Booking.strike_bought_back, Booking.cancellation_fee * 2),  # R-CAN-3
            else_=Booking.cancellation_fee,
        ),
    }


def _booking_facts(session: Session, month: str) -> dict[str, Any]:
    return {
        "month": literal(month),
        "service_month": seoul_month(Booking.starts_at, session),
        "kind": case(
            (Booking.state == BookingState.COMPLETED, literal(ItemKind.VISIT.value)),
            (Booking.state == BookingState.NO_SHOW, literal(ItemKind.NO_SHOW.value)),
            (Booking.cancellation_waived, literal(ItemKind.WAIVED_CANCELLATION.value)),
            else_=literal(ItemKind.CANCELLATION_FEE.value),
        ),
        "agency_id": Booking.agency_id,
        "booking_id": Booking.id,
        "household_id": Booking.household_id,
        "district_code": Household.district_code,
        "caregiver_id": Booking.caregiver_id,
        "service": Booking.service,
        "starts_at": Booking.starts_at,
        "ends_at": Booking.ends_at,
        "children": select(func.count())
        .where(BookedChild.booking_id == Booking.id)
        .scalar_subquery(),
        "tier": Booking.tier,
    }


def _settleable(window: datetime, end: datetime, closed) -> Any:
    return and_(
        Booking.starts_at >= window,
        Booking.starts_at < end,
        or_(
            Booking.state.in_([BookingState.COMPLETED.value, BookingState.NO_SHOW.value]),
            and_(
                Booking.state == BookingState.CANCELLED,
                or_(
                    Booking.cancellation_fee > 0,
                    and_(Booking.cancellation_waived, Booking.caregiver_id.is_not(None)),
                ),
            ),
        ),
        Booking.agency_id.not_in(closed),
    )


def _lock_bookings(session: Session, month: str, window, end, closed) -> None:
    source = literal("booking:") + func.cast(Booking.id, String)
    amounts = _booking_amounts(session)
    values = {
        "source": source,
        **_booking_facts(session, month),
        **amounts,
        "claimed_government": amounts["government"],
    }
    already = select(SettlementItem.id).where(SettlementItem.source == source)
    _snapshot(
        session,
        values,
        select(*values.values())
        .join(Household, Household.id == Booking.household_id)
        .where(_settleable(window, end, closed), ~exists(already)),
    )


def _lock_changes(session: Session, month: str, window, end, closed) -> None:
    """Bookings locked before whose amounts changed since: a line with the difference."""
    locked = (
        select(
            SettlementItem.booking_id,
            func.count().label("lines"),
            func.sum(SettlementItem.minutes).label("minutes"),
            func.sum(SettlementItem.total).label("total"),
            func.sum(SettlementItem.government).label("government"),
            func.sum(SettlementItem.parent).label("parent"),
            func.sum(SettlementItem.fee).label("fee"),
        )
        .where(
            SettlementItem.booking_id.is_not(None),
            SettlementItem.kind != ItemKind.REFUND,
            SettlementItem.starts_at >= window,
        )
        .group_by(SettlementItem.booking_id)
        .subquery()
    )
    now = _booking_amounts(session)
    delta = {name: now[name] - locked.c[name] for name in now}
    values = {
        "source": literal("booking:")
        + func.cast(Booking.id, String)
        + literal(":")
        + func.cast(locked.c.lines + 1, String),
        **_booking_facts(session, month),
        **delta,
        "claimed_government": delta["government"],
    }
    _snapshot(
        session,
        values,
        select(*values.values())
        .join(Household, Household.id == Booking.household_id)
        .join(locked, locked.c.booking_id == Booking.id)
        .where(
            _settleable(window, end, closed),
            or_(*(expression != 0 for expression in delta.values())),
        ),
    )


def _lock_contracts(session: Session, month: str, start, end, closed) -> None:
    source = literal("contract:") + func.cast(BookingSeries.id, String)
    values = {
        "source": source,
        "month": literal(month),
        "service_month": BookingSeries.month,
        "kind": literal(ItemKind.CONTRACT.value),
        "agency_id": BookingSeries.agency_id,
        "series_id": BookingSeries.id,
        "household_id": BookingSeries.household_id,
        "district_code": Household.district_code,
        "caregiver_id": BookingSeries.caregiver_id,
        "service": BookingSeries.service,
        "starts_at": literal(start),
        "ends_at": literal(end),
        "minutes": func.coalesce(BookingSeries.monthly_hours, 0) * 60,
        "children": literal(1),
        "tier": literal(""),
        "total": BookingSeries.total,
        "government": BookingSeries.government,
        "claimed_government": BookingSeries.government,
        "parent": BookingSeries.parent,
    }
    already = select(SettlementItem.id).where(SettlementItem.source == source)
    _snapshot(
        session,
        values,
        select(*values.values())
        .join(Household, Household.id == BookingSeries.household_id)
        .where(
            BookingSeries.state == "confirmed",
            BookingSeries.total > 0,
            BookingSeries.month <= month,
            BookingSeries.agency_id.not_in(closed),
            ~exists(already),
        ),
    )


def _lock_refunds(session: Session, month: str, end, closed) -> None:
    """Card refunds made for corrections before the month ended, charged to the agency."""
    source = literal("refund:") + func.cast(PaymentCommand.id, String)
    facts = _booking_facts(session, month)
    values = {
        **facts,
        "source": source,
        "kind": literal(ItemKind.REFUND.value),
        "children": literal(0),
        "minutes": literal(0),
        **{name: literal(0) for name in ("total", "government", "parent", "fee")},
        "refund": PaymentCommand.amount,
    }
    already = select(SettlementItem.id).where(SettlementItem.source == source)
    _snapshot(
        session,
        values,
        select(*values.values())
        .select_from(PaymentCommand)
        .join(Payment, Payment.id == PaymentCommand.payment_id)
        .join(Booking, Booking.id == Payment.booking_id)
        .join(Household, Household.id == Booking.household_id)
        .where(
            PaymentCommand.operation == Operation.REFUND,
            PaymentCommand.state == CommandState.DONE,
            PaymentCommand.done_at < end,
            Booking.agency_id.not_in(closed),
            ~exists(already),
        ),
    )


def _snapshot(session: Session, values: dict[str, Any], rows: Any) -> None:
    """INSERT … SELECT: the rows never leave the database."""
    session.execute(insert(SettlementItem).from_select(list(values), rows))


def _items_of(session: Session, month: str) -> int:
    return int(session.scalar(select(func.count()).where(SettlementItem.month == month)) or 0)


def _waived_pay(session: Session, month: str, tariffs: TariffBook) -> None:
    """R-CAN-2, R-CG-3: a waived cancellation pays the caregiver one hourly fee of its year."""
    years = session.scalars(
        select(SettlementItem.service_month)
        .distinct()
        .where(
            SettlementItem.month == month,
            SettlementItem.kind == ItemKind.WAIVED_CANCELLATION,
        )
    )
    for service_month in list(years):
        tariff = tariffs.for_date(date.fromisoformat(f"{service_month}-01"))
        session.execute(
            update(SettlementItem)
            .where(
                SettlementItem.month == month,
                SettlementItem.service_month == service_month,
                SettlementItem.kind == ItemKind.WAIVED_CANCELLATION,
            )
            .values(fee=waived_cancellation_pay(tariff))
        )
