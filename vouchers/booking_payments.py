"""What a booking's change means for its money: holds, charges, fees, captures and releases.

``sync_booking`` is idempotent and driven by the booking's state alone, so the edge calls it after
every change into a state that moves money (``MONEY_STATES``), and a scheduled job may call it
again for any booking without harm: each ledger posting and each planned processor call has a key
derived from the booking or payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from booking.bookings import Booking, BookingSeries, BookingState
from booking.households import Household
from core.actors import Actor, Role
from core.audit import record
from core.clock import SEOUL, Clock
from core.errors import Conflict, NotFound
from core.i18n import N_

from .cancellation import waived_cancellation_pay
from .ledger import Account, LedgerEntry, LedgerTransaction, transfer
from .payments import (
    Operation,
    Payment,
    PaymentSetup,
    Purpose,
    current_payment,
    move_payment,
    open_payment,
    plan,
)
from .payments import PaymentState as P
from .tariffs import TariffBook


@dataclass(frozen=True)
class Owed:
    """What a delivered visit costs, extensions included (priced at the booking's own rates)."""

    minutes: int
    total: int
    government: int
    parent: int


def owed_for(booking: Booking) -> Owed:
    booked = int((booking.ends_at - booking.starts_at).total_seconds()) // 60
    extra = booking.extension_minutes
    if booking.state == BookingState.NO_SHOW:  # R-BK-7: 100%, no government support
        return Owed(booked, booking.total, 0, booking.total)
    extra_total = booking.total * extra // booked if booked else 0
    extra_government = booking.government * extra // booked if booked else 0
    return Owed(
        booked + extra,
        booking.total + extra_total,
        booking.government + extra_government,
        booking.parent + extra_total - extra_government,
    )


# the states whose arrival moves money; in every other state ``sync_booking`` changes nothing
MONEY_STATES = frozenset(
    {BookingState.CONFIRMED, BookingState.COMPLETED, BookingState.NO_SHOW, BookingState.CANCELLED}
)


def sync_booking(
    session: Session, booking: Booking, *, setup: PaymentSetup, tariffs: TariffBook, clock: Clock
) -> Payment | None:
    """Bring the booking's money in step with its state (safe to call any number of times)."""
    payment = current_payment(session, booking.id)
    state = BookingState(booking.state)
    terms = tariffs.for_date(booking.starts_at.astimezone(SEOUL).date())
    if state is BookingState.CONFIRMED and payment is None and booking.parent > 0:
        return open_payment(
            session,
            booking.household,
            booking.parent,
            booking.starts_at,
            purpose=Purpose.BOOKING,
            setup=setup,
            terms=terms.payment,
            clock=clock,
            booking_id=booking.id,
        )
    if state in (BookingState.COMPLETED, BookingState.NO_SHOW):
        owed = owed_for(booking)
        _charge(session, booking, owed.parent, clock=clock)
        if payment is not None:
            collect(session, payment, owed.parent, clock=clock)
    elif state is BookingState.CANCELLED:
        fee = booking.cancellation_fee
        if fee:
            transfer(
                session,
                f"cancellation_fee:{booking.id}",
                "cancellation_fee",
                fee,
                debit=(Account.PARENT_RECEIVABLE, booking.household_id),
                credit=(Account.CANCELLATION_FEES, booking.agency_id),
                clock=clock,
                booking_id=booking.id,
            )
        if booking.cancellation_waived and booking.caregiver_id is not None:
            pay = waived_cancellation_pay(terms)  # R-CAN-2, R-CG-3: from the programme
            transfer(
                session,
                f"waived_cancellation:{booking.id}",
                "waived_cancellation",
                pay,
                debit=(Account.VOUCHER_FUND, booking.household.district_code),
                credit=(Account.CANCELLATION_FEES, booking.agency_id),
                clock=clock,
                booking_id=booking.id,
            )
        if payment is not None:
            collect(session, payment, fee, clock=clock)
    return payment


def sync_contract(
    session: Session,
    series: BookingSeries,
    *,
    setup: PaymentSetup,
    tariffs: TariffBook,
    clock: Clock,
) -> Payment | None:
    """R-PAY-3: a confirmed full-day contract is paid for the month in advance."""
    if series.state != "confirmed" or series.parent <= 0:
        return None
    existing = session.scalar(
        select(Payment).where(
            Payment.series_id == series.id, Payment.purpose == Purpose.CONTRACT.value
        )
    )
    if existing is not None:
        return existing
    year, month = (int(part) for part in series.month.split("-"))
    first_day = datetime.combine(date(year, month, 1), time(0), tzinfo=SEOUL)
    household = session.get(Household, series.household_id)
    assert household is not None
    payment = open_payment(
        session,
        household,
        series.parent,
        first_day,
        purpose=Purpose.CONTRACT,
        setup=setup,
        terms=tariffs.for_date(first_day.date()).payment,
        clock=clock,
        series_id=series.id,
    )
    # paid in advance: the month is owed from the start, whatever is used
    transfer(
        session,
        f"contract_charge:{series.id}",
        "contract_charge",
        series.parent,
        debit=(Account.PARENT_RECEIVABLE, series.household_id),
        credit=(Account.AGENCY_PAYABLE, series.agency_id),
        clock=clock,
        payment_id=payment.id,
    )
    if payment.method == "card":
        plan(
            session, payment, Operation.CAPTURE, series.parent, f"capture:{payment.id}", clock=clock
        )
    return payment


def buy_back_strike(session: Session, actor: Actor, booking: Booking, *, clock: Clock) -> Booking:
    """R-CAN-3: paying twice the cancellation fee removes one strike. The family is charged the
    fee a second time (owed like any charge, R-PAY-2) and the cancellation stops counting."""
    if actor.role is not Role.PARENT or booking.household.applicant_user_id != actor.user_id:
        raise NotFound()
    if booking.strike_bought_back:
        return booking
    if (
        booking.state != BookingState.CANCELLED
        or booking.cancellation_fee <= 0
        or booking.cancellation_waived
    ):
        raise Conflict(
            N_("Only a late cancellation with a fee can be paid off."), code="no_strike_to_remove"
        )
    transfer(
        session,
        f"strike_buyback:{booking.id}",
        "strike_buyback",
        booking.cancellation_fee,
        debit=(Account.PARENT_RECEIVABLE, booking.household_id),
        credit=(Account.CANCELLATION_FEES, booking.agency_id),
        clock=clock,
        booking_id=booking.id,
    )
    booking.strike_bought_back = True
    session.flush()
    record(
        session,
        actor,
        "booking.strike_bought_back",
        "booking",
        booking.id,
        clock=clock,
        fee=booking.cancellation_fee,
    )
    return booking


def _charge(session: Session, booking: Booking, owed: int, *, clock: Clock) -> None:
    """Charge what the visit owes and was not charged yet: an extension reported after the
    visit was charged adds the difference."""
    charged = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(
            LedgerTransaction.booking_id == booking.id,
            LedgerTransaction.kind == "visit_charge",
            LedgerEntry.account == Account.PARENT_RECEIVABLE.value,
        )
    )
    if owed <= (charged or 0):
        return
    transfer(
        session,
        f"charge:{booking.id}:{owed}",
        "visit_charge",
        owed - (charged or 0),
        debit=(Account.PARENT_RECEIVABLE, booking.household_id),
        credit=(Account.AGENCY_PAYABLE, booking.agency_id),
        clock=clock,
        booking_id=booking.id,
    )


