"""The Stripe card backend against the localstripe emulator: holds, captures, releases,
declines, refunds, reconciliation, and a worker killed between the processor and the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking import visits
from booking.requests import cancel_booking
from core.errors import NotFound, ValidationFailed
from service.payments import run_payment_commands
from tests.booking.conftest import TUESDAY_9
from tests.factories import AdminFactory, parent_of
from tests.vouchers.money import TARIFFS, assert_ledger_agrees, confirmed_booking, sync
from vouchers.ledger import Account, balance
from vouchers.payment_events import refund_payment, register_card
from vouchers.payment_jobs import authorise_due
from vouchers.payments import Payment, PaymentCard, Purpose, open_payment
from vouchers.reconciliation import reconcile

DECLINED_ON_CONFIRM = "4000000000000341"
DECLINED_ON_ATTACH = "4000000000000002"


def card(stripe_client, number="4242424242424242") -> str:
    return stripe_client.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    ).id


def applicant_name(family):
    return next(g.name for g in family.guardians if g.is_applicant)


def registered(session, clock, family, setup, stripe_client, number="4242424242424242"):
    return register_card(
        session,
        parent_of(family),
        payment_method=card(stripe_client, number),
        holder_name=applicant_name(family),
        setup=setup,
        clock=clock,
    )


def test_the_card_must_be_the_applicants_and_declines_are_refused(
    session, clock, family, card_setup, stripe_client
):
    with pytest.raises(ValidationFailed) as caught:
        register_card(
            session,
            parent_of(family),
            payment_method=card(stripe_client),
            holder_name="Someone Else",
            setup=card_setup,
            clock=clock,
        )
    assert caught.value.code == "card_holder_mismatch"  # R-PAY-1
    with pytest.raises(ValidationFailed) as caught:
        registered(session, clock, family, card_setup, stripe_client, DECLINED_ON_ATTACH)
    assert caught.value.code == "card_declined"
    saved = registered(session, clock, family, card_setup, stripe_client)
    assert (saved.brand, saved.last4) == ("visa", "4242")
    assert saved.customer.startswith("cus_")


def test_hold_at_confirmation_capture_after_the_visit(
    session, clock, family, pricing, card_setup, stripe_client
):
    registered(session, clock, family, card_setup, stripe_client)
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    payment = sync(session, booking, card_setup, clock)
    assert (payment.method, payment.state) == ("card", "authorising")
    assert run_payment_commands() == 1
    assert payment.state == "authorised" and payment.reference.startswith("pi_")
    intent = stripe_client.v1.payment_intents.retrieve(payment.reference)
    assert (intent.status, intent.amount, intent.currency) == ("requires_capture", 25580, "krw")
    assert balance(session, Account.CARD_HOLDS) == 25580
    caregiver = booking.caregiver
    clock.instant = TUESDAY_9
    visits.check_in(session, _actor(caregiver), booking.id, clock=clock)
    clock.instant = TUESDAY_9 + timedelta(hours=2)
    visits.check_out(session, _actor(caregiver), booking.id, clock=clock)
    sync(session, booking, card_setup, clock)
    assert run_payment_commands() == 1
    assert (payment.state, payment.captured) == ("captured", 25580)
    assert stripe_client.v1.payment_intents.retrieve(payment.reference).status == "succeeded"
    assert balance(session, Account.CARD_HOLDS) == 0
    assert balance(session, Account.CARD_CLEARING) == 25580
    assert_ledger_agrees(session)
    assert reconcile(session, card_setup.card) == []


def test_a_free_cancellation_releases_the_hold(
    session, clock, family, pricing, card_setup, stripe_client
):
    registered(session, clock, family, card_setup, stripe_client)
    wednesday = TUESDAY_9 + timedelta(days=1)
    booking = confirmed_booking(session, clock, family, pricing, card_setup, start=wednesday)
    run_payment_commands()
    cancel_booking(
        session, parent_of(family), booking, reason="", waived=False, pricing=pricing, clock=clock
    )  # 47 h ahead: free (R-CAN-1)
    payment = sync(session, booking, card_setup, clock)
    assert run_payment_commands() == 1
    assert payment.state == "released"
    assert stripe_client.v1.payment_intents.retrieve(payment.reference).status == "canceled"
    assert_ledger_agrees(session)
    assert reconcile(session, card_setup.card) == []


def test_a_late_cancellation_captures_the_fee_only(
    session, clock, family, pricing, card_setup, stripe_client
):
    registered(session, clock, family, card_setup, stripe_client)
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    run_payment_commands()
    cancel_booking(
        session, parent_of(family), booking, reason="", waived=False, pricing=pricing, clock=clock
    )  # 23 h ahead: one hourly basic fee
    payment = sync(session, booking, card_setup, clock)
    assert run_payment_commands() == 1
    assert (payment.state, payment.amount, payment.captured) == ("captured", 25580, 12790)
    assert stripe_client.v1.payment_intents.retrieve(payment.reference).status == "succeeded"
    assert balance(session, Account.CANCELLATION_FEES, booking.agency_id) == -12790
    assert_ledger_agrees(session)
    assert reconcile(session, card_setup.card) == []


def test_a_declined_card_falls_back_to_a_virtual_account(
    session, clock, family, pricing, card_setup, stripe_client
):
    registered(session, clock, family, card_setup, stripe_client, DECLINED_ON_CONFIRM)
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    run_payment_commands()
    payments = session.query(Payment).filter_by(booking_id=booking.id).order_by(Payment.id).all()
    assert [(p.method, p.state) for p in payments] == [
        ("card", "failed"),
        ("virtual_account", "awaiting_deposit"),
    ]
    assert payments[1].amount == 25580 and payments[1].account_number
    assert booking.state == "confirmed"  # the booking waits for the deposit
    assert_ledger_agrees(session)


def test_care_more_than_six_days_ahead_is_held_six_days_before(
    session, clock, family, pricing, card_setup, stripe_client
):
    registered(session, clock, family, card_setup, stripe_client)
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    payment = sync(session, booking, card_setup, clock)
    assert payment.state == "authorising"  # the Tuesday booking is 23 h ahead: held at once
    far = open_payment(
        session,
        family,
        10000,
        clock.now() + timedelta(days=10),
        purpose=Purpose.BOOKING,
        setup=card_setup,
        terms=TARIFFS.for_date(clock.now().date()).payment,
        clock=clock,
    )
    assert far.state == "scheduled"
    assert far.authorise_from == clock.now() + timedelta(days=4)
    assert authorise_due(session, clock=clock) == 0
    clock.instant = far.authorise_from
    assert authorise_due(session, clock=clock) == 1
    assert far.state == "authorising"


def test_refunds_for_corrections_never_exceed_what_was_captured(
    session, clock, family, pricing, card_setup, stripe_client
):
    registered(session, clock, family, card_setup, stripe_client)
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    run_payment_commands()
    clock.instant = TUESDAY_9 + timedelta(minutes=20)
    visits.record_no_show(session, _actor(booking.caregiver), booking.id, clock=clock)
    payment = sync(session, booking, card_setup, clock)
    run_payment_commands()
    assert payment.captured == 25580
    admin = AdminFactory().actor
    with pytest.raises(ValidationFailed) as caught:
        refund_payment(session, admin, payment, 25581, "too much", clock=clock)
    assert caught.value.code == "over_refund"
    with pytest.raises(NotFound):
        refund_payment(session, parent_of(family), payment, 100, "mine", clock=clock)
    refund_payment(session, admin, payment, 5000, "half an hour too much", clock=clock)
    assert run_payment_commands() == 1
    assert payment.refunded == 5000
    assert balance(session, Account.REFUNDS, booking.agency_id) == 5000
    assert balance(session, Account.CARD_CLEARING) == 20580
    assert reconcile(session, card_setup.card) == []


def test_reconciliation_reports_a_hold_nobody_recorded(
    session, clock, family, card_setup, stripe_client
):
    saved = registered(session, clock, family, card_setup, stripe_client)
    stripe_client.v1.payment_intents.create(
        {
            "amount": 9999,
            "currency": "krw",
            "customer": saved.customer,
            "payment_method": saved.payment_method,
            "capture_method": "manual",
            "confirm": True,
        }
    )
    kinds = [d.kind for d in reconcile(session, card_setup.card)]
    assert kinds == ["processor_only"]


def _actor(caregiver):
    from service.accounts.models import User
    from service.extensions import db

    return db.session.get(User, caregiver.user_id).actor


def test_payment_cards_belong_to_one_household(session, clock, family, card_setup, stripe_client):
    registered(session, clock, family, card_setup, stripe_client)
    registered(session, clock, family, card_setup, stripe_client)  # a new card replaces it
    assert session.query(PaymentCard).filter_by(household_id=family.id).count() == 1


def test_an_expired_hold_leaves_the_amount_owed_and_offers_a_virtual_account(
    session, clock, family, pricing, card_setup, stripe_client
):
    registered(session, clock, family, card_setup, stripe_client)
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    run_payment_commands()
    payment = sync(session, booking, card_setup, clock)
    stripe_client.v1.payment_intents.cancel(payment.reference)  # the processor dropped the hold
    clock.instant = TUESDAY_9 + timedelta(minutes=20)
    visits.record_no_show(session, _actor(booking.caregiver), booking.id, clock=clock)
    sync(session, booking, card_setup, clock)
    run_payment_commands()
    assert (payment.state, payment.failure) == ("failed", "hold_expired")
    arrears = session.query(Payment).filter_by(household_id=family.id, purpose="arrears").one()
    assert (arrears.method, arrears.amount) == ("virtual_account", 25580)
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 25580  # nothing lost
    assert balance(session, Account.CARD_HOLDS) == 0
    assert_ledger_agrees(session)


def test_a_processor_outage_is_retried_then_the_family_pays_by_virtual_account(
    session, clock, family, pricing, card_setup, stripe_client, app
):
    import stripe

    from vouchers.gateways import StripeGateway
    from vouchers.payment_jobs import MAX_ATTEMPTS
    from vouchers.payments import PaymentCommand, PaymentSetup

    registered(session, clock, family, card_setup, stripe_client)
    dead = stripe.StripeClient(
        "sk_test_dolbom", base_addresses={"api": "http://127.0.0.1:9"}, max_network_retries=0
    )
    app.extensions["dolbom.payments"] = PaymentSetup(
        StripeGateway(dead), card_setup.virtual_accounts
    )
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    command = session.query(PaymentCommand).one()
    for attempt in range(1, MAX_ATTEMPTS):
        assert run_payment_commands() == 1
        assert (command.state, command.attempts) == ("planned", attempt)
        assert command.failure.startswith("processor_unavailable")
        assert run_payment_commands() == 0  # backing off: not before its lease ends
        clock.instant = command.lease_until + timedelta(seconds=1)
    assert run_payment_commands() == 1
    assert command.state == "failed"
    payments = session.query(Payment).filter_by(booking_id=booking.id).order_by(Payment.id).all()
    assert [(p.method, p.state) for p in payments] == [
        ("card", "failed"),
        ("virtual_account", "awaiting_deposit"),
    ]
    assert_ledger_agrees(session)


def test_a_refund_is_deducted_from_the_agencys_next_claim(
    session, clock, family, pricing, card_setup, stripe_client
):
    from datetime import datetime

    from core.clock import SEOUL
    from vouchers.claims import build_claims, confirm_claim, pay_claim
    from vouchers.settlement import AgencyClaim, lock_month

    registered(session, clock, family, card_setup, stripe_client)
    booking = confirmed_booking(session, clock, family, pricing, card_setup)
    run_payment_commands()
    clock.instant = TUESDAY_9
    visits.check_in(session, _actor(booking.caregiver), booking.id, clock=clock)
    clock.instant = TUESDAY_9 + timedelta(hours=2)
    visits.check_out(session, _actor(booking.caregiver), booking.id, clock=clock)
    payment = sync(session, booking, card_setup, clock)
    run_payment_commands()
    admin = AdminFactory().actor
    refund_payment(session, admin, payment, 6395, "half an hour billed twice", clock=clock)
    run_payment_commands()
    clock.instant = datetime(2026, 4, 1, 9, tzinfo=SEOUL)
    assert lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock).items == 2
    build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock)
    claim = session.query(AgencyClaim).one()
    assert (claim.parent, claim.refunds, claim.payable) == (25580, 6395, 25580 - 6395)
    confirm_claim(session, admin, claim, clock=clock)
    pay_claim(session, admin, claim, clock=clock)
    assert balance(session, Account.REFUNDS, booking.agency_id) == 0
    assert balance(session, Account.AGENCY_PAYABLE, booking.agency_id) == 0
    assert balance(session, Account.SETTLEMENT_BANK) == -(25580 - 6395)
    assert_ledger_agrees(session)
