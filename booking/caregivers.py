"""Caregivers (아이돌보미): employees of one agency, with skills, areas, weekly hours and leave."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Select,
    String,
    Table,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.actors import Actor, Role
from core.db import Base
from core.errors import NotFound, ValidationFailed
from core.i18n import N_

from .agencies import Agency, agency_districts
from .geography import District
from .languages import LANGUAGE_CODES


class Skill(enum.StrEnum):
    INFANT = "infant"
    SICK_CHILD = "sick_child"
    COMPREHENSIVE = "comprehensive"


caregiver_areas = Table(
    "caregiver_areas",
    Base.metadata,
    Column("caregiver_id", ForeignKey("caregivers.id", ondelete="CASCADE"), primary_key=True),
    Column("district_code", ForeignKey("districts.code"), primary_key=True, index=True),
)


class Caregiver(Base):
    __tablename__ = "caregivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    home_district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    training_hours: Mapped[int] = mapped_column(default=0)
    hire_date: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship()
    home_district: Mapped[District] = relationship()
    areas: Mapped[list[District]] = relationship(secondary=caregiver_areas, order_by=District.code)
    skill_rows: Mapped[list[CaregiverSkill]] = relationship(
        cascade="all, delete-orphan", order_by="CaregiverSkill.skill"
    )
    availability: Mapped[list[WeeklySlot]] = relationship(
        back_populates="caregiver",
        cascade="all, delete-orphan",
        order_by="(WeeklySlot.weekday, WeeklySlot.starts_at)",
    )
    leaves: Mapped[list[Leave]] = relationship(
        back_populates="caregiver", cascade="all, delete-orphan", order_by="Leave.starts_on"
    )

    __table_args__ = (CheckConstraint("training_hours >= 0", name="training_hours_not_negative"),)

    @property
    def skills(self) -> list[Skill]:
        return [Skill(row.skill) for row in self.skill_rows]


class CaregiverSkill(Base):
    __tablename__ = "caregiver_skills"

    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class WeeklySlot(Base):
    """A recurring window in which the caregiver works (weekday 0 = Monday)."""

    __tablename__ = "caregiver_weekly_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    caregiver_id: Mapped[int] = mapped_column(ForeignKey("caregivers.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    starts_at: Mapped[time]
    ends_at: Mapped[time]

    caregiver: Mapped[Caregiver] = relationship(back_populates="availability")

    __table_args__ = (
        # the ranking asks of each caregiver of an agency whether a window of the day holds the
        # booking: answered from the index alone on PostgreSQL
        Index(
            "ix_caregiver_weekly_slots_caregiver_weekday",
            "caregiver_id",
            "weekday",
            postgresql_include=["starts_at", "ends_at"],
        ),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("starts_at < ends_at", name="slot_order"),
    )


class Leave(Base):
    __tablename__ = "caregiver_leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    caregiver_id: Mapped[int] = mapped_column(
        ForeignKey("caregivers.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")

    caregiver: Mapped[Caregiver] = relationship(back_populates="leaves")

    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="leave_order"),)


@dataclass(frozen=True)
class CaregiverDetails:
    name: str
    phone: str
    home_district_code: str
    hire_date: date
    email: str | None = None
    languages: tuple[str, ...] = ("ko",)
    skills: tuple[Skill, ...] = ()
    area_codes: tuple[str, ...] = ()
    training_hours: int = 0


@dataclass(frozen=True)
class Slot:
    weekday: int
    starts_at: time
    ends_at: time


@dataclass(frozen=True)
class LeaveRequest:
    starts_on: date
    ends_on: date
    reason: str = ""


@dataclass(frozen=True)
class CaregiverSearch:
    text: str = ""
    active: bool | None = True
    skill: Skill | None = None
    district_code: str | None = None
    agency_id: int | None = None  # admins only; staff are always scoped to their own agency


# --- who may see what (DESIGN rule 4) -------------------------------------------------------


def caregivers_for_actor(actor: Actor) -> Select[tuple[Caregiver]]:
    """Every caregiver the actor may know of; other rows simply do not exist for them."""
    query = select(Caregiver)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.AGENCY_STAFF and actor.agency_id is not None:
        return query.where(Caregiver.agency_id == actor.agency_id)
    if actor.role is Role.CAREGIVER:
        return query.where(Caregiver.user_id == actor.user_id)
    return query.where(False)


def can_manage_caregivers(actor: Actor) -> bool:
    return actor.role is Role.ADMIN or (
        actor.role is Role.AGENCY_STAFF and actor.agency_id is not None
    )


def search_caregivers(actor: Actor, search: CaregiverSearch) -> Select[tuple[Caregiver]]:
    query = caregivers_for_actor(actor)
    if search.text:
        pattern = f"%{search.text.strip()}%"
        query = query.where(or_(Caregiver.name.ilike(pattern), Caregiver.phone.ilike(pattern)))
    if search.active is not None:
        query = query.where(Caregiver.active.is_(search.active))
    if search.skill is not None:
        query = query.where(
            Caregiver.id.in_(
                select(CaregiverSkill.caregiver_id).where(
                    CaregiverSkill.skill == search.skill.value
                )
            )
        )
    if search.district_code:
        query = query.where(
            Caregiver.id.in_(
                select(caregiver_areas.c.caregiver_id).where(
                    caregiver_areas.c.district_code == search.district_code
                )
            )
        )
    if search.agency_id is not None and actor.role is Role.ADMIN:
        query = query.where(Caregiver.agency_id == search.agency_id)
    return query.order_by(Caregiver.name, Caregiver.id)


def get_caregiver(session: Session, actor: Actor, caregiver_id: int) -> Caregiver:
    caregiver = session.scalar(caregivers_for_actor(actor).where(Caregiver.id == caregiver_id))
    if caregiver is None:
        raise NotFound()
    return caregiver


def find_caregiver_of_user(session: Session, actor: Actor) -> Caregiver | None:
    return session.scalar(select(Caregiver).where(Caregiver.user_id == actor.user_id))


# --- commands --------------------------------------------------------------------------------


def create_caregiver(
    session: Session, actor: Actor, details: CaregiverDetails, *, agency_id: int | None = None
) -> Caregiver:
    target_agency = _managed_agency_id(actor, agency_id)
    caregiver = Caregiver(agency_id=target_agency, hire_date=details.hire_date, active=True)
    _apply_details(session, caregiver, target_agency, details)
    session.add(caregiver)
    session.flush()
    return caregiver


def update_caregiver(
    session: Session, actor: Actor, caregiver_id: int, details: CaregiverDetails
) -> Caregiver:
    caregiver = _managed_caregiver(session, actor, caregiver_id)
    _apply_details(session, caregiver, caregiver.agency_id, details)
    session.flush()
    return caregiver


def set_caregiver_active(
    session: Session, actor: Actor, caregiver_id: int, active: bool
) -> Caregiver:
    caregiver = _managed_caregiver(session, actor, caregiver_id)
    caregiver.active = active
    session.flush()
    return caregiver


def set_availability(
    session: Session, actor: Actor, caregiver_id: int, slots: list[Slot]
) -> Caregiver:
    caregiver = _managed_caregiver(session, actor, caregiver_id)
    errors: dict[str, str] = {}
    for index, slot in enumerate(slots):
        if not 0 <= slot.weekday <= 6:
            errors[f"slots.{index}.weekday"] = N_("Pick a day of the week.")
        if slot.starts_at >= slot.ends_at:
            errors[f"slots.{index}.ends_at"] = N_("The end must come after the start.")
    ordered = sorted(slots, key=lambda s: (s.weekday, s.starts_at))
    for before, after in pairwise(ordered):
        if before.weekday == after.weekday and after.starts_at < before.ends_at:
            errors["slots"] = N_("Two time windows on the same day overlap.")
    if errors:
        raise ValidationFailed(fields=errors)
    caregiver.availability = [
        WeeklySlot(weekday=s.weekday, starts_at=s.starts_at, ends_at=s.ends_at) for s in ordered
    ]
    session.flush()
    return caregiver


def add_leave(session: Session, actor: Actor, caregiver_id: int, leave: LeaveRequest) -> Leave:
    caregiver = _managed_caregiver(session, actor, caregiver_id)
    if leave.ends_on < leave.starts_on:
        raise ValidationFailed(fields={"ends_on": N_("The end must come after the start.")})
    for existing in caregiver.leaves:
        if existing.starts_on <= leave.ends_on and leave.starts_on <= existing.ends_on:
            raise ValidationFailed(
                N_("This leave overlaps another leave."),
                code="leave_overlap",
                fields={"starts_on": N_("This leave overlaps another leave.")},
            )
    entry = Leave(starts_on=leave.starts_on, ends_on=leave.ends_on, reason=leave.reason.strip())
    caregiver.leaves.append(entry)
    session.flush()
    return entry


def remove_leave(session: Session, actor: Actor, caregiver_id: int, leave_id: int) -> None:
    caregiver = _managed_caregiver(session, actor, caregiver_id)
    entry = next((leave for leave in caregiver.leaves if leave.id == leave_id), None)
    if entry is None:
        raise NotFound()
    caregiver.leaves.remove(entry)
    session.flush()


def caregiver_counts_by_agency(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Caregiver.agency_id, func.count())
        .where(Caregiver.active)
        .group_by(Caregiver.agency_id)
    )
    return {agency_id: count for agency_id, count in rows}


# --- internals -------------------------------------------------------------------------------


def _managed_agency_id(actor: Actor, requested: int | None) -> int:
    if actor.role is Role.AGENCY_STAFF and actor.agency_id is not None:
        return actor.agency_id
    if actor.role is Role.ADMIN and requested is not None:
        return requested
    if actor.role is Role.ADMIN:
        raise ValidationFailed(fields={"agency_id": N_("Choose the agency.")})
    raise NotFound()


def _managed_caregiver(session: Session, actor: Actor, caregiver_id: int) -> Caregiver:
    if not can_manage_caregivers(actor):
        raise NotFound()
    return get_caregiver(session, actor, caregiver_id)


def _apply_details(
    session: Session, caregiver: Caregiver, agency_id: int, details: CaregiverDetails
) -> None:
    errors: dict[str, str] = {}
    if not details.name.strip():
        errors["name"] = N_("Enter a name.")
    if not details.phone.strip():
        errors["phone"] = N_("Enter a phone number.")
    unknown_languages = set(details.languages) - set(LANGUAGE_CODES)
    if unknown_languages or not details.languages:
        errors["languages"] = N_("Choose at least one language from the list.")
    if details.training_hours < 0:
        errors["training_hours"] = N_("Training hours cannot be negative.")
    if session.get(District, details.home_district_code) is None:
        errors["home_district_code"] = N_("Choose a district from the list.")
    served = set(
        session.scalars(
            select(agency_districts.c.district_code).where(
                agency_districts.c.agency_id == agency_id
            )
        )
    )
    areas = tuple(dict.fromkeys(details.area_codes))
    if not areas:
        errors["area_codes"] = N_("Choose at least one district the caregiver works in.")
    elif not set(areas) <= served:
        errors["area_codes"] = N_("A caregiver can only work in districts their agency serves.")
    if errors:
        raise ValidationFailed(fields=errors)
    caregiver.name = details.name.strip()
    caregiver.phone = details.phone.strip()
    caregiver.email = (details.email or "").strip() or None
    caregiver.home_district_code = details.home_district_code
    caregiver.languages = list(dict.fromkeys(details.languages))
    wanted = {Skill(s).value for s in details.skills}
    caregiver.skill_rows = [row for row in caregiver.skill_rows if row.skill in wanted] + [
        CaregiverSkill(skill=skill)
        for skill in sorted(wanted - {row.skill for row in caregiver.skill_rows})
    ]
    caregiver.training_hours = details.training_hours
    caregiver.hire_date = details.hire_date
    caregiver.areas = list(session.scalars(select(District).where(District.code.in_(areas))))
