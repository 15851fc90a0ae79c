"""Issue 4 in a real browser: a family applies for support online, the district's officer
decides from the working, the family reads its tier and its decision letter; the support pages
pass axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def flash(page: Page):
    return page.get_by_role("status")


def fact(page: Page, term: str):
    return page.locator("dl.facts dt", has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def earner(page: Page, number: int):
    return page.get_by_role("group", name=f"Earner {number}", exact=True)


def test_a_family_applies_the_officer_approves_and_the_family_reads_the_letter(
    new_page, log_in, tmp_path: Path
):
    payslip = tmp_path / "payslip.pdf"
    payslip.write_bytes(PDF)
    parent = new_page()
    log_in(parent, "parent@dolbom.kr")
    parent.get_by_role("navigation", name="Main").get_by_role("link", name="My support").click()
    expect(parent.get_by_role("heading", level=1)).to_have_text("My support")
    expect(parent.get_by_test_id("tier")).to_have_text("no tier (full price)")

    parent.get_by_role("link", name="Apply for support").click()
    expect(parent.get_by_role("heading", level=1)).to_have_text("Apply for support")
    parent.get_by_label("Number of people in the household").fill("4")
    earner(parent, 1).get_by_role("textbox", name="Name", exact=True).fill("김민지")
    earner(parent, 1).get_by_label("Monthly income (won)").fill("3,300,000")
    earner(parent, 1).get_by_label("Health insurance").select_option(label="Insured at work")
    earner(parent, 2).get_by_role("textbox", name="Name", exact=True).fill("김준호")
    earner(parent, 2).get_by_label("Monthly income (won)").fill("700000")
    earner(parent, 2).get_by_label("Health insurance").select_option(label="Insured at work")
    parent.get_by_role("group", name=re.compile("^Why you need care")).get_by_label(
        "Both parents work"
    ).check()
    children = parent.get_by_role("group", name="The children the application is for")
    expect(children.get_by_role("checkbox")).to_have_count(2)
    for box in children.get_by_role("checkbox").all():
        expect(box).to_be_checked()
    parent.get_by_label(re.compile("^Documents")).set_input_files(payslip)
    parent.get_by_role("button", name="Send the application").click()

    expect(parent).to_have_url(re.compile(r"/support$"))
    expect(flash(parent)).to_have_text("Your application has been sent.")
    expect(parent.get_by_test_id("application-status")).to_have_text(
        "Submitted: waiting for the community centre"
    )
    expect(parent.get_by_role("link", name="payslip.pdf")).to_be_visible()

    officer = new_page()
    log_in(officer, "officer@dolbom.kr")
    officer.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Applications for support")
    row = (
        officer.get_by_role("table", name="Open applications")
        .locator("tbody tr")
        .filter(has=officer.get_by_role("link", name="김민지", exact=True))
    )
    expect(row.get_by_test_id("days-left")).to_have_text("14 days (by Mar 16, 2026)")
    row.get_by_role("link", name="김민지").click()

    expect(officer.get_by_role("heading", level=1)).to_have_text("Application of 김민지")
    expect(officer.get_by_test_id("median")).to_have_text("6,494,738 won for 4 persons in 2026")
    expect(officer.get_by_test_id("incomes")).to_have_text("3,300,000 + 700,000 = 4,000,000 won")
    expect(officer.get_by_test_id("reduction")).to_contain_text("− 700,000 won")
    expect(officer.get_by_test_id("income")).to_have_text("3,300,000 won, 50.8% of the median")
    expect(officer.get_by_test_id("suggested-tier")).to_have_text("Ga (가형)")
    with officer.expect_download() as download:
        officer.get_by_role("link", name="payslip.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF
    officer.get_by_role("button", name="Approve the suggested tier: Ga (가형)").click()

    expect(flash(officer)).to_have_text("The tier has been decided.")
    expect(officer.get_by_test_id("application-status")).to_have_text("Decided")
    expect(officer.get_by_test_id("decided-tier")).to_have_text("Ga (가형)")
    officer.get_by_role("link", name="Dashboard").click()
    expect(fact(officer, "Decided this month")).to_have_text("1")

    parent.get_by_role("navigation", name="Main").get_by_role("link", name="My support").click()
    expect(parent.get_by_test_id("tier")).to_have_text("Ga (가형)")
    expect(parent.get_by_test_id("application-status")).to_have_text("Decided")
    expect(parent.get_by_test_id("government")).to_have_text(re.compile(r"^[\d,]+ won$"))
    assert_accessible(parent)
    parent.get_by_role("link", name=re.compile("^Decision letter")).click()
    expect(parent.get_by_role("heading", level=1)).to_have_text(
        "Notice of your child-care support tier"
    )
    expect(parent.get_by_test_id("letter-tier")).to_have_text("Ga (가형)")
    expect(parent.get_by_test_id("letter-from")).to_have_text("March 2, 2026")
    expect(parent.get_by_test_id("letter-until")).to_have_text("December 31, 2026")
    expect(parent.get_by_role("button", name="Print")).to_be_visible()  # shown by the script
    assert_accessible(parent)


def test_the_support_pages_are_accessible(new_page, log_in):
    parent = new_page()
    log_in(parent, "parent@dolbom.kr")
    parent.goto("/support/apply")
    assert_accessible(parent)
    earner(parent, 1).get_by_label("Monthly income (won)").fill("-5")
    parent.get_by_role("button", name="Send the application").click()
    income = earner(parent, 1).get_by_label("Monthly income (won)")
    expect(income).to_have_attribute("aria-invalid", "true")
    expect(income).to_have_accessible_description("This number is out of range.")
    assert_accessible(parent)  # the form with its errors

    officer = new_page()
    log_in(officer, "officer@dolbom.kr")
    officer.goto("/district/households")
    officer.get_by_role("link", name="Айгерім Сейтқали").click()
    household_id = officer.url.rstrip("/").rsplit("/", 1)[-1]
    officer.goto("/officer/applications")
    assert_accessible(officer)
    officer.get_by_label("Household number").fill(household_id)
    officer.get_by_role("button", name="Open the form").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Record an application in person")
    assert_accessible(officer)
    officer.get_by_label("Number of people in the household").fill("4")
    earner(officer, 1).get_by_role("textbox", name="Name", exact=True).fill("Айгерім Сейтқали")
    earner(officer, 1).get_by_label("Monthly income (won)").fill("2000000")
    earner(officer, 1).get_by_label("Health insurance").select_option("regional")
    officer.get_by_label("A parent is looking for work").check()
    officer.get_by_role("button", name="Record the application").click()

    expect(flash(officer)).to_have_text("The application has been recorded.")
    expect(officer.get_by_role("heading", level=1)).to_have_text("Application of Айгерім Сейтқали")
    assert_accessible(officer)
    officer.goto("/officer/dashboard")
    assert_accessible(officer)
