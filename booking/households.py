"""Households: the applicant guardian (the member), the other guardian, and their children."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Select,
    String,
    Text,
    bindparam,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from core.actors import Actor, Role
from core.audit import record
from core.clock import Clock, seoul_today
from core.db import Base
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_
from core.outbox import notify

from .agencies import agency_districts
from .attendance import Attendance
from .geography import District
from .languages import LANGUAGE_CODES

OLDEST_AGE_YEARS = 12  # the programme cares for children up to the day before their 13th birthday


class MemberState(enum.StrEnum):
    """R-BK-2: a web member becomes a full member with a tier decision or the agency's approval."""

    WEB = "web_member"
    FULL = "full_member"


class ChildState(enum.StrEnum):
    """R-BK-2: waiting → regular, set by the agency, never back."""

    WAITING = "waiting"
    REGULAR = "regular"


class GuardianRelation(enum.StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    GRANDPARENT = "grandparent"
    OTHER = "other"


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    household_size: Mapped[int]
    home_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    member_state: Mapped[str] = mapped_column(String(20), default=MemberState.WEB)
    created_at: Mapped[datetime]
    # R-ALW-4: the household lives in a farming or fishing area (see booking.allowance_facts)
    farming_fishing_area: Mapped[bool] = mapped_column(default=False, server_default=false())

    district: Mapped[District] = relationship()
    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="household",
        cascade="all, delete-orphan",
        order_by="(Guardian.is_applicant.desc(), Guardian.id)",
    )
    children: Mapped[list[Child]] = relationship(
        back_populates="household",
        cascade="all, delete-orphan",
        order_by="(Child.birth_date, Child.id)",
    )

    __table_args__ = (
        CheckConstraint("household_size BETWEEN 1 AND 20", name="household_size_range"),
        CheckConstraint("member_state IN ('web_member', 'full_member')", name="member_state_known"),
    )

    @property
    def applicant(self) -> Guardian | None:
        return next((g for g in self.guardians if g.is_applicant), None)

    @property
    def other_guardian(self) -> Guardian | None:
        return next((g for g in self.guardians if not g.is_applicant), None)


class Guardian(Base):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    relation: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(20), default="")
    birth_date: Mapped[date | None]
    is_applicant: Mapped[bool] = mapped_column(default=False)

    household: Mapped[Household] = relationship(back_populates="guardians")


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[date]
    korean_national: Mapped[bool] = mapped_column(default=True)
    # R-SVC-2: refugee status (recorded by an officer) keeps a foreign child eligible for support
    refugee: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[str] = mapped_column(String(20), default=Attendance.NONE)
    attendance_starts_at: Mapped[time | None]
    attendance_ends_at: Mapped[time | None]
    state: Mapped[str] = mapped_column(String(20), default=ChildState.WAITING)
    care_notes: Mapped[str] = mapped_column(Text, default="")
    # R-ALW-2..4, the care arrangement in detail (see booking.allowance_facts): the kind of
    # kindergarten and its after-school programme, and full-day infant care at home
    kindergarten_kind: Mapped[str | None] = mapped_column(String(10))
    after_school: Mapped[bool] = mapped_column(default=False, server_default=false())
    infant_fullday_care: Mapped[bool] = mapped_column(default=False, server_default=false())

    household: Mapped[Household] = relationship(back_populates="children")

    __table_args__ = (
        CheckConstraint("state IN ('waiting', 'regular')", name="child_state_known"),
        CheckConstraint(
            "attendance IN ('none', 'daycare', 'kindergarten')", name="attendance_known"
        ),
        CheckConstraint(
            "kindergarten_kind IS NULL OR kindergarten_kind IN ('public', 'private')",
            name="kindergarten_kind_known",
        ),
    )

    @property
    def eligible_for_support(self) -> bool:
        return self.korean_national or self.refugee


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianDetails:
    name: str
    relation: GuardianRelation
    phone: str = ""
    birth_date: date | None = None


@dataclass(frozen=True)
class HouseholdDetails:
    district_code: str
    household_size: int
    applicant: GuardianDetails
    other_guardian: GuardianDetails | None = None
    home_languages: tuple[str, ...] = ("ko",)
    address: str = ""


@dataclass(frozen=True)
class ChildDetails:
    name: str
    birth_date: date
    korean_national: bool = True
    disabled: bool = False
    attendance: Attendance = Attendance.NONE
    attendance_starts_at: time | None = None
    attendance_ends_at: time | None = None
    care_notes: str = ""


# --- who may see what (DESIGN rule 4) -------------------------------------------------------


