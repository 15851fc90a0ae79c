"""The steps of a home visit (R-ECH-2), taken by an officer of the child's district.

Inform the family and agree a time by phone → visit face to face → counsel child and guardian →
link the services needed → follow up and close. The states and their transitions are
``home_visits.TRANSITIONS``; every step is written to the audit trail (never the counselling).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock, seoul_today
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_

from .home_visits import (
    TRANSITIONS,
    CaseStatus,
    HomeVisit,
    LinkedService,
    LinkedServiceKind,
    Need,
    VisitCase,
    VisitOutcome,
    get_case,
)

# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    call_at: datetime | None = None
    visit_at: datetime | None = None


@dataclass(frozen=True)
class CallRecord:
    called_at: datetime
    reached: bool


@dataclass(frozen=True)
class VisitRecord:
    visited_at: datetime
    visitor_name: str
    place: str
    outcome: VisitOutcome
    counselling_notes: str = ""
    needs: frozenset[Need] = frozenset()


@dataclass(frozen=True)
class ServiceLink:
    service: LinkedServiceKind
    note: str = ""


@dataclass(frozen=True)
class FollowUp:
    follow_up_on: date | None
    note: str = ""


# --- commands (officers of the district) ----------------------------------------------------


def _officer_case(session: Session, actor: Actor, case_id: int) -> VisitCase:
    if actor.role is not Role.OFFICER:
        raise NotFound()
    return get_case(session, actor, case_id, lock=True)


def _move(case: VisitCase, target: CaseStatus) -> None:
    if target not in TRANSITIONS[CaseStatus(case.status)]:
        raise Conflict(
            N_("This step does not follow from the child's current state."),
            code="case_state",
        )
    case.status = target.value


def _aware(name: str, value: datetime | None) -> dict[str, str]:
    if value is not None and value.utcoffset() is None:
        return {name: N_("Give the time with its time zone.")}
    return {}


def schedule(
    session: Session, actor: Actor, case_id: int, plan: Schedule, *, clock: Clock
) -> VisitCase:
    """R-ECH-2: plan the phone call and/or the visit."""
    case = _officer_case(session, actor, case_id)
    errors = {**_aware("call_at", plan.call_at), **_aware("visit_at", plan.visit_at)}
    if plan.call_at is None and plan.visit_at is None:
        errors["call_at"] = N_("Give the time of the call or of the visit.")
    if errors:
        raise ValidationFailed(fields=errors)
    target = CaseStatus.VISIT_SCHEDULED if plan.visit_at else CaseStatus.CALL_SCHEDULED
    _move(case, target)
    if plan.call_at is not None:
        case.call_planned_at = plan.call_at
    if plan.visit_at is not None:
        case.visit_planned_at = plan.visit_at
    session.flush()
    record(session, actor, "home_visit.scheduled", "visit_case", case.id, clock=clock)
    return case


def record_call(
    session: Session, actor: Actor, case_id: int, call: CallRecord, *, clock: Clock
) -> VisitCase:
    """R-ECH-2: the phone call that informs the family and agrees a time."""
    case = _officer_case(session, actor, case_id)
    errors = _aware("called_at", call.called_at)
    if not errors and call.called_at > clock.now():
        errors = {"called_at": N_("The call cannot be in the future.")}
    if errors:
        raise ValidationFailed(fields=errors)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(N_("This child's case is closed."), code="case_closed")
    if not case.visited:  # after a visit a call is a follow-up: the state stays
        if not call.reached:
            _move(case, CaseStatus.NOT_REACHED)
        elif case.status != CaseStatus.VISIT_SCHEDULED:
            _move(case, CaseStatus.REACHED)  # the visit comes next
    case.called_at, case.call_reached = call.called_at, call.reached
    session.flush()
    record(
        session,
        actor,
        "home_visit.called",
        "visit_case",
        case.id,
        clock=clock,
        reached=call.reached,
    )
    return case


def record_visit(
    session: Session, actor: Actor, case_id: int, visit: VisitRecord, *, clock: Clock
) -> HomeVisit:
    """R-ECH-2: the visit (who, when, where, face to face or not reached) and its counselling."""
    case = _officer_case(session, actor, case_id)
    errors = _aware("visited_at", visit.visited_at)
    if not errors and visit.visited_at > clock.now():
        errors["visited_at"] = N_("The visit cannot be in the future.")
    if not visit.visitor_name.strip():
        errors["visitor_name"] = N_("Enter who visited.")
    if not visit.place.strip():
        errors["place"] = N_("Enter where the visit took place.")
    if visit.outcome is VisitOutcome.NOT_REACHED and (
        visit.counselling_notes.strip() or visit.needs
    ):
        errors["outcome"] = N_("Counselling and needs are recorded for a face-to-face visit.")
    if errors:
        raise ValidationFailed(fields=errors)
    face_to_face = visit.outcome is VisitOutcome.FACE_TO_FACE
    _move(case, CaseStatus.VISITED if face_to_face else CaseStatus.NOT_REACHED)
    row = HomeVisit(
        visited_at=visit.visited_at,
        visitor_name=visit.visitor_name.strip(),
        place=visit.place.strip(),
        outcome=visit.outcome.value,
        counselling_notes=visit.counselling_notes.strip(),
        needs=sorted(n.value for n in visit.needs),
        recorded_by_user_id=actor.user_id,
        recorded_at=clock.now(),
    )
    case.visits.append(row)
    session.flush()
    # the audit trail names the outcome, never the counselling
    record(
        session,
        actor,
        "home_visit.visited",
        "visit_case",
        case.id,
        clock=clock,
        outcome=visit.outcome.value,
    )
    return row


def link_service(
    session: Session, actor: Actor, case_id: int, link: ServiceLink, *, clock: Clock
) -> LinkedService:
    """R-ECH-2: link a service after a face-to-face visit. The care service also needs a
    referral to the officers' queue: use ``vouchers.support_referrals.link_service``."""
    case = _officer_case(session, actor, case_id)
    if case.status != CaseStatus.VISITED:
        raise Conflict(N_("Services are linked after a face-to-face visit."), code="visit_first")
    if link.service is LinkedServiceKind.OTHER and not link.note.strip():
        raise ValidationFailed(fields={"note": N_("Say which service.")})
    if len(link.note) > 500:
        raise ValidationFailed(fields={"note": N_("This text is too long.")})
    if any(
        s.service == link.service and link.service is not LinkedServiceKind.OTHER
        for s in case.services
    ):
        raise Conflict(N_("This service is already linked."), code="service_linked")
    row = LinkedService(
        service=link.service.value,
        note=link.note.strip(),
        linked_by_user_id=actor.user_id,
        linked_at=clock.now(),
    )
    case.services.append(row)
    session.flush()
    record(
        session,
        actor,
        "home_visit.service_linked",
        "visit_case",
        case.id,
        clock=clock,
        service=link.service.value,
    )
    return row


def plan_follow_up(
    session: Session, actor: Actor, case_id: int, follow_up: FollowUp, *, clock: Clock
) -> VisitCase:
    case = _officer_case(session, actor, case_id)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(N_("This child's case is closed."), code="case_closed")
    if follow_up.follow_up_on is not None and follow_up.follow_up_on < seoul_today(clock):
        raise ValidationFailed(fields={"follow_up_on": N_("The follow-up cannot be in the past.")})
    case.follow_up_on = follow_up.follow_up_on
    case.follow_up = follow_up.note.strip()
    session.flush()
    record(session, actor, "home_visit.follow_up", "visit_case", case.id, clock=clock)
    return case


def close_case(session: Session, actor: Actor, case_id: int, *, clock: Clock) -> VisitCase:
    case = _officer_case(session, actor, case_id)
    _move(case, CaseStatus.CLOSED)
    case.closed_at = clock.now()
    session.flush()
    record(session, actor, "home_visit.closed", "visit_case", case.id, clock=clock)
    return case
