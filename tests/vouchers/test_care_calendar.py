"""The care calendar: units (R-SVC-1), surcharged time (R-FEE-2), attendance hours (R-SUP-11)
and children's ages (R-SVC table)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.clock import SEOUL
from vouchers.care_calendar import (
    _korean_holidays,
    add_months,
    age_in_years,
    care_units,
    end_of_month,
    has_reached,
    in_attendance_hours,
    is_public_holiday,
    is_surcharged,
    load_holidays,
    on_half_hour,
    service_allows_age,
)
from vouchers.tariffs import Attendance, Service, default_tariff_book

TARIFF = default_tariff_book().for_date(date(2026, 1, 1))


def seoul(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SEOUL)


def test_r_svc_1_units_are_half_hours_in_seoul_time():
    units = list(care_units(seoul(2026, 3, 3, 9), seoul(2026, 3, 3, 11)))
    assert units == [
        seoul(2026, 3, 3, 9),
        seoul(2026, 3, 3, 9, 30),
        seoul(2026, 3, 3, 10),
        seoul(2026, 3, 3, 10, 30),
    ]
    # 00:00 UTC is 09:00 in Seoul
    utc = list(care_units(datetime(2026, 3, 3, 0, tzinfo=UTC), datetime(2026, 3, 3, 1, tzinfo=UTC)))
    assert utc[0] == seoul(2026, 3, 3, 9) and utc[0].tzinfo is SEOUL and len(utc) == 2


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (seoul(2026, 3, 3, 9), True),
        (seoul(2026, 3, 3, 9, 30), True),
        (seoul(2026, 3, 3, 9, 15), False),
        (seoul(2026, 3, 3, 9, 30, 1), False),
        (datetime(2026, 3, 3, 0, 30, tzinfo=UTC), True),
    ],
)
def test_r_svc_1_on_the_half_hour(instant, expected):
    assert on_half_hour(instant) is expected


@pytest.mark.parametrize(
    ("unit_start", "surcharged", "why"),
    [
        (seoul(2026, 3, 3, 21, 30), False, "Tuesday evening, before 22:00"),
        (seoul(2026, 3, 3, 22, 0), True, "night from 22:00"),
        (seoul(2026, 3, 4, 0, 0), True, "midnight"),
        (seoul(2026, 3, 4, 5, 30), True, "night until 06:00"),
        (seoul(2026, 3, 4, 6, 0), False, "day from 06:00"),
        (seoul(2026, 3, 7, 12, 0), False, "Saturday is not surcharged"),
        (seoul(2026, 3, 8, 12, 0), True, "Sunday"),
        (seoul(2026, 3, 2, 12, 0), True, "substitute holiday for Samiljeol (1 March, a Sunday)"),
        (seoul(2026, 3, 3, 12, 0), False, "the day after"),
        (seoul(2025, 10, 6, 12, 0), True, "Chuseok 2025"),
        (seoul(2025, 10, 8, 12, 0), True, "substitute holiday for Chuseok 2025"),
        (seoul(2024, 5, 1, 12, 0), True, "1 May (not a public holiday in 2024)"),
        (seoul(2024, 5, 2, 12, 0), False, "2 May"),
    ],
)
def test_r_fee_2_surcharged_units(unit_start, surcharged, why):
    assert is_surcharged(unit_start, TARIFF.surcharge) is surcharged, why


def test_r_fee_2_holidays_come_from_the_holidays_package():
    assert is_public_holiday(date(2026, 3, 2))  # substitute holiday
    assert is_public_holiday(date(2025, 10, 8))
    assert not is_public_holiday(date(2024, 5, 1))
    assert not is_public_holiday(date(2026, 3, 3))


def test_r_fee_2_a_unit_is_judged_in_seoul_time():
    # 13:00 UTC on Tuesday is 22:00 in Seoul
    assert is_surcharged(datetime(2026, 3, 3, 13, 0, tzinfo=UTC), TARIFF.surcharge)
    assert not is_surcharged(datetime(2026, 3, 3, 12, 30, tzinfo=UTC), TARIFF.surcharge)


@pytest.mark.parametrize(
    ("attendance", "unit_start", "inside"),
    [
        (Attendance.DAYCARE, seoul(2026, 3, 3, 8, 30), False),
        (Attendance.DAYCARE, seoul(2026, 3, 3, 9, 0), True),
        (Attendance.DAYCARE, seoul(2026, 3, 3, 15, 30), True),
        (Attendance.DAYCARE, seoul(2026, 3, 3, 16, 0), False),
        (Attendance.DAYCARE, seoul(2026, 3, 7, 10, 0), False),  # Saturday
        (Attendance.DAYCARE, seoul(2026, 3, 2, 10, 0), False),  # substitute holiday
        (Attendance.KINDERGARTEN, seoul(2026, 3, 3, 12, 30), True),
        (Attendance.KINDERGARTEN, seoul(2026, 3, 3, 13, 0), False),
    ],
)
def test_r_sup_11_attendance_hours_on_weekdays(attendance, unit_start, inside):
    assert in_attendance_hours(unit_start, TARIFF.attendance[attendance]) is inside


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the last day
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 12, 3), 3, date(2026, 3, 3)),
        (date(2023, 3, 15), 36, date(2026, 3, 15)),
    ],
)
def test_add_months(day, months, expected):
    """R-SVC table: ages in months; a missing day is the month's last day."""
    assert add_months(day, months) == expected


