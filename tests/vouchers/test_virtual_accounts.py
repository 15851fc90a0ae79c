"""The virtual-account backend (R-PAY-1, R-PAY-2), the ledger (double entry) and the jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking import visits
from booking.requests import cancel_booking
from core.clock import SEOUL
from core.errors import Forbidden, ValidationFailed
from tests.booking.conftest import TUESDAY_9, caregiver
from tests.factories import parent_of
from tests.vouchers.money import TARIFFS, assert_ledger_agrees, confirmed_booking, sync
from vouchers.arrears import arrears_account, arrears_of, refuse_when_suspended
from vouchers.gateways import VirtualAccountGateway
from vouchers.ledger import Account, UnbalancedTransaction, balance, leg, post
from vouchers.payment_events import DepositNotice, record_deposit
from vouchers.payment_jobs import expire_unpaid
from vouchers.payments import PaymentSetup, deposit_due

ACCOUNTS = VirtualAccountGateway(bank="NH", secret="s3cret")
SETUP = PaymentSetup(card=None, virtual_accounts=ACCOUNTS)
TERMS = TARIFFS.for_date(TUESDAY_9.date()).payment


def test_the_official_payment_figures_are_data():
    # R-PAY-2: 300,000 won or 30 days; holds placed at most 6 days ahead; deposit the day before
    assert (TERMS.arrears_limit, TERMS.arrears_days) == (300_000, 30)
    assert (TERMS.hold_days_ahead, TERMS.deposit_days_before) == (6, 1)


def test_a_confirmed_booking_gets_a_virtual_account_due_the_day_before(
    session, clock, family, pricing
):
    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    payment = sync(session, booking, SETUP, clock)
    assert payment.method == "virtual_account" and payment.state == "awaiting_deposit"
    assert payment.amount == booking.parent == 25580  # 2026 basic 12,790 × 2 h, no tier
    assert payment.account_number == ACCOUNTS.account_number(payment.id)
    assert len(payment.account_number) == 14
    # care on Tuesday 3 March 09:00: due by the end of Monday 2 March (Seoul)
    assert payment.due_at == datetime(2026, 3, 3, 0, 0, tzinfo=SEOUL)
    assert sync(session, booking, SETUP, clock) is payment  # idempotent: no second account


def test_same_day_care_is_due_an_hour_before_it_starts():
    now = datetime(2026, 3, 2, 10, tzinfo=SEOUL)
    starts = datetime(2026, 3, 2, 15, tzinfo=SEOUL)
    assert deposit_due(starts, TERMS, now) == datetime(2026, 3, 2, 14, tzinfo=SEOUL)


def test_a_deposit_pays_the_booking_once_and_the_visit_settles_it(session, clock, family, pricing):
    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    payment = sync(session, booking, SETUP, clock)
    notice = DepositNotice("BANK-1", payment.account_number, 25580, "김민지")
    record_deposit(session, notice, clock=clock)
    record_deposit(session, notice, clock=clock)  # the bank repeats itself: nothing changes
    assert (payment.state, payment.deposited) == ("paid", 25580)
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == -25580  # prepaid
    assert balance(session, Account.VIRTUAL_ACCOUNT_CLEARING) == 25580
    clock.instant = TUESDAY_9
    visits.check_in(session, _caregiver_actor(booking), booking.id, clock=clock)
    clock.instant = TUESDAY_9 + timedelta(hours=2)
    visits.check_out(session, _caregiver_actor(booking), booking.id, clock=clock)
    sync(session, booking, SETUP, clock)
    assert (payment.state, payment.captured) == ("captured", 25580)
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 0
    assert balance(session, Account.AGENCY_PAYABLE, booking.agency_id) == -25580
    assert_ledger_agrees(session)


def test_unpaid_virtual_accounts_cancel_the_booking_and_release_its_hours(
    session, clock, family, pricing
):
    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    payment = sync(session, booking, SETUP, clock)
    clock.instant = payment.due_at - timedelta(minutes=1)
    assert expire_unpaid(session, clock=clock) == 0
    clock.instant = payment.due_at
    assert expire_unpaid(session, clock=clock) == 1
    assert (payment.state, booking.state, booking.capped_minutes) == ("expired", "cancelled", 0)
    assert booking.transitions[-1].reason == "unpaid"
    assert expire_unpaid(session, clock=clock) == 0
    assert_ledger_agrees(session)


def test_a_late_cancellation_keeps_the_fee_from_the_deposit_and_returns_the_rest(
    session, clock, family, pricing
):
    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    payment = sync(session, booking, SETUP, clock)
    record_deposit(session, DepositNotice("BANK-2", payment.account_number, 25580), clock=clock)
    clock.instant = TUESDAY_9 - timedelta(hours=3)  # 24 h to 1 h before: one hourly basic fee
    cancel_booking(
        session, parent_of(family), booking, reason="", waived=False, pricing=pricing, clock=clock
    )
    sync(session, booking, SETUP, clock)
    assert booking.cancellation_fee == 12790  # R-CAN-1, 2026 basic hourly fee
    assert (payment.state, payment.captured, payment.refunded) == ("captured", 12790, 12790)
    assert balance(session, Account.CANCELLATION_FEES, booking.agency_id) == -12790
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 0
    assert_ledger_agrees(session)


def test_a_no_show_owes_everything_and_the_rest_becomes_arrears(session, clock, family, pricing):
    from tests.vouchers.money import give_tier

    give_tier(session, family, clock)
    booking = confirmed_booking(session, clock, family, pricing, SETUP)
    payment = sync(session, booking, SETUP, clock)
    assert (booking.total, booking.government, booking.parent) == (25580, 21744, 3836)
    record_deposit(session, DepositNotice("BANK-3", payment.account_number, 3836), clock=clock)
    clock.instant = TUESDAY_9 + timedelta(minutes=20)
    visits.record_no_show(session, _caregiver_actor(booking), booking.id, clock=clock)
    sync(session, booking, SETUP, clock)
    # R-BK-7: 100% with no government support: 25,580 owed, 3,836 paid, 21,744 in arrears
    owed = arrears_of(session, family.id, TERMS, clock=clock)
    assert (owed.amount, owed.suspended) == (21744, False)
    assert_ledger_agrees(session)
    account = arrears_account(session, family, setup=SETUP, tariffs=TARIFFS, clock=clock)
    assert account.amount == 21744 and account.purpose == "arrears"
    record_deposit(session, DepositNotice("BANK-4", account.account_number, 21744), clock=clock)
    assert arrears_of(session, family.id, TERMS, clock=clock).amount == 0
    assert account.state == "captured"
    assert_ledger_agrees(session)


def test_arrears_over_the_limit_or_older_than_30_days_suspend_booking(session, clock, family):
    def owe(amount, key):
        post(
            session,
            key,
            "visit_charge",
            [
                leg(Account.PARENT_RECEIVABLE, family.id, amount),
                leg(Account.AGENCY_PAYABLE, 1, -amount),
            ],
            clock=clock,
        )

    owe(300_000, "a")
    refuse_when_suspended(arrears_of(session, family.id, TERMS, clock=clock))  # 300,000: not over
    owe(1, "b")
    with pytest.raises(Forbidden) as caught:
        refuse_when_suspended(arrears_of(session, family.id, TERMS, clock=clock))
    assert caught.value.code == "arrears" and caught.value.params["amount"] == 300_001
    post(
        session,
        "paid",
        "deposit",
        [
            leg(Account.VIRTUAL_ACCOUNT_CLEARING, "", 300_000),
            leg(Account.PARENT_RECEIVABLE, family.id, -300_000),
        ],
        clock=clock,
    )
    owed = arrears_of(session, family.id, TERMS, clock=clock)
    assert (owed.amount, owed.suspended) == (1, False)
    clock.instant += timedelta(days=31)  # the 1 won left is now older than 30 days
    assert arrears_of(session, family.id, TERMS, clock=clock).suspended


def test_a_family_in_arrears_cannot_book(session, clock, family, pricing):
    from booking.requests import request_booking
    from tests.booking.conftest import draft

    post(
        session,
        "old",
        "visit_charge",
        [
            leg(Account.PARENT_RECEIVABLE, family.id, 400_000),
            leg(Account.AGENCY_PAYABLE, 1, -400_000),
        ],
        clock=clock,
    )
    with pytest.raises(Forbidden) as caught:
        request_booking(session, parent_of(family), draft(family), pricing=pricing, clock=clock)
    assert caught.value.code == "arrears"


def test_the_ledger_refuses_an_unbalanced_transaction_and_posts_a_key_once(session, clock):
    with pytest.raises(UnbalancedTransaction):
        post(session, "x", "capture", [leg(Account.CARD_CLEARING, "", 10)], clock=clock)
    first = post(
        session,
        "y",
        "capture",
        [leg(Account.CARD_CLEARING, "", 10), leg(Account.PARENT_RECEIVABLE, 1, -10)],
        clock=clock,
    )
    again = post(
        session,
        "y",
        "capture",
        [leg(Account.CARD_CLEARING, "", 10), leg(Account.PARENT_RECEIVABLE, 1, -10)],
        clock=clock,
    )
    assert first is again and balance(session, Account.CARD_CLEARING) == 10


def test_a_deposit_must_be_positive_and_unknown_accounts_are_kept(session, clock):
    with pytest.raises(ValidationFailed):
        record_deposit(session, DepositNotice("B0", "000", 0), clock=clock)
    record_deposit(session, DepositNotice("B9", "56210000000000", 5000), clock=clock)
    assert balance(session, Account.PARENT_RECEIVABLE, "unmatched") == -5000


def _caregiver_actor(booking):
    from service.accounts.models import User
    from service.extensions import db

    return db.session.get(User, booking.caregiver.user_id).actor


@pytest.fixture(autouse=True)
def _a_caregiver_with_an_account():
    """Bookings in these tests need a caregiver who can check in."""
    return caregiver


def test_payments_settle_the_oldest_charges_first(session, clock, family):
    def entry(key, amount, *, account=Account.AGENCY_PAYABLE):
        post(
            session,
            key,
            "visit_charge" if amount > 0 else "deposit",
            [leg(Account.PARENT_RECEIVABLE, family.id, amount), leg(account, 1, -amount)],
            clock=clock,
        )

    start = clock.instant
    entry("first", 1_000)  # day 0
    clock.instant = start + timedelta(days=4)
    entry("second", 2_000)  # day 4
    entry("paid", -1_500)  # covers the first charge and 500 of the second
    owed = arrears_of(session, family.id, TERMS, clock=clock)
    assert (owed.amount, owed.since) == (
        1_500,
        (start + timedelta(days=4)).astimezone(SEOUL).date(),
    )
    entry("paid-rest", -1_500)
    owed = arrears_of(session, family.id, TERMS, clock=clock)
    assert (owed.amount, owed.since, owed.suspended) == (0, None, False)


def test_states_outside_money_states_move_no_money(session, clock, family, pricing):
    """The edge syncs money only on arrival in ``MONEY_STATES``: every other state must leave the
    booking's money as it is, so skipping them loses nothing."""
    from sqlalchemy import func, select

    from booking.bookings import BookingState, move
    from booking.requests import request_booking
    from tests.booking.conftest import draft
    from tests.vouchers.money import give_tier
    from vouchers.booking_payments import MONEY_STATES
    from vouchers.ledger import LedgerTransaction
    from vouchers.payments import Payment

    give_tier(session, family, clock)
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    booking.caregiver_id = caregiver().id
    for state in (BookingState.OFFERED, BookingState.MATCHED, BookingState.REQUESTED):
        assert state not in MONEY_STATES
        move(booking, state, None, clock=clock)
        assert sync(session, booking, SETUP, clock) is None
    session.flush()
    assert session.scalar(select(func.count()).select_from(Payment)) == 0
    assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == 0
    move(booking, BookingState.OFFERED, None, clock=clock)
    move(booking, BookingState.MATCHED, None, clock=clock)
    move(booking, BookingState.CONFIRMED, None, clock=clock)
    assert sync(session, booking, SETUP, clock) is not None  # confirmed: the deposit is due
