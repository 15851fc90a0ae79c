"""The main user journeys through the real pages: clicks and typing in Chromium.

The pages are read in English (the browser sends ``Accept-Language: en-US``) unless a journey is
about languages; Kazakh text is looked up in the catalogue, never written here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
HOME_HEADING = "Child care when you need it"


def kazakh(msgid: str) -> str:
    """What the site shows for ``msgid`` in Kazakh, according to the catalogue.

    Its translation once the catalogue has one and is compiled (``make translations``); until
    then the site falls back to the English source text.
    """
    po = TRANSLATIONS / "kk" / "LC_MESSAGES" / "messages.po"
    if not po.exists() or not po.with_suffix(".mo").exists():
        return msgid
    with po.open("rb") as handle:
        message = read_po(handle, locale="kk").get(msgid)
    if message is None or not message.string or message.fuzzy:
        return msgid
    return message.string


def expect_kazakh(locator, msgid: str) -> None:
    hint = f"Kazakh for {msgid!r} from translations/kk (compiled? make translations)"
    expect(locator, hint).to_have_text(kazakh(msgid))


def expect_lang(page: Page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)


def flash(page: Page):
    return page.get_by_role("status")


def fact(page: Page, term: str):
    """The value next to ``term`` in the page's facts list."""
    return page.locator("dl.facts dt", has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def test_a_new_parent_registers_the_household_and_manages_a_child(page: Page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up as a parent")
    page.get_by_label("Your name").fill("Lee Jiwon")
    page.get_by_label("E-mail address").fill("jiwon.lee@example.kr")
    page.get_by_label("Password (at least 10 characters)").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/household/edit$"))
    expect(flash(page)).to_have_text("Welcome! Now tell us about your household.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register your household")
    page.get_by_label("District").select_option(label="Seoul · Gangnam-gu")
    page.get_by_label("Number of people in the household").fill("3")
    languages = page.get_by_role("group", name="Languages spoken at home")
    expect(languages.get_by_label("Korean", exact=True)).to_be_checked()
    languages.get_by_label("English", exact=True).check()
    applicant = page.get_by_role("group", name="Applicant (you)")
    expect(applicant.get_by_role("textbox", name="Name", exact=True)).to_have_value("Lee Jiwon")
    applicant.get_by_role("textbox", name="Name", exact=True).fill("이지원")
    applicant.get_by_label("Relation to the children").select_option(label="Mother")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/household$"))
    expect(flash(page)).to_have_text("Your household has been saved.")
    expect(fact(page, "District")).to_have_text("Gangnam-gu")
    expect(fact(page, "Household size")).to_have_text("3")
    expect(fact(page, "Applicant")).to_have_text("이지원")
    expect(fact(page, "Languages at home")).to_have_text("Korean, English")
    expect(page.get_by_text("No children registered yet.")).to_be_visible()

    page.get_by_role("link", name="Add a child").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a child")
    page.get_by_role("textbox", name="Name", exact=True).fill("이서하")
    page.get_by_label("Birth date").fill("2022-05-10")
    page.get_by_label("Where the child spends the day").select_option(label="Daycare centre")
    page.get_by_label("From").fill("09:30")
    page.get_by_label("Until").fill("15:30")
    page.get_by_label("Notes for the caregiver (allergies, routines)").fill("Allergic to peanuts")
    page.get_by_role("button", name="Save").click()

    expect(flash(page)).to_have_text("The child's details have been saved.")
    children = page.get_by_role("table", name="Children").locator("tbody tr")
    expect(children).to_have_count(1)
    expect(children.first.locator("td")).to_have_text(
        ["이서하", "May 10, 2022", "Daycare centre (09:30–15:30)", "Waiting", re.compile("Edit")]
    )

    page.get_by_role("link", name="Edit 이서하").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit 이서하")
    expect(page.get_by_label("Notes for the caregiver (allergies, routines)")).to_have_value(
        "Allergic to peanuts"
    )
    page.get_by_role("textbox", name="Name", exact=True).fill("이하늘")
    page.get_by_label("Where the child spends the day").select_option(label="Cared for at home")
    page.get_by_role("button", name="Save").click()

    expect(flash(page)).to_have_text("The child's details have been saved.")
    expect(children).to_have_count(1)
    expect(children.first.locator("td").nth(0)).to_have_text("이하늘")
    expect(children.first.locator("td").nth(2)).to_have_text("Cared for at home")

    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.get_by_role("button", name="Remove 이하늘").click()
    expect(flash(page)).to_have_text("The child has been removed.")
    assert dialogs == ["Remove this child?"]
    expect(page.get_by_text("No children registered yet.")).to_be_visible()
    expect(page.get_by_role("table", name="Children")).to_have_count(0)


def test_a_child_born_in_the_future_is_refused_with_the_field_error(page: Page, log_in):
    log_in(page, "parent@dolbom.kr")
    page.get_by_role("link", name="My household").click()
    children = page.get_by_role("table", name="Children").locator("tbody tr")
    expect(children).to_have_count(2)

    page.get_by_role("link", name="Add a child").click()
    page.get_by_role("textbox", name="Name", exact=True).fill("미래아이")
    page.get_by_label("Birth date").fill("2027-01-15")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/household/children/new$"))
    birth_date = page.get_by_label("Birth date")
    expect(page.locator("#birth_date-error")).to_have_text(
        "The birth date cannot be in the future."
    )
    expect(birth_date).to_have_attribute("aria-invalid", "true")
    expect(birth_date).to_have_accessible_description("The birth date cannot be in the future.")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value(
        "미래아이"
    )  # what was typed is kept

    page.get_by_role("link", name="Cancel").click()
    expect(children).to_have_count(2)
    expect(page.get_by_role("table", name="Children")).not_to_contain_text("미래아이")


def test_agency_staff_manage_a_caregiver_and_add_one(page: Page, log_in):
    log_in(page, "staff@dolbom.kr")
    expect(page.get_by_text("Logged in as Gangnam-gu Family Center.")).to_be_visible()
    page.get_by_role("link", name="Caregivers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Caregivers")

    page.get_by_label("Name or phone").fill("박선희")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 caregivers")).to_be_visible()
    page.get_by_role("link", name="박선희").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("박선희")
    expect(fact(page, "Status")).to_have_text("Active")

    page.get_by_label("Monday From").fill("09:00")
    page.get_by_label("Monday Until").fill("13:00")
    page.get_by_role("button", name="Save weekly hours").click()
    expect(flash(page)).to_have_text("The weekly hours have been saved.")
    expect(page.get_by_label("Monday From")).to_have_value("09:00")
    expect(page.get_by_label("Monday Until")).to_have_value("13:00")

    page.get_by_label("First day").fill("2026-03-16")
    page.get_by_label("Last day").fill("2026-03-18")
    page.get_by_label("Reason").fill("Family event")
    page.get_by_role("button", name="Record leave").click()
    expect(flash(page)).to_have_text("The leave has been recorded.")
    leave = page.get_by_role("listitem").filter(has_text="Family event")
    expect(leave).to_contain_text("Mar 16, 2026 – Mar 18, 2026: Family event")
    leave.get_by_role("button", name="Remove").click()
    expect(flash(page)).to_have_text("The leave has been removed.")
    expect(page.get_by_text("No leave recorded.")).to_be_visible()

    page.get_by_role("button", name="Deactivate").click()
    expect(flash(page)).to_have_text("The caregiver has been deactivated.")
    expect(fact(page, "Status")).to_have_text("Inactive")
    page.get_by_role("button", name="Activate again").click()
    expect(flash(page)).to_have_text("The caregiver is active again.")
    expect(fact(page, "Status")).to_have_text("Active")

    page.get_by_role("link", name="Back to the list").click()
    page.get_by_role("link", name="Add a caregiver").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a caregiver")
    page.get_by_role("textbox", name="Name", exact=True).fill("한가람")
    page.get_by_label("Phone").fill("010-5555-0101")
    page.get_by_label("Home district").select_option(label="Seoul · Gangnam-gu")
    page.get_by_label("Hire date").fill("2026-02-02")
    page.get_by_role("group", name="Skills").get_by_label("Infant care").check()
    areas = page.get_by_role("group", name="Districts the caregiver works in")
    areas.get_by_label("Seoul · Gangnam-gu").check()
    page.get_by_role("button", name="Save").click()

    expect(flash(page)).to_have_text("The caregiver has been saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("한가람")
    expect(fact(page, "Works in")).to_have_text("Gangnam-gu")
    expect(fact(page, "Skills")).to_have_text("Infant care")
    expect(fact(page, "Training hours")).to_have_text("120")

    page.get_by_role("link", name="Caregivers").click()
    page.get_by_label("Name or phone").fill("한가람")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("table", name="Caregivers").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="한가람")).to_be_visible()


def test_the_language_switcher_changes_the_site_language(new_page):
    page = new_page(locale="ko-KR")
    page.goto("/")
    expect_lang(page, "ko")  # Korean is the default, and what this browser asks for

    page.locator("#locale-choice").select_option("en")  # submits itself (static/app.js)
    expect_lang(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADING)

    page.locator("#locale-choice").select_option("kk")
    expect_lang(page, "kk")
    expect_kazakh(page.get_by_role("heading", level=1), HOME_HEADING)
    expect(page.get_by_role("button", name=kazakh("Change"), exact=True)).to_be_visible()
    expect(page.locator("#locale-choice")).to_have_value("kk")


def test_the_change_button_switches_language_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/login")
    expect_lang(page, "en")
    page.locator("#locale-choice").select_option("kk")
    expect_lang(page, "en")  # nothing happens until the button is pressed
    page.get_by_role("button", name="Change", exact=True).click()
    expect_lang(page, "kk")
    expect(page).to_have_url(re.compile(r"/login$"))  # back on the same page
    expect_kazakh(page.get_by_role("heading", level=1), "Log in")


def test_an_officer_sees_the_households_of_the_district_only(page: Page, log_in):
    log_in(page, "officer@dolbom.kr")
    page.get_by_role("link", name="Households in my district").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Households in my district")
    rows = page.get_by_role("table", name="Households").locator("tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    expect(page.locator("p.count")).to_have_text(re.compile(r"^\d+ households$"))
    assert page.locator("p.count").inner_text() == f"{count} households"  # one page, all shown
    expect(rows.locator("td:nth-child(2)")).to_have_text(["Gangnam-gu"] * count)

    applicant = rows.first.get_by_role("link")
    name = applicant.inner_text()
    applicant.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(fact(page, "District")).to_have_text("Gangnam-gu")
    page.get_by_role("link", name="Back to the list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Households in my district")

    response = page.goto("/agency/caregivers")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Caregivers")


def test_the_kazakh_parent_gets_the_site_in_kazakh(page: Page, log_in):
    log_in(page, "parent.kk@dolbom.kr")  # the log-in page itself is in English
    expect_lang(page, "kk")
    expect_kazakh(page.get_by_role("heading", level=1), HOME_HEADING)
    expect(page.locator("#locale-choice")).to_have_value("kk")
    page.get_by_role("link", name=kazakh("My household")).click()
    expect_lang(page, "kk")
    expect_kazakh(page.get_by_role("heading", level=1), "My household")
