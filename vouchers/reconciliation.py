"""Reconciliation: the ledger against the payments, and the payments against the processor.

Every difference is reported, none is silently repaired: a hold at the processor without a
payment here, a payment recorded as held that the processor does not hold, amounts that differ,
and ledger balances that disagree with the payments they summarise.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .gateways import PaymentGateway
from .ledger import Account, balance, unbalanced_transactions
from .payments import CommandState, Payment, PaymentCommand
from .payments import PaymentState as P

PROCESSOR_STATE = {  # what the processor shows for each of our states
    P.AUTHORISED: {"requires_capture"},
    P.CAPTURED: {"succeeded"},
    P.RELEASED: {"canceled"},
    P.FAILED: {"canceled", "requires_payment_method", "requires_capture"},
}


@dataclass(frozen=True)
class Difference:
    kind: str
    reference: str
    detail: str


def reconcile(session: Session, gateway: PaymentGateway | None) -> list[Difference]:
    differences = [
        Difference("unbalanced_transaction", str(tid), "legs do not sum to zero")
        for tid in unbalanced_transactions(session)
    ]
    differences += _ledger_against_payments(session)
    if gateway is not None:
        differences += _payments_against_processor(session, gateway)
    return differences


def _ledger_against_payments(session: Session) -> list[Difference]:
    found = []
    held = (
        session.scalar(
            select(func.coalesce(func.sum(Payment.amount), 0)).where(
                Payment.method == "card", Payment.state == P.AUTHORISED
            )
        )
        or 0
    )
    if balance(session, Account.CARD_HOLDS) != held:
        found.append(
            Difference(
                "card_holds",
                "",
                f"ledger {balance(session, Account.CARD_HOLDS)} != authorised payments {held}",
            )
        )
    card_net = (
        session.scalar(
            select(func.coalesce(func.sum(Payment.captured - Payment.refunded), 0)).where(
                Payment.method == "card"
            )
        )
        or 0
    )
    if balance(session, Account.CARD_CLEARING) != card_net:
        found.append(
            Difference(
                "card_clearing",
                "",
                f"ledger "
                f"{balance(session, Account.CARD_CLEARING)} != captured less "
                f"refunded {card_net}",
            )
        )
    unmatched = balance(session, Account.PARENT_RECEIVABLE, "unmatched")
    if unmatched:
        found.append(
            Difference(
                "unmatched_deposits",
                "",
                f"{-unmatched} won deposited into unknown virtual accounts",
            )
        )
    return found


def _payments_against_processor(session: Session, gateway: PaymentGateway) -> list[Difference]:
    found = []
    by_reference = {
        p.reference: p
        for p in session.scalars(
            select(Payment).where(Payment.method == "card", Payment.reference != "")
        )
    }
    planned_keys = set(
        session.scalars(
            select(PaymentCommand.key).where(PaymentCommand.state == CommandState.PLANNED)
        )
    )
    seen = set()
    for hold in gateway.holds():
        seen.add(hold.reference)
        payment = by_reference.get(hold.reference)
        if payment is None:
            if hold.key in planned_keys:
                found.append(
                    Difference(
                        "awaiting_worker",
                        hold.reference,
                        f"{hold.key}: placed, the worker has not recorded it",
                    )
                )
            elif hold.status in ("requires_capture", "succeeded"):
                found.append(
                    Difference(
                        "processor_only",
                        hold.reference,
                        f"{hold.amount} won {hold.status} with no payment here",
                    )
                )
            continue
        expected = PROCESSOR_STATE.get(P(payment.state), set())
        if expected and hold.status not in expected:
            found.append(
                Difference(
                    "state",
                    hold.reference,
                    f"payment {payment.id} is {payment.state}, processor says {hold.status}",
                )
            )
        if hold.amount != payment.amount:
            found.append(
                Difference(
                    "amount",
                    hold.reference,
                    f"payment {payment.id} {payment.amount} != {hold.amount}",
                )
            )
    for reference, payment in by_reference.items():
        if reference not in seen and payment.state == P.AUTHORISED:
            found.append(
                Difference(
                    "ledger_only",
                    reference,
                    f"payment {payment.id} held here, unknown to the processor",
                )
            )
    return found
