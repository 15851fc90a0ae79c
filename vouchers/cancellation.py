"""Cancellation fees (R-CAN-1/2) and the caregiver's pay for a waived cancellation (R-CG-3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.i18n import N_

from .care_calendar import check_aware, invalid
from .tariffs import Service, Tariff


def cancellation_fee(
    tariff: Tariff,
    booked_minutes: int,
    start: datetime,
    cancelled_at: datetime,
    waived: bool = False,
) -> int:
    """R-CAN-1/2: what the family pays when it cancels a booking of ``booked_minutes``."""
    check_aware(start, "start")
    check_aware(cancelled_at, "cancelled_at")
    if cancelled_at >= start:
        message = N_("A booking cannot be cancelled once the care has started.")
        raise invalid(message, "already_started", "start")
    if booked_minutes <= 0:
        raise invalid(N_("The booked time must be positive."), "invalid_booked_minutes", "end")
    if waived:  # R-CAN-2: the programme pays the caregiver instead
        return 0
    terms, hourly = tariff.cancellation, tariff.fees[Service.BASIC]
    notice = start - cancelled_at
    if notice > timedelta(hours=terms.free_beyond_hours):
        return 0
    if notice >= timedelta(hours=terms.late_within_hours):
        return hourly * terms.notice_fee_hours
    # under 1 h: basic hourly fee × booked hours × 50%, rounded down, at least one hourly fee
    late = hourly * booked_minutes * terms.late_percent // (60 * 100)
    return max(late, hourly * terms.late_minimum_hours)


def waived_cancellation_pay(tariff: Tariff) -> int:
    """R-CAN-2, R-CG-3: what the programme pays the caregiver for a waived cancellation."""
    return tariff.fees[Service.BASIC] * tariff.cancellation.waived_caregiver_pay_hours