def households_for_actor(actor: Actor) -> Select[tuple[Household]]:
    query = select(Household)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.PARENT:
        return query.where(Household.applicant_user_id == actor.user_id)
    if actor.role is Role.OFFICER and actor.district_code:
        return query.where(Household.district_code == actor.district_code)
    if actor.role is Role.AGENCY_STAFF and actor.agency_id is not None:
        served = select(agency_districts.c.district_code).where(
            agency_districts.c.agency_id == actor.agency_id
        )
        return query.where(Household.district_code.in_(served))
    return query.where(False)


def get_household(session: Session, actor: Actor, household_id: int) -> Household:
    household = session.scalar(households_for_actor(actor).where(Household.id == household_id))
    if household is None:
        raise NotFound()
    return household


def find_own_household(session: Session, actor: Actor) -> Household | None:
    if actor.role is not Role.PARENT:
        return None
    return session.scalar(select(Household).where(Household.applicant_user_id == actor.user_id))


def get_own_household(session: Session, actor: Actor) -> Household:
    household = find_own_household(session, actor)
    if household is None:
        raise NotFound(N_("You have not registered your household yet."), code="no_household")
    return household


def lock_own_household(session: Session, actor: Actor) -> Household:
    """The parent's household, locked until the transaction ends, with its children and district.

    Whatever a family books is decided under this lock, one request at a time: two bookings made
    at once can never together pass a cap or a check that each would pass alone.
    """
    household = (
        session.scalars(_locked_household_statement(), {"user_id": actor.user_id})
        .unique()
        .one_or_none()
        if actor.role is Role.PARENT
        else None
    )
    if household is None:
        raise NotFound(N_("You have not registered your household yet."), code="no_household")
    return household


@cache  # built once: every booking request runs it
def _locked_household_statement() -> Select[tuple[Household]]:
    return (
        select(Household)
        .where(Household.applicant_user_id == bindparam("user_id"))
        .options(joinedload(Household.children), joinedload(Household.district))
        .with_for_update(of=Household)
    )


def get_child(session: Session, actor: Actor, child_id: int) -> Child:
    child = session.scalar(
        select(Child).where(
            Child.id == child_id,
            Child.household_id.in_(households_for_actor(actor).with_only_columns(Household.id)),
        )
    )
    if child is None:
        raise NotFound()
    return child


def count_households(session: Session, actor: Actor) -> int:
    return (
        session.scalar(select(func.count()).select_from(households_for_actor(actor).subquery()))
        or 0
    )


# --- commands: the parent edits their own household ------------------------------------------


def register_household(
    session: Session, actor: Actor, details: HouseholdDetails, *, clock: Clock
) -> Household:
    if actor.role is not Role.PARENT:
        raise NotFound()
    if find_own_household(session, actor) is not None:
        raise Conflict(N_("Your household is already registered."), code="household_exists")
    household = Household(
        applicant_user_id=actor.user_id, member_state=MemberState.WEB, created_at=clock.now()
    )
    _apply_household(session, household, details, clock=clock)
    session.add(household)
    session.flush()
    return household


def update_household(
    session: Session, actor: Actor, details: HouseholdDetails, *, clock: Clock
) -> Household:
    household = get_own_household(session, actor)
    _apply_household(session, household, details, clock=clock)
    session.flush()
    return household


def remove_household(session: Session, actor: Actor) -> None:
    household = get_own_household(session, actor)
    session.delete(household)
    session.flush()


def add_child(session: Session, actor: Actor, details: ChildDetails, *, clock: Clock) -> Child:
    household = get_own_household(session, actor)
    child = Child(state=ChildState.WAITING)
    _apply_child(child, details, clock=clock)
    _check_size(household.household_size, len(household.guardians), len(household.children) + 1)
    household.children.append(child)
    session.flush()
    return child


def update_child(
    session: Session, actor: Actor, child_id: int, details: ChildDetails, *, clock: Clock
) -> Child:
    child = _own_child(session, actor, child_id)
    _apply_child(child, details, clock=clock)
    session.flush()
    return child


def remove_child(session: Session, actor: Actor, child_id: int) -> None:
    child = _own_child(session, actor, child_id)
    child.household.children.remove(child)
    session.flush()


def approve_membership(
    session: Session, actor: Actor, household_id: int, *, clock: Clock
) -> Household:
    """R-BK-2: an agency serving the family's district makes a web member a full member, for
    families who use the service at full price without a tier decision."""
    if actor.role is not Role.AGENCY_STAFF:
        raise NotFound()
    household = get_household(session, actor, household_id)
    if household.member_state == MemberState.FULL:
        raise Conflict(N_("This household is already a full member."), code="already_full_member")
    household.member_state = MemberState.FULL.value
    session.flush()
    record(session, actor, "membership.approved", "household", household.id, clock=clock)
    notify(
        session,
        household.applicant_user_id,
        "membership_approved",
        N_("Your membership has been approved: you can now book care."),
        clock=clock,
        link="/household",
    )
    return household


