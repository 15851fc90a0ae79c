"""e-Child Happiness home visits at the edge (R-ECH-1..2): the officers' pages and API, the
import report, referrals to the support queue; denials and bad input."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from booking.home_visits import VisitCase
from service.accounts.models import User
from tests.factories import (
    AdminFactory,
    ChildFactory,
    HouseholdFactory,
    OfficerFactory,
    ParentFactory,
    parent_of,
)
from tests.helpers import bearer, error_code, web_login

HEADER = (
    "child_ref,child_name,birth_date,guardian_name,guardian_phone,district_code,address,indicators"
)
GOOD = [
    "SSIS-001,김하늘,2019-04-02,김민수,010-1234-5678,11680,역삼로 1,3;17",
    "SSIS-002,이나무,2016-10-15,이서연,02-555-1234,11680,,5",
]
BAD = "SSIS-003,최지아,2019-02-30,최민,010-1234-5678,26110,,3"  # a bad date, another district


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def people(session):
    household = HouseholdFactory(district_code="11680")
    ChildFactory(household=household, birth_date=date(2023, 5, 1))
    people = {
        "officer": OfficerFactory(district_code="11680"),
        "busan": OfficerFactory(district_code="26110"),
        "admin": AdminFactory(),
        "parent": session.get(User, parent_of(household).user_id),
    }
    session.commit()
    return people


def as_user(client, user):
    client.post("/logout")
    web_login(client, user)


def upload(client, data: bytes, **fields):
    form = {"year": "2026", "quarter": "1", "file": (io.BytesIO(data), "list.csv"), **fields}
    return client.post("/officer/home-visits/import", data=form, content_type="multipart/form-data")


def cases(session) -> list[VisitCase]:
    return list(session.scalars(select(VisitCase).order_by(VisitCase.child_ref)))


def test_an_officer_imports_visits_and_links_the_care_service(client, session, people):
    as_user(client, people["officer"])
    listing = client.get("/officer/home-visits")
    assert listing.status_code == 200 and "Home visits, 2026 Q1" in text(listing)
    assert "No children on this quarter's list yet." in text(listing)
    assert client.get("/officer/home-visits/import").status_code == 200

    imported = upload(client, csv_bytes(*GOOD))
    assert imported.status_code == 302
    page = text(client.get(imported.headers["Location"]))
    assert "김하늘" in page and "이나무" in page and "2 children imported." in page
    case = cases(session)[0]

    url = f"/officer/home-visits/{case.id}"
    assert (
        client.post(
            f"{url}/call", data={"called_at": "2026-03-02T09:00", "reached": "1"}
        ).status_code
        == 302
    )
    planned = client.post(f"{url}/schedule", data={"visit_at": "2026-03-04T14:00"})
    assert planned.status_code == 302
    visited = client.post(
        f"{url}/visit",
        data={
            "visited_at": "2026-03-02T09:30",
            "visitor_name": "박주무관",
            "place": "역삼로 1",
            "outcome": "face_to_face",
            "counselling_notes": "Grandmother cares alone; speech is late.",
            "needs": ["care", "development"],
        },
    )
    assert visited.status_code == 302, text(visited)
    linked = client.post(f"{url}/services", data={"service": "care_service", "note": "nights"})
    assert linked.status_code == 302
    detail = text(client.get(url))
    assert "Visited" in detail and "Grandmother cares alone" in detail
    assert "Child-care service with a support tier: nights" in detail
    assert "The family is in the support queue" in detail

    queue = text(client.get("/officer/referrals"))
    assert "김하늘" in queue and "김민수" in queue and "010-1234-5678" in queue
    dashboard = client.get("/officer/home-visits/dashboard")
    assert dashboard.status_code == 200
    assert re.search(r"Visited 1 Linked to a service 1", text(dashboard))
    export = client.get("/officer/home-visits/export.csv")
    assert export.mimetype == "text/csv" and export.get_data(as_text=True).startswith("child_ref,")
    assert "Grandmother" not in export.get_data(as_text=True)

    referral_id = re.search(
        r"/officer/referrals/(\d+)/closure", client.get("/officer/referrals").get_data(as_text=True)
    )[1]
    closed = client.post(f"/officer/referrals/{referral_id}/closure", data={"note": "applied"})
    assert closed.status_code == 302
    assert "No open referrals." in text(client.get("/officer/referrals"))
    assert client.post(f"{url}/closure").status_code == 302
    assert "Closed" in text(client.get(url))


def test_bad_rows_are_reported_and_nothing_is_half_imported(client, session, people):
    as_user(client, people["officer"])
    response = upload(client, csv_bytes(GOOD[0], BAD))
    assert response.status_code == 422
    page = text(response)
    assert "Some rows were rejected; nothing was imported." in page
    assert "1 of 2 rows rejected; 0 children imported." in page
    assert "Give the birth date as YYYY-MM-DD." in page
    assert "Only children of your own district can be imported." in page
    assert cases(session) == []
    partial = upload(client, csv_bytes(GOOD[0], BAD), accept_partial=["0", "1"])
    assert partial.status_code == 200 and "1 of 2 rows rejected; 1 children imported." in text(
        partial
    )
    assert [c.child_ref for c in cases(session)] == ["SSIS-001"]
    no_file = client.post("/officer/home-visits/import", data={"year": "2026", "quarter": "1"})
    assert no_file.status_code == 422 and 'id="file-error"' in no_file.get_data(as_text=True)
    wrong = upload(client, b"name,age\nA,3\n")
    assert wrong.status_code == 422 and "The file lacks the columns" in text(wrong)


def test_the_case_forms_report_bad_input_at_their_fields(client, session, people):
    as_user(client, people["officer"])
    upload(client, csv_bytes(*GOOD))
    case = cases(session)[0]
    url = f"/officer/home-visits/{case.id}"
    response = client.post(
        f"{url}/visit", data={"visited_at": "2026-03-02T09:30", "outcome": "maybe"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for name in ("visitor_name", "place"):
        assert f'id="{name}-error"' in page
    assert "Choose a value from the list." in text(response)
    early = client.post(f"{url}/services", data={"service": "therapy"})
    assert early.status_code == 409 and "Services are linked after a face-to-face visit." in text(
        early
    )
    future = client.post(f"{url}/call", data={"called_at": "2026-03-09T09:00", "reached": "0"})
    assert future.status_code == 422 and "The call cannot be in the future." in text(future)


def test_other_districts_parents_and_admins_are_kept_out(client, session, people):
    as_user(client, people["officer"])
    upload(client, csv_bytes(*GOOD))
    case = cases(session)[0]
    url = f"/officer/home-visits/{case.id}"
    client.post(
        f"{url}/visit",
        data={
            "visited_at": "2026-03-02T09:30",
            "visitor_name": "박주무관",
            "place": "home",
            "outcome": "face_to_face",
            "counselling_notes": "CONFIDENTIAL NOTE",
        },
    )
    as_user(client, people["busan"])
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/closure").status_code == 404
    assert "김하늘" not in text(client.get("/officer/home-visits"))

    as_user(client, people["admin"])
    read = client.get(url)
    assert read.status_code == 200 and "CONFIDENTIAL NOTE" not in read.get_data(as_text=True)
    assert "Counselling notes are shown only to the officers of the child's district." in text(read)
    assert client.post(f"{url}/closure").status_code == 404
    assert client.get("/officer/home-visits/import").status_code == 404

    as_user(client, people["parent"])
    for path in (
        url,
        "/officer/home-visits",
        "/officer/referrals",
        "/officer/home-visits/export.csv",
    ):
        assert client.get(path).status_code == 404, path


def test_the_october_round_page_adds_the_districts_3_year_olds(client, session, people):
    as_user(client, people["officer"])
    page = client.get("/officer/home-visits/october-round", query_string={"year": "2026"})
    assert page.status_code == 200 and "October round 2026" in text(page)
    added = client.post("/officer/home-visits/october-round?year=2026")
    assert added.status_code == 302
    assert [c.source for c in cases(session)] == ["october_round"]


# --- the API ---------------------------------------------------------------------------------


def api_upload(client, headers, data: bytes, **fields):
    form = {"year": "2026", "quarter": "1", "file": (io.BytesIO(data), "list.csv"), **fields}
    return client.post(
        "/api/v1/home-visits/imports",
        headers=headers,
        data=form,
        content_type="multipart/form-data",
    )


def test_the_api_imports_and_walks_a_visit(client, session, people):
    headers = bearer(client, people["officer"])
    rejected = api_upload(client, headers, csv_bytes(GOOD[0], BAD))
    assert rejected.status_code == 422 and error_code(rejected) == "rows_rejected"
    assert set(rejected.json["error"]["fields"]) == {"rows.3.birth_date", "rows.3.district_code"}
    assert rejected.json["error"]["message"] == "1 rows were rejected; nothing was imported."
    assert session.scalar(select(func.count()).select_from(VisitCase)) == 0
    created = api_upload(client, headers, csv_bytes(*GOOD))
    assert created.status_code == 201 and created.json["imported"] == 2

    listed = client.get(
        "/api/v1/home-visits", headers=headers, query_string={"year": 2026, "quarter": 1}
    )
    case_id = listed.json[0]["id"]
    url = f"/api/v1/home-visits/{case_id}"
    bad = client.post(
        f"{url}/visits", headers=headers, json={"visited_at": "2026-03-02T09:00:00", "outcome": "x"}
    )
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"visited_at", "outcome", "visitor_name", "place"}
    visit = client.post(
        f"{url}/visits",
        headers=headers,
        json={
            "visited_at": "2026-03-02T09:00:00+09:00",
            "visitor_name": "박주무관",
            "place": "home",
            "outcome": "face_to_face",
            "counselling_notes": "secret",
            "needs": ["housing"],
        },
    )
    assert visit.status_code == 201 and visit.json["visits"][0]["counselling_notes"] == "secret"
    linked = client.post(f"{url}/services", headers=headers, json={"service": "care_service"})
    assert linked.status_code == 201 and linked.json["services"][0]["service"] == "care_service"
    again = client.post(f"{url}/services", headers=headers, json={"service": "care_service"})
    assert again.status_code == 409
    queue = client.get("/api/v1/support/referrals", headers=headers).json
    assert [r["child_name"] for r in queue] == ["김하늘"]
    follow = client.put(
        f"{url}/follow-up", headers=headers, json={"follow_up_on": "2026-04-01", "note": "x"}
    )
    assert follow.status_code == 200 and follow.json["follow_up_on"] == "2026-04-01"
    closed = client.post(
        f"/api/v1/support/referrals/{queue[0]['id']}/closure", headers=headers, json={}
    )
    assert closed.status_code == 200 and closed.json["status"] == "closed"

    board = client.get("/api/v1/home-visits/dashboard", headers=headers).json
    assert (board["flagged"], board["visited"], board["linked"], board["reached"]) == (2, 1, 1, 1)
    export = client.get("/api/v1/home-visits/export", headers=headers)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "secret" not in export.get_data(as_text=True)
    round_children = client.get(
        "/api/v1/home-visits/october-round", headers=headers, query_string={"year": 2026}
    )
    assert [c["birth_date"] for c in round_children.json] == ["2023-05-01"]


def test_the_api_keeps_notes_and_districts_apart(client, session, people):
    headers = bearer(client, people["officer"])
    api_upload(client, headers, csv_bytes(*GOOD))
    case_id = client.get("/api/v1/home-visits", headers=headers).json[0]["id"]
    url = f"/api/v1/home-visits/{case_id}"
    client.post(
        f"{url}/visits",
        headers=headers,
        json={
            "visited_at": "2026-03-02T09:00:00+09:00",
            "visitor_name": "박주무관",
            "place": "home",
            "outcome": "face_to_face",
            "counselling_notes": "secret",
        },
    )
    admin = client.get(url, headers=bearer(client, people["admin"]))
    assert admin.status_code == 200 and admin.json["visits"][0]["counselling_notes"] is None
    assert admin.json["notes_visible"] is False
    busan = bearer(client, people["busan"])
    assert client.get(url, headers=busan).status_code == 404
    assert client.post(f"{url}/closure", headers=busan).status_code == 404
    assert client.get("/api/v1/home-visits", headers=busan).json == []
    parent = bearer(client, people["parent"])
    for path in (url, "/api/v1/home-visits", "/api/v1/support/referrals"):
        assert client.get(path, headers=parent).status_code == 404, path
    assert api_upload(client, parent, csv_bytes(*GOOD)).status_code == 404
    stranger = bearer(client, ParentFactory())
    assert client.get(url, headers=stranger).status_code == 404
    assert client.get(url).status_code == 401
    bad_quarter = client.get("/api/v1/home-visits", headers=headers, query_string={"quarter": 5})
    assert bad_quarter.status_code == 422 and set(bad_quarter.json["error"]["fields"]) == {
        "quarter"
    }
