"""PostgreSQL guards the ledger too: unbalanced transactions fail at commit, entries never
change (append-only); corrections are reversing transactions."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from vouchers.ledger import Account, LedgerEntry, LedgerTransaction, leg, post


@pytest.fixture
def on_postgres(backend):
    if backend != "postgresql":
        pytest.skip("the database's own guard is PostgreSQL's")


def test_an_unbalanced_transaction_is_refused_by_the_database(session, clock, on_postgres):
    transaction = LedgerTransaction(key="raw", kind="capture", at=clock.now())
    session.add(transaction)
    session.flush()
    session.add(LedgerEntry(transaction_id=transaction.id, account="card_clearing", amount=5))
    session.flush()
    with pytest.raises(DBAPIError, match="does not balance"):
        session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    session.rollback()


def test_ledger_entries_are_append_only(session, clock, on_postgres):
    posted = post(
        session,
        "k",
        "capture",
        [leg(Account.CARD_CLEARING, "", 7), leg(Account.PARENT_RECEIVABLE, 1, -7)],
        clock=clock,
    )
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(
            text("UPDATE ledger_entries SET amount = 8 WHERE transaction_id = :t"), {"t": posted.id}
        )
    session.rollback()
