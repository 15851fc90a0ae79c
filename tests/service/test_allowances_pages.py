"""The allowances overview at the edge (R-ALW-1..5): the public page and API, a family's page,
its facts forms and API, an officer's read; denials and bad input."""

from __future__ import annotations

import re
from datetime import date

import pytest

from booking.allowance_facts import applications_of, moves_of, stays_abroad_of
from service.accounts.models import User
from tests.factories import (
    ChildFactory,
    HouseholdFactory,
    OfficerFactory,
    ParentFactory,
    parent_of,
)
from tests.helpers import bearer, error_code, web_login


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def family(session):
    household = HouseholdFactory(district_code="11680", household_size=4)
    ChildFactory(household=household, name="김하늘", birth_date=date(2023, 1, 10))
    ChildFactory(
        household=household,
        name="김바다",
        birth_date=date(2021, 5, 1),
        attendance="kindergarten",
    )
    session.commit()
    return household


@pytest.fixture
def parent(session, family):
    return session.get(User, parent_of(family).user_id)


def line_of(body, allowance):
    return next(line for line in body["lines"] if line["allowance"] == allowance)


# --- the public page and API -----------------------------------------------------------------


def test_the_public_page_asks_and_answers(client):
    empty = client.get("/allowances")
    assert empty.status_code == 200 and "Birth date" in text(empty)
    assert 'href="/allowances"' in empty.get_data(as_text=True)  # in the navigation
    answer = client.get(
        "/allowances",
        query_string={
            "month": "2026-03",
            "birth_date": "2023-01-10",
            "care": "home",
            "korean_national": ["0", "1"],
            "farming_fishing_area": ["0", "1"],
        },
    )
    page = text(answer)
    assert answer.status_code == 200
    assert "Allowances for March 2026" in page
    assert "Cared for at home in a farming or fishing area: 129,000 won a month" in page  # R-ALW-4
    assert "Paid in cash on Mar 25, 2026" in page
    assert "229,000 won" in page  # with the child allowance (R-ALW-5)


