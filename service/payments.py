"""Payments at the edge: the configured backends, booking hooks and the worker's transactions."""

from __future__ import annotations

import logging
from collections.abc import Callable

import stripe
from flask import Flask, current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from booking.bookings import Booking, BookingSeries, Transition
from vouchers.booking_payments import MONEY_STATES, sync_booking, sync_contract
from vouchers.gateways import StripeGateway, VirtualAccountGateway
from vouchers.payment_jobs import apply_outcome, claim_command, execute
from vouchers.payments import PaymentCard, PaymentSetup

from .context import current_clock
from .extensions import db
from .quotes import tariff_book

log = logging.getLogger(__name__)


def configure_payments(app: Flask) -> None:
    """Pick the backend once: Stripe cards when configured, else virtual accounts only."""
    accounts = VirtualAccountGateway(
        bank=app.config["VIRTUAL_ACCOUNT_BANK"], secret=app.config["BANK_NOTICE_SECRET"]
    )
    card = None
    if app.config["PAYMENT_BACKEND"] == "stripe":
        base = app.config.get("STRIPE_API_BASE")
        client = stripe.StripeClient(
            app.config["STRIPE_SECRET_KEY"],
            base_addresses={"api": base} if base else {},
            max_network_retries=0,
        )
        card = StripeGateway(client)
    elif app.config["PAYMENT_BACKEND"] != "virtual_account":
        raise ValueError(
            f"PAYMENT_BACKEND must be stripe or virtual_account, not "
            f"{app.config['PAYMENT_BACKEND']!r}"
        )
    app.extensions["dolbom.payments"] = PaymentSetup(card=card, virtual_accounts=accounts)
    keep_money_in_step()


def payment_setup() -> PaymentSetup:
    return current_app.extensions["dolbom.payments"]


MONEY_DUE = "dolbom.bookings_whose_money_is_due"


def keep_money_in_step() -> None:
    """Whoever changes a booking's state (a view, a job, the demo), its money follows before the
    transaction commits: the domain records a ``Transition``, the session notes its booking, and
    ``sync_booking`` plans the hold, charge, capture or release the new state calls for."""
    if event.contains(db.session, "after_flush", _note_transitions):
        return  # the session is shared by every app of the process (tests make many)
    event.listen(db.session, "after_flush", _note_transitions)
    event.listen(db.session, "before_commit", _sync_noted_bookings)
    event.listen(db.session, "after_rollback", _forget_noted_bookings)


def _note_transitions(session: Session, _context: object) -> None:
    changed = {
        row.booking_id
        for row in session.new
        if isinstance(row, Transition) and row.to_state in MONEY_STATES
    }
    if changed:
        session.info.setdefault(MONEY_DUE, set()).update(changed)


def _sync_noted_bookings(session: Session) -> None:
    due: set[int] = session.info.get(MONEY_DUE, set())
    if not due or "dolbom.payments" not in current_app.extensions:
        return
    session.flush()  # transitions still pending are noted too
    while due:
        booking = session.get(Booking, due.pop())
        if booking is not None:
            sync_booking(
                session,
                booking,
                setup=payment_setup(),
                tariffs=tariff_book(),
                clock=current_clock(),
            )
            session.flush()


def _forget_noted_bookings(session: Session) -> None:
    session.info.pop(MONEY_DUE, None)


def contract_with_money(series: BookingSeries) -> BookingSeries:
    """R-PAY-3: a confirmed full-day contract is paid for the month in advance."""
    sync_contract(
        db.session, series, setup=payment_setup(), tariffs=tariff_book(), clock=current_clock()
    )
    return series


def run_payment_commands(limit: int = 1000, *, after_call: Callable[[], None] | None = None) -> int:
    """Carry out planned processor calls, one command per pair of short transactions."""
    setup = payment_setup()
    if setup.card is None:
        return 0
    done = 0
    for _ in range(limit):
        command = claim_command(db.session, clock=current_clock())
        if command is None:
            db.session.rollback()
            break
        payment = command.payment
        card = db.session.scalar(
            select(PaymentCard).where(PaymentCard.household_id == payment.household_id)
        )
        on_file = card.on_file() if card else None
        db.session.commit()  # the lease holds while the processor is called
        outcome = execute(command, payment, on_file, setup.card)
        if after_call is not None:
            after_call()
        apply_outcome(
            db.session, command, outcome, setup=setup, tariffs=tariff_book(), clock=current_clock()
        )
        db.session.commit()
        done += 1
    return done
