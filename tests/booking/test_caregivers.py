"""Caregivers: agency staff manage only their own agency's (DESIGN rule 4)."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from booking import caregivers as domain
from booking.caregivers import CaregiverDetails, CaregiverSearch, LeaveRequest, Skill, Slot
from core.errors import NotFound, ValidationFailed
from tests.factories import AdminFactory, CaregiverFactory, ParentFactory, StaffFactory, UserFactory
from tests.helpers import agency

DETAILS = CaregiverDetails(
    name="박선희",
    phone="010-1234-5678",
    home_district_code="11680",
    hire_date=date(2023, 5, 1),
    languages=("ko", "en"),
    skills=(Skill.INFANT, Skill.SICK_CHILD),
    area_codes=("11680",),
    training_hours=136,
)


@pytest.fixture
def gangnam_staff():
    return StaffFactory(agency_id=agency("AG035").id)


def test_staff_create_edit_and_deactivate_their_caregiver(session, gangnam_staff):
    actor = gangnam_staff.actor
    caregiver = domain.create_caregiver(session, actor, DETAILS)
    assert caregiver.agency_id == gangnam_staff.agency_id
    assert caregiver.skills == [Skill.INFANT, Skill.SICK_CHILD]
    assert [d.code for d in caregiver.areas] == ["11680"]

    changed = CaregiverDetails(
        **{**DETAILS.__dict__, "skills": (Skill.COMPREHENSIVE,), "name": "박선희 "}
    )
    domain.update_caregiver(session, actor, caregiver.id, changed)
    assert caregiver.skills == [Skill.COMPREHENSIVE]
    assert caregiver.name == "박선희"

    domain.set_caregiver_active(session, actor, caregiver.id, False)
    assert not caregiver.active
    active = session.scalars(domain.search_caregivers(actor, CaregiverSearch(active=True))).all()
    assert caregiver not in active


def test_a_caregiver_works_only_where_the_agency_serves(session, gangnam_staff):
    outside = CaregiverDetails(**{**DETAILS.__dict__, "area_codes": ("26110",)})
    with pytest.raises(ValidationFailed) as caught:
        domain.create_caregiver(session, gangnam_staff.actor, outside)
    assert "area_codes" in caught.value.fields


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": " "}, "name"),
        ({"phone": ""}, "phone"),
        ({"languages": ("xx",)}, "languages"),
        ({"training_hours": -1}, "training_hours"),
        ({"home_district_code": "00000"}, "home_district_code"),
        ({"area_codes": ()}, "area_codes"),
    ],
)
def test_bad_caregiver_details_are_refused(session, gangnam_staff, change, field):
    before = session.scalar(
        select(domain.Caregiver.id).order_by(domain.Caregiver.id.desc()).limit(1)
    )
    with pytest.raises(ValidationFailed) as caught:
        domain.create_caregiver(
            session, gangnam_staff.actor, CaregiverDetails(**{**DETAILS.__dict__, **change})
        )
    assert field in caught.value.fields
    after = session.scalar(
        select(domain.Caregiver.id).order_by(domain.Caregiver.id.desc()).limit(1)
    )
    assert after == before


def test_staff_of_another_agency_cannot_touch_the_caregiver(session, gangnam_staff):
    caregiver = domain.create_caregiver(session, gangnam_staff.actor, DETAILS)
    jongno = StaffFactory(agency_id=agency("AG001").id).actor
    for attempt in (
        lambda: domain.get_caregiver(session, jongno, caregiver.id),
        lambda: domain.update_caregiver(session, jongno, caregiver.id, DETAILS),
        lambda: domain.set_caregiver_active(session, jongno, caregiver.id, False),
        lambda: domain.set_availability(session, jongno, caregiver.id, []),
        lambda: domain.add_leave(
            session, jongno, caregiver.id, LeaveRequest(date(2026, 4, 1), date(2026, 4, 2))
        ),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert caregiver.active
    assert caregiver not in session.scalars(domain.caregivers_for_actor(jongno)).all()


def test_parents_and_caregivers_cannot_manage_caregivers(session, gangnam_staff):
    caregiver = domain.create_caregiver(session, gangnam_staff.actor, DETAILS)
    with pytest.raises(NotFound):
        domain.update_caregiver(session, ParentFactory().actor, caregiver.id, DETAILS)
    own_user = UserFactory(role="caregiver", agency_id=gangnam_staff.agency_id)
    caregiver.user_id = own_user.id
    assert domain.get_caregiver(session, own_user.actor, caregiver.id) is caregiver  # may read self
    with pytest.raises(NotFound):
        domain.set_caregiver_active(session, own_user.actor, caregiver.id, False)


def test_admins_create_for_a_named_agency(session):
    admin = AdminFactory().actor
    with pytest.raises(ValidationFailed):
        domain.create_caregiver(session, admin, DETAILS)
    created = domain.create_caregiver(session, admin, DETAILS, agency_id=agency("AG035").id)
    assert created.agency.code == "AG035"


def test_weekly_availability_replaces_the_old_and_refuses_overlaps(session, gangnam_staff):
    caregiver = domain.create_caregiver(session, gangnam_staff.actor, DETAILS)
    slots = [Slot(2, time(13), time(19)), Slot(0, time(9), time(13))]
    domain.set_availability(session, gangnam_staff.actor, caregiver.id, slots)
    assert [(s.weekday, s.starts_at) for s in caregiver.availability] == [
        (0, time(9)),
        (2, time(13)),
    ]
    with pytest.raises(ValidationFailed) as caught:
        domain.set_availability(
            session,
            gangnam_staff.actor,
            caregiver.id,
            [Slot(0, time(9), time(13)), Slot(0, time(12), time(15))],
        )
    assert "slots" in caught.value.fields
    with pytest.raises(ValidationFailed):
        domain.set_availability(
            session, gangnam_staff.actor, caregiver.id, [Slot(1, time(15), time(9))]
        )
    assert len(caregiver.availability) == 2


def test_leave_periods_cannot_overlap_or_run_backwards(session, gangnam_staff):
    caregiver = domain.create_caregiver(session, gangnam_staff.actor, DETAILS)
    leave = domain.add_leave(
        session,
        gangnam_staff.actor,
        caregiver.id,
        LeaveRequest(date(2026, 4, 1), date(2026, 4, 5), "여름휴가"),
    )
    with pytest.raises(ValidationFailed) as caught:
        domain.add_leave(
            session,
            gangnam_staff.actor,
            caregiver.id,
            LeaveRequest(date(2026, 4, 5), date(2026, 4, 8)),
        )
    assert caught.value.code == "leave_overlap"
    with pytest.raises(ValidationFailed):
        domain.add_leave(
            session,
            gangnam_staff.actor,
            caregiver.id,
            LeaveRequest(date(2026, 4, 9), date(2026, 4, 8)),
        )
    domain.remove_leave(session, gangnam_staff.actor, caregiver.id, leave.id)
    assert caregiver.leaves == []


def test_search_by_text_skill_and_district(session, gangnam_staff):
    actor = gangnam_staff.actor
    a = domain.create_caregiver(session, actor, DETAILS)
    b = domain.create_caregiver(
        session,
        actor,
        CaregiverDetails(
            **{**DETAILS.__dict__, "name": "최유진", "phone": "010-9999-0000", "skills": ()}
        ),
    )
    CaregiverFactory(agency_id=agency("AG001").id, name="박선희")  # same name, other agency

    def found(search):
        return session.scalars(domain.search_caregivers(actor, search)).all()

    assert found(CaregiverSearch(text="박선")) == [a]
    assert found(CaregiverSearch(text="9999")) == [b]
    assert found(CaregiverSearch(skill=Skill.SICK_CHILD)) == [a]
    assert set(found(CaregiverSearch(district_code="11680"))) == {a, b}
