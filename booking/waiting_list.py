"""The waiting list for regular care (R-BK-3) and the agency's answer (R-BK-2, R-BK-4).

Each child waiting for regular care has a place in its agency's list, ordered by points: 5 for
each priority ground (3 for a disabled parent whose disability is not severe), plus waiting
points for each month the family renews its request (1 a month, 5 more from the 6th month,
capped at 10). Ties go to the earliest waiting date. The agency answers within a week.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock, seoul_today
from core.db import Base
from core.errors import Conflict, NotFound
from core.i18n import N_
from core.outbox import notify

from .agencies import agencies_serving
from .households import Child, ChildState, get_own_household

ANSWER_DAYS = 7  # R-BK-4: the agency answers within one week


class PriorityGround(enum.StrEnum):
    """R-BK-3: each ground is worth 5 points (a disabled parent: 5 severe, 3 otherwise)."""

    LOW_INCOME = "low_income"  # basic livelihood or near-poverty
    SINGLE_PARENT = "single_parent"
    DISABLED_PARENT_SEVERE = "disabled_parent_severe"
    DISABLED_PARENT = "disabled_parent"
    DISABLED_SIBLING = "disabled_sibling"  # severely disabled sibling
    DUAL_EARNER = "dual_earner"
    MULTICULTURAL = "multicultural"
    MULTI_CHILD = "multi_child"
    TEEN_PARENTS = "teen_parents"


GROUND_POINTS = {ground: 5 for ground in PriorityGround} | {PriorityGround.DISABLED_PARENT: 3}
WAITING_POINTS_CAP = 10


class WaitingState(enum.StrEnum):
    WAITING = "waiting"
    REGULAR = "regular"  # the agency moved the child to regular care (never back, R-BK-2)
    WITHDRAWN = "withdrawn"


class WaitingRequest(Base):
    __tablename__ = "waiting_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    grounds: Mapped[list[str]] = mapped_column(JSON)
    waiting_since: Mapped[date]
    renewed_months: Mapped[int] = mapped_column(default=0)  # months the family renewed its request
    last_renewed_on: Mapped[date | None]
    answer_due: Mapped[date]
    answered_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(10), default=WaitingState.WAITING)
    created_at: Mapped[datetime]

    child: Mapped[Child] = relationship()

    __table_args__ = (
        Index(
            "uq_waiting_requests_open_child",
            "child_id",
            unique=True,
            postgresql_where=text("state = 'waiting'"),
            sqlite_where=text("state = 'waiting'"),
        ),
    )


@dataclass(frozen=True)
class Points:
    grounds: int
    waiting: int

    @property
    def total(self) -> int:
        return self.grounds + self.waiting


def points(request: WaitingRequest) -> Points:
    """R-BK-3: 5 a ground; +1 per renewed month, +5 more from the 6th month; waiting points ≤ 10."""
    grounds = sum(GROUND_POINTS[PriorityGround(g)] for g in set(request.grounds))
    months = request.renewed_months
    waiting = months + (5 if months >= 6 else 0)
    return Points(grounds, min(waiting, WAITING_POINTS_CAP))


def answer_due(requested_on: date) -> date:
    return requested_on + timedelta(days=ANSWER_DAYS)


def ordered(requests: list[WaitingRequest]) -> list[WaitingRequest]:
    """Most points first; ties: the earliest waiting date, then the earliest request."""
    return sorted(requests, key=lambda r: (-points(r).total, r.waiting_since, r.id))


def open_requests_query(agency_id: int):
    return select(WaitingRequest).where(
        WaitingRequest.agency_id == agency_id, WaitingRequest.state == WaitingState.WAITING
    )


# --- commands ------------------------------------------------------------------------------------


def join_waiting_list(
    session: Session,
    actor: Actor,
    child_id: int,
    grounds: Iterable[PriorityGround],
    *,
    clock: Clock,
) -> WaitingRequest:
    """A family asks for regular care for a child; the agency of its district keeps the list."""
    household = get_own_household(session, actor)
    child = next((c for c in household.children if c.id == child_id), None)
    if child is None:
        raise NotFound()
    if child.state == ChildState.REGULAR:
        raise Conflict(N_("This child already has regular care."), code="already_regular")
    if session.scalar(
        select(WaitingRequest.id).where(
            WaitingRequest.child_id == child.id, WaitingRequest.state == WaitingState.WAITING
        )
    ):
        raise Conflict(N_("This child is already on the waiting list."), code="already_waiting")
    serving = agencies_serving(session, household.district_code)
    if not serving:
        raise Conflict(N_("No agency serves your district yet."), code="no_agency")
    today = seoul_today(clock)
    request = WaitingRequest(
        child_id=child.id,
        household_id=household.id,
        agency_id=serving[0].id,
        grounds=sorted({PriorityGround(g).value for g in grounds}),
        waiting_since=today,
        renewed_months=0,
        answer_due=answer_due(today),
        state=WaitingState.WAITING.value,
        created_at=clock.now(),
    )
    session.add(request)
    session.flush()
    record(session, actor, "waiting.joined", "waiting_request", request.id, clock=clock)
    return request


def renew(session: Session, actor: Actor, request_id: int, *, clock: Clock) -> WaitingRequest:
    """R-BK-3: the family renews its request once a month; each renewal adds waiting points."""
    request = _own_request(session, actor, request_id)
    today = seoul_today(clock)
    last = request.last_renewed_on or request.waiting_since
    if (last.year, last.month) == (today.year, today.month):
        raise Conflict(N_("The request was already renewed this month."), code="already_renewed")
    request.renewed_months += 1
    request.last_renewed_on = today
    session.flush()
    return request


def place_as_regular(
    session: Session, actor: Actor, request_id: int, *, clock: Clock
) -> WaitingRequest:
    """R-BK-2: the agency moves the child from waiting to regular care, never back."""
    request = _agency_request(session, actor, request_id)
    request.state = WaitingState.REGULAR.value
    request.answered_at = clock.now()
    request.child.state = ChildState.REGULAR.value
    session.flush()
    record(session, actor, "waiting.placed", "waiting_request", request.id, clock=clock)
    notify(
        session,
        request.child.household.applicant_user_id,
        "child_regular",
        N_("%(child)s now has regular care: you can submit a monthly schedule."),
        clock=clock,
        link="/bookings",
        child=request.child.name,
    )
    return request


def answer(session: Session, actor: Actor, request_id: int, *, clock: Clock) -> WaitingRequest:
    """R-BK-4: the agency has answered the family (the child keeps its place)."""
    request = _agency_request(session, actor, request_id)
    request.answered_at = clock.now()
    session.flush()
    record(session, actor, "waiting.answered", "waiting_request", request.id, clock=clock)
    return request


@dataclass(frozen=True)
class Place:
    request: WaitingRequest
    position: int
    points: Points
    overdue: bool  # the agency has not answered within a week (R-BK-4)


def agency_list(session: Session, actor: Actor, *, clock: Clock) -> list[Place]:
    if actor.role is not Role.AGENCY_STAFF or actor.agency_id is None:
        raise NotFound()
    today = seoul_today(clock)
    requests = ordered(list(session.scalars(open_requests_query(actor.agency_id))))
    return [
        Place(r, i, points(r), r.answered_at is None and r.answer_due < today)
        for i, r in enumerate(requests, start=1)
    ]


def family_places(session: Session, actor: Actor, *, clock: Clock) -> list[Place]:
    """The family's children on waiting lists, with their position and the points behind it."""
    household = get_own_household(session, actor)
    places = []
    for request in session.scalars(
        select(WaitingRequest).where(
            WaitingRequest.household_id == household.id,
            WaitingRequest.state == WaitingState.WAITING,
        )
    ):
        queue = ordered(list(session.scalars(open_requests_query(request.agency_id))))
        places.append(Place(request, queue.index(request) + 1, points(request), False))
    return places


def _own_request(session: Session, actor: Actor, request_id: int) -> WaitingRequest:
    household = get_own_household(session, actor)
    request = session.get(WaitingRequest, request_id)
    if request is None or request.household_id != household.id:
        raise NotFound()
    if request.state != WaitingState.WAITING:
        raise Conflict(N_("This request is closed."), code="request_closed")
    return request


def _agency_request(session: Session, actor: Actor, request_id: int) -> WaitingRequest:
    request = session.get(WaitingRequest, request_id)
    if (
        actor.role is not Role.AGENCY_STAFF
        or request is None
        or request.agency_id != actor.agency_id
    ):
        raise NotFound()
    if request.state != WaitingState.WAITING:
        raise Conflict(N_("This request is closed."), code="request_closed")
    return request
