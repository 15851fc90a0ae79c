"""The payment worker and the scheduled payment jobs.

The worker runs each planned command in three steps, each its own transaction at the edge:
``claim_command`` leases it (so two workers never call the processor for the same command),
``execute`` calls the processor outside any transaction, and ``apply_outcome`` records what
happened together with its ledger transaction. A crash after the processor call leaves the
command planned with its lease; the next attempt finds the first attempt's hold by its key.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from booking.bookings import Booking, BookingState, move
from booking.households import Household
from core.clock import SEOUL, Clock
from core.i18n import N_

from .gateways import CardDeclined, CardOnFile, Outcome, PaymentGateway, ProcessorUnavailable
from .ledger import Account, leg, post, transfer
from .payments import (
    CommandState,
    Operation,
    Payment,
    PaymentCommand,
    PaymentSetup,
    Purpose,
    move_payment,
    open_payment,
    start_authorising,
    tell_family,
)
from .payments import PaymentState as P
from .tariffs import TariffBook

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 5  # then the processor is taken to be failing for this payment


def claim_command(session: Session, *, clock: Clock) -> PaymentCommand | None:
    """Lease the oldest command that is ready; the caller commits before executing it."""
    now = clock.now()
    command = session.scalar(
        select(PaymentCommand)
        .join(Payment, Payment.id == PaymentCommand.payment_id)
        .where(
            PaymentCommand.state == CommandState.PLANNED,
            or_(PaymentCommand.lease_until.is_(None), PaymentCommand.lease_until < now),
            # a capture or release waits for its hold; an authorise waits for nothing
            or_(
                PaymentCommand.operation == Operation.AUTHORISE,
                Payment.state != P.AUTHORISING,
            ),
        )
        .order_by(PaymentCommand.id)
        .limit(1)
        .with_for_update(skip_locked=True, of=PaymentCommand)
    )
    if command is None:
        return None
    command.attempts += 1
    command.lease_until = now + LEASE
    session.flush()
    return command


def execute(
    command: PaymentCommand,
    payment: Payment,
    card_on_file: CardOnFile | None,
    gateway: PaymentGateway,
) -> Outcome:
    """Call the processor (no database work here). Outages come back as retryable outcomes."""
    operation = Operation(command.operation)
    try:
        if operation is Operation.AUTHORISE:
            if command.attempts > 1:  # an earlier attempt may have placed the hold, then died
                found = gateway.find_authorisation(command.key)
                if found is not None:
                    return found
            if card_on_file is None:
                return Outcome(False, failure="no_card")
            return gateway.authorise(
                card=card_on_file, amount=command.amount, key=command.key, payment_id=payment.id
            )
        if payment.state != P.AUTHORISED and operation in (Operation.CAPTURE, Operation.RELEASE):
            return Outcome(False, failure="no_hold")
        if operation is Operation.CAPTURE:
            return gateway.capture(
                reference=payment.reference, amount=command.amount, key=command.key
            )
        if operation is Operation.RELEASE:
            return gateway.release(reference=payment.reference, key=command.key)
        return gateway.refund(reference=payment.reference, amount=command.amount, key=command.key)
    except CardDeclined as declined:
        return Outcome(False, failure=declined.code)
    except ProcessorUnavailable as error:
        return Outcome(False, failure=f"processor_unavailable: {error}"[:200], retryable=True)


def apply_outcome(
    session: Session,
    command: PaymentCommand,
    outcome: Outcome,
    *,
    setup: PaymentSetup,
    tariffs: TariffBook,
    clock: Clock,
) -> None:
    """Record the processor's answer and its ledger transaction (the caller commits)."""
    if command.state != CommandState.PLANNED:  # another attempt recorded it already
        return
    payment = command.payment
    if not outcome.ok and outcome.retryable and command.attempts < MAX_ATTEMPTS:
        command.failure = outcome.failure
        command.lease_until = clock.now() + LEASE * command.attempts  # back off
        return
    command.state = (CommandState.DONE if outcome.ok else CommandState.FAILED).value
    command.failure = outcome.failure
    command.done_at = clock.now()
    if outcome.failure == "no_hold":
        return
    operation = Operation(command.operation)
    if operation is Operation.AUTHORISE:
        _authorised(session, payment, outcome, setup=setup, tariffs=tariffs, clock=clock)
    elif operation is Operation.CAPTURE:
        _captured(session, payment, command, outcome, setup=setup, tariffs=tariffs, clock=clock)
    elif operation is Operation.RELEASE and outcome.ok:
        _release_hold(session, payment, clock=clock)
        move_payment(payment, P.RELEASED, clock=clock)
    elif operation is Operation.REFUND and outcome.ok:
        payment.refunded += command.amount
        post(
            session,
            f"refund:{command.key}",
            "refund",
            [
                leg(Account.REFUNDS, _agency_of(session, payment), command.amount),
                leg(Account.CARD_CLEARING, "", -command.amount),
            ],
            clock=clock,
            payment_id=payment.id,
        )
    session.flush()


