"""The allowances overview (R-ALW-1..5): what a family may receive for a child in a month.

Pure rules: ``overview(child, month, book)`` takes a child's circumstances and a month and gives
one line per allowance with its amount (cash and voucher parts), the reasons in untranslated
``N_`` sentences (translated at the edge), and for the home-care allowance its payment day and
the paying district. The figures come from the allowance tables by year (``allowance_tables``).

Interpretations (see RULES.md §7; each figure is data, these are the readings of the rules):

- Ages are months of life by calendar month: the month of birth is month 0. So "24–85 months"
  runs from the month in which the child turns 2 to the month before it turns 7 years and 2
  months; "age 0" is months 0–11.
- Support for preschool children (daycare fee, preschool tuition, home-care allowance) ends in
  February of birth year + 7, the year the child starts school (R-ALW-4).
- At a daycare centre a child aged 0 or 1 receives the parent allowance as a voucher for the
  childcare fee (R-ALW-3); the childcare-fee line then shows nothing, to count it once.
- In full-day infant care the parent allowance's voucher part is the table's
  ``infant_fullday_voucher`` (unconfirmed: the daycare fee of the age).
- Home-care allowance: the highest of the general, farming/fishing and disabled-child amounts
  that apply; paid from the month of the application; in a month of moving, the new district
  pays when the move falls on or before the 15th, the previous district from the 16th.
- Child allowance: a stay abroad longer than 90 days stops it from the month after the one in
  which the 90th day abroad falls, until the month of return; applied within 60 days of birth
  (the 60th day after the birth date included), it is paid from the month of birth.
- Nationality: where the table says ``nationals_only``, a child without Korean nationality
  receives nothing unless recognised as a refugee.
"""

from __future__ import annotations

from datetime import date

from core.errors import ValidationFailed
from core.i18n import N_

from .allowance_lines import (
    AbroadStay,
    Allowance,
    AllowanceLine,
    ChildCircumstances,
    ChildOverview,
    DistrictMove,
    Payer,
    first_of_month,
    month_of_life,
    payday,
    paying_district,
)
from .allowance_rules import MonthRules
from .allowance_tables import AllowanceBook, AllowanceTable, default_allowance_book

__all__ = [
    "AbroadStay",
    "Allowance",
    "AllowanceBook",
    "AllowanceLine",
    "AllowanceTable",
    "ChildCircumstances",
    "ChildOverview",
    "DistrictMove",
    "Payer",
    "default_allowance_book",
    "first_of_month",
    "month_of_life",
    "overview",
    "payday",
    "paying_district",
]


def overview(child: ChildCircumstances, month: date, book: AllowanceBook) -> ChildOverview:
    """Every allowance for ``child`` in ``month`` (any day of it)."""
    month = first_of_month(month)
    age = month_of_life(child.birth_date, month)
    if age < 0:
        message = N_("The child is not born yet in this month.")
        raise ValidationFailed(message, code="not_born_yet", fields={"month": message})
    rules = MonthRules(child, month, age, book.for_month(month))
    lines = [
        rules.childcare_fee(),
        rules.preschool_tuition(),
        rules.after_school(),
        rules.parent_allowance(),
        rules.home_care(),
        rules.child_allowance(),
    ]
    return ChildOverview(
        month=month,
        months_old=age,
        care=child.care,
        table_year=rules.table.year,
        lines=tuple(line for line in lines if line is not None),
    )
