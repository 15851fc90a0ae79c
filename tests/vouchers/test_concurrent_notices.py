"""Two requests carrying the same bank notice at once (a bank retrying while the first is still
in flight) record one deposit and answer both without an error (PostgreSQL, real commits)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from service.extensions import db
from tests.conftest import START, build_app, dispose, migrate_and_seed
from tests.factories import ChildFactory, HouseholdFactory
from tests.vouchers.money import TARIFFS
from vouchers.ledger import Account, balance, unbalanced_transactions
from vouchers.payment_events import BankDeposit, DepositNotice, record_deposit
from vouchers.payments import Payment, Purpose, open_payment


@pytest.mark.postgres
@pytest.mark.parametrize("known_account", [True, False])
def test_the_same_notice_twice_at_once_is_recorded_once(scratch_postgres_url, clock, known_account):
    app = build_app(scratch_postgres_url, clock)
    migrate_and_seed(app)
    try:
        with app.app_context():
            family = HouseholdFactory(district_code="11680")
            ChildFactory(household=family, birth_date=date(2021, 5, 1))
            payment = open_payment(
                db.session,
                family,
                25580,
                START.replace(day=5),
                purpose=Purpose.BOOKING,
                setup=app.extensions["dolbom.payments"],
                terms=TARIFFS.for_date(START.date()).payment,
                clock=clock,
            )
            account = payment.account_number if known_account else "56219999999990"
            payment_id = payment.id
            db.session.commit()
        notice = DepositNotice("NH-RACE-1", account, 25580, "김민지")
        first_inserted, release = threading.Event(), threading.Event()
        answers, errors = [], []

        def deliver(hold_open: bool) -> None:
            try:
                with app.app_context():
                    answers.append(record_deposit(db.session, notice, clock=clock).bank_reference)
                    if hold_open:
                        first_inserted.set()
                        release.wait(10)
                    db.session.commit()
            except Exception as error:
                errors.append(error)
                first_inserted.set()

        first = threading.Thread(target=deliver, args=(True,))
        second = threading.Thread(target=deliver, args=(False,))
        first.start()
        first_inserted.wait(10)
        second.start()  # finds nothing committed yet, then meets the first's row
        time.sleep(0.5)
        release.set()
        first.join(10)
        second.join(10)
        assert errors == [] and answers == ["NH-RACE-1", "NH-RACE-1"]
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(BankDeposit)) == 1
            owner = family_id = db.session.get(Payment, payment_id).household_id
            if known_account:
                assert db.session.get(Payment, payment_id).deposited == 25580
            else:
                owner = "unmatched"
            assert balance(db.session, Account.PARENT_RECEIVABLE, owner) == -25580
            assert family_id and unbalanced_transactions(db.session) == []
    finally:
        dispose(app)
