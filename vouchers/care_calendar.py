"""The care calendar: half-hour units, surcharged time, attendance hours and children's ages.

Also the checks of a booking's span and children (R-SVC-1, R-SVC-3), which raise
``ValidationFailed`` with a stable code and the field at fault in API terms.

Every instant is judged in Seoul time. A unit is classified by its start: the boundaries of the
rules (22:00, 06:00, midnight, 09:00, 13:00, 16:00) all fall on the half hour.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta

import holidays

from core.clock import SEOUL
from core.errors import ValidationFailed
from core.i18n import N_

from .tariffs import AttendanceHours, ServiceTerms, SiblingTerms, SurchargeTerms

UNIT_MINUTES = 30  # R-SVC-1
UNIT = timedelta(minutes=UNIT_MINUTES)


def on_half_hour(instant: datetime) -> bool:
    """R-SVC-1: bookings start and end on the hour or the half hour (Seoul time)."""
    local = instant.astimezone(SEOUL)
    return local.minute % UNIT_MINUTES == 0 and local.second == 0 and local.microsecond == 0


def care_units(start: datetime, end: datetime) -> Iterator[datetime]:
    """R-SVC-1: the starts of the 30-minute units of [start, end), in Seoul time."""
    unit = start.astimezone(SEOUL)
    end = end.astimezone(SEOUL)
    while unit + UNIT <= end:
        yield unit
        unit = (unit + UNIT).astimezone(SEOUL)


@functools.cache
def _korean_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.KR(years=year))


def load_holidays(years: Iterable[int]) -> None:
    """Build the years' holiday calendars now (a server does it before its first request)."""
    for year in years:
        _korean_holidays(year)


def is_public_holiday(day: date) -> bool:
    """A Korean public holiday, substitute holidays included (the ``holidays`` package)."""
    return day in _korean_holidays(day.year)


def is_surcharged(unit_start: datetime, terms: SurchargeTerms) -> bool:
    """R-FEE-2: night (22:00–06:00), Sunday, public holiday or 1 May; one surcharge at most."""
    local = unit_start.astimezone(SEOUL)
    return is_night(local.time(), terms) or is_surcharged_day(local.date(), terms)


def is_night(clock: time, terms: SurchargeTerms) -> bool:
    """R-FEE-2: the night hours, which may run over midnight."""
    if terms.night_from > terms.night_until:
        return clock >= terms.night_from or clock < terms.night_until
    return terms.night_from <= clock < terms.night_until


def is_surcharged_day(day: date, terms: SurchargeTerms) -> bool:
    """R-FEE-2: a Sunday, a public holiday or an extra day such as 1 May, surcharged all day."""
    return (
        (terms.sundays and day.weekday() == calendar.SUNDAY)
        or (terms.public_holidays and is_public_holiday(day))
        or f"{day.month:02}-{day.day:02}" in terms.extra_days  # "MM-DD"
    )


def in_attendance_hours(unit_start: datetime, hours: AttendanceHours) -> bool:
    """R-SUP-11: the unit starts within daycare or kindergarten hours on a working weekday."""
    local = unit_start.astimezone(SEOUL)
    return is_centre_day(local.date()) and hours.start <= local.time() < hours.end


def is_centre_day(day: date) -> bool:
    """R-SUP-11: daycare and kindergarten open Monday to Friday, except on public holidays."""
    return day.weekday() < calendar.SATURDAY and not is_public_holiday(day)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the last day of the month when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def has_reached(birth_date: date, months: int, on: date) -> bool:
    """Whether a child born on ``birth_date`` is at least ``months`` months old on ``on``."""
    if birth_date.day <= 28:  # every month has the day: compare without building the date
        year, month = divmod(birth_date.year * 12 + birth_date.month - 1 + months, 12)
        return (on.year, on.month, on.day) >= (year, month + 1, birth_date.day)
    return on >= add_months(birth_date, months)


def age_in_years(birth_date: date, on: date) -> int:
    years = on.year - birth_date.year
    return years if has_reached(birth_date, 12 * years, on) else years - 1


def service_allows_age(terms: ServiceTerms, birth_date: date, day: date) -> bool:
    """The ages of the R-SVC table: from ``min_age_months`` until the day before the child
    reaches ``max_age_months``, or until the end of that month (``infant_fullday``)."""
    if not has_reached(birth_date, terms.min_age_months, day):
        return False
    if terms.through_end_of_month:  # until the end of the month of that anniversary
        year, month = divmod(birth_date.year * 12 + birth_date.month - 1 + terms.max_age_months, 12)
        return (day.year, day.month) <= (year, month + 1)
    return not has_reached(birth_date, terms.max_age_months, day)


def invalid(message: str, code: str, field_name: str, **params: int | str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field_name: message}, **params)


def check_aware(instant: datetime, name: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise invalid(N_("Give the time with its time zone."), "naive_datetime", name)


def check_span(start: datetime, end: datetime, minimum_hours: int) -> None:
    """R-SVC-1 and the minimum of the R-SVC table."""
    check_aware(start, "start")
    check_aware(end, "end")
    if end <= start:
        raise invalid(N_("The end must come after the start."), "end_before_start", "end")
    for name, instant in (("start", start), ("end", end)):
        if not on_half_hour(instant):
            message = N_("Care starts and ends on the hour or the half hour.")
            raise invalid(message, "not_on_half_hour", name)
    if end - start < timedelta(hours=minimum_hours):
        message = N_("This care is booked for at least %(hours)s hours.")
        raise invalid(message, "below_minimum", "end", hours=minimum_hours)


def check_children(
    birth_dates: Sequence[date], terms: ServiceTerms, siblings: SiblingTerms, day: date
) -> None:
    """R-SVC-3 and the ages of the R-SVC table, judged on the day the care starts."""
    if not birth_dates:
        raise invalid(N_("Choose at least one child."), "no_children", "children")
    limit = siblings.max_children
    for i, birth_date in enumerate(birth_dates):
        if not service_allows_age(terms, birth_date, day):
            message = N_("The child's age is outside the ages for this service.")
            raise invalid(message, "child_age_out_of_range", f"children.{i}.birth_date")
        if not has_reached(birth_date, siblings.infant_max_months + 1, day):  # 36 months or younger
            limit = min(limit, siblings.max_children_with_infant)
    if len(birth_dates) > limit:
        message = N_("One caregiver cares for at most %(limit)s children in this booking.")
        raise invalid(message, "too_many_children", "children", limit=limit)
