"""/api/v1/support: applying, the officer's queue and decision, history, notifications, denials."""

from __future__ import annotations

import io
from datetime import date

import pytest
from werkzeug.test import EnvironBuilder

from service.accounts.models import User
from tests.factories import (
    ChildFactory,
    HouseholdFactory,
    OfficerFactory,
    ParentFactory,
    StaffFactory,
    parent_of,
)
from tests.helpers import bearer, error_code

PDF = b"%PDF-1.7\n%payslip\n"


@pytest.fixture
def family(session):
    household = HouseholdFactory(district_code="11680", household_size=4, member_state="web_member")
    ChildFactory(household=household, birth_date=date(2021, 5, 1))
    session.commit()
    return household


def application_payload(household, **changes):
    return {
        "household_size": 4,
        "earners": [
            {"name": "김민지", "monthly_income": 3_300_000, "insurance": "workplace"},
            {"name": "윤호도", "monthly_income": 700_000, "insurance": "workplace"},
        ],
        "care_gaps": ["dual_earner"],
        "groups": [],
        "child_ids": [c.id for c in household.children],
        **changes,
    }


def parent_headers(client, session, household):
    return bearer(client, session.get(User, parent_of(household).user_id))


def test_apply_upload_decide_and_read_the_history(client, session, family):
    parent = parent_headers(client, session, family)
    created = client.post(
        "/api/v1/support/applications", json=application_payload(family), headers=parent
    )
    assert created.status_code == 201, created.json
    application_id = created.json["id"]
    assert created.json["suggestion"] is None  # the working is for officers
    upload = client.post(
        f"/api/v1/support/applications/{application_id}/documents",
        data={"documents": [(io.BytesIO(PDF), "payslip.pdf")]},
        headers=parent,
        content_type="multipart/form-data",
    )
    assert (
        upload.status_code == 201
        and upload.json["documents"][0]["content_type"] == "application/pdf"
    )

    officer = bearer(client, OfficerFactory(district_code="11680"))
    queue = client.get("/api/v1/support/applications", headers=officer).json
    assert [a["id"] for a in queue] == [application_id]
    assert queue[0]["days_left"] == 14
    detail = client.get(f"/api/v1/support/applications/{application_id}", headers=officer).json
    assert detail["suggestion"]["reduction"] == 700_000 and detail["suggestion"]["tier"] == "ga"
    document_id = detail["documents"][0]["id"]
    download = client.get(
        f"/api/v1/support/applications/{application_id}/documents/{document_id}", headers=officer
    )
    assert download.data == PDF

    decided = client.post(
        f"/api/v1/support/applications/{application_id}/decision", json={}, headers=officer
    )
    assert decided.status_code == 201 and decided.json["tier"] == "ga"
    again = client.post(
        f"/api/v1/support/applications/{application_id}/decision", json={}, headers=officer
    )
    assert again.status_code == 409 and error_code(again) == "already_decided"

    history = client.get(f"/api/v1/households/{family.id}/decisions", headers=parent).json
    assert [d["tier"] for d in history] == ["ga"]
    assert client.get("/api/v1/household", headers=parent).json["member_state"] == "full_member"
    texts = [n["text"] for n in client.get("/api/v1/notifications", headers=parent).json]
    assert texts[0].startswith("Your support tier has been decided: Ga (가형)")
    dashboard = client.get("/api/v1/support/dashboard", headers=officer).json
    assert dashboard["decided_this_month"] == 1 and dashboard["open_applications"] == 0


