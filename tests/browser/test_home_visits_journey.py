"""Issue 7 in a real browser: an officer imports the quarter's list of flagged children (a CSV
file), records a visit and links the care service, which puts the family in the support queue
(R-ECH-1..2); anyone reads a child's allowances on the public page (R-ALW-1..5). The pages pass
axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

CSV = (
    "child_ref,child_name,birth_date,guardian_name,guardian_phone,district_code,address,indicators\n"
    "SSIS-B-001,한가람,2019-04-02,한지민,010-3333-4444,11680,역삼로 7,3;17\n"
    "SSIS-B-002,윤슬,2016-10-15,윤하,02-555-1234,11680,,5\n"
)
BAD_CSV = (
    "child_ref,child_name,birth_date,guardian_name,guardian_phone,district_code,address,indicators\n"
    "SSIS-B-003,오름,2019-02-30,오현,010-1111-2222,26110,,99\n"
)


def flash(page: Page):
    return page.get_by_role("status")


def nav(page: Page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def test_an_officer_imports_the_list_visits_and_links_the_care_service(
    new_page, log_in, tmp_path: Path
):
    good = tmp_path / "q1.csv"
    good.write_text(CSV, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    officer = new_page()
    log_in(officer, "officer@dolbom.kr")
    nav(officer, "Home visits").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Home visits, 2026 Q1")
    assert_accessible(officer)

    officer.get_by_role("link", name="Import the quarter's list").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Import the quarter's list")
    assert_accessible(officer)
    officer.get_by_label("CSV file").set_input_files(bad)
    officer.get_by_role("button", name="Import", exact=True).click()
    expect(officer.get_by_role("alert")).to_have_text(
        "Some rows were rejected; nothing was imported."
    )
    expect(officer.get_by_test_id("report-summary")).to_have_text(
        "1 of 1 rows rejected; 0 children imported."
    )
    rejected = officer.get_by_role("table", name="Rejected rows")
    expect(rejected.get_by_role("row")).to_have_count(4)  # the header and three problems
    assert_accessible(officer)  # the report

    officer.get_by_label("CSV file").set_input_files(good)
    officer.get_by_role("button", name="Import", exact=True).click()
    expect(flash(officer)).to_have_text("2 children imported.")
    children = officer.get_by_role("table", name="Children on the list")
    expect(children.get_by_role("link", name="한가람")).to_be_visible()
    expect(children.get_by_role("link", name="윤슬")).to_be_visible()
    children.get_by_role("link", name="한가람").click()

    expect(officer.get_by_role("heading", level=1)).to_have_text("한가람")
    expect(officer.get_by_test_id("case-status")).to_have_text("To contact")
    assert_accessible(officer)
    visit = officer.get_by_role("region", name="Record a visit")
    visit.get_by_label("Visited at (Korean time)").fill("2026-03-02T09:30")
    visit.get_by_label("Who visited").fill("박주무관")
    visit.get_by_label(re.compile(r"^Where")).fill("역삼로 7")
    visit.get_by_label("Met face to face").check()
    visit.get_by_label(re.compile("^Counselling notes")).fill("The grandmother cares alone.")
    visit.get_by_label("Child care").check()
    visit.get_by_role("button", name="Record the visit").click()
    expect(flash(officer)).to_have_text("The visit has been recorded.")
    expect(officer.get_by_test_id("case-status")).to_have_text("Visited")
    expect(officer.get_by_test_id("counselling-notes")).to_have_text("The grandmother cares alone.")

    service = officer.get_by_role("region", name="Link a service")
    service.get_by_label("Service").select_option(label="Child-care service with a support tier")
    service.get_by_label("Note").fill("both parents work nights")
    service.get_by_role("button", name="Link the service").click()
    expect(flash(officer)).to_have_text("The service has been linked.")
    expect(officer.get_by_test_id("referral")).to_contain_text("support queue")
    assert_accessible(officer)

    officer.get_by_test_id("referral").get_by_role("link", name="Referrals").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Support queue: referrals")
    row = officer.get_by_role("row").filter(has=officer.get_by_role("link", name="한가람"))
    expect(row).to_contain_text("010-3333-4444")
    expect(row).to_contain_text("both parents work nights")
    assert_accessible(officer)

    officer.goto("/officer/home-visits/dashboard")
    expect(officer.get_by_test_id("visited")).to_have_text("1")
    expect(officer.get_by_test_id("linked")).to_have_text("1")
    assert_accessible(officer)
    officer.goto("/officer/home-visits/october-round?year=2026")
    assert_accessible(officer)


def test_anyone_reads_a_childs_allowances_on_the_public_page(new_page):
    page = new_page()
    page.goto("/")
    nav(page, "Allowances").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Family allowances")
    assert_accessible(page)
    page.get_by_label("Month").fill("2026-03")
    page.get_by_label("Birth date").fill("2023-01-10")
    page.get_by_label("Where the child spends the day").select_option(label="Cared for at home")
    page.get_by_label("Lives in a farming or fishing area").check()
    page.get_by_role("button", name="Show the allowances").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Allowances for March 2026")
    expect(page.get_by_test_id("amount-home_care")).to_have_text("129,000 won")
    expect(page.get_by_test_id("amount-child_allowance")).to_have_text("100,000 won")
    expect(page.get_by_test_id("total")).to_have_text("229,000 won")
    assert_accessible(page)

    page.get_by_label("Birth date").fill("2027-01-10")
    page.get_by_role("button", name="Show the allowances").click()
    month = page.get_by_label("Month")
    expect(month).to_have_attribute("aria-invalid", "true")
    expect(month).to_have_accessible_description("The child is not born yet in this month.")
    assert_accessible(page)


def test_a_familys_allowance_pages_are_accessible(new_page, log_in):
    parent = new_page()
    log_in(parent, "parent@dolbom.kr")
    nav(parent, "Allowances").click()
    expect(parent.get_by_role("heading", level=1)).to_have_text("Our allowances")
    assert_accessible(parent)
    parent.get_by_role("link", name=re.compile("^Edit the allowance details")).first.click()
    expect(parent.get_by_role("heading", level=1)).to_contain_text("Allowance details of")
    assert_accessible(parent)
    parent.get_by_label("Applied for the child allowance on").fill("2001-01-01")
    parent.get_by_role("button", name="Save").click()
    field = parent.get_by_label("Applied for the child allowance on")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description("Give a date between the birth date and today.")
    assert_accessible(parent)  # the form with its errors
    parent.goto("/household/allowances/household")
    assert_accessible(parent)
