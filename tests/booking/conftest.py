"""Fixtures for booking tests: a Gangnam-gu family, the agency's caregivers, the real pricing."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from booking.assignment import CaregiverLimits
from booking.caregivers import CaregiverSkill, WeeklySlot
from booking.geography import District
from booking.requests import BookingDraft
from core.clock import SEOUL
from service.extensions import db
from tests.factories import CaregiverFactory, ChildFactory, HouseholdFactory, UserFactory
from tests.helpers import agency
from vouchers.booking_pricing import TariffPricing
from vouchers.tariffs import default_tariff_book

LIMITS = CaregiverLimits()
TUESDAY_9 = datetime(2026, 3, 3, 9, 0, tzinfo=SEOUL)  # the clock stands at Monday 2 March, 10:00


@pytest.fixture
def pricing():
    return TariffPricing(default_tariff_book())


@pytest.fixture
def family(session):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=household, birth_date=date(2021, 5, 1), name="김서준")
    return household


def caregiver(
    *,
    skills=("infant",),
    languages=("ko",),
    user=False,
    home="11680",
    hours=(time(8), time(20)),
    days=range(6),
    **kwargs,
):
    gangnam = agency("AG035")
    account = UserFactory(role="caregiver", agency_id=gangnam.id) if user else None
    made = CaregiverFactory(
        agency_id=gangnam.id,
        home_district_code=home,
        languages=list(languages),
        user_id=account.id if account else None,
        skill_rows=[CaregiverSkill(skill=s) for s in skills],
        availability=[WeeklySlot(weekday=d, starts_at=hours[0], ends_at=hours[1]) for d in days],
        **kwargs,
    )
    made.areas = [db.session.get(District, "11680")]
    db.session.flush()
    return made


def draft(family, start=TUESDAY_9, hours=2, key="k1", service="basic", **changes) -> BookingDraft:
    from datetime import timedelta

    return BookingDraft(
        service=service,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        child_ids=tuple(c.id for c in family.children),
        request_key=key,
        **changes,
    )
