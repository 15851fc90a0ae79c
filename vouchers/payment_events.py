"""What arrives from outside: card registration, bank deposit notices, processor webhooks.

Each notice is recorded once under the sender's own id (a unique column), so a bank or a
processor that sends the same notice again changes nothing the second time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from booking.households import Guardian, get_own_household
from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock
from core.db import Base, insert_once
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_

from .gateways import CardDeclined, Outcome, ProcessorUnavailable
from .ledger import Account, transfer
from .payment_jobs import apply_outcome
from .payments import (
    CommandState,
    Operation,
    Payment,
    PaymentCard,
    PaymentCommand,
    PaymentSetup,
    move_payment,
    plan,
)
from .payments import PaymentState as P
from .tariffs import TariffBook


class BankDeposit(Base):
    __tablename__ = "bank_deposits"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_reference: Mapped[str] = mapped_column(String(60), unique=True)
    account_number: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int]
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    depositor: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime]


class ProcessorEvent(Base):
    __tablename__ = "processor_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]


@dataclass(frozen=True)
class DepositNotice:
    bank_reference: str
    account_number: str
    amount: int
    depositor: str = ""


def register_card(
    session: Session,
    actor: Actor,
    *,
    payment_method: str,
    holder_name: str,
    setup: PaymentSetup,
    clock: Clock,
) -> PaymentCard:
    """R-PAY-1: the applicant registers a card in their own name (checked against the family's
    applicant guardian); registering again replaces the card."""
    if actor.role is not Role.PARENT:
        raise NotFound()
    if setup.card is None:
        raise Conflict(
            N_("Card payments are not available; pay by virtual account."), code="cards_unavailable"
        )
    household = get_own_household(session, actor)
    applicant = session.scalar(
        select(Guardian).where(Guardian.household_id == household.id, Guardian.is_applicant)
    )
    if applicant is None or _name(applicant.name) != _name(holder_name):
        message = N_("The card must be in the applicant's own name (%(name)s).")
        raise ValidationFailed(
            message,
            code="card_holder_mismatch",
            fields={"holder_name": message},
            name=applicant.name if applicant else "",
        )
    existing = session.scalar(select(PaymentCard).where(PaymentCard.household_id == household.id))
    try:
        on_file = setup.card.register_card(
            customer=existing.customer if existing else None,
            payment_method=payment_method,
            name=applicant.name,
            key=f"card:{household.id}:{payment_method}",
        )
    except CardDeclined as declined:
        message = N_("The card was declined.")
        raise ValidationFailed(
            message, code="card_declined", fields={"payment_method": message}
        ) from declined
    except ProcessorUnavailable as error:
        raise Conflict(
            N_("The card service is not answering; try again in a few minutes."),
            code="processor_unavailable",
        ) from error
    card = existing or PaymentCard(household_id=household.id)
    card.customer = on_file.customer
    card.payment_method = on_file.payment_method
    card.brand = on_file.brand
    card.last4 = on_file.last4
    card.holder_name = applicant.name
    card.registered_at = clock.now()
    session.add(card)
    session.flush()
    record(
        session,
        actor,
        "payment.card_registered",
        "household",
        household.id,
        clock=clock,
        last4=card.last4,
    )
    return card


def _name(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def record_deposit(session: Session, notice: DepositNotice, *, clock: Clock) -> BankDeposit:
    """A bank's deposit notice: the payment is paid once the deposits reach its amount.

    Unknown accounts are kept (and show in reconciliation) rather than refused: the bank already
    holds the money.
    """
    if notice.amount <= 0:
        message = N_("A deposit must be a positive amount of won.")
        raise ValidationFailed(message, fields={"amount": message})

    def earlier() -> BankDeposit | None:
        return session.scalar(
            select(BankDeposit).where(BankDeposit.bank_reference == notice.bank_reference)
        )

    if (found := earlier()) is not None:
        return found
    payment = session.scalar(
        select(Payment).where(Payment.account_number == notice.account_number).with_for_update()
    )
    deposit = BankDeposit(
        bank_reference=notice.bank_reference,
        account_number=notice.account_number,
        amount=notice.amount,
        payment_id=payment.id if payment else None,
        depositor=notice.depositor[:100],
        received_at=clock.now(),
    )
    stored = insert_once(session, deposit, earlier)
    if stored is not deposit:  # the same notice, recorded by a concurrent request
        return stored
    household = str(payment.household_id) if payment else "unmatched"
    transfer(
        session,
        f"deposit:{notice.bank_reference}",
        "deposit",
        notice.amount,
        debit=(Account.VIRTUAL_ACCOUNT_CLEARING, ""),
        credit=(Account.PARENT_RECEIVABLE, household),
        clock=clock,
        payment_id=payment.id if payment else None,
    )
    if payment is not None:
        payment.deposited += notice.amount
        if payment.state == P.AWAITING_DEPOSIT and payment.deposited >= payment.amount:
            move_payment(payment, P.PAID, clock=clock)
            if payment.purpose != "booking":  # arrears and contracts are settled on payment
                payment.captured = payment.amount
                move_payment(payment, P.CAPTURED, clock=clock)
    session.flush()
    return deposit


def refund_payment(
    session: Session, actor: Actor, payment: Payment, amount: int, reason: str, *, clock: Clock
) -> PaymentCommand:
    """A correction: part or all of a captured card payment goes back to the family."""
    if actor.role not in (Role.ADMIN, Role.AGENCY_STAFF):
        raise NotFound()
    if payment.method != "card" or payment.state != P.CAPTURED:
        raise Conflict(N_("Only a captured card payment can be refunded."), code="not_refundable")
    planned = sum(
        c.amount
        for c in payment.commands
        if c.operation == Operation.REFUND and c.state != CommandState.FAILED
    )
    if amount <= 0 or amount > payment.captured - planned:
        message = N_("At most %(amount)s won can still be refunded.")
        raise ValidationFailed(
            message,
            code="over_refund",
            fields={"amount": message},
            amount=payment.captured - planned,
        )
    if not reason.strip():
        message = N_("Give the reason for the refund.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": message})
    command = plan(
        session,
        payment,
        Operation.REFUND,
        amount,
        f"refund:{payment.id}:{len(payment.commands) + 1}",
        clock=clock,
    )
    record(
        session,
        actor,
        "payment.refund",
        "payment",
        payment.id,
        clock=clock,
        amount=amount,
        reason=reason.strip(),
    )
    return command


def record_processor_event(
    session: Session,
    event: dict[str, Any],
    *,
    setup: PaymentSetup,
    tariffs: TariffBook,
    clock: Clock,
) -> bool:
    """A verified webhook event, once per event id. A hold the worker has not recorded yet (its
    process died after the call) is recorded from the event. Returns False for a repeat."""
    event_id = str(event.get("id", ""))
    if not event_id:
        message = N_("The event has no id.")
        raise ValidationFailed(message, fields={"id": message})

    def earlier() -> ProcessorEvent | None:
        return session.scalar(select(ProcessorEvent).where(ProcessorEvent.event_id == event_id))

    if earlier() is not None:
        return False
    kind = str(event.get("type", ""))
    row = ProcessorEvent(event_id=event_id, kind=kind, payload=event, received_at=clock.now())
    if insert_once(session, row, earlier) is not row:
        return False
    intent = (event.get("data") or {}).get("object") or {}
    metadata = intent.get("metadata") or {}
    key = metadata.get("dolbom_key", "")
    command = (
        session.scalar(
            select(PaymentCommand).where(
                PaymentCommand.key == key,
                PaymentCommand.state == CommandState.PLANNED,
                PaymentCommand.operation == Operation.AUTHORISE,
            )
        )
        if key
        else None
    )
    if command is not None and kind in (
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
    ):
        ok = kind != "payment_intent.payment_failed"
        outcome = Outcome(
            ok, reference=str(intent.get("id", "")), failure="" if ok else "card_declined"
        )
        apply_outcome(session, command, outcome, setup=setup, tariffs=tariffs, clock=clock)
    return True
