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
from datetime import date, datetime, time

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
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
from .tariffs import TariffBook


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
    """One line of the snapshot: a booking (or contract) as it stood when the month was locked."""

    __tablename__ = "settlement_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), unique=True)  # booking:ID or contract:ID
    month: Mapped[str] = mapped_column(String(7))  # the month that claims it
    service_month: Mapped[str] = mapped_column(String(7))  # earlier: a correction
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("agency_claims.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    district_code: Mapped[str] = mapped_column(String(5))
    caregiver_id: Mapped[int | None] = mapped_column(ForeignKey("caregivers.id"))
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
        Index("ix_settlement_items_claim", "claim_id"),
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
    late items wait for the next month, as corrections.
    """
    start, end = month_bounds(month)
    if end > clock.now():
        raise Conflict(N_("A month is settled after it ends."), code="month_not_over")
    closed = select(AgencyClaim.agency_id).where(
        AgencyClaim.month == month, AgencyClaim.state != ClaimState.DRAFT
    )
    already = select(SettlementItem.id).where(
        SettlementItem.source == literal("booking:") + func.cast(Booking.id, String)
    )
    minutes = _minutes(Booking.starts_at, Booking.ends_at, session)
    children = select(func.count()).where(BookedChild.booking_id == Booking.id).scalar_subquery()
    booked_minutes = func.nullif(minutes, 0)
    extra_total = Booking.total * Booking.extension_minutes // booked_minutes
    extra_government = Booking.government * Booking.extension_minutes // booked_minutes
    is_no_show = Booking.state == BookingState.NO_SHOW
    kind = case(
        (Booking.state == BookingState.COMPLETED, literal(ItemKind.VISIT.value)),
        (is_no_show, literal(ItemKind.NO_SHOW.value)),
        (Booking.cancellation_waived, literal(ItemKind.WAIVED_CANCELLATION.value)),
        else_=literal(ItemKind.CANCELLATION_FEE.value),
    )
    delivered = Booking.state.in_([BookingState.COMPLETED.value, BookingState.NO_SHOW.value])
    service_month = _month_of(Booking.starts_at, session)
    rows = (
        select(
            literal("booking:") + func.cast(Booking.id, String),
            literal(month),
            service_month,
            kind,
            Booking.agency_id,
            Booking.id,
            Booking.household_id,
            Household.district_code,
            Booking.caregiver_id,
            Booking.service,
            Booking.starts_at,
            Booking.ends_at,
            case((delivered, minutes + Booking.extension_minutes), else_=0),
            children,
            Booking.tier,
            case(
                (is_no_show, Booking.total),
                (delivered, Booking.total + func.coalesce(extra_total, 0)),
                else_=0,
            ),
            case(
                (delivered & ~is_no_show, Booking.government + func.coalesce(extra_government, 0)),
                else_=0,
            ),
            case(
                (is_no_show, Booking.total),
                (
                    delivered,
                    Booking.parent
                    + func.coalesce(extra_total, 0)
                    - func.coalesce(extra_government, 0),
                ),
                else_=0,
            ),
            case(
                (delivered, 0),
                (Booking.strike_bought_back, Booking.cancellation_fee * 2),  # R-CAN-3
                else_=Booking.cancellation_fee,
            ),
        )
        .join(Household, Household.id == Booking.household_id)
        .where(
            Booking.starts_at < end,
            or_(
                delivered,
                and_(
                    Booking.state == BookingState.CANCELLED,
                    or_(
                        Booking.cancellation_fee > 0,
                        and_(Booking.cancellation_waived, Booking.caregiver_id.is_not(None)),
                    ),
                ),
            ),
            Booking.agency_id.not_in(closed),
            ~exists(already),
        )
    )
    columns = snapshot_columns("booking_id")
    before = _items_of(session, month)
    session.execute(insert(SettlementItem).from_select(columns, rows))
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


def _lock_contracts(session: Session, month: str, start, end, closed) -> None:
    already = select(SettlementItem.id).where(
        SettlementItem.source == literal("contract:") + func.cast(BookingSeries.id, String)
    )
    rows = (
        select(
            literal("contract:") + func.cast(BookingSeries.id, String),
            literal(month),
            BookingSeries.month,
            literal(ItemKind.CONTRACT.value),
            BookingSeries.agency_id,
            BookingSeries.id,
            BookingSeries.household_id,
            Household.district_code,
            BookingSeries.caregiver_id,
            BookingSeries.service,
            literal(start),
            literal(end),
            func.coalesce(BookingSeries.monthly_hours, 0) * 60,
            literal(1),
            literal(""),
            BookingSeries.total,
            BookingSeries.government,
            BookingSeries.parent,
            literal(0),
        )
        .join(Household, Household.id == BookingSeries.household_id)
        .where(
            BookingSeries.state == "confirmed",
            BookingSeries.total > 0,
            BookingSeries.month <= month,
            BookingSeries.agency_id.not_in(closed),
            ~exists(already),
        )
    )
    columns = snapshot_columns("series_id")
    session.execute(insert(SettlementItem).from_select(columns, rows))


def _lock_refunds(session: Session, month: str, end, closed) -> None:
    """Card refunds made for corrections before the month ended, charged to the agency."""
    already = select(SettlementItem.id).where(
        SettlementItem.source == literal("refund:") + func.cast(PaymentCommand.id, String)
    )
    rows = (
        select(
            literal("refund:") + func.cast(PaymentCommand.id, String),
            literal(month),
            _month_of(Booking.starts_at, session),
            literal(ItemKind.REFUND.value),
            Booking.agency_id,
            Booking.id,
            Booking.household_id,
            Household.district_code,
            Booking.caregiver_id,
            Booking.service,
            Booking.starts_at,
            Booking.ends_at,
            literal(0),
            literal(0),
            Booking.tier,
            literal(0),
            literal(0),
            literal(0),
            literal(0),
            PaymentCommand.amount,
        )
        .join(Payment, Payment.id == PaymentCommand.payment_id)
        .join(Booking, Booking.id == Payment.booking_id)
        .join(Household, Household.id == Booking.household_id)
        .where(
            PaymentCommand.operation == Operation.REFUND,
            PaymentCommand.state == CommandState.DONE,
            PaymentCommand.done_at < end,
            Booking.agency_id.not_in(closed),
            ~exists(already),
        )
    )
    columns = snapshot_columns("booking_id", refund=True)
    session.execute(insert(SettlementItem).from_select(columns, rows))


def snapshot_columns(link: str, *, refund: bool = False) -> list[str]:
    """The snapshot's columns, in the order the INSERT … SELECT statements give them."""
    columns = [
        "source", "month", "service_month", "kind", "agency_id", link, "household_id",
        "district_code", "caregiver_id", "service", "starts_at", "ends_at", "minutes",
        "children", "tier", "total", "government", "parent", "fee",
    ]  # fmt: skip
    return [*columns, "refund"] if refund else columns


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


def _minutes(starts, ends, session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(func.extract("epoch", ends - starts) / 60, Integer)
    return func.cast((func.julianday(ends) - func.julianday(starts)) * 1440 + 0.5, Integer)


def _month_of(column, session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Seoul", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+9 hours")


def seoul_date(column, session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Seoul", column))
    return func.date(column, "+9 hours")