def _authorised(session, payment, outcome, *, setup, tariffs, clock) -> None:
    if outcome.ok:
        payment.reference = outcome.reference
        move_payment(payment, P.AUTHORISED, clock=clock)
        transfer(
            session,
            f"authorise:{payment.id}",
            "authorise",
            payment.amount,
            debit=(Account.CARD_HOLDS, ""),
            credit=(Account.PARENT_HOLDS, payment.household_id),
            clock=clock,
            payment_id=payment.id,
        )
        return
    payment.failure = outcome.failure[:40]
    payment.reference = outcome.reference
    move_payment(payment, P.FAILED, clock=clock)
    _fall_back_to_virtual_account(session, payment, setup=setup, tariffs=tariffs, clock=clock)


def _captured(session, payment, command, outcome, *, setup, tariffs, clock) -> None:
    _release_hold(session, payment, clock=clock)
    if outcome.ok:
        payment.captured = command.amount
        move_payment(payment, P.CAPTURED, clock=clock)
        transfer(
            session,
            f"capture:{payment.id}",
            "capture",
            command.amount,
            debit=(Account.CARD_CLEARING, ""),
            credit=(Account.PARENT_RECEIVABLE, payment.household_id),
            clock=clock,
            payment_id=payment.id,
        )
        return
    # the hold expired or was refused: the amount stays owed and is paid by virtual account
    payment.failure = outcome.failure[:40]
    move_payment(payment, P.FAILED, clock=clock)
    household = session.get(Household, payment.household_id)
    assert household is not None
    arrears = open_payment(
        session,
        household,
        command.amount,
        clock.now(),
        purpose=Purpose.ARREARS,
        setup=setup,
        terms=tariffs.for_date(clock.now().astimezone(SEOUL).date()).payment,
        clock=clock,
        force_virtual_account=True,
    )
    arrears.due_at = clock.now() + timedelta(days=7)
    tell_family(
        session,
        household,
        "payment_failed",
        N_(
            "We could not charge your Happiness Card %(amount)s won. Pay into virtual account "
            "%(account)s."
        ),
        clock=clock,
        amount=command.amount,
        account=arrears.account_number,
    )


def _release_hold(session: Session, payment: Payment, *, clock: Clock) -> None:
    transfer(
        session,
        f"release:{payment.id}",
        "release",
        payment.amount,
        debit=(Account.PARENT_HOLDS, payment.household_id),
        credit=(Account.CARD_HOLDS, ""),
        clock=clock,
        payment_id=payment.id,
    )


def _fall_back_to_virtual_account(session, payment, *, setup, tariffs, clock) -> None:
    """A declined card: the booking keeps its place if the family deposits in time."""
    household = session.get(Household, payment.household_id)
    assert household is not None
    booking = session.get(Booking, payment.booking_id) if payment.booking_id else None
    if booking is not None and booking.state != BookingState.CONFIRMED:
        return
    starts_at = booking.starts_at if booking is not None else clock.now() + timedelta(days=1)
    replacement = open_payment(
        session,
        household,
        payment.amount,
        starts_at,
        purpose=Purpose(payment.purpose),
        setup=setup,
        terms=tariffs.for_date(starts_at.astimezone(SEOUL).date()).payment,
        clock=clock,
        booking_id=payment.booking_id,
        series_id=payment.series_id,
        force_virtual_account=True,
    )
    tell_family(
        session,
        household,
        "card_declined",
        N_(
            "Your Happiness Card was declined. Pay %(amount)s won into virtual account "
            "%(account)s by %(due)s, or the booking is cancelled."
        ),
        clock=clock,
        amount=replacement.amount,
        account=replacement.account_number,
        due=replacement.due_at.isoformat() if replacement.due_at else "",
    )


def _agency_of(session: Session, payment: Payment) -> int | str:
    if payment.booking_id is not None:
        booking = session.get(Booking, payment.booking_id)
        return booking.agency_id if booking is not None else ""
    return ""


def authorise_due(session: Session, *, clock: Clock) -> int:
    """Card holds for care that is now near enough (holds expire after about a week)."""
    due = list(
        session.scalars(
            select(Payment)
            .where(Payment.state == P.SCHEDULED, Payment.authorise_from <= clock.now())
            .with_for_update(skip_locked=True)
        )
    )
    for payment in due:
        start_authorising(session, payment, clock=clock)
    return len(due)


def expire_unpaid(session: Session, *, clock: Clock) -> int:
    """Virtual accounts not paid by their due time: the booking is cancelled, its subsidised
    hours released, and the family told (R-PAY-1)."""
    now = clock.now()
    unpaid = list(
        session.scalars(
            select(Payment)
            .where(
                Payment.state == P.AWAITING_DEPOSIT,
                Payment.due_at <= now,
                Payment.purpose != Purpose.ARREARS,
            )
            .with_for_update(skip_locked=True)
        )
    )
    for payment in unpaid:
        move_payment(payment, P.EXPIRED, clock=clock)
        booking = session.get(Booking, payment.booking_id) if payment.booking_id else None
        if booking is not None and booking.state in (
            BookingState.REQUESTED,
            BookingState.OFFERED,
            BookingState.MATCHED,
            BookingState.CONFIRMED,
        ):
            booking.capped_minutes = 0
            move(booking, BookingState.CANCELLED, None, clock=clock, reason="unpaid")
        household = session.get(Household, payment.household_id)
        assert household is not None
        tell_family(
            session,
            household,
            "payment_expired",
            N_(
                "The virtual account for your booking was not paid in time; the booking is "
                "cancelled."
            ),
            clock=clock,
        )
    session.flush()
    return len(unpaid)
