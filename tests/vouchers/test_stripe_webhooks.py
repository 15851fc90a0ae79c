"""Stripe's own webhook deliveries (sent and signed by localstripe) reach the live endpoint,
are verified, and record the outcome of a hold whose worker died before recording it.

localstripe sends no event when a manual-capture hold succeeds (real Stripe sends
``payment_intent.amount_capturable_updated``), but it does send ``payment_intent.payment_failed``
for a declined one: that is the case tested here."""

from __future__ import annotations

import threading
import time
import urllib.parse
import urllib.request
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from service.extensions import db
from tests.conftest import build_app, dispose, migrate_and_seed
from tests.factories import ChildFactory, HouseholdFactory
from tests.vouchers.money import TARIFFS
from vouchers.payment_events import ProcessorEvent
from vouchers.payments import Payment, PaymentCard, PaymentCommand, Purpose, open_payment

SECRET = "whsec_dolbom_test"


def register_webhook(localstripe_url: str, url: str, events: list[str] | None = None) -> None:
    fields = [("url", url), ("secret", SECRET)]
    fields += [("events[]", name) for name in events or []]
    request = urllib.request.Request(
        f"{localstripe_url}/_config/webhooks/dolbom-test",
        data=urllib.parse.urlencode(fields).encode(),
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5)


@pytest.fixture
def live_payments_app(tmp_path, clock, localstripe_url):
    app = build_app(
        f"sqlite:///{tmp_path / 'webhooks.sqlite'}",
        clock,
        PAYMENT_BACKEND="stripe",
        STRIPE_SECRET_KEY="sk_test_dolbom",
        STRIPE_API_BASE=localstripe_url,
        STRIPE_WEBHOOK_SECRET=SECRET,
    )
    migrate_and_seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    register_webhook(
        localstripe_url, f"http://127.0.0.1:{server.server_port}/api/v1/webhooks/stripe"
    )
    try:
        yield app
    finally:
        # the emulator keeps its webhooks: leave this one listening to nothing
        register_webhook(localstripe_url, "http://127.0.0.1:9/", events=["none"])
        server.shutdown()
        thread.join(timeout=10)
        dispose(app)


def test_a_delivered_decline_is_recorded_when_the_worker_died(
    live_payments_app, stripe_client, clock
):
    app = live_payments_app
    setup = app.extensions["dolbom.payments"]
    with app.app_context():
        family = HouseholdFactory(district_code="11680")
        ChildFactory(household=family, birth_date=date(2021, 5, 1))
        customer = stripe_client.v1.customers.create({"name": "김민지"}).id
        card = {"number": "4000000000000341", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        method = stripe_client.v1.payment_methods.create({"type": "card", "card": card}).id
        stripe_client.v1.payment_methods.attach(method, {"customer": customer})
        saved = PaymentCard(
            household_id=family.id,
            customer=customer,
            payment_method=method,
            brand="visa",
            last4="4242",
            holder_name="김민지",
            registered_at=clock.now(),
        )
        db.session.add(saved)
        payment = open_payment(
            db.session,
            family,
            25580,
            clock.now(),
            purpose=Purpose.ARREARS,
            setup=setup,
            terms=TARIFFS.for_date(clock.now().date()).payment,
            clock=clock,
        )
        command = db.session.scalar(select(PaymentCommand))
        key, payment_id = command.key, payment.id
        db.session.commit()
        # the worker's call reached Stripe (the card declined), then its process died
        outcome = setup.card.authorise(
            card=saved.on_file(), amount=25580, key=key, payment_id=payment_id
        )
        assert (outcome.ok, outcome.failure) == (False, "card_declined")
        for _ in range(50):  # localstripe delivers about a second later
            db.session.rollback()
            if db.session.get(Payment, payment_id).state != "authorising":
                break
            time.sleep(0.2)
        assert db.session.get(Payment, payment_id).state == "failed"
        assert db.session.get(PaymentCommand, command.id).state == "failed"
        fallback = db.session.scalar(select(Payment).where(Payment.id != payment_id))
        assert (fallback.method, fallback.state, fallback.amount) == (
            "virtual_account",
            "awaiting_deposit",
            25580,
        )
        events = db.session.scalars(select(ProcessorEvent.kind)).all()
        assert "payment_intent.payment_failed" in events
