"""Paying the parent share (R-PAY-1..3): payments, their state machine and the work they plan.

A payment belongs to a booking (or a full-day contract, paid monthly in advance, R-PAY-3, or to
arrears). Money never moves inside a web request: the booking's change plans a
``PaymentCommand`` in the same transaction (the outbox) and the payment worker carries it out
against the processor, then records the outcome and its ledger transaction in a second
transaction. A crash between the two leaves the command planned; the retry finds what the first
attempt did (idempotency keys, ``find_authorisation``) and records it once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from booking.households import Household
from core.clock import SEOUL, Clock
from core.db import Base, insert_once
from core.errors import Conflict
from core.i18n import N_
from core.outbox import notify

from .gateways import CARD, VIRTUAL_ACCOUNT, CardOnFile, PaymentGateway, VirtualAccountGateway
from .tariffs import PaymentTerms


class PaymentState(enum.StrEnum):
    SCHEDULED = "scheduled"  # a card hold waits until the care is near (holds expire)
    AUTHORISING = "authorising"  # the hold is being placed
    AUTHORISED = "authorised"  # the card holds the amount
    AWAITING_DEPOSIT = "awaiting_deposit"  # a virtual account waits for the family's deposit
    PAID = "paid"  # the deposit arrived
    CAPTURED = "captured"  # settled: the card charged, or the deposit applied
    RELEASED = "released"  # nothing (more) to take: the hold let go, the account closed
    REFUNDED = "refunded"  # a deposit returned to the family
    FAILED = "failed"  # declined or the hold expired: a virtual account takes over
    EXPIRED = "expired"  # the virtual account was not paid in time: the booking is cancelled


P = PaymentState
PAYMENT_TRANSITIONS: dict[PaymentState, frozenset[PaymentState]] = {
    P.SCHEDULED: frozenset({P.AUTHORISING, P.RELEASED}),
    P.AUTHORISING: frozenset({P.AUTHORISED, P.FAILED, P.RELEASED}),
    P.AUTHORISED: frozenset({P.CAPTURED, P.RELEASED, P.FAILED}),
    P.AWAITING_DEPOSIT: frozenset({P.PAID, P.EXPIRED, P.RELEASED}),
    P.PAID: frozenset({P.CAPTURED, P.REFUNDED}),
    P.CAPTURED: frozenset(),
    P.RELEASED: frozenset(),
    P.REFUNDED: frozenset(),
    P.FAILED: frozenset(),
    P.EXPIRED: frozenset(),
}


class Purpose(enum.StrEnum):
    BOOKING = "booking"
    CONTRACT = "contract"  # a month of full-day infant care, in advance (R-PAY-3)
    ARREARS = "arrears"


class PaymentCard(Base):
    """A family's registered Happiness Card, held by the applicant (R-PAY-1)."""

    __tablename__ = "payment_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), unique=True)
    customer: Mapped[str] = mapped_column(String(60))
    payment_method: Mapped[str] = mapped_column(String(60))
    brand: Mapped[str] = mapped_column(String(20), default="")
    last4: Mapped[str] = mapped_column(String(4), default="")
    holder_name: Mapped[str] = mapped_column(String(100))
    registered_at: Mapped[datetime]

    def on_file(self) -> CardOnFile:
        return CardOnFile(self.customer, self.payment_method, self.brand, self.last4)


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int]  # the hold or the deposit due, in won
    captured: Mapped[int] = mapped_column(default=0)
    refunded: Mapped[int] = mapped_column(default=0)
    deposited: Mapped[int] = mapped_column(default=0)
    reference: Mapped[str] = mapped_column(String(60), default="")  # the processor's id
    account_bank: Mapped[str] = mapped_column(String(40), default="")
    account_number: Mapped[str] = mapped_column(String(20), default="")
    due_at: Mapped[datetime | None]  # virtual account: the deposit deadline
    authorise_from: Mapped[datetime | None]  # card: when the hold may be placed
    failure: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    commands: Mapped[list[PaymentCommand]] = relationship(
        back_populates="payment", order_by="PaymentCommand.id"
    )

    __table_args__ = (
        Index("ix_payments_state_due", "state", "due_at"),
        Index("ix_payments_account_number", "account_number"),
    )


class Operation(enum.StrEnum):
    AUTHORISE = "authorise"
    CAPTURE = "capture"
    RELEASE = "release"
    REFUND = "refund"


class CommandState(enum.StrEnum):
    PLANNED = "planned"
    DONE = "done"
    FAILED = "failed"