def test_the_public_page_reports_bad_input_at_its_fields(client):
    response = client.get(
        "/allowances",
        query_string={"birth_date": "2026-13-40", "care": "moon", "month": "March"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="birth_date-error"' in page and 'id="care-error"' in page
    assert "Give the month as YYYY-MM." in text(response)
    unborn = client.get(
        "/allowances", query_string={"birth_date": "2026-06-01", "month": "2026-03"}
    )
    assert unborn.status_code == 422 and "The child is not born yet in this month." in text(unborn)


def test_the_public_api_answers_without_login(client):
    response = client.post(
        "/api/v1/allowances/overview",
        json={"month": "2026-03", "birth_date": "2025-06-10", "care": "daycare"},
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["month"], body["months_old"], body["total"], body["currency"]) == (
        "2026-03",
        9,
        1_100_000,
        "KRW",
    )
    parent_allowance = line_of(body, "parent_allowance")  # R-ALW-3 at daycare, age 0
    assert (parent_allowance["voucher"], parent_allowance["cash"]) == (540_000, 460_000)
    assert parent_allowance["explanation"][-1] == (
        "At a daycare centre 540,000 won of it is a voucher for the childcare fee and 460,000 won "
        "is paid in cash."
    )
    assert line_of(body, "childcare_fee")["amount"] == 0
    assert body["unconfirmed"] is True  # 2026 figures are carried over


def test_the_public_api_moving_and_days_abroad(client):
    response = client.post(
        "/api/v1/allowances/overview",
        json={
            "month": "2026-03",
            "birth_date": "2023-01-10",
            "moved_on": "2026-03-16",
            "stays_abroad": [{"departed_on": "2025-10-01"}],
        },
    )
    body = response.json
    assert line_of(body, "home_care")["payer"] == "previous"  # R-ALW-4: moved on the 16th
    assert line_of(body, "child_allowance")["amount"] == 0  # R-ALW-5: over 90 days abroad


def test_the_public_api_names_the_fields_of_bad_input(client):
    response = client.post(
        "/api/v1/allowances/overview",
        json={"month": "2026-13", "care": "moon", "stays_abroad": [{"returned_on": "x"}]},
    )
    assert response.status_code == 422 and error_code(response) == "validation_failed"
    assert set(response.json["error"]["fields"]) == {
        "month",
        "birth_date",
        "care",
        "stays_abroad.0.departed_on",
        "stays_abroad.0.returned_on",
    }
    unknown = client.post("/api/v1/allowances/overview", json={"birth_date": "2024-01-01", "x": 1})
    assert unknown.status_code == 422 and "x" in unknown.json["error"]["fields"]
    early = client.post(
        "/api/v1/allowances/overview", json={"birth_date": "2020-01-01", "month": "2023-01"}
    )
    assert early.status_code == 422 and error_code(early) == "no_allowance_year"


def test_the_openapi_document_lists_the_allowance_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/allowances/overview",
        "/api/v1/household/allowances",
        "/api/v1/household/allowance-facts",
        "/api/v1/household/children/{child_id}/allowance-facts",
        "/api/v1/households/{household_id}/allowances",
    ):
        assert path in paths


# --- a family's own page, facts and API ------------------------------------------------------


def test_a_family_sees_each_child_and_records_the_facts(client, session, family, parent):
    web_login(client, parent)
    sky, sea = family.children[1], family.children[0]  # ordered by birth date
    assert (sea.name, sky.name) == ("김바다", "김하늘")
    page = client.get("/household/allowances", query_string={"month": "2026-03"})
    assert page.status_code == 200
    assert "김하늘" in text(page) and "김바다" in text(page)
    assert "Preschool tuition at a public kindergarten, ages 3 to 5: 100,000 won" in text(page)

    saved = client.post(
        f"/household/allowances/children/{sea.id}",
        data={
            "kindergarten_kind": "private",
            "after_school": ["0", "1"],
            "child_allowance_applied_on": "2021-05-20",
            "stays_abroad.0.departed_on": "2025-08-01",
            "stays_abroad.0.returned_on": "2025-08-20",
        },
    )
    assert saved.status_code == 302, text(saved)
    session.expire_all()
    assert (sea.kindergarten_kind, sea.after_school) == ("private", True)
    assert [s.returned_on for s in stays_abroad_of(session, sea)] == [date(2025, 8, 20)]
    assert list(applications_of(session, sea).values()) == [date(2021, 5, 20)]

    moved = client.post(
        "/household/allowances/household",
        data={
            "farming_fishing_area": ["0", "1"],
            "moves.0.moved_on": "2026-03-10",
            "moves.0.from_district_code": "26110",
            "moves.0.to_district_code": "11680",
        },
    )
    assert moved.status_code == 302, text(moved)
    page = text(client.get("/household/allowances", query_string={"month": "2026-03"}))
    assert "280,000 won a month" in page and "70,000 won a month" in page  # private + after school
    assert "156,000 won a month" not in page  # 김하늘 is 38 months: 129,000
    assert "129,000 won a month" in page
    assert "Moving on Mar 10, 2026, by day 15: the new district pays this month." in page
    assert "Paid by the district: Gangnam-gu." in page


def test_the_facts_forms_report_bad_input(client, session, family, parent):
    web_login(client, parent)
    sky = family.children[1]
    response = client.post(
        f"/household/allowances/children/{sky.id}",
        data={
            "after_school": ["0", "1"],  # not at a kindergarten
            "home_care_applied_on": "2020-01-01",  # before the birth
            "stays_abroad.0.departed_on": "2025-01-01",
            "stays_abroad.0.returned_on": "2024-12-01",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="home_care_applied_on-error"' in page and 'id="after_school"' not in page
    assert "Only a child at a kindergarten takes its after-school class." in text(response)
    assert 'id="stays_abroad-0-returned_on-error"' in page
    bad_move = client.post(
        "/household/allowances/household",
        data={
            "moves.0.moved_on": "2026-03-10",
            "moves.0.from_district_code": "11680",
            "moves.0.to_district_code": "11680",
        },
    )
    assert bad_move.status_code == 422 and 'id="moves-0-to_district_code-error"' in (
        bad_move.get_data(as_text=True)
    )
    assert moves_of(session, family) == []


def test_a_parent_cannot_reach_another_familys_child(client, session, family):
    stranger = ParentFactory()
    HouseholdFactory(applicant_user_id=stranger.id)
    session.commit()
    web_login(client, stranger)
    child = family.children[0]
    assert client.get(f"/household/allowances/children/{child.id}").status_code == 404
    assert client.post(f"/household/allowances/children/{child.id}", data={}).status_code == 404
    headers = bearer(client, stranger)
    assert (
        client.get(f"/api/v1/household/children/{child.id}/allowance-facts", headers=headers)
    ).status_code == 404
    assert client.get(
        f"/api/v1/households/{family.id}/allowances", headers=headers
    ).status_code == (404)


def test_the_household_api(client, session, family, parent):
    headers = bearer(client, parent)
    sea = family.children[0]
    assert client.get("/api/v1/household/allowances").status_code == 401
    put = client.put(
        f"/api/v1/household/children/{sea.id}/allowance-facts",
        headers=headers,
        json={"kindergarten_kind": "public", "after_school": True},
    )
    assert put.status_code == 200, put.json
    assert put.json["care"] == "kindergarten_public" and put.json["after_school"] is True
    facts = client.put(
        "/api/v1/household/allowance-facts",
        headers=headers,
        json={"farming_fishing_area": True, "moves": []},
    )
    assert facts.status_code == 200 and facts.json == {"farming_fishing_area": True, "moves": []}
    body = client.get(
        "/api/v1/household/allowances", headers=headers, query_string={"month": "2026-03"}
    ).json
    assert [c["child_name"] for c in body["children"]] == ["김바다", "김하늘"]
    sky = body["children"][1]
    assert line_of(sky, "home_care")["amount"] == 129_000  # farming area, 38 months
    assert body["total"] == sum(c["total"] for c in body["children"])
    bad = client.put(
        "/api/v1/household/allowance-facts",
        headers=headers,
        json={
            "moves": [
                {"moved_on": "2026-01-01", "from_district_code": "1", "to_district_code": "99999"}
            ]
        },
    )
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"moves.0.from_district_code"}
    unknown_district = client.put(
        "/api/v1/household/allowance-facts",
        headers=headers,
        json={
            "moves": [
                {
                    "moved_on": "2026-01-01",
                    "from_district_code": "11680",
                    "to_district_code": "99999",
                }
            ]
        },
    )
    assert unknown_district.status_code == 422
    assert set(unknown_district.json["error"]["fields"]) == {"moves.0.to_district_code"}


def test_an_officer_reads_a_household_of_the_district_only(client, session, family):
    own, busan = OfficerFactory(district_code="11680"), OfficerFactory(district_code="26110")
    session.commit()
    url = f"/api/v1/households/{family.id}/allowances"
    assert client.get(url, headers=bearer(client, own)).status_code == 200
    assert client.get(url, headers=bearer(client, busan)).status_code == 404
