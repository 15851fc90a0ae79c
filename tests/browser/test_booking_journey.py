"""Issue 5 in a real browser: the demo parent books care for tomorrow and sees the price, the
agency's staff assign the demo caregiver on the board and confirm, and the caregiver sees the
visit on a phone; the booking form, the calendar, the board and the caregiver's page pass axe-core.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from booking.caregivers import Caregiver, CaregiverSkill, WeeklySlot
from core.clock import FixedClock
from service.accounts.models import User
from service.extensions import db
from tests.browser.conftest import START
from tests.browser.test_accessibility import assert_accessible
from tests.conftest import build_app, dispose

pytestmark = pytest.mark.browser

TUESDAY = 1
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def free_demo_caregiver(live_server: str, tmp_path_factory) -> Iterator[str]:
    """The demo caregiver's hours are random: give them Tuesday 08:00–20:00 and infant care, in
    the live server's database, so that the engine can rank them for tomorrow morning."""
    [database] = sorted(tmp_path_factory.getbasetemp().glob("browser[0-9]*/dolbom.sqlite"))
    app = build_app(f"sqlite:///{database}", FixedClock(START))
    try:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "caregiver@dolbom.kr"))
            caregiver = db.session.scalar(select(Caregiver).where(Caregiver.user_id == user.id))
            caregiver.availability = [
                *(slot for slot in caregiver.availability if slot.weekday != TUESDAY),
                WeeklySlot(weekday=TUESDAY, starts_at=time(8), ends_at=time(20)),
            ]
            if "infant" not in caregiver.skills:
                caregiver.skill_rows.append(CaregiverSkill(skill="infant"))
            name = caregiver.name
            db.session.commit()
            db.session.remove()
        yield name
    finally:
        dispose(app)


def flash(page: Page):
    return page.get_by_role("status")


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def test_a_parent_books_staff_assign_and_confirm_the_caregiver_sees_the_visit(
    new_page, log_in, free_demo_caregiver: str
):
    parent = new_page()
    log_in(parent, "parent@dolbom.kr")
    main_nav(parent).get_by_role("link", name="Book care").click()
    expect(parent.get_by_role("heading", level=1)).to_have_text("Book care")
    children = parent.get_by_role("group", name="Children")
    children.get_by_label("김서준").check()
    children.get_by_label("김하은").check()
    parent.get_by_label("Service").select_option(label="half-day basic care")
    parent.get_by_label("Date").fill("2026-03-03")  # tomorrow: the server's clock is 2 March
    parent.get_by_label("From").select_option("10:00")
    parent.get_by_label("Until").select_option("12:00")
    parent.get_by_role("button", name="See the price").click()

    price = parent.get_by_role("region", name=re.compile(r"^The price of this care \(2026 fees\)"))
    expect(price).to_be_visible()
    amounts = [
        int(re.sub(r"\D", "", price.get_by_test_id(name).inner_text()))
        for name in ("total", "government", "parent")
    ]
    assert amounts[0] > 0 and amounts[0] == amounts[1] + amounts[2]
    expect(price.get_by_test_id("hours-left")).to_contain_text("Subsidised hours left in 2026")
    expect(price.get_by_role("table", name="Line by line").locator("tbody tr")).not_to_have_count(0)
    assert_accessible(parent)  # the booking form, with its price
    price.get_by_role("button", name="Book").click()

    expect(parent).to_have_url(re.compile(r"/bookings/\d+$"))
    booking_id = int(parent.url.rsplit("/", 1)[1])
    expect(flash(parent)).to_have_text("Your booking request has been sent.")
    expect(parent.get_by_test_id("total")).to_have_text(f"{amounts[0]:,} won")
    expect(parent.get_by_test_id("cancellation-fee")).to_be_visible()

    main_nav(parent).get_by_role("link", name="My bookings").click()
    calendar = parent.get_by_test_id("calendar")
    expect(calendar.get_by_role("link", name=re.compile("10:00 AM"))).to_have_count(1)
    assert_accessible(parent)  # the list and the month calendar
    parent.get_by_role("link", name="Week", exact=True).click()
    expect(parent.get_by_role("table", name=re.compile("^Week of Mar 2, 2026"))).to_be_visible()
    assert_accessible(parent)

    staff = new_page()
    log_in(staff, "staff@dolbom.kr")
    main_nav(staff).get_by_role("link", name="Assignment board").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Assignment board")
    card = staff.locator(f"article[aria-labelledby='request-{booking_id}']")
    ranking = card.get_by_role("list").first
    expect(ranking).to_contain_text(free_demo_caregiver)
    expect(ranking).to_contain_text("km from the family's district.")
    assert_accessible(staff)  # the board
    choice = card.get_by_label("Caregiver")
    value = choice.locator("option", has_text=free_demo_caregiver).first.get_attribute("value")
    choice.select_option(value)
    card.get_by_label(re.compile("^Reason")).fill("Knows the family's street")
    card.get_by_role("button", name="Assign").click()
    expect(flash(staff)).to_have_text("The caregiver has been assigned.")
    row = (
        staff.get_by_test_id("matched")
        .locator("tbody tr")
        .filter(has=staff.locator(f"a[href='/agency/board/bookings/{booking_id}']"))
    )
    expect(row).to_contain_text(free_demo_caregiver)
    row.get_by_role("button", name="Confirm").click()
    expect(flash(staff)).to_have_text("The booking is confirmed; the family has been told.")

    caregiver = new_page(viewport=PHONE)
    log_in(caregiver, "caregiver@dolbom.kr")
    main_nav(caregiver).get_by_role("link", name="My visits").click()
    expect(caregiver.get_by_role("heading", level=1)).to_have_text("My visits")
    visit = caregiver.get_by_role("link", name=re.compile(r"10:00 AM.*Confirmed"))
    expect(visit).to_be_visible()
    assert_accessible(caregiver)  # the caregiver's schedule, on a phone
    visit.click()
    expect(caregiver.get_by_role("heading", level=1)).to_have_text("Visit of Mar 3, 2026")
    expect(caregiver.get_by_text("김서준")).to_be_visible()
    expect(caregiver.get_by_test_id("visit-state")).to_have_text("Confirmed")
    assert_accessible(caregiver)

    parent.goto(f"/bookings/{booking_id}")
    expect(parent.get_by_test_id("state")).to_have_text("Confirmed")
    expect(parent.get_by_test_id("caregiver")).to_have_text(free_demo_caregiver)
