"""R-PAY-2: what a family owes, since when, and whether it suspends booking.

The amount is the family's receivable balance in the ledger. Its age is found first-in,
first-out: payments settle the oldest charges first, and the oldest charge not yet covered dates
the arrears. Amounts a card hold will take in the coming minutes (a planned capture) are not
arrears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from booking.households import Household
from core.clock import SEOUL, Clock
from core.db import one_of, read_rows
from core.errors import Forbidden
from core.i18n import N_

from .ledger import Account, LedgerEntry, LedgerTransaction
from .payments import (
    CommandState,
    Operation,
    Payment,
    PaymentCommand,
    PaymentSetup,
    Purpose,
    move_payment,
    open_payment,
)
from .payments import PaymentState as P
from .tariffs import PaymentTerms, TariffBook


@dataclass(frozen=True)
class Arrears:
    amount: int
    since: date | None
    suspended: bool
    limit: int
    days: int


def arrears_of(
    session: Session, household_id: int, terms: PaymentTerms, *, clock: Clock
) -> Arrears:
    balance, coming = read_rows(
        session, balance_statement(), {"household_id": household_id, "owner": str(household_id)}
    ).one()
    return arrears_from_balance(session, household_id, terms, balance, coming, clock=clock)


def arrears_from_balance(
    session: Session,
    household_id: int,
    terms: PaymentTerms,
    balance: int | None,
    coming: int | None,
    *,
    clock: Clock,
) -> Arrears:
    """The arrears behind a receivable ``balance`` of which ``coming`` is being captured (the two
    figures of ``balance_statement``)."""
    # first in, first out leaves unpaid exactly what the balance exceeds the payments by: the
    # entries themselves are read only to date the oldest charge not yet covered
    owed = max(0, int(balance or 0) - int(coming or 0))
    since = None
    if owed:
        rows = session.execute(
            select(LedgerEntry.amount, LedgerTransaction.at)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
            .where(
                LedgerEntry.account == Account.PARENT_RECEIVABLE.value,
                LedgerEntry.owner == str(household_id),
            )
            .order_by(LedgerTransaction.at, LedgerEntry.id)
        ).all()
        paid = -sum(amount for amount, _ in rows if amount < 0) + int(coming or 0)
        for amount, at in rows:
            if amount <= 0:
                continue
            covered = min(paid, amount)
            paid -= covered
            if amount > covered:
                since = at.astimezone(SEOUL).date()
                break
    today = clock.now().astimezone(SEOUL).date()
    suspended = owed > terms.arrears_limit or (
        owed > 0 and since is not None and today - since > timedelta(days=terms.arrears_days)
    )
    return Arrears(owed, since, suspended, terms.arrears_limit, terms.arrears_days)


@cache  # built once: every booking request asks
def balance_statement() -> Select[tuple[int, int]]:
    """The family's receivable balance, and the captures planned against its card holds."""
    balance = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.account == Account.PARENT_RECEIVABLE.value,
        LedgerEntry.owner == bindparam("owner"),
    )
    in_flight = (
        select(func.coalesce(func.sum(PaymentCommand.amount), 0))
        .join(Payment, Payment.id == PaymentCommand.payment_id)
        .where(
            Payment.household_id == bindparam("household_id"),
            PaymentCommand.operation == Operation.CAPTURE,
            PaymentCommand.state == CommandState.PLANNED,
            one_of(Payment.state, [P.AUTHORISING.value, P.AUTHORISED.value]),
        )
    )
    return select(balance.scalar_subquery(), in_flight.scalar_subquery())


def refuse_when_suspended(arrears: Arrears) -> None:
    """R-PAY-2: arrears over the limit, or older than the allowed days, suspend booking."""
    if arrears.suspended:
        raise Forbidden(
            N_("Booking is suspended until the %(amount)s won you owe is paid."),
            code="arrears",
            amount=arrears.amount,
            since=arrears.since.isoformat() if arrears.since else None,
        )


def arrears_account(
    session: Session,
    household: Household,
    *,
    setup: PaymentSetup,
    tariffs: TariffBook,
    clock: Clock,
) -> Payment | None:
    """The virtual account to pay the arrears into (the open one, or a new one)."""
    terms = tariffs.for_date(clock.now().astimezone(SEOUL).date()).payment
    arrears = arrears_of(session, household.id, terms, clock=clock)
    if arrears.amount <= 0:
        return None
    open_one = session.scalar(
        select(Payment).where(
            Payment.household_id == household.id,
            Payment.purpose == Purpose.ARREARS.value,
            Payment.state == P.AWAITING_DEPOSIT.value,
        )
    )
    if open_one is not None and open_one.amount == arrears.amount:
        return open_one
    if open_one is not None:  # the amount changed: the old account closes
        move_payment(open_one, P.RELEASED, clock=clock)
    payment = open_payment(
        session,
        household,
        arrears.amount,
        clock.now() + timedelta(days=8),
        purpose=Purpose.ARREARS,
        setup=setup,
        terms=terms,
        clock=clock,
        force_virtual_account=True,
    )
    return payment