def web_members(actor: Actor) -> Select[tuple[Household]]:
    """Households of the agency's districts still waiting to become full members."""
    return (
        households_for_actor(actor)
        .where(Household.member_state == MemberState.WEB)
        .order_by(Household.created_at, Household.id)
    )


# --- validation --------------------------------------------------------------------------------


def age_in_years(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _own_child(session: Session, actor: Actor, child_id: int) -> Child:
    household = get_own_household(session, actor)
    child = next((c for c in household.children if c.id == child_id), None)
    if child is None:
        raise NotFound()
    return child


def _check_size(household_size: int, guardians: int, children: int) -> None:
    if household_size < guardians + children:
        raise ValidationFailed(
            N_("The household size is smaller than the number of people listed."),
            code="household_too_small",
            fields={
                "household_size": N_(
                    "The household size is smaller than the number of people listed."
                )
            },
        )


def _apply_household(
    session: Session, household: Household, details: HouseholdDetails, *, clock: Clock
) -> None:
    errors: dict[str, str] = {}
    if session.get(District, details.district_code) is None:
        errors["district_code"] = N_("Choose a district from the list.")
    if not 1 <= details.household_size <= 20:
        errors["household_size"] = N_("Enter a household size between 1 and 20.")
    if not details.home_languages or set(details.home_languages) - set(LANGUAGE_CODES):
        errors["home_languages"] = N_("Choose at least one language from the list.")
    guardians = [("applicant", details.applicant)]
    if details.other_guardian is not None:
        guardians.append(("other_guardian", details.other_guardian))
    today = seoul_today(clock)
    for prefix, guardian in guardians:
        if not guardian.name.strip():
            errors[f"{prefix}.name"] = N_("Enter a name.")
        if guardian.birth_date is not None and guardian.birth_date >= today:
            errors[f"{prefix}.birth_date"] = N_("The birth date must be in the past.")
    if errors:
        raise ValidationFailed(fields=errors)
    _check_size(details.household_size, len(guardians), len(household.children))

    household.district_code = details.district_code
    household.household_size = details.household_size
    household.home_languages = list(dict.fromkeys(details.home_languages))
    household.address = details.address.strip()
    _sync_guardian(household, details.applicant, is_applicant=True)
    if details.other_guardian is not None:
        _sync_guardian(household, details.other_guardian, is_applicant=False)
    elif household.other_guardian is not None:
        household.guardians.remove(household.other_guardian)


def _sync_guardian(household: Household, details: GuardianDetails, *, is_applicant: bool) -> None:
    guardian = household.applicant if is_applicant else household.other_guardian
    if guardian is None:
        guardian = Guardian(is_applicant=is_applicant)
        household.guardians.append(guardian)
    guardian.name = details.name.strip()
    guardian.relation = GuardianRelation(details.relation).value
    guardian.phone = details.phone.strip()
    guardian.birth_date = details.birth_date


def _apply_child(child: Child, details: ChildDetails, *, clock: Clock) -> None:
    errors: dict[str, str] = {}
    today = seoul_today(clock)
    if not details.name.strip():
        errors["name"] = N_("Enter the child's name.")
    if details.birth_date > today:
        errors["birth_date"] = N_("The birth date cannot be in the future.")
    elif age_in_years(details.birth_date, today) > OLDEST_AGE_YEARS:
        errors["birth_date"] = N_("The programme cares for children up to 12 years old.")
    attends = Attendance(details.attendance)
    if attends is not Attendance.NONE:
        start, end = details.attendance_starts_at, details.attendance_ends_at
        if start is None or end is None:
            errors["attendance_starts_at"] = N_("Enter the hours the child attends.")
        elif start >= end:
            errors["attendance_ends_at"] = N_("The end must come after the start.")
    if errors:
        raise ValidationFailed(fields=errors)
    child.name = details.name.strip()
    child.birth_date = details.birth_date
    child.korean_national = details.korean_national
    child.disabled = details.disabled
    child.attendance = attends.value
    child.attendance_starts_at = (
        details.attendance_starts_at if attends is not Attendance.NONE else None
    )
    child.attendance_ends_at = (
        details.attendance_ends_at if attends is not Attendance.NONE else None
    )
    child.care_notes = details.care_notes.strip()
