"""The allowances overview's inputs and lines (R-ALW-1..5), and its calendar.

``ChildCircumstances`` is what the rules need to know about a child; an ``AllowanceLine`` is one
allowance in one month, split into its cash and voucher parts; ``ChildOverview`` holds the lines
of a month. See ``vouchers.allowances`` for the rules and their reading.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from booking.allowance_facts import CareArrangement

from .care_calendar import is_public_holiday
from .cost_split import Explanation


class Allowance(StrEnum):
    CHILDCARE_FEE = "childcare_fee"  # R-ALW-1
    PRESCHOOL_TUITION = "preschool_tuition"  # R-ALW-2
    AFTER_SCHOOL = "after_school"  # R-ALW-2
    PARENT_ALLOWANCE = "parent_allowance"  # R-ALW-3
    HOME_CARE = "home_care"  # R-ALW-4
    CHILD_ALLOWANCE = "child_allowance"  # R-ALW-5


class Payer(StrEnum):
    """R-ALW-4: who pays the home-care allowance in a month of moving."""

    NEW = "new"
    PREVIOUS = "previous"


@dataclass(frozen=True)
class AbroadStay:
    departed_on: date
    returned_on: date | None = None  # still abroad


@dataclass(frozen=True)
class DistrictMove:
    moved_on: date
    from_district: str = ""  # district codes, when known
    to_district: str = ""


@dataclass(frozen=True)
class ChildCircumstances:
    birth_date: date
    care: CareArrangement = CareArrangement.HOME
    after_school: bool = False
    korean_national: bool = True
    refugee: bool = False
    disabled: bool = False
    farming_fishing_area: bool = False
    child_allowance_applied_on: date | None = None
    home_care_applied_on: date | None = None
    stays_abroad: tuple[AbroadStay, ...] = ()
    moves: tuple[DistrictMove, ...] = ()
    district: str = ""  # the household's district today

    @property
    def eligible_national(self) -> bool:
        return self.korean_national or self.refugee


@dataclass(frozen=True)
class AllowanceLine:
    allowance: Allowance
    cash: int
    voucher: int
    explanation: tuple[Explanation, ...]
    unconfirmed: bool = False  # a figure used has no official source yet
    payday: date | None = None
    paying_district: str = ""
    payer: Payer | None = None

    @property
    def amount(self) -> int:
        return self.cash + self.voucher


@dataclass(frozen=True)
class ChildOverview:
    month: date  # its first day
    months_old: int  # month of life, the month of birth being 0
    care: CareArrangement
    table_year: int
    lines: tuple[AllowanceLine, ...]

    @property
    def cash(self) -> int:
        return sum(line.cash for line in self.lines)

    @property
    def voucher(self) -> int:
        return sum(line.voucher for line in self.lines)

    @property
    def total(self) -> int:
        return self.cash + self.voucher

    def line(self, allowance: Allowance) -> AllowanceLine | None:
        return next((line for line in self.lines if line.allowance is allowance), None)


def month_of_life(birth_date: date, month: date) -> int:
    return (month.year - birth_date.year) * 12 + month.month - birth_date.month


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def payday(month: date, day: int) -> date:
    """R-ALW-4: ``day`` of the month, or the working day before when that is a Saturday,
    Sunday or public holiday."""
    paid = month.replace(day=min(day, calendar.monthrange(month.year, month.month)[1]))
    while paid.weekday() >= calendar.SATURDAY or is_public_holiday(paid):
        paid -= timedelta(days=1)
    return paid


def paying_district(
    moves: Sequence[DistrictMove], month: date, current: str, until_day: int
) -> tuple[str, Payer | None, DistrictMove | None]:
    """R-ALW-4: the district paying for ``month``. In the month of a move, the new one when the
    move falls on or before ``until_day``, else the previous one."""
    ordered = sorted(moves, key=lambda m: m.moved_on)
    in_month = [m for m in ordered if first_of_month(m.moved_on) == month]
    if in_month:
        move = in_month[-1]
        if move.moved_on.day <= until_day:
            return move.to_district, Payer.NEW, move
        return move.from_district, Payer.PREVIOUS, move
    before = [m for m in ordered if m.moved_on < month]
    if before:
        return before[-1].to_district, None, None
    after = [m for m in ordered if m.moved_on > month]
    return (after[0].from_district if after else current), None, None
