"""The month and week calendars of bookings (parents, the agency's board, caregivers)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

from babel.dates import format_skeleton
from flask_babel import format_date, get_locale, gettext

from booking.bookings import Booking
from core.clock import SEOUL, seoul_today

from ..context import current_clock
from ..extensions import db


def calendar_view(scoped, view: str, anchor: date) -> dict[str, Any]:
    """A month (weeks from Monday) or a week of days, each with its bookings."""
    if view == "week":
        weeks = [week_of(anchor)]
        previous, following = anchor - timedelta(days=7), anchor + timedelta(days=7)
        title = gettext("Week of %(date)s", date=format_date(weeks[0][0]))
    else:
        weeks = calendar.Calendar().monthdatescalendar(anchor.year, anchor.month)
        first = anchor.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        title = format_skeleton("yMMMM", anchor, locale=get_locale())
    start, end = seoul_midnight(weeks[0][0]), seoul_midnight(weeks[-1][-1] + timedelta(days=1))
    by_day: dict[date, list[Booking]] = {}
    in_range = scoped.where(Booking.starts_at >= start, Booking.starts_at < end)
    for booking in db.session.scalars(in_range.order_by(Booking.starts_at)):
        by_day.setdefault(booking.starts_at.astimezone(SEOUL).date(), []).append(booking)
    return {
        "view": view,
        "title": title,
        "anchor": anchor,
        "weeks": weeks,
        "by_day": by_day,
        "previous": previous,
        "following": following,
        "today": seoul_today(current_clock()),
    }


def seoul_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), SEOUL)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]
