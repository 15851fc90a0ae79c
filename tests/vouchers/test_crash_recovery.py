"""A worker killed between the card processor and the database leaves no charge without its
record: the command stays planned, reconciliation shows the hold waiting, and the retry finds
the hold by its key instead of placing a second one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from service.extensions import db
from service.payments import run_payment_commands
from tests.conftest import START, build_app, dispose, migrate_and_seed
from tests.factories import ChildFactory, HouseholdFactory
from tests.vouchers.money import TARIFFS
from vouchers.gateways import StripeGateway, VirtualAccountGateway
from vouchers.payments import (
    Payment,
    PaymentCard,
    PaymentCommand,
    PaymentSetup,
    Purpose,
    open_payment,
)
from vouchers.reconciliation import reconcile

WORKER = Path(__file__).with_name("crashing_worker.py")


@pytest.mark.postgres
def test_a_worker_killed_after_the_processor_call_is_recovered(
    scratch_postgres_url, stripe_client, localstripe_url, clock
):
    from datetime import date

    app = build_app(
        scratch_postgres_url,
        clock,
        PAYMENT_BACKEND="stripe",
        STRIPE_SECRET_KEY="sk_test_dolbom",
        STRIPE_API_BASE=localstripe_url,
    )
    migrate_and_seed(app)
    setup = PaymentSetup(StripeGateway(stripe_client), VirtualAccountGateway(bank="NH", secret="x"))
    try:
        with app.app_context():
            app.extensions["dolbom.payments"] = setup
            family = HouseholdFactory(district_code="11680")
            ChildFactory(household=family, birth_date=date(2021, 5, 1))
            customer = stripe_client.v1.customers.create({"name": "김민지"}).id
            method = stripe_client.v1.payment_methods.create(
                {
                    "type": "card",
                    "card": {
                        "number": "4242424242424242",
                        "exp_month": 12,
                        "exp_year": 2030,
                        "cvc": "123",
                    },
                }
            ).id
            stripe_client.v1.payment_methods.attach(method, {"customer": customer})
            db.session.add(
                PaymentCard(
                    household_id=family.id,
                    customer=customer,
                    payment_method=method,
                    brand="visa",
                    last4="4242",
                    holder_name="김민지",
                    registered_at=clock.now(),
                )
            )
            payment = open_payment(
                db.session,
                family,
                25580,
                clock.now(),
                purpose=Purpose.ARREARS,
                setup=setup,
                terms=TARIFFS.for_date(START.date()).payment,
                clock=clock,
            )
            payment_id = payment.id
            db.session.commit()

        died = subprocess.run(
            [
                sys.executable,
                str(WORKER),
                scratch_postgres_url,
                localstripe_url,
                clock.now().isoformat(),
            ],
            cwd=Path(__file__).resolve().parents[2],
            timeout=60,
            check=False,
        )
        assert died.returncode == 3  # the process died after the processor answered

        with app.app_context():
            command = db.session.scalar(
                select(PaymentCommand).where(PaymentCommand.payment_id == payment_id)
            )
            assert (command.state, command.attempts) == ("planned", 1)
            assert db.session.get(Payment, payment_id).state == "authorising"
            assert [d.kind for d in reconcile(db.session, setup.card)] == ["awaiting_worker"]
            db.session.rollback()
            clock.instant = clock.now() + (command.lease_until - clock.now()) * 2  # lease over
            assert run_payment_commands() == 1
            payment = db.session.get(Payment, payment_id)
            assert payment.state == "authorised"
            holds = [h for h in setup.card.holds() if h.key == f"authorise:{payment_id}"]
            assert [h.reference for h in holds] == [payment.reference]  # one hold, recorded
            assert reconcile(db.session, setup.card) == []
    finally:
        clock.instant = START
        dispose(app)
