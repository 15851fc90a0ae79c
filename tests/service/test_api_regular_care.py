"""/api/v1/waiting-list and /api/v1/booking-series."""

from __future__ import annotations

from datetime import date

from service.accounts.models import User
from tests.booking.conftest import caregiver
from tests.factories import ChildFactory, HouseholdFactory, ParentFactory, StaffFactory, parent_of
from tests.helpers import agency, bearer, error_code


def test_waiting_list_and_a_regular_series_through_the_api(client, session):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    child = ChildFactory(household=household, birth_date=date(2021, 5, 1))
    steady = caregiver()
    session.commit()
    parent = bearer(client, session.get(User, parent_of(household).user_id))
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))

    joined = client.post(
        "/api/v1/waiting-list",
        json={"child_id": child.id, "grounds": ["dual_earner"]},
        headers=parent,
    )
    assert joined.status_code == 201
    places = client.get("/api/v1/waiting-list", headers=parent).json
    assert places[0]["position"] == 1 and places[0]["points"] == 5
    listed = client.get("/api/v1/waiting-list", headers=staff).json
    assert [p["child_id"] for p in listed] == [child.id]
    early = client.post(
        "/api/v1/booking-series",
        json={
            "month": "2026-04-01",
            "weekdays": [0, 2],
            "starts_at": "15:00",
            "ends_at": "19:00",
            "child_ids": [child.id],
        },
        headers=parent,
    )
    assert early.status_code == 422 and error_code(early) == "child_waiting"
    placed = client.post(f"/api/v1/waiting-list/{joined.json['id']}/regular", headers=staff)
    assert placed.json["state"] == "regular"

    series = client.post(
        "/api/v1/booking-series",
        json={
            "month": "2026-04-01",
            "weekdays": [0, 2],
            "starts_at": "15:00",
            "ends_at": "19:00",
            "child_ids": [child.id],
        },
        headers=parent,
    )
    assert series.status_code == 201 and len(series.json["booking_ids"]) == 9
    shown = client.get(f"/api/v1/booking-series/{series.json['id']}", headers=staff).json
    assert steady.id in shown["candidate_ids"]
    assigned = client.post(
        f"/api/v1/booking-series/{series.json['id']}/assignment",
        json={"caregiver_id": steady.id},
        headers=staff,
    )
    assert assigned.json["state"] == "matched" and assigned.json["caregiver_id"] == steady.id
    assert (
        client.post(f"/api/v1/booking-series/{series.json['id']}/confirmation", headers=staff).json[
            "state"
        ]
        == "confirmed"
    )


def test_denials(client, session):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    child = ChildFactory(household=household)
    session.commit()
    parent = bearer(client, session.get(User, parent_of(household).user_id))
    joined = client.post("/api/v1/waiting-list", json={"child_id": child.id}, headers=parent).json
    other_agency = bearer(client, StaffFactory(agency_id=agency("AG001").id))
    assert (
        client.post(
            f"/api/v1/waiting-list/{joined['id']}/regular", headers=other_agency
        ).status_code
        == 404
    )
    stranger = bearer(client, ParentFactory())
    assert (
        client.post(f"/api/v1/waiting-list/{joined['id']}/renewal", headers=stranger).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/waiting-list", json={"child_id": child.id}, headers=stranger
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/waiting-list", json={"child_id": child.id, "grounds": ["vip"]}, headers=parent
        ).status_code
        == 422
    )
