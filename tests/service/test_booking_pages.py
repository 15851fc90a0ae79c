"""The booking pages (issue 5): a parent books through the form with its price (R-BK-1, R-SUP-10),
sees the booking and the calendar and cancels at the fee shown (R-CAN-1..3); the agency assigns
from the board with the engine's ranking (R-BK-4..5); a caregiver accepts an offer (R-BK-6) and
does the visit (R-BK-7); denials and bad input."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from booking.bookings import Booking
from booking.matching import Offer
from booking.requests import request_booking
from service.accounts.models import User
from tests.booking.conftest import TUESDAY_9, caregiver, draft
from tests.factories import (
    CaregiverFactory,
    ChildFactory,
    HouseholdFactory,
    StaffFactory,
    parent_of,
)
from tests.helpers import agency, web_login
from vouchers.booking_pricing import TariffPricing
from vouchers.tariffs import default_tariff_book

KEY = "5f0c3a1e9b7d4c2a8e6f1b3d5a7c9e0f"


@pytest.fixture
def family(session):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(
        household=household,
        birth_date=date(2021, 5, 1),
        name="김서준",
        care_notes="Allergic to peanuts",
    )
    session.commit()
    return household


@pytest.fixture
def people(session, family):
    other_family = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=other_family, name="이도윤")
    carer = caregiver(user=True)
    rival = caregiver(user=True)
    people = {
        "parent": session.get(User, parent_of(family).user_id),
        "other_parent": session.get(User, parent_of(other_family).user_id),
        "other_family": other_family,
        "staff": StaffFactory(agency_id=agency("AG035").id),
        "other_staff": StaffFactory(agency_id=agency("AG001").id),
        "caregiver": carer,
        "caregiver_user": session.get(User, carer.user_id),
        "rival_user": session.get(User, rival.user_id),
    }
    session.commit()
    return people


def as_user(client, user):
    client.post("/logout")
    web_login(client, user)


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page))


def booking_form(household, **changes) -> dict:
    """The booking form as a browser posts it: Tuesday 3 March 2026, 09:00–11:00, basic care."""
    data = {
        "request_key": KEY,
        "child_ids-present": "1",
        "child_ids": [str(c.id) for c in household.children],
        "service": "basic",
        "date": "2026-03-03",
        "start_time": "09:00",
        "end_time": "11:00",
        "sick_note": "",
        "sick_rate": "flat",
        "notes": "",
        "step": "book",
    }
    data.update(changes)
    return data


def bookings(session) -> list[Booking]:
    session.expire_all()
    return session.scalars(select(Booking).order_by(Booking.id)).all()


def requested(session, household, clock, **changes) -> Booking:
    """A booking made through the domain (no offers yet), for the agency to assign."""
    made = request_booking(
        session,
        parent_of(household),
        draft(household, **changes),
        pricing=TariffPricing(default_tariff_book()),
        clock=clock,
    )
    session.commit()
    return made


def test_a_parent_books_through_the_form_and_sees_the_price_the_booking_and_the_calendar(
    client, session, family, people
):
    as_user(client, people["parent"])
    form = client.get("/bookings/new")
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "김서준" in page
    key = re.search(r'name="request_key" value="([0-9a-f]{32})"', page).group(1)
    assert "Late cancellations this month: 0 of 3." in text(form)

    priced = client.post("/bookings/new", data=booking_form(family, request_key=key, step="price"))
    body = text(priced)
    assert priced.status_code == 200 and bookings(session) == []
    # no tier decision: full price, R-FEE-1 2026 basic 12,790 won an hour × 2 h
    assert "Total 25,580 won" in body and "Government voucher 0 won" in body
    assert "You pay 25,580 won" in body
    assert "Subsidised hours left in 2026: 960 of 960." in body  # R-SUP-10
    assert "Line by line" in body and "Fees of 2026: 12,790 won an hour" in body
    assert 'name="step" value="book"' in priced.get_data(as_text=True)

    made = client.post("/bookings/new", data=booking_form(family, request_key=key))
    assert made.status_code == 302
    [booking] = bookings(session)
    assert made.headers["Location"].endswith(f"/bookings/{booking.id}")
    assert booking.request_key == key and booking.total == 25580
    assert booking.state == "offered"  # R-BK-6: offered to the agency's free caregivers
    detail = text(client.get(made.headers["Location"]))
    assert "Your booking request has been sent." in detail
    assert "Offered to caregivers" in detail and "Total 25,580 won" in detail
    assert "half-day basic care" in detail and "김서준" in detail

    month = client.get("/bookings?view=month&date=2026-03-03")
    assert month.status_code == 200
    assert f'href="/bookings/{booking.id}"' in month.get_data(as_text=True)
    assert "March 2026" in text(month)
    week = client.get("/bookings?view=week&date=2026-03-04")
    assert "Week of Mar 2, 2026" in text(week)
    assert f'href="/bookings/{booking.id}"' in week.get_data(as_text=True)
    april = client.get("/bookings?view=month&date=2026-04-10")
    assert f'href="/bookings/{booking.id}"' in april.get_data(as_text=True)  # the list
    assert "April 2026" in text(april)
    listed = text(client.get("/bookings"))
    assert "25,580" in listed and "Offered to caregivers" in listed


def test_a_double_submit_with_the_same_request_key_makes_one_booking(
    client, session, family, people
):
    as_user(client, people["parent"])
    first = client.post("/bookings/new", data=booking_form(family))
    second = client.post("/bookings/new", data=booking_form(family))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    [booking] = bookings(session)
    assert booking.state == "offered"
    offers = session.scalar(select(func.count()).select_from(Offer))
    assert offers == 2  # offered once, to the two free caregivers, not again
    other = client.post("/bookings/new", data=booking_form(family, request_key="another-key-123"))
    assert other.status_code == 409 and "A child is already booked at this time." in text(other)
    assert len(bookings(session)) == 1


def test_the_cancellation_fee_shown_is_the_fee_charged(client, session, family, people):
    as_user(client, people["parent"])
    client.post("/bookings/new", data=booking_form(family))
    [booking] = bookings(session)
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    shown = re.search(r'data-testid="cancellation-fee">([\d,]+) won<', page).group(1)
    # R-CAN-1: 23 hours before the start: one hourly basic fee of 2026
    assert shown == "12,790"

    stale = client.post(
        f"/bookings/{booking.id}/cancel", data={"reason": "Plans changed", "fee_shown": "0"}
    )
    assert "The cancellation fee has changed" in text(client.get(stale.headers["Location"]))
    assert bookings(session)[0].state == "offered"

    fee_shown = re.search(r'name="fee_shown" value="(\d+)"', page).group(1)
    done = client.post(
        f"/bookings/{booking.id}/cancel",
        data={"reason": "Plans changed", "waived": ["0"], "fee_shown": fee_shown},
    )
    assert done.status_code == 302
    [cancelled] = bookings(session)
    assert cancelled.state == "cancelled" and cancelled.cancellation_fee == 12790
    assert f"{cancelled.cancellation_fee:,}" == shown
    after = text(client.get(f"/bookings/{booking.id}"))
    assert "The booking has been cancelled." in after and "Cancelled: fee 12,790 won." in after
    assert "Late cancellations this month: 1 of 3." in after  # R-CAN-3: within 72 hours
    assert "Plans changed" in after
    again = client.post(f"/bookings/{booking.id}/cancel", data={"reason": "again"})
    assert "This booking can no longer be cancelled." in text(client.get(again.headers["Location"]))


def test_a_waived_cancellation_costs_nothing(client, session, family, people):
    as_user(client, people["parent"])
    client.post("/bookings/new", data=booking_form(family))
    [booking] = bookings(session)
    client.post(
        f"/bookings/{booking.id}/cancel",
        data={"reason": "Fever", "waived": ["0", "1"], "fee_shown": "12790"},
    )
    [cancelled] = bookings(session)
    assert cancelled.state == "cancelled" and cancelled.cancellation_fee == 0  # R-CAN-2
    assert cancelled.cancellation_waived
    assert "Late cancellations this month: 0 of 3." in text(client.get(f"/bookings/{booking.id}"))


def test_the_agency_board_shows_the_ranking_and_assigns(client, session, clock, family, people):
    booking = requested(session, family, clock)
    as_user(client, people["staff"])
    board = client.get("/agency/board")
    body = text(board)
    assert board.status_code == 200 and "Requests waiting for a caregiver (1)" in body
    name = people["caregiver"].name
    assert name in body
    assert "Lives 0 km from the family's district." in body
    assert "Works under 15 hours this week: preferred for ad-hoc care." in body

    unknown = client.post(f"/agency/board/bookings/{booking.id}/assign", data={"reason": "x"})
    assert "Missing data for required field." in text(client.get(unknown.headers["Location"]))
    assigned = client.post(
        f"/agency/board/bookings/{booking.id}/assign",
        data={"caregiver_id": str(people["caregiver"].id), "overtime": "0"},
    )
    assert assigned.status_code == 302 and assigned.headers["Location"].endswith("/agency/board")
    [matched] = bookings(session)
    assert matched.state == "matched" and matched.caregiver_id == people["caregiver"].id
    assert "Lives 0 km" in matched.assignment_reason
    board = text(client.get("/agency/board?week=2026-03-03"))
    assert "The caregiver has been assigned." in board
    assert "Requests waiting for a caregiver (0)" in board and "Caregiver found" in board

    confirmed = client.post(
        f"/agency/board/bookings/{booking.id}/confirm", data={"back": "booking"}
    )
    assert confirmed.headers["Location"].endswith(f"/agency/board/bookings/{booking.id}")
    assert bookings(session)[0].state == "confirmed"
    page = text(client.get(confirmed.headers["Location"]))
    assert "The booking is confirmed; the family has been told." in page
    assert "The engine's ranking" in page and name in page

    no_reason = client.post(f"/agency/board/bookings/{booking.id}/unassign", data={"reason": ""})
    assert "Give the reason for the change." in text(client.get(no_reason.headers["Location"]))
    assert bookings(session)[0].state == "confirmed"
    client.post(f"/agency/board/bookings/{booking.id}/unassign", data={"reason": "Caregiver ill"})
    [back] = bookings(session)
    assert back.state == "requested" and back.caregiver_id is None
    assert back.transitions[-1].reason == "Caregiver ill"


def test_the_board_shows_each_caregivers_week(client, session, clock, family, people):
    booking = requested(session, family, clock)
    as_user(client, people["staff"])
    client.post(
        f"/agency/board/bookings/{booking.id}/assign",
        data={"caregiver_id": str(people["caregiver"].id)},
    )
    week = client.get("/agency/board?week=2026-03-04").get_data(as_text=True)
    table = week[week.index('data-testid="caregiver-week"') :]
    assert people["caregiver"].name in table
    assert f'href="/agency/board/bookings/{booking.id}"' in table
    later = client.get("/agency/board?week=2026-03-10").get_data(as_text=True)
    assert "No caregiver has visits this week." in later
    found = client.get(f"/agency/board?week=2026-03-10&q={people['caregiver'].name}")
    assert people["caregiver"].name in found.get_data(as_text=True)


def test_a_caregiver_accepts_an_offer_checks_in_and_out(client, session, clock, family, people):
    as_user(client, people["parent"])
    client.post("/bookings/new", data=booking_form(family))
    [booking] = bookings(session)
    offer = session.scalar(select(Offer).where(Offer.caregiver_id == people["caregiver"].id))

    as_user(client, people["caregiver_user"])
    visits = text(client.get("/visits"))
    assert "Offers waiting for your answer" in visits and "Accept" in visits
    accepted = client.post(f"/visits/offers/{offer.id}/accept")
    assert accepted.status_code == 302
    assert "You have the visit: the agency will confirm it." in text(client.get("/visits"))
    assert bookings(session)[0].state == "matched"

    as_user(client, people["staff"])
    client.post(f"/agency/board/bookings/{booking.id}/confirm")
    as_user(client, people["caregiver_user"])
    clock.instant = TUESDAY_9 - timedelta(minutes=10)
    today = text(client.get("/visits"))
    assert "Allergic to peanuts" in today and "Check in" in today and "Gangnam-gu" in today

    assert client.post(f"/visits/{booking.id}/check-in").status_code == 302
    assert bookings(session)[0].state == "in_progress"
    clock.instant = TUESDAY_9 + timedelta(hours=2, minutes=30)
    no_reason = client.post(f"/visits/{booking.id}/extension", data={"minutes": "30"})
    assert "Say who agreed to the extension." in text(client.get(no_reason.headers["Location"]))
    bad = client.post(f"/visits/{booking.id}/extension", data={"minutes": "45", "reason": "x"})
    assert "Extensions are counted in half hours." in text(client.get(bad.headers["Location"]))
    client.post(
        f"/visits/{booking.id}/extension", data={"minutes": "30", "reason": "Mother by phone"}
    )
    client.post(f"/visits/{booking.id}/check-out")
    [done] = bookings(session)
    assert done.state == "completed" and done.extension_minutes == 30
    page = text(client.get(f"/visits/{booking.id}"))
    assert "Checked out: the visit is complete." in page
    assert "Extension recorded: 30 minutes." in page


def test_a_caregiver_declines_and_records_a_no_show(client, session, clock, family, people):
    as_user(client, people["parent"])
    client.post("/bookings/new", data=booking_form(family))
    [booking] = bookings(session)
    mine = session.scalar(select(Offer).where(Offer.caregiver_id == people["caregiver"].id))
    as_user(client, people["caregiver_user"])
    client.post(f"/visits/offers/{mine.id}/decline")
    assert "You have declined the offer." in text(client.get("/visits"))
    assert bookings(session)[0].state == "offered"  # the other caregiver's offer is still open

    as_user(client, people["staff"])
    client.post(
        f"/agency/board/bookings/{booking.id}/assign",
        data={"caregiver_id": str(people["caregiver"].id)},
    )
    client.post(f"/agency/board/bookings/{booking.id}/confirm")
    as_user(client, people["caregiver_user"])
    early = client.post(f"/visits/{booking.id}/no-show")
    assert "A no-show is recorded after the care was due to start." in text(
        client.get(early.headers["Location"])
    )
    clock.instant = TUESDAY_9 + timedelta(minutes=20)
    client.post(f"/visits/{booking.id}/no-show")
    [absent] = bookings(session)
    assert absent.state == "no_show" and absent.government == 0  # R-BK-7


def test_denials_are_not_found(client, session, clock, family, people):
    booking = requested(session, family, clock)
    as_user(client, people["other_parent"])
    assert client.get(f"/bookings/{booking.id}").status_code == 404
    assert client.post(f"/bookings/{booking.id}/cancel", data={"reason": "x"}).status_code == 404
    assert client.get("/agency/board").status_code == 404  # a parent on the board
    assert client.get("/visits").status_code == 404

    as_user(client, people["other_staff"])  # another agency
    assert client.get("/agency/board").status_code == 200
    assert "Requests waiting for a caregiver (0)" in text(client.get("/agency/board"))
    base = f"/agency/board/bookings/{booking.id}"
    assert client.get(base).status_code == 404
    caregiver_id = str(people["caregiver"].id)
    assert client.post(f"{base}/assign", data={"caregiver_id": caregiver_id}).status_code == 404
    assert client.post(f"{base}/confirm").status_code == 404
    assert client.post(f"{base}/unassign", data={"reason": "x"}).status_code == 404
    assert client.get("/bookings").status_code == 404  # staff have no family bookings

    as_user(client, people["staff"])
    stranger = CaregiverFactory(agency_id=agency("AG001").id)
    session.commit()
    assert client.post(f"{base}/assign", data={"caregiver_id": stranger.id}).status_code == 404
    client.post(f"{base}/assign", data={"caregiver_id": caregiver_id})
    assert bookings(session)[0].caregiver_id == people["caregiver"].id

    as_user(client, people["rival_user"])  # a caregiver on another caregiver's visit
    assert client.get(f"/visits/{booking.id}").status_code == 404
    assert client.post(f"/visits/{booking.id}/check-in").status_code == 404
    assert client.post(f"/visits/{booking.id}/no-show").status_code == 404
    assert client.get(f"/bookings/{booking.id}").status_code == 404
    assert bookings(session)[0].state == "matched"


BOTH = ("price", "book")


@pytest.mark.parametrize(
    ("changes", "field", "message", "steps"),
    [
        ({"start_time": "11:00", "end_time": "09:00"}, "end_time", "The end must come after", BOTH),
        ({"start_time": "09:15"}, "start_time", "on the hour or the half hour", BOTH),
        ({"child_ids": ["other"]}, "child_ids", "Choose children of your own household.", BOTH),
        ({"child_ids": []}, "child_ids", "Choose at least one child.", BOTH),
        ({"date": ""}, "date", "Missing data for required field.", BOTH),
        ({"end_time": "10:00"}, "end_time", "at least 2 hours", BOTH),
        # the request window and the doctor's note are the domain's word, when booking
        ({"date": "2026-03-01"}, "start_time", "The care must start in the future.", ("book",)),
        ({"service": "sick"}, "sick_note", "needs a doctor's note", ("book",)),
    ],
)
def test_bad_input_shows_field_errors_and_saves_nothing(
    client, session, family, people, changes, field, message, steps
):
    if changes.get("child_ids") == ["other"]:
        changes = {"child_ids": [str(people["other_family"].children[0].id)]}
    as_user(client, people["parent"])
    for step in steps:
        response = client.post("/bookings/new", data=booking_form(family, step=step, **changes))
        assert response.status_code == 422, (step, text(response))
        assert message in text(response)
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert bookings(session) == []


def test_the_schemas_load_a_draft_and_dump_bookings_offers_and_candidates(
    app, session, clock, family, people
):
    from booking.assignment import rank_candidates
    from booking.matching import offer_booking
    from service.api.schemas.bookings import (
        BookingIn,
        BookingOut,
        CandidateOut,
        IdempotencyKeyIn,
        OfferOut,
    )
    from tests.booking.conftest import LIMITS

    with app.test_request_context(headers={"Accept-Language": "en"}):
        key = IdempotencyKeyIn().load({"Idempotency-Key": KEY, "Accept": "x"})["key"]
        loaded = BookingIn().load(
            {
                "service": "sick",
                "start": "2026-03-03T09:00:00+09:00",
                "end": "2026-03-03T11:00:00+09:00",
                "child_ids": [family.children[0].id, family.children[0].id],
                "sick_note": "at_visit",
                "request_key": key,
            }
        )
        assert loaded.child_ids == (family.children[0].id,) and loaded.request_key == KEY
        assert loaded.sick_note == "at_visit" and loaded.starts_at == TUESDAY_9

        booking = requested(session, family, clock)
        [offer, *_] = offer_booking(
            session, booking, limits=LIMITS, clock=clock, expires_in=timedelta(hours=1)
        )
        dumped = BookingOut().dump(booking)
        assert dumped["state"] == "offered" and dumped["currency"] == "KRW"
        assert dumped["total"] == dumped["government"] + dumped["parent"] == 25580
        assert dumped["children"] == [{"id": family.children[0].id, "name": "김서준"}]
        assert dumped["lines"][0]["child_id"] == family.children[0].id
        assert dumped["transitions"][0]["to_state"] == "offered"
        assert OfferOut().dump(offer)["booking"]["district_code"] == "11680"
        [best, *_] = CandidateOut(many=True).dump(rank_candidates(session, booking, limits=LIMITS))
        assert "Lives 0 km from the family's district." in best["reasons"]


@pytest.mark.parametrize("locale", ["ko", "en", "kk"])
def test_every_booking_page_renders_in_every_language(
    client, session, clock, family, people, locale
):
    booking = requested(session, family, clock)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    pages = {
        "parent": [
            "/bookings/new",
            "/bookings",
            "/bookings?view=week",
            f"/bookings/{booking.id}",
        ],
        "staff": ["/agency/board", f"/agency/board/bookings/{booking.id}"],
        "caregiver_user": ["/visits"],
    }
    for who, urls in pages.items():
        as_user(client, people[who])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            assert f'<html lang="{locale}">' in response.get_data(as_text=True), url
    as_user(client, people["staff"])
    client.post(
        f"/agency/board/bookings/{booking.id}/assign",
        data={"caregiver_id": str(people["caregiver"].id)},
    )
    as_user(client, people["caregiver_user"])
    assert client.get(f"/visits/{booking.id}").status_code == 200
