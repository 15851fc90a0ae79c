"""A household's allowances overview (R-ALW-1..5) from what it has recorded.

The household is loaded by the caller through the scoped getters of ``booking.households`` (a
parent's own household, an officer's district), so this module only reads its records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from booking.allowance_facts import (
    AppliedAllowance,
    applications_of,
    care_arrangement,
    moves_of,
    stays_abroad_of,
)
from booking.households import Child, Household

from .allowance_tables import AllowanceBook
from .allowances import (
    AbroadStay,
    ChildCircumstances,
    ChildOverview,
    DistrictMove,
    first_of_month,
    month_of_life,
    overview,
)


@dataclass(frozen=True)
class HouseholdOverview:
    month: date
    children: tuple[tuple[Child, ChildOverview], ...]
    unborn: tuple[Child, ...] = ()  # children born after the month: nothing yet

    @property
    def cash(self) -> int:
        return sum(o.cash for _, o in self.children)

    @property
    def voucher(self) -> int:
        return sum(o.voucher for _, o in self.children)

    @property
    def total(self) -> int:
        return self.cash + self.voucher


def circumstances_of(
    session: Session, child: Child, moves: tuple[DistrictMove, ...] = ()
) -> ChildCircumstances:
    household = child.household
    applied = applications_of(session, child)
    return ChildCircumstances(
        birth_date=child.birth_date,
        care=care_arrangement(child),
        after_school=child.after_school,
        korean_national=child.korean_national,
        refugee=child.refugee,
        disabled=child.disabled,
        farming_fishing_area=household.farming_fishing_area,
        child_allowance_applied_on=applied.get(AppliedAllowance.CHILD_ALLOWANCE),
        home_care_applied_on=applied.get(AppliedAllowance.HOME_CARE),
        stays_abroad=tuple(
            AbroadStay(s.departed_on, s.returned_on) for s in stays_abroad_of(session, child)
        ),
        moves=moves,
        district=household.district_code,
    )


def household_moves(session: Session, household: Household) -> tuple[DistrictMove, ...]:
    return tuple(
        DistrictMove(m.moved_on, m.from_district_code, m.to_district_code)
        for m in moves_of(session, household)
    )


def household_overview(
    session: Session, household: Household, month: date, book: AllowanceBook
) -> HouseholdOverview:
    month = first_of_month(month)
    moves = household_moves(session, household)
    born = [c for c in household.children if month_of_life(c.birth_date, month) >= 0]
    return HouseholdOverview(
        month=month,
        children=tuple(
            (child, overview(circumstances_of(session, child, moves), month, book))
            for child in born
        ),
        unborn=tuple(c for c in household.children if c not in born),
    )
