"""The rules of R-ALW-1..5 for one child and one month: one method per allowance.

Each method gives an ``AllowanceLine`` with its reasons; ``vouchers.allowances.overview`` calls
them in order. The figures come from the month's ``AllowanceTable``; the readings of the rules are
listed in the docstring of ``vouchers.allowances``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from booking.allowance_facts import CareArrangement, KindergartenKind
from core.i18n import N_

from .allowance_lines import (
    Allowance,
    AllowanceLine,
    ChildCircumstances,
    Payer,
    first_of_month,
    payday,
    paying_district,
)
from .allowance_tables import AgeBand, AllowanceTable
from .cost_split import Explanation

NATIONALS_ONLY = N_("Only for children with Korean nationality (refugees excepted).")
SCHOOL_ENTRY = N_("Paid until February of the year the child starts school (%(month)s).")


def _band(bands: Iterable[AgeBand], age: int) -> AgeBand | None:
    return next((b for b in bands if b.from_month <= age <= b.to_month), None)


@dataclass
class MonthRules:
    child: ChildCircumstances
    month: date
    age: int
    table: AllowanceTable
    _figures: set[str] = field(default_factory=set)
    _notes: list[Explanation] = field(default_factory=list)

    # --- helpers ----------------------------------------------------------------------------

    def note(self, message: str, *figures: str, **params: int | str) -> None:
        self._notes.append(Explanation(message, params))
        self._figures.update(figures)

    def line(
        self, allowance: Allowance, *, cash: int = 0, voucher: int = 0, **extra
    ) -> AllowanceLine:
        made = AllowanceLine(
            allowance,
            cash=cash,
            voucher=voucher,
            explanation=tuple(self._notes),
            unconfirmed=bool(self._figures & self.table.unconfirmed),
            **extra,
        )
        self._notes, self._figures = [], set()
        return made

    @property
    def school_end(self) -> date:
        entry = self.table.school_entry
        return date(self.child.birth_date.year + entry.years_after_birth, entry.last_month, 1)

    def refused_nationality(self, section: str, nationals_only: bool) -> bool:
        if nationals_only and not self.child.eligible_national:
            self.note(NATIONALS_ONLY, f"{section}.nationals_only")
            return True
        return False

    def past_school_entry(self) -> bool:
        if self.month > self.school_end:
            self.note(SCHOOL_ENTRY, month=self.school_end.isoformat())
            return True
        return False

    def daycare_fee(self) -> tuple[int, str]:
        """R-ALW-1: the month's childcare fee support at a daycare centre, and its figure."""
        terms = self.table.childcare_fee
        if self.child.disabled and self.age // 12 <= terms.disabled_max_age_years:
            return terms.disabled_amount, "childcare_fee.disabled_amount"
        band = _band(terms.bands, self.age)
        if band is None or self.month > self.school_end:
            return 0, "childcare_fee.bands"
        return band.amount, "childcare_fee.bands"

    # --- R-ALW-1 ----------------------------------------------------------------------------

    def childcare_fee(self) -> AllowanceLine:
        kind = Allowance.CHILDCARE_FEE
        terms = self.table.childcare_fee
        if self.child.care is not CareArrangement.DAYCARE:
            self.note(N_("For a child at a daycare centre."))
            return self.line(kind)
        if self.refused_nationality("childcare_fee", terms.nationals_only):
            return self.line(kind)
        amount, figure = self.daycare_fee()
        if amount == 0:
            if not self.past_school_entry():
                self.note(N_("Not at this age."), figure)
            return self.line(kind)
        if self.parent_voucher_covers_fee():
            self.note(
                N_(
                    "The childcare fee of %(amount)s won is paid from the parent allowance, as "
                    "its voucher (see the parent allowance)."
                ),
                figure,
                amount=amount,
            )
            return self.line(kind)
        if figure == "childcare_fee.disabled_amount":
            self.note(
                N_(
                    "A disabled child aged 12 or under at a daycare centre: %(amount)s won a month."
                ),
                figure,
                amount=amount,
            )
        else:
            self.note(
                N_("Age %(years)s at a daycare centre: %(amount)s won a month, any income."),
                figure,
                amount=amount,
                years=self.age // 12,
            )
        self.note(N_("Paid as a voucher to the daycare centre."))
        return self.line(kind, voucher=amount)

    def parent_voucher_covers_fee(self) -> bool:
        terms = self.table.parent_allowance
        return _band(terms.bands, self.age) is not None and not (
            terms.nationals_only and not self.child.eligible_national
        )

    # --- R-ALW-2 ----------------------------------------------------------------------------

    def _kindergarten(self, kind: Allowance) -> KindergartenKind | AllowanceLine:
        terms = self.table.preschool
        if not self.child.care.kindergarten:
            self.note(N_("For a child at a kindergarten."))
            return self.line(kind)
        if self.refused_nationality("preschool", terms.nationals_only):
            return self.line(kind)
        if self.age < terms.from_month:
            self.note(N_("From month %(first)s of life (age 3)."), first=terms.from_month)
            return self.line(kind)
        if self.past_school_entry():
            return self.line(kind)
        if self.child.care is CareArrangement.KINDERGARTEN_PRIVATE:
            return KindergartenKind.PRIVATE
        return KindergartenKind.PUBLIC

    def preschool_tuition(self) -> AllowanceLine:
        place = self._kindergarten(Allowance.PRESCHOOL_TUITION)
        if isinstance(place, AllowanceLine):
            return place
        amount = self.table.preschool.tuition[place]
        self.note(
            N_(
                "Preschool tuition at a %(kind)s kindergarten, ages 3 to 5: %(amount)s won a month."
            ),
            "preschool.tuition",
            kind=place.value,
            amount=amount,
        )
        return self.line(Allowance.PRESCHOOL_TUITION, voucher=amount)

    def after_school(self) -> AllowanceLine | None:
        if not self.child.care.kindergarten:
            return None  # only shown to kindergarten families
        place = self._kindergarten(Allowance.AFTER_SCHOOL)
        if isinstance(place, AllowanceLine):
            return place
        if not self.child.after_school:
            self.note(N_("For a child who takes the kindergarten's after-school class."))
            return self.line(Allowance.AFTER_SCHOOL)
        amount = self.table.preschool.after_school[place]
        self.note(
            N_("The after-school class of a %(kind)s kindergarten: %(amount)s won a month."),
            "preschool.after_school",
            kind=place.value,
            amount=amount,
        )
        return self.line(Allowance.AFTER_SCHOOL, voucher=amount)

    # --- R-ALW-3 ----------------------------------------------------------------------------

    def parent_allowance(self) -> AllowanceLine:
        kind = Allowance.PARENT_ALLOWANCE
        terms = self.table.parent_allowance
        band = _band(terms.bands, self.age)
        if band is None:
            self.note(
                N_("For a child in months %(first)s to %(last)s of life (ages 0 and 1)."),
                first=terms.bands[0].from_month,
                last=terms.bands[-1].to_month,
            )
            return self.line(kind)
        if self.refused_nationality("parent_allowance", terms.nationals_only):
            return self.line(kind)
        full = band.amount
        self.note(
            N_("Age %(years)s: %(amount)s won a month."),
            "parent_allowance.bands",
            years=self.age // 12,
            amount=full,
        )
        voucher = 0
        if self.child.care is CareArrangement.DAYCARE:
            fee, figure = self.daycare_fee()
            voucher = min(full, fee)
            message = N_(
                "At a daycare centre %(voucher)s won of it is a voucher for the childcare fee "
                "and %(cash)s won is paid in cash."
            )
        elif self.child.care is CareArrangement.INFANT_FULLDAY:
            figure = "parent_allowance.infant_fullday_voucher"
            fullday = _band(terms.infant_fullday_voucher, self.age)
            voucher = min(full, fullday.amount if fullday else 0)
            message = N_(
                "In full-day infant care %(voucher)s won of it is a voucher for the care and "
                "%(cash)s won is paid in cash."
            )
        else:
            figure = "parent_allowance.bands"
            message = N_("Paid in cash.")
        self.note(message, figure, voucher=voucher, cash=full - voucher)
        return self.line(kind, cash=full - voucher, voucher=voucher)

    # --- R-ALW-4 ----------------------------------------------------------------------------

    def home_care(self) -> AllowanceLine:
        kind = Allowance.HOME_CARE
        terms = self.table.home_care
        if self.child.care is not CareArrangement.HOME:
            self.note(
                N_(
                    "For a child cared for at home: not at daycare, kindergarten or in full-day "
                    "infant care."
                )
            )
            return self.line(kind)
        if self.refused_nationality("home_care", terms.nationals_only):
            return self.line(kind)
        if self.past_school_entry():
            return self.line(kind)
        options = [("general", _band(terms.general, self.age))]
        if self.child.farming_fishing_area:
            options.append(("farming_fishing", _band(terms.farming_fishing, self.age)))
        if self.child.disabled:
            options.append(("disabled", _band(terms.disabled, self.age)))
        found = [(name, band) for name, band in options if band is not None]
        if not found:
            self.note(
                N_("For a child in months %(first)s to %(last)s of life."),
                first=terms.general[0].from_month,
                last=terms.general[-1].to_month,
            )
            return self.line(kind)
        name, band = max(found, key=lambda option: option[1].amount)
        messages = {
            "general": N_("Cared for at home: %(amount)s won a month."),
            "farming_fishing": N_(
                "Cared for at home in a farming or fishing area: %(amount)s won a month at this "
                "age."
            ),
            "disabled": N_(
                "A disabled child cared for at home: %(amount)s won a month at this age."
            ),
        }
        self.note(messages[name], f"home_care.{name}", amount=band.amount)
        applied = self.child.home_care_applied_on
        if applied is None:
            self.note(N_("Paid from the month you apply."))
        elif first_of_month(applied) > self.month:
            self.note(
                N_("Paid from the month of the application (%(month)s)."),
                month=first_of_month(applied).isoformat(),
            )
            return self.line(kind)
        paid_on = payday(self.month, terms.payday)
        self.note(
            N_(
                "Paid in cash on %(date)s: day %(day)s of the month, or the working day before "
                "when that is a Saturday, Sunday or public holiday."
            ),
            date=paid_on.isoformat(),
            day=terms.payday,
        )
        district, payer, move = paying_district(
            self.child.moves, self.month, self.child.district, terms.new_district_until_day
        )
        if move is not None and payer is Payer.NEW:
            self.note(
                N_("Moving on %(date)s, by day %(day)s: the new district pays this month."),
                date=move.moved_on.isoformat(),
                day=terms.new_district_until_day,
            )
        elif move is not None:
            self.note(
                N_("Moving on %(date)s, after day %(day)s: the previous district pays this month."),
                date=move.moved_on.isoformat(),
                day=terms.new_district_until_day,
            )
        return self.line(
            kind, cash=band.amount, payday=paid_on, paying_district=district, payer=payer
        )

    # --- R-ALW-5 ----------------------------------------------------------------------------

    def child_allowance(self) -> AllowanceLine:
        kind = Allowance.CHILD_ALLOWANCE
        terms = self.table.child_allowance
        band = _band(terms.bands, self.age)
        if band is None:
            self.note(
                N_("For a child up to month %(last)s of life."), last=terms.bands[-1].to_month
            )
            return self.line(kind)
        if self.refused_nationality("child_allowance", terms.nationals_only):
            return self.line(kind)
        self.note(
            N_("%(amount)s won a month for each child, paid in cash."),
            "child_allowance.bands",
            amount=band.amount,
        )
        if not self._child_allowance_started(terms.backpay_within_days):
            return self.line(kind)
        for stay in self.child.stays_abroad:
            limit = stay.departed_on + timedelta(days=terms.abroad_limit_days)
            if stay.returned_on is not None and stay.returned_on <= limit:
                continue  # back within the limit
            stops = first_of_month(limit.replace(day=28) + timedelta(days=4))
            resumes = first_of_month(stay.returned_on) if stay.returned_on else None
            if stops <= self.month and (resumes is None or self.month < resumes):
                self.note(
                    N_(
                        "Abroad since %(date)s for more than %(days)s days: stopped from "
                        "%(month)s until the month of return."
                    ),
                    date=stay.departed_on.isoformat(),
                    days=terms.abroad_limit_days,
                    month=stops.isoformat(),
                )
                return self.line(kind)
        return self.line(kind, cash=band.amount)

    def _child_allowance_started(self, within: int) -> bool:
        applied = self.child.child_allowance_applied_on
        if applied is None:
            self.note(
                N_(
                    "Apply within %(limit)s days of birth to be paid from the month of birth; "
                    "later, it is paid from the month of the application."
                ),
                limit=within,
            )
            return True
        days = (applied - self.child.birth_date).days
        if days <= within:
            self.note(
                N_("Applied %(days)s days after birth, within %(limit)s: paid from birth month."),
                days=days,
                limit=within,
            )
            return True
        start = first_of_month(applied)
        self.note(
            N_(
                "Applied %(days)s days after birth, after %(limit)s: paid from the month of the "
                "application (%(month)s)."
            ),
            days=days,
            limit=within,
            month=start.isoformat(),
        )
        return self.month >= start