def test_ages():
    """R-SUP-4, R-SVC table: birthdays and month anniversaries."""
    assert age_in_years(date(2019, 1, 1), date(2026, 1, 1)) == 7
    assert age_in_years(date(2019, 1, 2), date(2026, 1, 1)) == 6
    assert has_reached(date(2025, 12, 3), 3, date(2026, 3, 3))
    assert not has_reached(date(2025, 12, 3), 3, date(2026, 3, 2))
    assert has_reached(date(2025, 11, 30), 3, date(2026, 2, 28))  # no 30 February: the 28th
    assert not has_reached(date(2025, 11, 30), 3, date(2026, 2, 27))


@given(
    birth_date=st.dates(date(2000, 1, 1), date(2030, 12, 31)),
    months=st.integers(0, 200),
    on=st.dates(date(2000, 1, 1), date(2045, 12, 31)),
)
def test_has_reached_is_the_month_anniversary(birth_date, months, on):
    """The shortcut for days up to the 28th agrees with the anniversary date itself."""
    assert has_reached(birth_date, months, on) is (on >= add_months(birth_date, months))


@given(
    service=st.sampled_from(list(Service)),
    birth_date=st.dates(date(2010, 1, 1), date(2026, 12, 31)),
    day=st.dates(date(2024, 1, 1), date(2026, 12, 31)),
)
def test_service_ages_follow_the_table_definition(service, birth_date, day):
    """R-SVC table: from the minimum age to the day before the maximum, or to the end of that
    month, as the anniversary dates themselves say."""
    terms = TARIFF.services[service]
    limit = add_months(birth_date, terms.max_age_months)
    expected = day >= add_months(birth_date, terms.min_age_months) and (
        day <= end_of_month(limit) if terms.through_end_of_month else day < limit
    )
    assert service_allows_age(terms, birth_date, day) is expected


@pytest.mark.parametrize(
    ("service", "birth_date", "day", "allowed"),
    [
        # from 3 months
        (Service.BASIC, date(2025, 12, 3), date(2026, 3, 3), True),
        (Service.BASIC, date(2025, 12, 3), date(2026, 3, 2), False),
        # to the day before the 13th birthday
        (Service.BASIC, date(2013, 3, 3), date(2026, 3, 2), True),
        (Service.BASIC, date(2013, 3, 3), date(2026, 3, 3), False),
        (Service.SICK, date(2013, 3, 3), date(2026, 3, 3), False),
        # infant_fullday: to the end of the month in which the child turns 36 months (15 March)
        (Service.INFANT_FULLDAY, date(2023, 3, 15), date(2026, 3, 31), True),
        (Service.INFANT_FULLDAY, date(2023, 3, 15), date(2026, 4, 1), False),
        (Service.INFANT_FULLDAY, date(2025, 12, 3), date(2026, 3, 2), False),
        (Service.BASIC, date(2026, 4, 1), date(2026, 3, 3), False),  # not yet born
    ],
)
def test_r_svc_ages_per_service(service, birth_date, day, allowed):
    assert service_allows_age(TARIFF.services[service], birth_date, day) is allowed


def test_load_holidays_builds_each_years_calendar_before_it_is_asked_for():
    _korean_holidays.cache_clear()
    load_holidays([2025, 2026])
    assert _korean_holidays.cache_info().currsize == 2
    assert is_public_holiday(date(2026, 3, 1))  # Independence Movement Day (삼일절)
    assert _korean_holidays.cache_info().misses == 2  # answered from the loaded calendar
