"""Payments at the edge: the configured backends, booking hooks and the worker's transactions."""

from __future__ import annotations

import logging
from collections.abc import Callable

import stripe
from flask import Flask, current_app
from sqlalchemy import select

from booking.bookings import Booking, BookingSeries
from booking.series import series_bookings
from vouchers.booking_payments import sync_booking, sync_contract
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


def payment_setup() -> PaymentSetup:
    return current_app.extensions["dolbom.payments"]


def with_money(booking: Booking) -> Booking:
    """After any change of a booking's state, in the same transaction (before the commit):
    plans the hold, the charge, the capture or the release its new state calls for."""
    sync_booking(
        db.session, booking, setup=payment_setup(), tariffs=tariff_book(), clock=current_clock()
    )
    return booking


def series_with_money(series: BookingSeries) -> BookingSeries:
    """A confirmed series: each visit's payment, or the full-day contract's monthly one."""
    for booking in series_bookings(db.session, series):
        with_money(booking)
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
