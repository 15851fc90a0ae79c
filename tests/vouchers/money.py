"""Helpers for the money tests: a confirmed booking, a tier decision, and the ledger's checks."""

from __future__ import annotations

from sqlalchemy import func, select

from booking import matching
from booking.bookings import Booking
from booking.requests import request_booking
from tests.booking.conftest import LIMITS, caregiver, draft
from tests.factories import OfficerFactory, StaffFactory, parent_of
from tests.helpers import agency
from vouchers.booking_payments import owed_for, sync_booking
from vouchers.ledger import Account, balance, trial_balance, unbalanced_transactions
from vouchers.payment_events import BankDeposit
from vouchers.payments import Payment, PaymentSetup
from vouchers.tariffs import default_tariff_book
from vouchers.tier_decisions import TierDecision

TARIFFS = default_tariff_book()


def staff():
    return StaffFactory(agency_id=agency("AG035").id).actor


def give_tier(session, household, clock, tier="ga", groups=()):
    end = clock.now().date().replace(month=12, day=31)
    session.add(
        TierDecision(
            household_id=household.id,
            tier=tier,
            suggested_tier=tier,
            groups=list(groups),
            valid_from=clock.now().date(),
            valid_until=end,
            effective_until=end,
            inputs={},
            reason="",
            decided_by_user_id=OfficerFactory().id,
            decided_at=clock.now(),
        )
    )
    session.flush()


def confirmed_booking(
    session, clock, family, pricing, setup: PaymentSetup, *, key="k1", helper=None, **changes
) -> Booking:
    booking = request_booking(
        session,
        parent_of(family),
        draft(family, key=key, **changes),
        pricing=pricing,
        clock=clock,
    )
    who = helper or caregiver(user=True)
    matching.assign(session, staff(), booking, who.id, reason="", limits=LIMITS, clock=clock)
    matching.confirm(session, staff(), booking, clock=clock)
    sync_booking(session, booking, setup=setup, tariffs=TARIFFS, clock=clock)
    return booking


def sync(session, booking, setup, clock):
    return sync_booking(session, booking, setup=setup, tariffs=TARIFFS, clock=clock)


def assert_ledger_agrees(session) -> None:
    """Every transaction balances, and each family's receivable is what its bookings cost
    less what it paid."""
    assert unbalanced_transactions(session) == []
    assert trial_balance(session) == 0
    households = set(session.scalars(select(Booking.household_id)))
    for household_id in households:
        charged = 0
        for booking in session.scalars(select(Booking).where(Booking.household_id == household_id)):
            if booking.state in ("completed", "no_show"):
                charged += owed_for(booking).parent
            elif booking.state == "cancelled":
                charged += booking.cancellation_fee * (2 if booking.strike_bought_back else 1)
        payments = list(
            session.scalars(select(Payment).where(Payment.household_id == household_id))
        )
        card_paid = sum(p.captured for p in payments if p.method == "card")
        deposited = session.scalar(
            select(func.coalesce(func.sum(BankDeposit.amount), 0))
            .join(Payment, Payment.id == BankDeposit.payment_id)
            .where(Payment.household_id == household_id)
        )
        returned = sum(p.refunded for p in payments if p.method == "virtual_account")
        assert balance(session, Account.PARENT_RECEIVABLE, household_id) == (
            charged - card_paid - deposited + returned
        )
        held = sum(p.amount for p in payments if p.state == "authorised")
        assert balance(session, Account.PARENT_HOLDS, household_id) == -held
