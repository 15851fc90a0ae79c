"""Bookings of care, their children, the state machine and its recorded transitions.

A booking's time is stored on the booking and copied onto each booked child, so that PostgreSQL
exclusion constraints can guarantee that neither a caregiver nor a child is ever booked twice at
the same time (see the 0005 migration); ``check_free`` is the portable check that runs first.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.actors import Actor
from core.clock import Clock
from core.db import Base
from core.errors import Conflict
from core.i18n import N_

from .caregivers import Caregiver
from .households import Child, Household


class BookingState(enum.StrEnum):
    REQUESTED = "requested"
    OFFERED = "offered"
    MATCHED = "matched"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


S = BookingState
# the explicit transition table (DESIGN rule 9): from → allowed next states
TRANSITIONS: dict[BookingState, frozenset[BookingState]] = {
    S.REQUESTED: frozenset({S.OFFERED, S.MATCHED, S.CANCELLED}),
    S.OFFERED: frozenset({S.MATCHED, S.REQUESTED, S.CANCELLED}),
    S.MATCHED: frozenset({S.CONFIRMED, S.REQUESTED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.IN_PROGRESS, S.NO_SHOW, S.REQUESTED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}
# states in which the booking holds its time (the caregiver's, the children's, the hours)
HOLDING = frozenset(
    {S.REQUESTED, S.OFFERED, S.MATCHED, S.CONFIRMED, S.IN_PROGRESS, S.COMPLETED, S.NO_SHOW}
)
WITH_CAREGIVER = frozenset({S.MATCHED, S.CONFIRMED, S.IN_PROGRESS, S.COMPLETED, S.NO_SHOW})


class BookingKind(enum.StrEnum):
    ADHOC = "adhoc"
    REGULAR = "regular"


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up by uq_bookings_request_key and ix_bookings_agency_state, which lead with them
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    caregiver_id: Mapped[int | None] = mapped_column(ForeignKey("caregivers.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default=BookingKind.ADHOC)
    service: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(12), default=BookingState.REQUESTED)
    urgent: Mapped[bool] = mapped_column(default=False)
    # the price as quoted when the booking was made (vouchers' cost split), in won
    total: Mapped[int]
    government: Mapped[int]
    parent: Mapped[int]
    tariff_year: Mapped[int]
    tier: Mapped[str] = mapped_column(String(8))
    capped_minutes: Mapped[int]  # subsidised minutes this booking holds against the annual cap
    price_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sick_note: Mapped[str] = mapped_column(String(20), default="")  # uploaded | at_visit | ""
    # the doctor's note itself, when uploaded (stored by a DocumentStore under a random key)
    sick_note_key: Mapped[str | None] = mapped_column(String(100))
    sick_note_filename: Mapped[str | None] = mapped_column(String(200))
    sick_note_type: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    assignment_reason: Mapped[str] = mapped_column(Text, default="")
    cancellation_fee: Mapped[int] = mapped_column(default=0)
    cancellation_waived: Mapped[bool] = mapped_column(default=False)
    # R-CAN-3: the family paid the fee a second time, so this cancellation is no longer a strike
    strike_bought_back: Mapped[bool] = mapped_column(default=False)
    extension_minutes: Mapped[int] = mapped_column(default=0)
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    requested_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    request_key: Mapped[str] = mapped_column(String(64))  # the client's idempotency key
    created_at: Mapped[datetime]

    household: Mapped[Household] = relationship()
    caregiver: Mapped[Caregiver | None] = relationship()
    children: Mapped[list[BookedChild]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="BookedChild.child_id"
    )
    transitions: Mapped[list[Transition]] = relationship(
        back_populates="booking", cascade="all, delete-orphan", order_by="Transition.id"
    )

    __table_args__ = (
        CheckConstraint("starts_at < ends_at", name="time_order"),
        CheckConstraint("government + parent = total", name="split_adds_up"),
        CheckConstraint("government >= 0 AND parent >= 0", name="no_negative_money"),
        # a retried or double-clicked request finds its booking instead of making a second one
        Index("uq_bookings_request_key", "household_id", "request_key", unique=True),
        Index("ix_bookings_caregiver_time", "caregiver_id", "starts_at"),
        Index("ix_bookings_agency_state", "agency_id", "state"),
    )

    @property
    def holds_time(self) -> bool:
        return self.state in HOLDING


class BookedChild(Base):
    __tablename__ = "booked_children"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), primary_key=True, index=True)
    # copies of the booking's time and whether it still holds it, for the exclusion constraint
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(default=True)

    booking: Mapped[Booking] = relationship(back_populates="children")
    child: Mapped[Child] = relationship()


class Transition(Base):
    """Each state change of a booking: who, when, from what to what, and why."""

    __tablename__ = "booking_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")

    booking: Mapped[Booking] = relationship(back_populates="transitions")


class BookingSeries(Base):
    """Regular use (R-BK-1): next month's weekly pattern, matched by the agency as a whole."""

    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    service: Mapped[str] = mapped_column(String(20))
    weekdays: Mapped[list[int]] = mapped_column(JSON)
    start_minute: Mapped[int]  # minutes after midnight, Seoul time
    end_minute: Mapped[int]
    child_ids: Mapped[list[int]] = mapped_column(JSON)
    caregiver_id: Mapped[int | None] = mapped_column(ForeignKey("caregivers.id"))
    state: Mapped[str] = mapped_column(String(12), default="submitted")
    # full-day infant care (R-SUP-10, R-PAY-3): the month's contracted hours and its price
    monthly_hours: Mapped[int | None]
    total: Mapped[int] = mapped_column(default=0)
    government: Mapped[int] = mapped_column(default=0)
    parent: Mapped[int] = mapped_column(default=0)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class IllegalTransition(Conflict):
    code = "illegal_transition"
    message = N_("A booking in state %(state)s cannot become %(target)s.")


