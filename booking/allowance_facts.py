"""What a household records for its allowances overview (R-ALW-1..5).

The care arrangement of each child in detail (R-ALW-1..4): ``Child.attendance`` says daycare,
kindergarten or neither; ``Child.kindergarten_kind`` (public or private) and
``Child.after_school`` complete a kindergarten place, and ``Child.infant_fullday_care`` marks a
child at home in the programme's full-day infant care. The household's farming or fishing area
(``Household.farming_fishing_area``, R-ALW-4), the dates on which the family applied for the
child and home-care allowances (R-ALW-4, R-ALW-5), the child's stays abroad (R-ALW-5) and the
household's moves between districts (R-ALW-4) are the rows of this module.

Only the family edits these facts (its own household); officers read them within their district.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.actors import Actor
from core.audit import record
from core.clock import Clock, seoul_today
from core.db import Base
from core.errors import NotFound, ValidationFailed
from core.i18n import N_

from .attendance import Attendance
from .geography import District
from .households import Child, Household, get_own_household


class CareArrangement(StrEnum):
    """Where a child spends the day, as the allowances see it."""

    HOME = "home"
    DAYCARE = "daycare"
    KINDERGARTEN_PUBLIC = "kindergarten_public"
    KINDERGARTEN_PRIVATE = "kindergarten_private"
    INFANT_FULLDAY = "infant_fullday"  # full-day infant care of the programme, at home

    @property
    def kindergarten(self) -> bool:
        return self in (CareArrangement.KINDERGARTEN_PUBLIC, CareArrangement.KINDERGARTEN_PRIVATE)


class KindergartenKind(StrEnum):
    PUBLIC = "public"  # national and public kindergartens
    PRIVATE = "private"


class AppliedAllowance(StrEnum):
    """The allowances whose start depends on the application date."""

    CHILD_ALLOWANCE = "child_allowance"  # R-ALW-5
    HOME_CARE = "home_care"  # R-ALW-4


class AllowanceApplication(Base):
    __tablename__ = "allowance_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    allowance: Mapped[str] = mapped_column(String(20))
    applied_on: Mapped[date]

    __table_args__ = (
        UniqueConstraint("child_id", "allowance"),
        CheckConstraint(
            "allowance IN ('child_allowance', 'home_care')", name="applied_allowance_known"
        ),
    )


class ChildStayAbroad(Base):
    __tablename__ = "child_stays_abroad"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    departed_on: Mapped[date]
    returned_on: Mapped[date | None]  # still abroad when empty

    __table_args__ = (
        CheckConstraint(
            "returned_on IS NULL OR returned_on >= departed_on", name="stay_abroad_order"
        ),
    )


class HouseholdMove(Base):
    __tablename__ = "household_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    moved_on: Mapped[date]
    from_district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))
    to_district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"))

    __table_args__ = (
        CheckConstraint("from_district_code <> to_district_code", name="move_changes_district"),
    )


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StayPeriod:
    departed_on: date
    returned_on: date | None = None


@dataclass(frozen=True)
class MoveDetails:
    moved_on: date
    from_district_code: str
    to_district_code: str


@dataclass(frozen=True)
class ChildAllowanceFacts:
    kindergarten_kind: KindergartenKind | None = None
    after_school: bool = False
    infant_fullday_care: bool = False
    child_allowance_applied_on: date | None = None
    home_care_applied_on: date | None = None
    stays_abroad: tuple[StayPeriod, ...] = ()


@dataclass(frozen=True)
class HouseholdAllowanceFacts:
    farming_fishing_area: bool = False
    moves: tuple[MoveDetails, ...] = ()


# --- reading ---------------------------------------------------------------------------------


def care_arrangement(child: Child) -> CareArrangement:
    """The child's care arrangement; a kindergarten of unrecorded kind counts as public."""
    if child.attendance == Attendance.DAYCARE:
        return CareArrangement.DAYCARE
    if child.attendance == Attendance.KINDERGARTEN:
        if child.kindergarten_kind == KindergartenKind.PRIVATE:
            return CareArrangement.KINDERGARTEN_PRIVATE
        return CareArrangement.KINDERGARTEN_PUBLIC
    if child.infant_fullday_care:
        return CareArrangement.INFANT_FULLDAY
    return CareArrangement.HOME


def applications_of(session: Session, child: Child) -> dict[AppliedAllowance, date]:
    rows = session.scalars(
        select(AllowanceApplication).where(AllowanceApplication.child_id == child.id)
    )
    return {AppliedAllowance(row.allowance): row.applied_on for row in rows}


def stays_abroad_of(session: Session, child: Child) -> list[ChildStayAbroad]:
    query = select(ChildStayAbroad).where(ChildStayAbroad.child_id == child.id)
    return list(session.scalars(query.order_by(ChildStayAbroad.departed_on)))


def moves_of(session: Session, household: Household) -> list[HouseholdMove]:
    query = select(HouseholdMove).where(HouseholdMove.household_id == household.id)
    return list(session.scalars(query.order_by(HouseholdMove.moved_on, HouseholdMove.id)))