class PaymentCommand(Base):
    """A call to the processor, planned in the transaction that decided it (the outbox)."""

    __tablename__ = "payment_commands"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    operation: Mapped[str] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # the processor idempotency key
    state: Mapped[str] = mapped_column(String(10), default=CommandState.PLANNED)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]  # a worker holds it until then
    failure: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]

    payment: Mapped[Payment] = relationship(back_populates="commands")

    __table_args__ = (Index("ix_payment_commands_state", "state", "lease_until"),)


@dataclass(frozen=True)
class PaymentSetup:
    """The configured backends: a card processor (or none) and the virtual accounts."""

    card: PaymentGateway | None
    virtual_accounts: VirtualAccountGateway


class IllegalPaymentTransition(Conflict):
    code = "illegal_payment_transition"
    message = N_("A payment in state %(state)s cannot become %(target)s.")


def move_payment(payment: Payment, target: PaymentState, *, clock: Clock) -> None:
    current = PaymentState(payment.state)
    if target not in PAYMENT_TRANSITIONS[current]:
        raise IllegalPaymentTransition(state=current.value, target=target.value)
    payment.state = target.value
    payment.updated_at = clock.now()


def plan(
    session: Session, payment: Payment, operation: Operation, amount: int, key: str, *, clock: Clock
) -> PaymentCommand:
    """Plan a processor call once per key (a retried change plans nothing new)."""
    existing = session.scalar(select(PaymentCommand).where(PaymentCommand.key == key))
    if existing is not None:
        return existing
    command = PaymentCommand(
        payment_id=payment.id,
        operation=operation.value,
        amount=amount,
        key=key,
        created_at=clock.now(),
    )
    return insert_once(
        session,
        command,
        lambda: session.scalar(select(PaymentCommand).where(PaymentCommand.key == key)),
    )


def open_payment(
    session: Session,
    household: Household,
    amount: int,
    care_starts_at: datetime,
    *,
    purpose: Purpose,
    setup: PaymentSetup,
    terms: PaymentTerms,
    clock: Clock,
    booking_id: int | None = None,
    series_id: int | None = None,
    force_virtual_account: bool = False,
) -> Payment:
    """A card hold when the family has a card and the backend takes cards, else a deposit."""
    now = clock.now()
    card = session.scalar(select(PaymentCard).where(PaymentCard.household_id == household.id))
    use_card = setup.card is not None and card is not None and not force_virtual_account
    payment = Payment(
        household_id=household.id,
        booking_id=booking_id,
        series_id=series_id,
        purpose=purpose.value,
        method=CARD if use_card else VIRTUAL_ACCOUNT,
        state=P.SCHEDULED.value if use_card else P.AWAITING_DEPOSIT.value,
        amount=amount,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    session.flush()
    if use_card:
        payment.authorise_from = care_starts_at - timedelta(days=terms.hold_days_ahead)
        if payment.authorise_from <= now:
            start_authorising(session, payment, clock=clock)
    else:
        payment.account_bank = setup.virtual_accounts.bank
        payment.account_number = setup.virtual_accounts.account_number(payment.id)
        payment.due_at = deposit_due(care_starts_at, terms, now)
    session.flush()
    return payment


def start_authorising(session: Session, payment: Payment, *, clock: Clock) -> PaymentCommand:
    move_payment(payment, P.AUTHORISING, clock=clock)
    return plan(
        session,
        payment,
        Operation.AUTHORISE,
        payment.amount,
        f"authorise:{payment.id}",
        clock=clock,
    )


def deposit_due(care_starts_at: datetime, terms: PaymentTerms, now: datetime) -> datetime:
    """R-PAY-1: by the end of the day before the care (Seoul); a booking made later than that
    (same-day care) is due an hour before the start."""
    care_day = care_starts_at.astimezone(SEOUL).date()
    due = datetime.combine(
        care_day - timedelta(days=terms.deposit_days_before - 1), time(0), tzinfo=SEOUL
    )
    if due <= now:
        due = max(now, care_starts_at - timedelta(hours=1))
    return due


def current_payment(session: Session, booking_id: int) -> Payment | None:
    """The booking's latest payment (an earlier one may have failed and been replaced)."""
    return session.scalar(
        select(Payment)
        .where(Payment.booking_id == booking_id, Payment.purpose == Purpose.BOOKING.value)
        .order_by(Payment.id.desc())
        .limit(1)
    )


def tell_family(
    session: Session, household: Household, kind: str, message: str, *, clock: Clock, **params
) -> None:
    notify(
        session,
        household.applicant_user_id,
        kind,
        message,
        clock=clock,
        link="/payments",
        **params,
    )
