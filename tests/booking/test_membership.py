"""R-BK-2: an agency serving the family's district approves a full-price membership."""

from __future__ import annotations

import pytest

from booking.households import approve_membership, get_household, web_members
from core.errors import Conflict, NotFound
from tests.factories import HouseholdFactory, OfficerFactory, StaffFactory, parent_of
from tests.helpers import agency, bearer, web_login


def test_staff_approve_web_members_of_their_districts_only(session, clock):
    waiting = HouseholdFactory(district_code="11680", member_state="web_member")
    full = HouseholdFactory(district_code="11680", member_state="full_member")
    elsewhere = HouseholdFactory(district_code="26110", member_state="web_member")
    staff = StaffFactory(agency_id=agency("AG035").id).actor
    assert session.scalars(web_members(staff)).all() == [waiting]
    approve_membership(session, staff, waiting.id, clock=clock)
    assert waiting.member_state == "full_member"
    with pytest.raises(Conflict):
        approve_membership(session, staff, full.id, clock=clock)
    with pytest.raises(NotFound):
        approve_membership(session, staff, elsewhere.id, clock=clock)
    with pytest.raises(NotFound):
        approve_membership(session, OfficerFactory().actor, waiting.id, clock=clock)
    with pytest.raises(NotFound):
        approve_membership(session, parent_of(waiting), waiting.id, clock=clock)
    assert (
        get_household(session, staff, waiting.id) is waiting
    )  # agencies see the families they serve
    assert elsewhere.member_state == "web_member"


def test_membership_approval_through_the_api_and_the_page(client, session):
    waiting = HouseholdFactory(district_code="11680", member_state="web_member")
    other = HouseholdFactory(district_code="11680", member_state="web_member")
    user = StaffFactory(agency_id=agency("AG035").id)
    session.commit()
    headers = bearer(client, user)
    approved = client.post(f"/api/v1/households/{waiting.id}/membership-approval", headers=headers)
    assert approved.status_code == 200 and approved.json["member_state"] == "full_member"
    again = client.post(f"/api/v1/households/{waiting.id}/membership-approval", headers=headers)
    assert again.status_code == 409
    web_login(client, user)
    page = client.get("/agency/members")
    assert page.status_code == 200 and "Approve" in page.data.decode()
    assert client.post(f"/agency/members/{other.id}/approve").status_code == 302
    session.refresh(other)
    assert other.member_state == "full_member"