def collect(session: Session, payment: Payment, amount: int, *, clock: Clock) -> None:
    """Take ``amount`` from what the payment holds; anything it cannot cover stays owed."""
    state = P(payment.state)
    if state is P.SCHEDULED:  # no hold was placed yet
        move_payment(payment, P.RELEASED, clock=clock)
    elif state in (P.AUTHORISING, P.AUTHORISED):
        if amount > 0:
            take = min(amount, payment.amount)
            plan(session, payment, Operation.CAPTURE, take, f"capture:{payment.id}", clock=clock)
        else:
            plan(session, payment, Operation.RELEASE, 0, f"release:{payment.id}", clock=clock)
    elif state is P.AWAITING_DEPOSIT:
        move_payment(payment, P.RELEASED, clock=clock)  # the account is closed
    elif state is P.PAID:
        applied = min(amount, payment.deposited)
        back = payment.deposited - applied
        if back:  # returned to the family's bank account
            transfer(
                session,
                f"deposit_refund:{payment.id}",
                "deposit_refund",
                back,
                debit=(Account.PARENT_RECEIVABLE, payment.household_id),
                credit=(Account.VIRTUAL_ACCOUNT_CLEARING, ""),
                clock=clock,
                payment_id=payment.id,
            )
            payment.refunded = back
        payment.captured = applied
        move_payment(payment, P.CAPTURED if applied else P.REFUNDED, clock=clock)
    session.flush()
