"""factory_boy factories: they flush, never commit."""

from __future__ import annotations

from datetime import date, time

import factory
from factory.alchemy import SQLAlchemyModelFactory

from booking.caregivers import Caregiver, CaregiverSkill, WeeklySlot
from booking.households import Child, Guardian, Household
from core.clock import SEOUL
from service.accounts.models import User
from service.accounts.passwords import hash_password
from service.extensions import db

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.kr")
    password_hash = _PASSWORD_HASH
    display_name = factory.Sequence(lambda n: f"User {n}")
    role = "parent"
    locale = None
    active = True
    created_at = factory.LazyFunction(
        lambda: __import__("datetime").datetime(2026, 1, 5, 9, tzinfo=SEOUL)
    )


class ParentFactory(UserFactory):
    role = "parent"


class StaffFactory(UserFactory):
    role = "agency_staff"
    agency_id = 1


class OfficerFactory(UserFactory):
    role = "officer"
    district_code = "11680"


class AdminFactory(UserFactory):
    role = "admin"


class HouseholdFactory(Base):
    class Meta:
        model = Household

    applicant_user_id = factory.LazyFunction(lambda: ParentFactory().id)
    district_code = "11680"
    household_size = 4
    home_languages = factory.LazyFunction(lambda: ["ko"])
    member_state = "full_member"
    address = ""
    created_at = factory.LazyFunction(
        lambda: __import__("datetime").datetime(2026, 1, 5, 9, tzinfo=SEOUL)
    )
    guardians = factory.LazyFunction(
        lambda: [Guardian(name="김민지", relation="mother", phone="", is_applicant=True)]
    )


class ChildFactory(Base):
    class Meta:
        model = Child

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"아이{n}")
    birth_date = date(2021, 5, 1)
    korean_national = True
    refugee = False
    disabled = False
    attendance = "none"
    state = "waiting"
    care_notes = ""


class CaregiverFactory(Base):
    class Meta:
        model = Caregiver

    agency_id = 1
    name = factory.Sequence(lambda n: f"돌보미{n}")
    phone = factory.Sequence(lambda n: f"010-1000-{n:04d}")
    home_district_code = "11110"
    languages = factory.LazyFunction(lambda: ["ko"])
    training_hours = 120
    hire_date = date(2024, 3, 1)
    active = True
    skill_rows = factory.LazyFunction(lambda: [CaregiverSkill(skill="infant")])
    availability = factory.LazyFunction(
        lambda: [WeeklySlot(weekday=0, starts_at=time(9), ends_at=time(18))]
    )


def parent_of(household: Household):
    """The applicant's actor of a household."""
    return db.session.get(User, household.applicant_user_id).actor
