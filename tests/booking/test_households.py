"""Households and children: validation, and who may see what (DESIGN rule 4)."""

from __future__ import annotations

from datetime import date

import pytest

from booking import households as domain
from booking.households import ChildDetails, GuardianDetails, GuardianRelation, HouseholdDetails
from core.errors import Conflict, NotFound, ValidationFailed
from tests.factories import (
    AdminFactory,
    ChildFactory,
    HouseholdFactory,
    OfficerFactory,
    ParentFactory,
    StaffFactory,
    parent_of,
)

DETAILS = HouseholdDetails(
    district_code="11680",
    household_size=3,
    applicant=GuardianDetails(name="Айгерім", relation=GuardianRelation.MOTHER),
    other_guardian=GuardianDetails(name="Нұрлан", relation=GuardianRelation.FATHER),
    home_languages=("kk", "ko"),
)


def test_a_parent_registers_and_edits_their_household(session, clock):
    parent = ParentFactory()
    household = domain.register_household(session, parent.actor, DETAILS, clock=clock)
    assert household.applicant.name == "Айгерім"
    assert household.other_guardian.relation == "father"
    assert household.member_state == "web_member"  # R-BK-2: full membership needs a decision
    child = domain.add_child(
        session, parent.actor, ChildDetails(name="Әлия", birth_date=date(2022, 4, 1)), clock=clock
    )
    assert child.state == "waiting"  # R-BK-2: children start waiting

    single = HouseholdDetails(
        district_code="11110", household_size=2, applicant=DETAILS.applicant, home_languages=("kk",)
    )
    domain.update_household(session, parent.actor, single, clock=clock)
    assert household.other_guardian is None
    assert household.district_code == "11110"
    assert len(household.guardians) == 1


def test_registering_twice_is_a_conflict(session, clock):
    parent = ParentFactory()
    domain.register_household(session, parent.actor, DETAILS, clock=clock)
    with pytest.raises(Conflict) as caught:
        domain.register_household(session, parent.actor, DETAILS, clock=clock)
    assert caught.value.code == "household_exists"


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (ChildDetails(name="", birth_date=date(2022, 1, 1)), "name"),
        (
            ChildDetails(name="미래", birth_date=date(2026, 3, 3)),
            "birth_date",
        ),  # the day after "today"
        (ChildDetails(name="큰아이", birth_date=date(2013, 3, 2)), "birth_date"),  # turned 13 today
        (
            ChildDetails(
                name="원생", birth_date=date(2022, 1, 1), attendance=domain.Attendance.DAYCARE
            ),
            "attendance_starts_at",
        ),
    ],
)
def test_bad_child_details_are_refused_and_nothing_is_saved(session, clock, details, field):
    household = HouseholdFactory()
    actor = parent_of(household)
    with pytest.raises(ValidationFailed) as caught:
        domain.add_child(session, actor, details, clock=clock)
    assert field in caught.value.fields
    assert household.children == []


def test_a_child_of_twelve_the_day_before_their_birthday_is_accepted(session, clock):
    household = HouseholdFactory()
    actor = parent_of(household)
    child = domain.add_child(
        session, actor, ChildDetails(name="열두살", birth_date=date(2013, 3, 3)), clock=clock
    )
    assert domain.age_in_years(child.birth_date, date(2026, 3, 2)) == 12


def test_household_size_cannot_be_below_the_people_listed(session, clock):
    parent = ParentFactory()
    too_small = HouseholdDetails(
        district_code="11680",
        household_size=1,
        applicant=DETAILS.applicant,
        other_guardian=DETAILS.other_guardian,
    )
    with pytest.raises(ValidationFailed) as caught:
        domain.register_household(session, parent.actor, too_small, clock=clock)
    assert "household_size" in caught.value.fields
    assert domain.find_own_household(session, parent.actor) is None


def test_unknown_district_and_language_are_field_errors(session, clock):
    parent = ParentFactory()
    bad = HouseholdDetails(
        district_code="99999", household_size=3, applicant=DETAILS.applicant, home_languages=("xx",)
    )
    with pytest.raises(ValidationFailed) as caught:
        domain.register_household(session, parent.actor, bad, clock=clock)
    assert set(caught.value.fields) == {"district_code", "home_languages"}


def test_a_parent_cannot_reach_another_household_or_its_children(session):
    mine, theirs = HouseholdFactory(), HouseholdFactory()
    their_child = ChildFactory(household=theirs)
    me = parent_of(mine)
    with pytest.raises(NotFound):
        domain.get_household(session, me, theirs.id)
    with pytest.raises(NotFound):
        domain.get_child(session, me, their_child.id)
    with pytest.raises(NotFound):
        domain.remove_child(session, me, their_child.id)
    assert domain.get_household(session, me, mine.id) is mine


def test_an_officer_sees_only_their_district(session):
    in_district = HouseholdFactory(district_code="11680")
    elsewhere = HouseholdFactory(district_code="26110")
    officer = OfficerFactory(district_code="11680").actor
    visible = set(session.scalars(domain.households_for_actor(officer)))
    assert in_district in visible and elsewhere not in visible
    with pytest.raises(NotFound):
        domain.get_household(session, officer, elsewhere.id)


def test_admins_see_all_and_agency_staff_no_household(session):
    household = HouseholdFactory(district_code="26110")
    assert domain.get_household(session, AdminFactory().actor, household.id) is household
    with pytest.raises(NotFound):
        domain.get_household(session, StaffFactory().actor, household.id)


def test_only_parents_register_households(session, clock):
    with pytest.raises(NotFound):
        domain.register_household(session, OfficerFactory().actor, DETAILS, clock=clock)