def child_allowance_facts(session: Session, child: Child) -> ChildAllowanceFacts:
    applied = applications_of(session, child)
    return ChildAllowanceFacts(
        kindergarten_kind=KindergartenKind(child.kindergarten_kind)
        if child.kindergarten_kind
        else None,
        after_school=child.after_school,
        infant_fullday_care=child.infant_fullday_care,
        child_allowance_applied_on=applied.get(AppliedAllowance.CHILD_ALLOWANCE),
        home_care_applied_on=applied.get(AppliedAllowance.HOME_CARE),
        stays_abroad=tuple(
            StayPeriod(s.departed_on, s.returned_on) for s in stays_abroad_of(session, child)
        ),
    )


# --- commands: the family records its facts -------------------------------------------------


def update_child_allowance_facts(
    session: Session, actor: Actor, child_id: int, facts: ChildAllowanceFacts, *, clock: Clock
) -> Child:
    household = get_own_household(session, actor)
    child = next((c for c in household.children if c.id == child_id), None)
    if child is None:
        raise NotFound()
    _check_child_facts(child, facts, seoul_today(clock))
    kindergarten = child.attendance == Attendance.KINDERGARTEN
    child.kindergarten_kind = facts.kindergarten_kind.value if facts.kindergarten_kind else None
    child.after_school = facts.after_school and kindergarten
    child.infant_fullday_care = facts.infant_fullday_care
    applied = {
        AppliedAllowance.CHILD_ALLOWANCE: facts.child_allowance_applied_on,
        AppliedAllowance.HOME_CARE: facts.home_care_applied_on,
    }
    existing = {
        row.allowance: row
        for row in session.scalars(
            select(AllowanceApplication).where(AllowanceApplication.child_id == child.id)
        )
    }
    for allowance, applied_on in applied.items():
        row = existing.get(allowance.value)
        if applied_on is None and row is not None:
            session.delete(row)
        elif applied_on is not None and row is None:
            session.add(
                AllowanceApplication(
                    child_id=child.id, allowance=allowance.value, applied_on=applied_on
                )
            )
        elif row is not None and applied_on is not None:
            row.applied_on = applied_on
    for stay in stays_abroad_of(session, child):
        session.delete(stay)
    for stay in facts.stays_abroad:
        session.add(
            ChildStayAbroad(
                child_id=child.id, departed_on=stay.departed_on, returned_on=stay.returned_on
            )
        )
    session.flush()
    record(session, actor, "allowance_facts.child_updated", "child", child.id, clock=clock)
    return child


def update_household_allowance_facts(
    session: Session, actor: Actor, facts: HouseholdAllowanceFacts, *, clock: Clock
) -> Household:
    household = get_own_household(session, actor)
    _check_moves(session, facts.moves)
    household.farming_fishing_area = facts.farming_fishing_area
    for move in moves_of(session, household):
        session.delete(move)
    for move in sorted(facts.moves, key=lambda m: m.moved_on):
        session.add(
            HouseholdMove(
                household_id=household.id,
                moved_on=move.moved_on,
                from_district_code=move.from_district_code,
                to_district_code=move.to_district_code,
            )
        )
    session.flush()
    record(
        session, actor, "allowance_facts.household_updated", "household", household.id, clock=clock
    )
    return household


def _check_child_facts(child: Child, facts: ChildAllowanceFacts, today: date) -> None:
    errors: dict[str, str] = {}
    kindergarten = child.attendance == Attendance.KINDERGARTEN
    if facts.after_school and not kindergarten:
        errors["after_school"] = N_("Only a child at a kindergarten takes its after-school class.")
    if facts.infant_fullday_care and child.attendance != Attendance.NONE:
        errors["infant_fullday_care"] = N_(
            "Full-day infant care is for a child cared for at home, not at daycare or kindergarten."
        )
    for name in ("child_allowance_applied_on", "home_care_applied_on"):
        applied_on = getattr(facts, name)
        if applied_on is not None and not child.birth_date <= applied_on <= today:
            errors[name] = N_("Give a date between the birth date and today.")
    stays = sorted(facts.stays_abroad, key=lambda s: s.departed_on)
    for index, stay in enumerate(facts.stays_abroad):
        if stay.departed_on < child.birth_date or stay.departed_on > today:
            errors[f"stays_abroad.{index}.departed_on"] = N_(
                "Give a date between the birth date and today."
            )
        elif stay.returned_on is not None and stay.returned_on < stay.departed_on:
            errors[f"stays_abroad.{index}.returned_on"] = N_(
                "The return must come after the departure."
            )
    for earlier, later in itertools.pairwise(stays):
        if earlier.returned_on is None or earlier.returned_on > later.departed_on:
            errors["stays_abroad"] = N_("The stays abroad overlap.")
    if errors:
        raise ValidationFailed(fields=errors)


def _check_moves(session: Session, moves: tuple[MoveDetails, ...]) -> None:
    errors: dict[str, str] = {}
    known = set(session.scalars(select(District.code)))
    days = [m.moved_on for m in moves]
    for index, move in enumerate(moves):
        for name in ("from_district_code", "to_district_code"):
            if getattr(move, name) not in known:
                errors[f"moves.{index}.{name}"] = N_("Choose a district from the list.")
        if move.from_district_code == move.to_district_code:
            errors[f"moves.{index}.to_district_code"] = N_(
                "The new district must differ from the previous one."
            )
        if days.count(move.moved_on) > 1:
            errors[f"moves.{index}.moved_on"] = N_("Record one move a day.")
    if errors:
        raise ValidationFailed(fields=errors)
