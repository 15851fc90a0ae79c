"""The regular-care pages (issue 5): a family joins the waiting list and sees its place (R-BK-3),
the agency answers and places the child as regular (R-BK-2, R-BK-4); the family submits next
month's weekly pattern and the agency assigns and confirms the series (R-BK-1); denials, bad
input and every shipped language."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from booking.bookings import Booking, BookingSeries
from booking.households import Child
from booking.waiting_list import WaitingRequest
from service.accounts.models import User
from tests.booking.conftest import caregiver
from tests.factories import ChildFactory, HouseholdFactory, StaffFactory, parent_of
from tests.helpers import agency, web_login

# the test clock is Monday 2 March 2026: next month is April (Mondays and Wednesdays: 9 dates)
SERIES_FORM = {
    "month": "2026-04-01",
    "child_ids-present": "1",
    "weekdays-present": "1",
    "weekdays": ["0", "2"],
    "starts_at": "15:00",
    "ends_at": "19:00",
    "service": "basic",
    "notes": "",
}


@pytest.fixture
def family(session):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=household, name="김서준", birth_date=date(2021, 5, 1))
    session.commit()
    return household


@pytest.fixture
def people(session, family):
    people = {
        "parent": session.get(User, parent_of(family).user_id),
        "staff": StaffFactory(agency_id=agency("AG035").id),
        "other_staff": StaffFactory(agency_id=agency("AG001").id),
    }
    session.commit()
    return people


def as_user(client, user):
    client.post("/logout")
    web_login(client, user)


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page))


def open_request(session) -> WaitingRequest:
    session.expire_all()
    return session.scalars(select(WaitingRequest)).one()


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_a_family_joins_the_waiting_list_and_the_agency_answers_and_places_the_child(
    client, session, family, people
):
    [child] = family.children
    as_user(client, people["parent"])
    page = client.get("/bookings/regular")
    assert page.status_code == 200
    assert "None of your children is on the waiting list." in text(page)
    assert "Regular care" in text(page)  # the nav link

    joined = client.post(
        "/bookings/regular/waiting",
        data={
            "child_id": str(child.id),
            "grounds-present": "1",
            "grounds": ["dual_earner", "multi_child"],
        },
    )
    assert joined.status_code == 302
    request = open_request(session)
    assert request.child_id == child.id and request.grounds == ["dual_earner", "multi_child"]
    body = text(client.get("/bookings/regular"))
    assert "Your child is on the waiting list." in body
    # position 1, 10 points: two grounds × 5, no waiting months yet (R-BK-3)
    assert "김서준 1 10 (grounds 10 + waiting 0) Mar 2, 2026" in body
    assert "Both parents work, Multi-child family" in body
    assert "Renewed for this month" in body  # joined this month: nothing to renew

    # a request from February is renewed in March: one waiting point
    request.waiting_since = date(2026, 2, 2)
    session.commit()
    renew_page = client.get("/bookings/regular").get_data(as_text=True)
    assert f'action="/bookings/regular/waiting/{request.id}/renew"' in renew_page
    assert client.post(f"/bookings/regular/waiting/{request.id}/renew").status_code == 302
    body = text(client.get("/bookings/regular"))
    assert "Your request is renewed for this month." in body
    assert "11 (grounds 10 + waiting 1)" in body
    again = client.post(f"/bookings/regular/waiting/{request.id}/renew")
    assert "The request was already renewed this month." in text(client.get(again.location))
    assert open_request(session).renewed_months == 1

    # the agency: the list by points, an overdue answer highlighted (R-BK-4)
    request = open_request(session)
    request.answer_due = date(2026, 2, 20)
    session.commit()
    as_user(client, people["staff"])
    listed = client.get("/agency/waiting")
    assert listed.status_code == 200 and "Waiting list" in text(listed)
    assert "김서준" in text(listed) and "Overdue: due Feb 20, 2026" in text(listed)
    assert 'class="overdue"' in listed.get_data(as_text=True)
    assert "1 request has waited more than a week for an answer." in text(listed)

    answered = client.post(f"/agency/waiting/{request.id}/answer")
    assert answered.status_code == 302
    body = text(client.get("/agency/waiting"))
    assert "The request is marked as answered." in body and "Answered Mar 2, 2026" in body
    assert "Overdue" not in body and open_request(session).answered_at is not None

    placed = client.post(f"/agency/waiting/{request.id}/regular")
    assert placed.status_code == 302
    body = text(client.get("/agency/waiting"))
    assert "The child now has regular care" in body and "No child is waiting." in body
    assert open_request(session).state == "regular"
    assert session.get(Child, child.id).state == "regular"

    as_user(client, people["parent"])
    body = text(client.get("/bookings/regular"))
    assert "Send next month's schedule" in body and "None of your children" in body


def test_a_family_submits_next_months_pattern_and_the_agency_assigns_and_confirms_it(
    client, session, family, people
):
    [child] = family.children
    child.state = "regular"
    steady = caregiver()
    session.commit()
    as_user(client, people["parent"])
    form = client.get("/bookings/regular")
    assert "April 2026" in text(form) and 'data-testid="series-form"' in form.get_data(True)

    sent = client.post("/bookings/regular/series", data={**SERIES_FORM, "child_ids": [child.id]})
    assert sent.status_code == 302
    [series] = session.scalars(select(BookingSeries)).all()
    assert series.month == "2026-04" and series.state == "submitted"
    body = text(client.get("/bookings/regular"))
    assert "Your schedule for next month has been sent to the agency." in body
    assert "April 2026 · Monday, Wednesday 15:00–19:00 · half-day basic care" in body
    assert "Submitted, waiting for the agency" in body
    assert body.count("Apr ") >= 9 and "Apr 1, 2026 3:00 PM–7:00 PM" in body

    as_user(client, people["staff"])
    board = client.get("/agency/waiting")
    page = board.get_data(as_text=True)
    assert "Regular schedules for April 2026" in text(board) and "9 visits" in text(board)
    assert "Caregivers who can take every visit" in text(board) and steady.name in text(board)
    assert f'<option value="{steady.id}" selected>1. {steady.name}</option>' in page

    assigned = client.post(
        f"/agency/waiting/series/{series.id}/assign",
        data={"caregiver_id": str(steady.id), "reason": "Lives nearby"},
    )
    assert assigned.status_code == 302
    body = text(client.get("/agency/waiting"))
    assert "The caregiver has been assigned to the whole series." in body
    assert "Confirm the series" in body
    session.expire_all()
    assert session.get(BookingSeries, series.id).state == "matched"

    assert client.post(f"/agency/waiting/series/{series.id}/confirm").status_code == 302
    session.expire_all()
    assert session.get(BookingSeries, series.id).state == "confirmed"
    states = session.scalars(select(Booking.state).where(Booking.series_id == series.id)).all()
    assert states == ["confirmed"] * 9

    as_user(client, people["parent"])
    body = text(client.get("/bookings/regular"))
    assert f"Caregiver: {steady.name}" in body and body.count("Confirmed") >= 9


def test_denials(client, session, family, people):
    [child] = family.children
    as_user(client, people["parent"])
    client.post("/bookings/regular/waiting", data={"child_id": str(child.id)})
    request = open_request(session)
    assert client.get("/agency/waiting").status_code == 404  # a parent on the agency page

    as_user(client, people["other_staff"])
    assert client.get("/agency/waiting").status_code == 200
    assert "김서준" not in text(client.get("/agency/waiting"))
    assert client.post(f"/agency/waiting/{request.id}/answer").status_code == 404
    assert client.post(f"/agency/waiting/{request.id}/regular").status_code == 404
    assert client.get("/bookings/regular").status_code == 404  # staff on the family page
    assert open_request(session).state == "waiting" and open_request(session).answered_at is None

    stranger = HouseholdFactory(district_code="11680", member_state="full_member")
    session.commit()
    as_user(client, session.get(User, parent_of(stranger).user_id))
    assert client.post(f"/bookings/regular/waiting/{request.id}/renew").status_code == 404
    other_child = client.post("/bookings/regular/waiting", data={"child_id": str(child.id)})
    assert other_child.status_code == 404
    assert count(session, WaitingRequest) == 1


def test_a_series_of_another_agency_is_not_found(client, session, family, people):
    [child] = family.children
    child.state = "regular"
    session.commit()
    as_user(client, people["parent"])
    client.post("/bookings/regular/series", data={**SERIES_FORM, "child_ids": [child.id]})
    [series] = session.scalars(select(BookingSeries)).all()
    steady = caregiver()
    session.commit()
    as_user(client, people["other_staff"])
    assert "Monday, Wednesday" not in text(client.get("/agency/waiting"))
    assigned = client.post(
        f"/agency/waiting/series/{series.id}/assign", data={"caregiver_id": str(steady.id)}
    )
    assert assigned.status_code == 404
    assert client.post(f"/agency/waiting/series/{series.id}/confirm").status_code == 404
    session.expire_all()
    assert session.get(BookingSeries, series.id).state == "submitted"


def test_bad_input_shows_errors_and_saves_nothing(client, session, family, people):
    [waiting_child] = family.children
    regular_child = ChildFactory(household=family, name="김하은", state="regular")
    session.commit()
    as_user(client, people["parent"])

    no_days = client.post(
        "/bookings/regular/series",
        data={**SERIES_FORM, "weekdays": [], "child_ids": [regular_child.id]},
    )
    assert no_days.status_code == 422 and "Choose the days of the week." in text(no_days)
    assert 'id="weekdays-error"' in no_days.get_data(as_text=True)

    waiting = client.post(
        "/bookings/regular/series",
        data={**SERIES_FORM, "child_ids": [regular_child.id, waiting_child.id]},
    )
    assert waiting.status_code == 422
    assert "A child on the waiting list can use ad-hoc care only." in text(waiting)
    assert 'id="child_ids-error"' in waiting.get_data(as_text=True)
    assert 'value="2" checked' in waiting.get_data(as_text=True)  # the form keeps its input

    bad_time = client.post(
        "/bookings/regular/series",
        data={**SERIES_FORM, "starts_at": "soon", "child_ids": [regular_child.id]},
    )
    assert bad_time.status_code == 422 and 'id="starts_at-error"' in bad_time.get_data(True)
    assert count(session, BookingSeries) == 0 and count(session, Booking) == 0

    unknown_ground = client.post(
        "/bookings/regular/waiting",
        data={"child_id": str(waiting_child.id), "grounds": ["vip"]},
    )
    assert unknown_ground.status_code == 422 and 'id="grounds-error"' in unknown_ground.text
    no_child = client.post("/bookings/regular/waiting", data={"grounds-present": "1"})
    assert no_child.status_code == 422 and 'id="child_id-error"' in no_child.text
    regular = client.post("/bookings/regular/waiting", data={"child_id": str(regular_child.id)})
    assert regular.status_code == 409
    assert "This child already has regular care." in text(regular)
    assert count(session, WaitingRequest) == 0


@pytest.mark.parametrize("locale", ("ko", "en", "kk"))
def test_the_pages_render_in_every_language(client, session, family, people, locale):
    [child] = family.children
    as_user(client, people["parent"])
    client.post("/bookings/regular/waiting", data={"child_id": str(child.id)})
    for user, path in (
        (people["parent"], "/bookings/regular"),
        (people["staff"], "/agency/waiting"),
    ):
        client.post("/logout")
        client.post("/language", data={"locale": locale})
        web_login(client, user)
        response = client.get(path)
        assert response.status_code == 200, (locale, path)
        assert re.search(r'<html lang="([^"]+)"', response.text).group(1) == locale
        assert "김서준" in response.text