def test_other_districts_parents_and_staff_cannot_decide_or_read(client, session, family):
    parent = parent_headers(client, session, family)
    application_id = client.post(
        "/api/v1/support/applications", json=application_payload(family), headers=parent
    ).json["id"]
    busan = bearer(client, OfficerFactory(district_code="26110"))
    assert (
        client.get(f"/api/v1/support/applications/{application_id}", headers=busan).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/support/applications/{application_id}/decision", json={}, headers=busan
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/support/applications/{application_id}/decision", json={}, headers=parent
        ).status_code
        == 404
    )
    stranger = bearer(client, ParentFactory())
    assert (
        client.get(f"/api/v1/support/applications/{application_id}", headers=stranger).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/households/{family.id}/decisions", headers=stranger).status_code == 404
    )
    staff = bearer(client, StaffFactory())
    assert client.get("/api/v1/support/applications", headers=staff).status_code == 404
    assert client.get("/api/v1/support/dashboard", headers=parent).status_code == 404
    officer = bearer(client, OfficerFactory(district_code="11680"))
    assert (
        client.get("/api/v1/support/applications", headers=officer).json[0]["id"] == application_id
    )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        (
            {"earners": [{"name": "A", "monthly_income": -5, "insurance": "workplace"}]},
            "validation_failed",
            "earners.0.monthly_income",
        ),
        ({"household_size": 1}, "validation_failed", "household_size"),
        ({"child_ids": [987654]}, "validation_failed", "child_ids"),
        ({"care_gaps": ["bored"]}, "validation_failed", "care_gaps.0"),
        ({"earners": []}, "validation_failed", "earners"),
    ],
)
def test_bad_applications_get_422(client, session, family, change, code, field):
    response = client.post(
        "/api/v1/support/applications",
        json=application_payload(family, **change),
        headers=parent_headers(client, session, family),
    )
    assert response.status_code == 422, response.json
    assert error_code(response) == code and field in response.json["error"]["fields"]
    assert (
        client.get(
            "/api/v1/support/applications?status=all",
            headers=parent_headers(client, session, family),
        ).json
        == []
    )


def test_families_who_must_apply_in_person_are_told_in_their_language(client, session, family):
    regional = application_payload(
        family,
        earners=[
            {"name": "A", "monthly_income": 2_000_000, "insurance": "regional"},
            {"name": "B", "monthly_income": 0, "insurance": "none"},
        ],
    )
    messages = {}
    for locale in ("en", "kk", "ko"):
        response = client.post(
            "/api/v1/support/applications",
            json=regional,
            headers={**parent_headers(client, session, family), "Accept-Language": locale},
        )
        assert response.status_code == 422 and error_code(response) == "apply_in_person"
        messages[locale] = response.json["error"]["message"]
    assert "community centre" in messages["en"] and len(set(messages.values())) == 3
    officer = bearer(client, OfficerFactory(district_code="11680"))
    recorded = client.post(
        "/api/v1/support/applications",
        json={**regional, "household_id": family.id},
        headers=officer,
    )
    assert recorded.status_code == 201 and recorded.json["channel"] == "in_person"


def test_bad_documents_are_refused(client, session, family):
    parent = parent_headers(client, session, family)
    application_id = client.post(
        "/api/v1/support/applications", json=application_payload(family), headers=parent
    ).json["id"]
    wrong = client.post(
        f"/api/v1/support/applications/{application_id}/documents",
        data={"documents": [(io.BytesIO(b"<script>alert(1)</script>"), "payslip.pdf")]},
        headers=parent,
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and error_code(wrong) == "document_type"
    # the test client spools a large body to a temporary file that it never closes: build the
    # request ourselves so that the file is closed (pytest turns the ResourceWarning into an error)
    builder = EnvironBuilder(
        path=f"/api/v1/support/applications/{application_id}/documents",
        method="POST",
        data={"documents": [(io.BytesIO(PDF + b"x" * (5 * 1024 * 1024)), "big.pdf")]},
        headers=parent,
    )
    environ = builder.get_environ()
    try:
        large = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert large.status_code == 422 and error_code(large) == "document_too_large"
    missing = client.post(
        f"/api/v1/support/applications/{application_id}/documents",
        data={},
        headers=parent,
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422
    assert (
        client.get(f"/api/v1/support/applications/{application_id}", headers=parent).json[
            "documents"
        ]
        == []
    )


def test_request_documents_and_reject(client, session, family):
    parent = parent_headers(client, session, family)
    application_id = client.post(
        "/api/v1/support/applications", json=application_payload(family), headers=parent
    ).json["id"]
    officer = bearer(client, OfficerFactory(district_code="11680"))
    asked = client.post(
        f"/api/v1/support/applications/{application_id}/documents-request",
        json={"note": "Payslip of B"},
        headers=officer,
    )
    assert (
        asked.json["status"] == "documents_requested"
        and asked.json["officer_note"] == "Payslip of B"
    )
    assert (
        client.post(
            f"/api/v1/support/applications/{application_id}/rejection",
            json={"reason": ""},
            headers=officer,
        ).status_code
        == 422
    )
    rejected = client.post(
        f"/api/v1/support/applications/{application_id}/rejection",
        json={"reason": "No care gap"},
        headers=officer,
    )
    assert rejected.json["status"] == "rejected"
    other_tier = client.post(
        f"/api/v1/support/applications/{application_id}/decision",
        json={"tier": "na"},
        headers=officer,
    )
    assert other_tier.status_code == 409
