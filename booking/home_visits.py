"""e-Child Happiness home visits (R-ECH-1..2): the district's quarterly list and each visit.

Each quarter (Q1 Jan–Mar … Q4 Oct–Dec) the social-security data flags children under 18 who may
need help (44 kinds of indicators). A community-centre officer imports the district's list
(``booking.home_visit_import``), then for each child: informs the family and agrees a time by
phone, visits face to face, counsels child and guardian, links the services needed and records
the outcome and the follow-up (R-ECH-2). In Q4's October round every 3-year-old cared for at home
is visited too: ``october_round`` lists them from Dolbom's own households.

The import format (CSV, UTF-8 with or without a byte-order mark, comma-separated, one header
row naming the columns in any order; other columns are ignored; blank lines are skipped)::

    child_ref,child_name,birth_date,guardian_name,guardian_phone,district_code,address,indicators
    SSIS-2026-000123,김하늘,2019-04-02,김민수,010-1234-5678,11680,"역삼로 1, 101호",3;17;40

- ``child_ref``: the child's reference in the ministry's list, 1–40 letters, digits, ``-`` or
  ``_``; once per file and once per district and quarter.
- ``child_name``, ``guardian_name``: up to 80 characters, required.
- ``birth_date``: ``YYYY-MM-DD``; the child is under 18 on the day of the import (R-ECH-1).
- ``guardian_phone``: the guardian's contact, 9 to 15 digits with optional spaces, ``-`` and a
  leading ``+``.
- ``district_code``: the 5-digit district (시군구) code; it must be the importing officer's
  district.
- ``address``: optional, up to 200 characters.
- ``indicators``: the flagged indicators, numbers 1–44 separated by ``;`` (at least one).

Every row is checked; the report lists each rejected row by line number with the fields at
fault. Unless the officer chooses to import the valid rows only, a file with any rejected row
imports nothing. Counselling notes are read only by officers of the child's district.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Select,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.actors import Actor, Role
from core.clock import SEOUL
from core.db import Base
from core.errors import NotFound, ValidationFailed
from core.i18n import N_

from .households import Child

OCTOBER_ROUND_QUARTER = 4  # R-ECH-1: Q4's October round …
OCTOBER_ROUND_AGE_YEARS = 3  # … surveys every 3-year-old (age on 1 October) cared for at home


class CaseSource(enum.StrEnum):
    FLAGGED = "flagged"  # imported from the ministry's list
    OCTOBER_ROUND = "october_round"  # a 3-year-old cared for at home (Q4)


class CaseStatus(enum.StrEnum):
    TO_CONTACT = "to_contact"
    CALL_SCHEDULED = "call_scheduled"
    REACHED = "reached"  # by phone: the visit is agreed, its time still to plan
    VISIT_SCHEDULED = "visit_scheduled"
    VISITED = "visited"
    NOT_REACHED = "not_reached"
    CLOSED = "closed"


# R-ECH-2 as a transition table: phone → visit → counsel and link → follow up and close. Until
# the face-to-face visit a case may be (re)scheduled or found not reached any number of times.
_BEFORE_VISIT = frozenset(CaseStatus) - {CaseStatus.TO_CONTACT}
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.TO_CONTACT: _BEFORE_VISIT,
    CaseStatus.CALL_SCHEDULED: _BEFORE_VISIT,
    CaseStatus.REACHED: _BEFORE_VISIT,
    CaseStatus.VISIT_SCHEDULED: _BEFORE_VISIT,
    CaseStatus.NOT_REACHED: _BEFORE_VISIT,
    CaseStatus.VISITED: frozenset({CaseStatus.VISITED, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}


class VisitOutcome(enum.StrEnum):
    FACE_TO_FACE = "face_to_face"
    NOT_REACHED = "not_reached"


class Need(enum.StrEnum):
    """Needs found in counselling (the booklet's examples)."""

    CARE = "care"
    LIVING_COSTS = "living_costs"
    HOUSING = "housing"
    HEALTH = "health"
    DEVELOPMENT = "development"  # language, cognitive, emotional
    EDUCATION = "education"
    PARENTING = "parenting"
    EMPLOYMENT = "employment"
    SAFETY = "safety"
    OTHER = "other"


class LinkedServiceKind(enum.StrEnum):
    """R-ECH-2: services a visit links the family to."""

    CARE_SERVICE = "care_service"  # child care with a tier: a referral to the officers' queue
    DREAM_START = "dream_start"
    THERAPY = "therapy"
    LIVING_COSTS = "living_costs"
    HOUSING = "housing"
    MEDICAL_SPONSORSHIP = "medical_sponsorship"
    EMPLOYMENT_CENTRE = "employment_centre"
    OTHER = "other"


class VisitCase(Base):
    """One child on a district's list for one quarter."""

    __tablename__ = "visit_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    year: Mapped[int]
    quarter: Mapped[int]
    source: Mapped[str] = mapped_column(String(20), default=CaseSource.FLAGGED)
    child_ref: Mapped[str] = mapped_column(String(40))
    child_name: Mapped[str] = mapped_column(String(80))
    child_birth_date: Mapped[date]
    guardian_name: Mapped[str] = mapped_column(String(80))
    guardian_phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200), default="")
    indicators: Mapped[list[int]] = mapped_column(JSON, default=list)
    # a child of a Dolbom household (the October round), when known
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.TO_CONTACT)
    call_planned_at: Mapped[datetime | None]
    visit_planned_at: Mapped[datetime | None]
    called_at: Mapped[datetime | None]
    call_reached: Mapped[bool | None]
    follow_up_on: Mapped[date | None]
    follow_up: Mapped[str] = mapped_column(Text, default="")
    created_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    child: Mapped[Child | None] = relationship()
    visits: Mapped[list[HomeVisit]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="HomeVisit.visited_at"
    )
    services: Mapped[list[LinkedService]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="LinkedService.id"
    )

    __table_args__ = (
        UniqueConstraint("district_code", "year", "quarter", "child_ref"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_range"),
        CheckConstraint("source IN ('flagged', 'october_round')", name="case_source_known"),
        CheckConstraint(
            "status IN ('to_contact', 'call_scheduled', 'reached', 'visit_scheduled', "
            "'visited', 'not_reached', 'closed')",
            name="case_status_known",
        ),
    )

    @property
    def visited(self) -> bool:
        return any(v.outcome == VisitOutcome.FACE_TO_FACE for v in self.visits)

    @property
    def reached(self) -> bool:
        return bool(self.call_reached) or self.visited


class HomeVisit(Base):
    __tablename__ = "home_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("visit_cases.id", ondelete="CASCADE"), index=True
    )
    visited_at: Mapped[datetime]
    visitor_name: Mapped[str] = mapped_column(String(80))  # who went
    place: Mapped[str] = mapped_column(String(200))  # where
    outcome: Mapped[str] = mapped_column(String(20))
    # counselling notes: only the district's officers read them (see may_read_notes)
    counselling_notes: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorded_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]

    case: Mapped[VisitCase] = relationship(back_populates="visits")

    __table_args__ = (
        CheckConstraint("outcome IN ('face_to_face', 'not_reached')", name="visit_outcome_known"),
    )


