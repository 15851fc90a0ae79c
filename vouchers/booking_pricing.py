"""The programme's figures for booking code: prices, request windows, cancellation fees, strikes.

This implements ``booking.requests.Pricing``: booking code asks, the tariffs of the year and the
household's tier decision answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, Subquery, func, literal, select, true
from sqlalchemy.orm import Session

from booking.assignment import CaregiverLimits
from booking.bookings import HOLDING, Booking
from booking.households import Household
from booking.requests import BookingDraft, Price, PricingTerms, RequestWindow, StrikeTerms
from core.clock import SEOUL, Clock

from .arrears import arrears_from_balance, balance_statement, refuse_when_suspended
from .cancellation import cancellation_fee
from .cost_split import ChildFacts, QuoteRequest, SickRate, quote, quote_fullday_month
from .tariffs import Attendance, Service, TariffBook
from .tier_decisions import SupportStanding, standing_from, standing_statement, support_standing


class TariffPricing:
    def __init__(self, tariffs: TariffBook) -> None:
        self.tariffs = tariffs

    def price(
        self, session: Session, household: Household, draft: BookingDraft, minutes_used: int
    ) -> Price:
        day = draft.starts_at.astimezone(SEOUL).date()
        return self._price(
            session, household, draft, minutes_used, support_standing(session, household, day)
        )

    def request_terms(self, household: Household, day: date) -> PricingTerms:
        """The family's balance and its tier decision on ``day``, for ``price_request``."""
        return PricingTerms(
            _request_terms(),
            {"household_id": household.id, "owner": str(household.id), "on": day},
        )

    def price_request(
        self,
        session: Session,
        household: Household,
        draft: BookingDraft,
        minutes_used: int,
        clock: Clock,
        terms: Sequence[Any],
    ) -> Price:
        """A parent's request priced, unless the family's arrears suspend booking (R-PAY-2):
        ``terms`` holds its balance and its tier decision (see ``request_terms``)."""
        balance, coming, tier, groups, decision_id = terms
        payment = self.tariffs.for_date(clock.now().astimezone(SEOUL).date()).payment
        refuse_when_suspended(
            arrears_from_balance(session, household.id, payment, balance, coming, clock=clock)
        )
        standing = standing_from(tier, groups, decision_id)
        return self._price(session, household, draft, minutes_used, standing)

    def _price(
        self,
        session: Session,
        household: Household,
        draft: BookingDraft,
        minutes_used: int,
        standing: SupportStanding,
    ) -> Price:
        day = draft.starts_at.astimezone(SEOUL).date()
        by_id = {child.id: child for child in household.children}
        children = tuple(
            ChildFacts(
                birth_date=by_id[child_id].birth_date,
                supported=by_id[child_id].eligible_for_support,  # R-SVC-2
                attendance=Attendance(by_id[child_id].attendance),  # R-SUP-11
            )
            for child_id in dict.fromkeys(draft.child_ids)
        )
        if draft.service == Service.INFANT_FULLDAY:  # R-SUP-10: its cap is monthly
            minutes_used = _fullday_minutes_this_month(session, household.id, day)
        result = quote(
            QuoteRequest(
                service=Service(draft.service),
                start=draft.starts_at,
                end=draft.ends_at,
                children=children,
                tier=standing.tier,
                groups=standing.groups,
                sick_rate=SickRate(draft.sick_rate),
                minutes_used=minutes_used,
            ),
            self.tariffs,
        )
        lines = [
            {
                "child_id": draft.child_ids[line.child],
                "start": line.start.isoformat(),
                "end": line.end.isoformat(),
                "band": line.band.value,
                "units": line.units,
                "fee": line.fee,
                "government": line.government,
                "parent": line.parent,
                "supported": line.supported,
            }
            for line in result.lines
        ]
        return Price(
            total=result.total,
            government=result.government,
            parent=result.parent,
            tariff_year=result.tariff_year,
            tier=standing.tier.value,
            capped_minutes=result.capped_minutes,
            lines=lines,
        )

    def monthly_price(
        self,
        session: Session,
        household: Household,
        child_ids: tuple[int, ...],
        month: date,
        hours: int,
    ) -> Price:
        """R-SUP-10, R-PAY-3: a month of full-day infant care, billed at least 80 h."""
        standing = support_standing(session, household, month.replace(day=1))
        by_id = {child.id: child for child in household.children}
        children = tuple(
            ChildFacts(birth_date=by_id[i].birth_date, supported=by_id[i].eligible_for_support)
            for i in dict.fromkeys(child_ids)
        )
        result = quote_fullday_month(
            self.tariffs, month, hours, children, standing.tier, standing.groups
        )
        return Price(
            total=result.total,
            government=result.government,
            parent=result.parent,
            tariff_year=result.tariff_year,
            tier=standing.tier.value,
            capped_minutes=result.supported_hours * 60,
        )

    def request_window(self, day: date) -> RequestWindow:
        terms = self.tariffs.for_date(day).booking
        return RequestWindow(
            earliest_days=terms.adhoc_earliest_days,
            latest_hours=terms.adhoc_latest_hours,
            urgent_latest_hours=terms.urgent_latest_hours,
            blackout_from=terms.request_blackout_from,
            blackout_until=terms.request_blackout_until,
        )

    def cancellation_fee(self, booking: Booking, at: datetime, waived: bool) -> int:
        tariff = self.tariffs.for_date(booking.starts_at.astimezone(SEOUL).date())
        minutes = int((booking.ends_at - booking.starts_at).total_seconds()) // 60
        return cancellation_fee(tariff, minutes, booking.starts_at, at, waived)

    def caregiver_limits(self, day: date) -> CaregiverLimits:
        """R-BK-5 / R-BK-4 figures of the year as the assignment engine takes them."""
        terms = self.tariffs.for_date(day).caregiver_limits
        return CaregiverLimits(
            daily_minutes=terms.daily_hours * 60,
            weekly_minutes=terms.weekly_hours * 60,
            weekly_overtime_minutes=terms.weekly_overtime_hours * 60,
            light_load_minutes=terms.light_load_hours * 60,
        )

    def strike_terms(self, day: date) -> StrikeTerms:
        terms = self.tariffs.for_date(day).cancellation
        return StrikeTerms(terms.strike_count, terms.strike_window_hours, terms.bar_months)


