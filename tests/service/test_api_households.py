"""/api/v1/household and /api/v1/households: the contract, the errors and the denials."""

from __future__ import annotations

import pytest

from booking.households import Household
from tests.factories import (
    AdminFactory,
    ChildFactory,
    HouseholdFactory,
    OfficerFactory,
    ParentFactory,
    StaffFactory,
)
from tests.helpers import bearer, error_code

HOUSEHOLD = {
    "district_code": "11680",
    "household_size": 3,
    "home_languages": ["kk", "ko"],
    "applicant": {"name": "Айгерім", "relation": "mother", "phone": "010-1111-2222"},
}


def test_register_view_edit_and_remove_a_household_with_children(client, session):
    headers = bearer(client, ParentFactory())
    assert error_code(client.get("/api/v1/household", headers=headers)) == "no_household"
    created = client.post("/api/v1/household", json=HOUSEHOLD, headers=headers)
    assert created.status_code == 201
    assert created.json["member_state"] == "web_member"
    assert created.json["district"]["name_ko"] == "강남구"

    child = client.post(
        "/api/v1/household/children",
        json={"name": "Әлия", "birth_date": "2022-04-01"},
        headers=headers,
    )
    assert child.status_code == 201 and child.json["state"] == "waiting"
    child_id = child.json["id"]
    edited = client.put(
        f"/api/v1/household/children/{child_id}",
        json={
            "name": "Әлия",
            "birth_date": "2022-04-01",
            "attendance": "daycare",
            "attendance_starts_at": "09:00",
            "attendance_ends_at": "16:00",
        },
        headers=headers,
    )
    assert edited.json["attendance_ends_at"] == "16:00:00"
    assert [c["name"] for c in client.get("/api/v1/household/children", headers=headers).json] == [
        "Әлия"
    ]

    again = client.put(
        "/api/v1/household", json={**HOUSEHOLD, "household_size": 4}, headers=headers
    )
    assert again.json["household_size"] == 4
    assert (
        client.delete(f"/api/v1/household/children/{child_id}", headers=headers).status_code == 204
    )
    assert client.delete("/api/v1/household", headers=headers).status_code == 204
    assert client.get("/api/v1/household", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "미래", "birth_date": "2027-01-01"}, "birth_date"),
        ({"name": "큰아이", "birth_date": "2010-01-01"}, "birth_date"),
        ({"name": "", "birth_date": "2022-01-01"}, "name"),
        ({"birth_date": "2022-01-01"}, "name"),
        ({"name": "x", "birth_date": "not a date"}, "birth_date"),
        ({"name": "x", "birth_date": "2022-01-01", "attendance": "school"}, "attendance"),
        ({"name": "x", "birth_date": "2022-01-01", "favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_children_get_422_naming_the_field_and_nothing_is_saved(
    client, session, payload, field
):
    household = HouseholdFactory()
    user = session.get(Household, household.id).applicant_user_id
    from service.accounts.models import User

    headers = bearer(client, session.get(User, user))
    response = client.post("/api/v1/household/children", json=payload, headers=headers)
    assert response.status_code == 422
    assert error_code(response) == "validation_failed"
    assert field in response.json["error"]["fields"]
    assert client.get("/api/v1/household/children", headers=headers).json == []


def test_bad_household_payloads(client):
    headers = bearer(client, ParentFactory())
    too_small = client.post(
        "/api/v1/household",
        json={
            **HOUSEHOLD,
            "household_size": 1,
            "other_guardian": {"name": "Нұрлан", "relation": "father"},
        },
        headers=headers,
    )
    assert too_small.status_code == 422 and "household_size" in too_small.json["error"]["fields"]
    assert (
        client.post(
            "/api/v1/household", json={**HOUSEHOLD, "household_size": "many"}, headers=headers
        ).status_code
        == 422
    )
    assert client.post(
        "/api/v1/household",
        data="not json",
        headers={**headers, "Content-Type": "application/json"},
    ).status_code in (400, 422)
    assert client.get("/api/v1/household", headers=headers).status_code == 404


def test_a_parent_cannot_read_or_change_another_household(client, session):
    theirs = HouseholdFactory()
    their_child = ChildFactory(household=theirs)
    headers = bearer(client, ParentFactory())
    client.post("/api/v1/household", json=HOUSEHOLD, headers=headers)
    assert client.get(f"/api/v1/households/{theirs.id}", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/household/children/{their_child.id}", headers=headers).status_code
        == 404
    )
    assert (
        client.delete(f"/api/v1/household/children/{their_child.id}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/households", headers=headers).status_code == 404
    session.refresh(their_child)
    assert their_child.name.startswith("아이")


def test_officers_list_only_their_district_and_admins_all(client):
    gangnam = HouseholdFactory(district_code="11680")
    busan = HouseholdFactory(district_code="26110")
    officer = bearer(client, OfficerFactory(district_code="11680"))
    listed = client.get("/api/v1/households?per_page=100", headers=officer).json
    ids = {h["id"] for h in listed["items"]}
    assert gangnam.id in ids and busan.id not in ids
    assert listed["meta"]["total"] == len(ids)
    assert client.get(f"/api/v1/households/{busan.id}", headers=officer).status_code == 404
    admin = bearer(client, AdminFactory())
    assert client.get(f"/api/v1/households/{busan.id}", headers=admin).status_code == 200
    staff = bearer(client, StaffFactory())
    assert client.get(f"/api/v1/households/{gangnam.id}", headers=staff).status_code == 404
    assert client.get("/api/v1/households?page=0", headers=admin).status_code == 422


def test_errors_are_in_the_callers_language(client):
    messages = {}
    for locale in ("ko", "en", "kk"):
        response = client.get(
            "/api/v1/household", headers=bearer(client, ParentFactory(locale=locale))
        )
        assert response.status_code == 404 and error_code(response) == "no_household"
        messages[locale] = response.json["error"]["message"]
    assert messages["en"] == "You have not registered your household yet."
    assert len(set(messages.values())) == 3
    anonymous = client.get("/api/v1/household", headers={"Accept-Language": "kk"})
    assert (
        anonymous.status_code == 401 and anonymous.json["error"]["message"] != "Log in to continue."
    )