def move(
    booking: Booking, target: BookingState, actor: Actor | None, *, clock: Clock, reason: str = ""
) -> None:
    """Change a booking's state through the transition table, and record it."""
    current = BookingState(booking.state)
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(state=current.value, target=target.value)
    booking.state = target.value
    holding = target in HOLDING
    for booked in booking.children:
        booked.active = holding
    booking.transitions.append(
        Transition(
            from_state=current.value,
            to_state=target.value,
            actor_user_id=actor.user_id if actor else None,
            at=clock.now(),
            reason=reason,
        )
    )


def overlapping(
    session: Session,
    *,
    caregiver_id: int | None = None,
    child_ids: list[int] | None = None,
    starts_at: datetime,
    ends_at: datetime,
    exclude: int | None = None,
) -> list[Booking]:
    """Bookings holding time that overlaps [starts_at, ends_at) for a caregiver or children."""
    query = select(Booking).where(
        Booking.state.in_([s.value for s in HOLDING]),
        Booking.starts_at < ends_at,
        Booking.ends_at > starts_at,
    )
    if exclude is not None:
        query = query.where(Booking.id != exclude)
    if caregiver_id is not None:
        query = query.where(Booking.caregiver_id == caregiver_id)
    if child_ids is not None:
        query = query.where(
            Booking.id.in_(
                select(BookedChild.booking_id).where(BookedChild.child_id.in_(child_ids))
            )
        )
    return list(session.scalars(query))


DEADLOCK_DETECTED = "40P01"  # SQLSTATE


def flush_or_conflict(session: Session, constraints: dict[str, Conflict]) -> None:
    """Flush; a violated exclusion constraint (PostgreSQL) becomes the matching domain error."""
    with conflicts_as(constraints):
        session.flush()


@contextmanager
def conflicts_as(constraints: dict[str, Conflict]) -> Iterator[None]:
    """A violated exclusion constraint (PostgreSQL) inside becomes the matching domain error.

    The check in Python runs first; this is the database's word when two requests race past it.
    Two conflicting rows written at the same moment may also deadlock inside the constraint's
    check (each waits for the other's row): the transaction PostgreSQL aborts lost the same race,
    and gets the same answer. Constraints are named ``ex_<table>_...``.
    """
    try:
        yield
    except IntegrityError as error:
        message = str(error.orig)
        for name, conflict in constraints.items():
            if name in message:
                raise conflict from error
        raise
    except OperationalError as error:
        table = _exclusion_deadlock_table(error.orig)
        for name, conflict in constraints.items():
            if table is not None and name.startswith(f"ex_{table}_"):
                raise conflict from error
        raise


def _exclusion_deadlock_table(error: BaseException | None) -> str | None:
    """The table whose exclusion check deadlocked (SQLSTATE 40P01), from the error's context."""
    if getattr(error, "sqlstate", None) != DEADLOCK_DETECTED:
        return None
    context = getattr(getattr(error, "diag", None), "context", None) or ""
    found = re.search(r'while checking exclusion constraint .* in relation "(\w+)"', context)
    return found.group(1) if found else None
