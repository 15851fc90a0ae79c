"""The demo family's money: last month's visits paid and settled, a no-show left in arrears,
and next week's booking waiting for its virtual-account deposit."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking.bookings import Booking, BookingState, move
from booking.caregivers import Caregiver
from booking.households import Household
from booking.requests import BookingDraft, new_booking
from core.clock import SEOUL, Clock
from vouchers.booking_payments import sync_booking
from vouchers.booking_pricing import TariffPricing
from vouchers.claims import build_claims
from vouchers.payment_events import DepositNotice, record_deposit
from vouchers.payments import PaymentSetup
from vouchers.settlement import lock_month
from vouchers.tariffs import TariffBook

from .accounts.models import User

DEMO_PARENT = "parent@dolbom.kr"
DEMO_CAREGIVER = "caregiver@dolbom.kr"


def demo_money(session: Session, *, setup: PaymentSetup, tariffs: TariffBook, clock: Clock) -> None:
    household = session.scalar(
        select(Household)
        .join(User, User.id == Household.applicant_user_id)
        .where(User.email == DEMO_PARENT)
    )
    caregiver = session.scalar(
        select(Caregiver)
        .join(User, User.id == Caregiver.user_id)
        .where(User.email == DEMO_CAREGIVER)
    )
    assert household is not None and caregiver is not None
    today = clock.now().astimezone(SEOUL).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    plan = [  # (day, hour, outcome)
        (last_month + timedelta(days=6), 10, BookingState.COMPLETED),
        (last_month + timedelta(days=13), 10, BookingState.COMPLETED),
        (last_month + timedelta(days=20), 10, BookingState.NO_SHOW),
        (today + timedelta(days=3), 14, BookingState.CONFIRMED),
    ]
    pricing = TariffPricing(tariffs)
    for number, (day, hour, outcome) in enumerate(plan, start=1):
        if day.weekday() == 6:  # Sunday care is surcharged; keep the demo on weekdays
            day -= timedelta(days=1)
        starts = datetime.combine(day, time(hour), tzinfo=SEOUL)
        booking = _confirmed(session, household, caregiver, starts, number, pricing, clock)
        payment = sync_booking(session, booking, setup=setup, tariffs=tariffs, clock=clock)
        if outcome is BookingState.CONFIRMED or payment is None:
            continue
        record_deposit(
            session,
            DepositNotice(f"DEMO-{number}", payment.account_number, payment.amount, "김민지"),
            clock=clock,
        )
        if outcome is BookingState.COMPLETED:
            move(booking, BookingState.IN_PROGRESS, None, clock=clock)
            booking.checked_in_at, booking.checked_out_at = booking.starts_at, booking.ends_at
        else:
            booking.parent, booking.government = booking.total, 0
        move(booking, outcome, None, clock=clock)
        sync_booking(session, booking, setup=setup, tariffs=tariffs, clock=clock)
    month = last_month.strftime("%Y-%m")
    lock_month(session, month, tariffs=tariffs, clock=clock)
    build_claims(session, month, tariffs=tariffs, clock=clock)


def _confirmed(session, household, caregiver, starts, number, pricing, clock) -> Booking:
    draft = BookingDraft(
        service="basic",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        child_ids=tuple(child.id for child in household.children[:1]),
        request_key=f"demo-{number}",
    )
    price = pricing.price(session, household, draft, 0)
    booking = new_booking(
        household.id,
        caregiver.agency_id,
        draft,
        price,
        requested_by=household.applicant_user_id,
        clock=clock,
    )
    session.add(booking)
    booking.caregiver_id, booking.assignment_reason = caregiver.id, "demo"
    move(booking, BookingState.MATCHED, None, clock=clock, reason="demo")
    move(booking, BookingState.CONFIRMED, None, clock=clock)
    session.flush()
    return booking