class LinkedService(Base):
    __tablename__ = "linked_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("visit_cases.id", ondelete="CASCADE"), index=True
    )
    service: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(500), default="")
    linked_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime]

    case: Mapped[VisitCase] = relationship(back_populates="services")


# --- who may see what (DESIGN rule 4) -------------------------------------------------------


def cases_for_actor(actor: Actor) -> Select[tuple[VisitCase]]:
    """Officers see their district's children; administrators read every district."""
    query = select(VisitCase)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.OFFICER and actor.district_code:
        return query.where(VisitCase.district_code == actor.district_code)
    return query.where(False)


def may_read_notes(actor: Actor, case: VisitCase) -> bool:
    """Counselling notes: the officers of the child's district, nobody else (not admins)."""
    return actor.role is Role.OFFICER and actor.district_code == case.district_code


def get_case(session: Session, actor: Actor, case_id: int, *, lock: bool = False) -> VisitCase:
    query = cases_for_actor(actor).where(VisitCase.id == case_id)
    case = session.scalar(query.with_for_update() if lock else query)
    if case is None:
        raise NotFound()
    return case


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def check_quarter(year: int, quarter: int) -> None:
    errors = {}
    if not 2000 <= year <= 2100:
        errors["year"] = N_("Enter a year between 2000 and 2100.")
    if not 1 <= quarter <= 4:
        errors["quarter"] = N_("Choose a quarter from 1 to 4.")
    if errors:
        raise ValidationFailed(fields=errors)


def quarter_cases(session: Session, actor: Actor, year: int, quarter: int) -> list[VisitCase]:
    check_quarter(year, quarter)
    query = cases_for_actor(actor).where(VisitCase.year == year, VisitCase.quarter == quarter)
    return list(session.scalars(query.order_by(VisitCase.child_name, VisitCase.id)))


def local_date(instant: datetime | None) -> date | None:
    return instant.astimezone(SEOUL).date() if instant is not None else None
