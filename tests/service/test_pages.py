"""Every page renders for its audience in every shipped language; other roles are refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from booking.households import Household
from service.accounts.models import User
from tests.factories import (
    AdminFactory,
    CaregiverFactory,
    ChildFactory,
    HouseholdFactory,
    OfficerFactory,
    StaffFactory,
    UserFactory,
    parent_of,
)
from tests.helpers import agency, web_login

LOCALES = ("ko", "en", "kk")


def html_lang(response) -> str:
    return re.search(rb'<html lang="([^"]+)"', response.data).group(1).decode()


@pytest.fixture
def world(session):
    household = HouseholdFactory(district_code="11680")
    child = ChildFactory(household=household)
    gangnam = agency("AG035")
    caregiver_user = UserFactory(role="caregiver", agency_id=gangnam.id)
    caregiver = CaregiverFactory(agency_id=gangnam.id, user_id=caregiver_user.id)
    session.commit()
    return {
        "parent": session.get(User, parent_of(household).user_id),
        "staff": StaffFactory(agency_id=gangnam.id),
        "caregiver_user": caregiver_user,
        "officer": OfficerFactory(district_code="11680"),
        "admin": AdminFactory(),
        "household": household,
        "child": child,
        "caregiver": caregiver,
    }


def pages(world) -> dict[str, list[str]]:
    return {
        "anonymous": ["/", "/login", "/signup", "/fees", "/allowances"],
        "parent": [
            "/household",
            "/household/edit",
            "/household/children/new",
            f"/household/children/{world['child'].id}/edit",
            "/account",
        ],
        "staff": [
            "/agency/caregivers",
            "/agency/caregivers?q=돌보미&status=all",
            "/agency/caregivers/new",
            f"/agency/caregivers/{world['caregiver'].id}",
            f"/agency/caregivers/{world['caregiver'].id}/edit",
        ],
        "caregiver_user": ["/me/profile"],
        "officer": ["/district/households", f"/district/households/{world['household'].id}"],
        "admin": ["/admin/agencies", "/agency/caregivers", "/district/households"],
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_renders_in_every_language(client, world, locale):
    for who, paths in pages(world).items():
        client.post("/logout")
        client.post("/language", data={"locale": locale})
        if who != "anonymous":
            web_login(client, world[who])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path, response.status_code)
            assert html_lang(response) == locale, (who, path)


def test_language_follows_accept_language_then_defaults_to_korean(client):
    assert html_lang(client.get("/", headers={"Accept-Language": "kk,ru;q=0.8"})) == "kk"
    assert html_lang(client.get("/", headers={"Accept-Language": "fr"})) == "ko"
    client.post("/language", data={"locale": "en"})
    assert (
        html_lang(client.get("/", headers={"Accept-Language": "kk"})) == "en"
    )  # session beats header


def test_a_users_saved_language_wins(client, session):
    user = UserFactory(role="parent", locale="kk")
    session.commit()
    client.post("/language", data={"locale": "en"})
    web_login(client, user)
    user.locale = "kk"
    session.commit()
    assert html_lang(client.get("/account")) == "kk"


def test_pages_refuse_the_wrong_roles(client, world):
    matrix = {
        "parent": ["/agency/caregivers", "/district/households", "/admin/agencies", "/me/profile"],
        "staff": ["/household", "/district/households", "/admin/agencies"],
        "officer": ["/household", "/agency/caregivers", "/admin/agencies"],
        "caregiver_user": ["/agency/caregivers", "/household"],
    }
    for who, paths in matrix.items():
        client.post("/logout")
        web_login(client, world[who])
        for path in paths:
            assert client.get(path).status_code == 404, (who, path)


def test_pages_need_a_login(client, world):
    for path in [
        "/household",
        "/agency/caregivers",
        "/district/households",
        "/admin/agencies",
        "/account",
    ]:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_other_agencies_caregiver_and_other_districts_household_are_not_found(
    client, world, session
):
    other_caregiver = CaregiverFactory(agency_id=agency("AG001").id)
    busan = HouseholdFactory(district_code="26110")
    session.commit()
    web_login(client, world["staff"])
    assert client.get(f"/agency/caregivers/{other_caregiver.id}").status_code == 404
    assert (
        client.post(
            f"/agency/caregivers/{other_caregiver.id}/active", data={"active": "0"}
        ).status_code
        == 404
    )
    client.post("/logout")
    web_login(client, world["officer"])
    assert client.get(f"/district/households/{busan.id}").status_code == 404


def test_household_form_shows_field_errors_and_saves_nothing(client, world, session):
    web_login(client, world["parent"])
    response = client.post(
        f"/household/children/{world['child'].id}/edit",
        data={"name": "", "birth_date": "2030-01-01"},
    )
    assert response.status_code == 422
    assert b"field-error" in response.data
    session.refresh(world["child"])
    assert world["child"].birth_date.year == 2021


def test_a_parent_registers_a_household_and_adds_a_child_through_the_forms(client, session):
    client.post(
        "/signup",
        data={
            "display_name": "김민지",
            "email": "new.parent@example.kr",
            "password": "a long password",
        },
    )
    response = client.post(
        "/household/edit",
        data={
            "district_code": "11680",
            "household_size": "3",
            "home_languages": ["ko", "vi"],
            "applicant.name": "김민지",
            "applicant.relation": "mother",
            "other_guardian.name": "",
            "other_guardian.relation": "",
        },
    )
    assert response.status_code == 302, response.data
    added = client.post(
        "/household/children/new",
        data={
            "name": "김서준",
            "birth_date": "2021-05-01",
            "korean_national": ["0", "1"],
            "disabled": "0",
            "attendance": "daycare",
            "attendance_starts_at": "09:00",
            "attendance_ends_at": "16:00",
        },
    )
    assert added.status_code == 302, added.data
    assert "김서준".encode() in client.get("/household").data
    household = session.scalar(
        select(Household)
        .join(User, User.id == Household.applicant_user_id)
        .where(User.email == "new.parent@example.kr")
    )
    assert household.home_languages == ["ko", "vi"]
    assert [(c.name, c.attendance, c.korean_national) for c in household.children] == [
        ("김서준", "daycare", True)
    ]
