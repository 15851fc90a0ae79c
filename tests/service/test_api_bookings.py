"""/api/v1/bookings, offers and visits: the journey, idempotency and the denials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from booking.bookings import Booking
from core.clock import SEOUL
from service.accounts.models import User
from tests.booking.conftest import caregiver
from tests.factories import ChildFactory, HouseholdFactory, ParentFactory, StaffFactory, parent_of
from tests.helpers import agency, bearer, error_code

BODY = {
    "service": "basic",
    "start": "2026-03-03T09:00:00+09:00",
    "end": "2026-03-03T11:00:00+09:00",
}


def body_on(day: str, child) -> dict:
    """The usual request (09:00–11:00, basic care) for ``child`` on another day."""
    return {
        **BODY,
        "child_ids": [child.id],
        "start": f"{day}T09:00:00+09:00",
        "end": f"{day}T11:00:00+09:00",
    }


def test_book_offer_accept_confirm_visit(client, session, clock):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    child = ChildFactory(household=household)
    carer = caregiver(user=True)
    session.commit()
    parent = {
        **bearer(client, session.get(User, parent_of(household).user_id)),
        "Idempotency-Key": "req-00000001",
    }
    made = client.post("/api/v1/bookings", json={**BODY, "child_ids": [child.id]}, headers=parent)
    assert made.status_code == 201, made.json
    assert made.json["state"] == "offered" and made.json["total"] == 25580
    again = client.post("/api/v1/bookings", json={**BODY, "child_ids": [child.id]}, headers=parent)
    assert again.json["id"] == made.json["id"]  # a retried request: the same booking
    assert len(client.get("/api/v1/bookings", headers=parent).json) == 1

    carer_headers = bearer(client, session.get(User, carer.user_id))
    offers = client.get("/api/v1/offers", headers=carer_headers).json
    assert [o["booking_id"] for o in offers] == [made.json["id"]]
    accepted = client.post(f"/api/v1/offers/{offers[0]['id']}/acceptance", headers=carer_headers)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["state"] == "matched"
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    assert (
        client.post(f"/api/v1/bookings/{made.json['id']}/confirmation", headers=staff).json["state"]
        == "confirmed"
    )
    clock.instant = datetime(2026, 3, 3, 9, tzinfo=SEOUL)
    carer_headers = bearer(client, session.get(User, carer.user_id))  # yesterday's token expired
    assert (
        client.post(f"/api/v1/bookings/{made.json['id']}/check-in", headers=carer_headers).json[
            "state"
        ]
        == "in_progress"
    )
    done = client.post(f"/api/v1/bookings/{made.json['id']}/check-out", headers=carer_headers).json
    assert (
        done["state"] == "completed"
        and [t["to_state"] for t in done["transitions"]][-1] == "completed"
    )


def test_cancel_with_the_fee_shown(client, session, clock):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    child = ChildFactory(household=household)
    session.commit()
    parent = {
        **bearer(client, session.get(User, parent_of(household).user_id)),
        "Idempotency-Key": "req-00000002",
    }
    booking = client.post(
        "/api/v1/bookings", json={**BODY, "child_ids": [child.id]}, headers=parent
    ).json
    fee = client.get(f"/api/v1/bookings/{booking['id']}/cancellation", headers=parent).json
    assert fee == {"fee": 12790, "currency": "KRW"}  # R-CAN-1: 23 h ahead, one hourly basic fee
    stale = client.post(
        f"/api/v1/bookings/{booking['id']}/cancellation", json={"fee_shown": 0}, headers=parent
    )
    assert stale.status_code == 409 and error_code(stale) == "fee_changed"
    done = client.post(
        f"/api/v1/bookings/{booking['id']}/cancellation", json={"fee_shown": 12790}, headers=parent
    )
    assert done.json["state"] == "cancelled" and done.json["cancellation_fee"] == 12790
    twice = client.post(f"/api/v1/bookings/{booking['id']}/cancellation", json={}, headers=parent)
    assert twice.status_code == 409


def test_bad_requests_and_denials(client, session):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    child = ChildFactory(household=household)
    other = ChildFactory(household=HouseholdFactory())
    session.commit()
    parent = bearer(client, session.get(User, parent_of(household).user_id))
    no_key = client.post("/api/v1/bookings", json={**BODY, "child_ids": [child.id]}, headers=parent)
    assert no_key.status_code == 422 and "Idempotency-Key" in no_key.json["error"]["fields"]
    keyed = {**parent, "Idempotency-Key": "req-00000003"}
    for body, field in (
        ({**BODY, "child_ids": [child.id], "end": "2026-03-03T08:00:00+09:00"}, "end"),
        ({**BODY, "child_ids": [child.id], "start": "2026-03-03T09:10:00+09:00"}, "start"),
        ({**BODY, "child_ids": []}, "child_ids"),
    ):
        response = client.post("/api/v1/bookings", json=body, headers=keyed)
        assert response.status_code == 422 and field in response.json["error"]["fields"], (
            response.json
        )
    stranger_child = client.post(
        "/api/v1/bookings", json={**BODY, "child_ids": [other.id]}, headers=keyed
    )
    assert stranger_child.status_code == 422 and error_code(stranger_child) == "unknown_child"
    past = client.post(
        "/api/v1/bookings",
        json=body_on("2026-03-01", child),
        headers=keyed,
    )
    assert past.status_code == 422 and error_code(past) == "in_the_past"
    booking = client.post(
        "/api/v1/bookings", json={**BODY, "child_ids": [child.id]}, headers=keyed
    ).json
    stranger = bearer(client, ParentFactory())
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=stranger).status_code == 404
    assert (
        client.post(
            f"/api/v1/bookings/{booking['id']}/cancellation", json={}, headers=stranger
        ).status_code
        == 404
    )
    other_agency = bearer(client, StaffFactory(agency_id=agency("AG001").id))
    assert (
        client.get(f"/api/v1/bookings/{booking['id']}/candidates", headers=other_agency).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/bookings/{booking['id']}/confirmation", headers=other_agency
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/bookings/{booking['id']}/check-in", headers=parent).status_code == 404
    )
    staff_request = client.post(
        "/api/v1/bookings",
        json=body_on("2026-03-04", child),
        headers={**other_agency, "Idempotency-Key": "req-00000004"},
    )
    assert staff_request.status_code == 404  # only parents request care
    no_household = bearer(client, ParentFactory())
    unregistered = client.post(
        "/api/v1/bookings",
        json={**BODY, "child_ids": [child.id]},
        headers={**no_household, "Idempotency-Key": "req-00000005"},
    )
    assert unregistered.status_code == 404 and error_code(unregistered) == "no_household"
    assert session.scalar(select(func.count()).select_from(Booking)) == 1


def test_the_doctors_note_for_sick_child_care(client, session):
    import io

    household = HouseholdFactory(district_code="11680", member_state="full_member")
    child = ChildFactory(household=household)
    session.commit()
    parent = {
        **bearer(client, session.get(User, parent_of(household).user_id)),
        "Idempotency-Key": "req-00000009",
    }
    sick = client.post(
        "/api/v1/bookings",
        json={**BODY, "service": "sick", "sick_note": "uploaded", "child_ids": [child.id]},
        headers=parent,
    ).json
    pdf = b"%PDF-1.7\n%note\n"
    wrong = client.post(
        f"/api/v1/bookings/{sick['id']}/doctor-note",
        data={"document": (io.BytesIO(b"MZ\x90"), "note.exe")},
        headers=parent,
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and error_code(wrong) == "document_type"
    done = client.post(
        f"/api/v1/bookings/{sick['id']}/doctor-note",
        data={"document": (io.BytesIO(pdf), "note.pdf")},
        headers=parent,
        content_type="multipart/form-data",
    )
    assert done.status_code == 200 and done.json["sick_note"] == "uploaded"
    assert client.get(f"/api/v1/bookings/{sick['id']}/doctor-note", headers=parent).data == pdf
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    assert client.get(f"/api/v1/bookings/{sick['id']}/doctor-note", headers=staff).data == pdf
    stranger = bearer(client, ParentFactory())
    assert (
        client.get(f"/api/v1/bookings/{sick['id']}/doctor-note", headers=stranger).status_code
        == 404
    )
    other_agency = bearer(client, StaffFactory(agency_id=agency("AG001").id))
    assert (
        client.get(f"/api/v1/bookings/{sick['id']}/doctor-note", headers=other_agency).status_code
        == 404
    )
