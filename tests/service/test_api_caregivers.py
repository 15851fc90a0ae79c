"""/api/v1/caregivers: agency staff manage their own; denials for everyone else."""

from __future__ import annotations

from tests.factories import CaregiverFactory, ParentFactory, StaffFactory, UserFactory
from tests.helpers import agency, bearer, error_code

CAREGIVER = {
    "name": "박선희",
    "phone": "010-1234-5678",
    "home_district_code": "11680",
    "hire_date": "2023-05-01",
    "languages": ["ko", "en"],
    "skills": ["infant"],
    "area_codes": ["11680"],
    "training_hours": 136,
}


def test_staff_manage_a_caregiver_end_to_end(client):
    headers = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    created = client.post("/api/v1/caregivers", json=CAREGIVER, headers=headers)
    assert created.status_code == 201, created.json
    caregiver_id = created.json["id"]
    updated = client.put(
        f"/api/v1/caregivers/{caregiver_id}",
        json={**CAREGIVER, "skills": ["infant", "sick_child"]},
        headers=headers,
    )
    assert updated.json["skills"] == ["infant", "sick_child"]
    hours = client.put(
        f"/api/v1/caregivers/{caregiver_id}/availability",
        json={"slots": [{"weekday": 0, "starts_at": "09:00", "ends_at": "18:00"}]},
        headers=headers,
    )
    assert hours.json["availability"] == [
        {"weekday": 0, "starts_at": "09:00:00", "ends_at": "18:00:00"}
    ]
    leave = client.post(
        f"/api/v1/caregivers/{caregiver_id}/leaves",
        json={"starts_on": "2026-04-01", "ends_on": "2026-04-03"},
        headers=headers,
    )
    assert leave.status_code == 201
    assert (
        client.delete(
            f"/api/v1/caregivers/{caregiver_id}/leaves/{leave.json['id']}", headers=headers
        ).status_code
        == 204
    )
    assert (
        client.post(f"/api/v1/caregivers/{caregiver_id}/deactivate", headers=headers).json["active"]
        is False
    )
    listed = client.get("/api/v1/caregivers?status=inactive&q=박선", headers=headers).json
    assert [c["id"] for c in listed["items"]] == [caregiver_id]
    assert (
        client.post(f"/api/v1/caregivers/{caregiver_id}/activate", headers=headers).json["active"]
        is True
    )


def test_bad_caregiver_input(client):
    headers = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    outside = client.post(
        "/api/v1/caregivers", json={**CAREGIVER, "area_codes": ["26110"]}, headers=headers
    )
    assert outside.status_code == 422 and "area_codes" in outside.json["error"]["fields"]
    unknown_skill = client.post(
        "/api/v1/caregivers", json={**CAREGIVER, "skills": ["juggling"]}, headers=headers
    )
    assert unknown_skill.status_code == 422 and "skills.0" in unknown_skill.json["error"]["fields"]
    bad_slot = client.put(
        "/api/v1/caregivers/1/availability",
        json={"slots": [{"weekday": 9, "starts_at": "x", "ends_at": "18:00"}]},
        headers=headers,
    )
    assert bad_slot.status_code == 422
    assert client.get("/api/v1/caregivers?per_page=1000", headers=headers).status_code == 422
    assert client.get("/api/v1/caregivers", headers=headers).json["meta"]["total"] == 0


def test_other_agencies_and_other_roles_are_refused(client):
    theirs = CaregiverFactory(agency_id=agency("AG001").id)
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    for method, path in (
        ("get", f"/api/v1/caregivers/{theirs.id}"),
        ("put", f"/api/v1/caregivers/{theirs.id}"),
        ("post", f"/api/v1/caregivers/{theirs.id}/deactivate"),
        ("put", f"/api/v1/caregivers/{theirs.id}/availability"),
        ("post", f"/api/v1/caregivers/{theirs.id}/leaves"),
    ):
        body = {"put": CAREGIVER, "post": {"starts_on": "2026-04-01", "ends_on": "2026-04-02"}}.get(
            method
        )
        if path.endswith("availability"):
            body = {"slots": []}
        if path.endswith("deactivate"):
            body = None
        response = getattr(client, method)(path, json=body, headers=staff)
        assert response.status_code == 404, (method, path, response.json)
    assert theirs.active
    parent = bearer(client, ParentFactory())
    assert client.get("/api/v1/caregivers", headers=parent).status_code == 404
    assert client.post("/api/v1/caregivers", json=CAREGIVER, headers=parent).status_code == 404
    assert error_code(client.get("/api/v1/caregivers")) == "not_authenticated"


def test_a_caregiver_reads_their_own_profile(client, session):
    user = UserFactory(role="caregiver", agency_id=agency("AG001").id)
    mine = CaregiverFactory(agency_id=user.agency_id, user_id=user.id)
    other = CaregiverFactory(agency_id=user.agency_id)
    headers = bearer(client, user)
    assert client.get("/api/v1/caregivers/me", headers=headers).json["id"] == mine.id
    assert client.get(f"/api/v1/caregivers/{other.id}", headers=headers).status_code == 404
    assert (
        client.put(f"/api/v1/caregivers/{mine.id}", json=CAREGIVER, headers=headers).status_code
        == 404
    )