@cache  # one object: the request's facts statement is built once for it (see ``request_facts``)
def _request_terms() -> Subquery:
    return _request_statement().subquery("pricing_terms")


@cache  # built once: every booking request runs it
def _request_statement() -> Select[tuple[int, int, str | None, list[str] | None, int | None]]:
    """The family's receivable balance and planned captures, and its tier decision on the care
    day when it has one (an outer join to at most one row)."""
    decision = standing_statement().subquery("decision")
    one_row = select(literal(1).label("one")).subquery("one_row")
    return select(
        *balance_statement().selected_columns,
        decision.c.tier,
        decision.c.groups,
        decision.c.id,
    ).select_from(one_row.outerjoin(decision, true()))


def _fullday_minutes_this_month(session: Session, household_id: int, day: date) -> int:
    month_start = datetime(day.year, day.month, 1, tzinfo=SEOUL)
    next_month = datetime(day.year + day.month // 12, day.month % 12 + 1, 1, tzinfo=SEOUL)
    used = session.scalar(
        select(func.coalesce(func.sum(Booking.capped_minutes), 0)).where(
            Booking.household_id == household_id,
            Booking.service == Service.INFANT_FULLDAY.value,
            Booking.state.in_([s.value for s in HOLDING]),
            Booking.starts_at >= month_start,
            Booking.starts_at < next_month,
        )
    )
    return int(used or 0)
