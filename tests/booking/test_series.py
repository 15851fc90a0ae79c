"""Regular use: next month's weekly pattern, assigned and confirmed as a series (R-BK-1, R-BK-2)."""

from __future__ import annotations

from datetime import date, time

import pytest

from booking.series import (
    SeriesDraft,
    assign_series,
    confirm_series,
    series_bookings,
    series_candidates,
    submit_series,
)
from core.errors import NotFound, ValidationFailed
from tests.booking.conftest import LIMITS, caregiver
from tests.factories import StaffFactory, parent_of
from tests.helpers import agency


def pattern(family, **changes):
    base = {
        "month": date(2026, 4, 1),
        "weekdays": (0, 2),  # Monday and Wednesday
        "starts_at": time(15),
        "ends_at": time(19),
        "child_ids": tuple(c.id for c in family.children),
    }
    return SeriesDraft(**{**base, **changes})


def test_a_family_submits_next_months_pattern_and_the_agency_assigns_one_caregiver(
    session, clock, family, pricing
):
    family.children[0].state = "regular"
    series = submit_series(
        session, parent_of(family), pattern(family), pricing=pricing, clock=clock
    )
    bookings = series_bookings(session, series)
    assert len(bookings) == 9  # April 2026: 4 Mondays and 5 Wednesdays
    assert all(b.kind == "regular" and b.state == "requested" for b in bookings)
    # R-FEE-1: 4 h of basic care at the 2026 fee, full price without a tier: 4 × 12,790
    assert {b.total for b in bookings} == {51160}
    steady = caregiver()
    part_time = caregiver(days=(0,))  # Mondays only: cannot take the whole series
    staff = StaffFactory(agency_id=agency("AG035").id).actor
    able = series_candidates(session, series, limits=LIMITS)
    assert steady.id in able and part_time.id not in able
    assign_series(session, staff, series.id, steady.id, reason="", limits=LIMITS, clock=clock)
    confirm_series(session, staff, series.id, clock=clock)
    assert {(b.caregiver_id, b.state) for b in series_bookings(session, series)} == {
        (steady.id, "confirmed")
    }
    with pytest.raises(NotFound):
        assign_series(
            session,
            StaffFactory(agency_id=agency("AG001").id).actor,
            series.id,
            steady.id,
            reason="",
            limits=LIMITS,
            clock=clock,
        )


def test_waiting_children_and_closed_windows_are_refused(session, clock, family, pricing):
    with pytest.raises(ValidationFailed) as caught:
        submit_series(session, parent_of(family), pattern(family), pricing=pricing, clock=clock)
    assert caught.value.code == "child_waiting"  # R-BK-2: a waiting child uses ad-hoc care only
    family.children[0].state = "regular"
    with pytest.raises(ValidationFailed) as caught:
        submit_series(
            session,
            parent_of(family),
            pattern(family, month=date(2026, 5, 1)),
            pricing=pricing,
            clock=clock,
        )
    assert caught.value.code == "window_closed"


def test_full_day_infant_care_is_a_monthly_contract_billed_at_least_80_hours(
    session, clock, family, pricing
):
    """R-SUP-10, R-PAY-3: the month is priced as a whole; its visits hold the caregiver's time."""
    from tests.factories import ChildFactory

    infant = ChildFactory(household=family, birth_date=date(2025, 6, 1), state="regular")
    mondays = pattern(
        family,
        weekdays=(0,),
        starts_at=time(9),
        ends_at=time(17),
        child_ids=(infant.id,),
        service="infant_fullday",
    )
    series = submit_series(session, parent_of(family), mondays, pricing=pricing, clock=clock)
    visits = series_bookings(session, series)
    assert len(visits) == 4 and {b.total for b in visits} == {0}  # covered by the contract
    # 4 Mondays × 8 h = 32 h, billed at least 80 h: 80 × 12,790 (2026 infant full-day) = 1,023,200
    assert (series.monthly_hours, series.total, series.government, series.parent) == (
        32,
        1_023_200,
        0,
        1_023_200,
    )
