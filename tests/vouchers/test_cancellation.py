"""Cancellation fees (R-CAN-1, R-CAN-2)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from core.clock import SEOUL
from core.errors import ValidationFailed
from vouchers.cancellation import cancellation_fee, waived_cancellation_pay
from vouchers.tariffs import default_tariff_book

T2024 = default_tariff_book().for_date(date(2024, 1, 1))
T2026 = default_tariff_book().for_date(date(2026, 1, 1))
START = datetime(2024, 3, 5, 10, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("booked_minutes", "notice", "fee"),
    [
        (180, timedelta(minutes=10), 17445),  # RULES.md: 11,630 × 3 h × 50% = 17,445
        (180, timedelta(hours=24, minutes=1), 0),  # more than 24 h before: free
        (180, timedelta(hours=24), 11630),  # 24 h to 1 h before: one hourly basic fee
        (180, timedelta(hours=2), 11630),
        (180, timedelta(hours=1), 11630),
        (180, timedelta(minutes=59), 17445),  # under 1 h
        (120, timedelta(minutes=30), 11630),  # 11,630 × 2 × 50% = 11,630, the minimum as well
        (300, timedelta(minutes=30), 29075),  # 11,630 × 5 × 50%
        (150, timedelta(minutes=30), 14537),  # 11,630 × 2.5 × 50% = 14,537.5, rounded down
        (60, timedelta(minutes=30), 11630),  # 5,815 is less than one hourly fee
    ],
)
def test_r_can_1_cancellation_fee_2024(booked_minutes, notice, fee):
    assert cancellation_fee(T2024, booked_minutes, START, START - notice) == fee


def test_r_can_1_uses_the_year_s_basic_fee():
    start = datetime(2026, 3, 3, 10, tzinfo=SEOUL)
    assert (
        cancellation_fee(T2026, 180, start, start - timedelta(minutes=5)) == 19185
    )  # 12,790 × 1.5
    assert cancellation_fee(T2026, 180, start, start - timedelta(hours=3)) == 12790


def test_r_can_2_waived_cancellation():
    assert cancellation_fee(T2024, 180, START, START - timedelta(minutes=10), waived=True) == 0
    assert waived_cancellation_pay(T2024) == 11630  # the caregiver still gets one hourly fee


@pytest.mark.parametrize("cancelled_at", [START, START + timedelta(minutes=1)])
def test_r_can_1_no_cancellation_after_the_start(cancelled_at):
    with pytest.raises(ValidationFailed) as error:
        cancellation_fee(T2024, 180, START, cancelled_at)
    assert error.value.code == "already_started"
    with pytest.raises(ValidationFailed):
        cancellation_fee(T2024, 180, START, cancelled_at, waived=True)


def test_cancellation_needs_aware_times():
    """R-CAN-1: times are instants with a time zone (DESIGN rule 8)."""
    with pytest.raises(ValidationFailed) as error:
        cancellation_fee(T2024, 180, START, datetime(2024, 3, 5, 9))
    assert (error.value.code, set(error.value.fields)) == ("naive_datetime", {"cancelled_at"})
