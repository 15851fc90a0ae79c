"""Issue 6 in a real browser: the demo family finds the virtual account of next week's booking
on its payments page; the national administrator confirms and pays last month's claim of the
demo agency, whose staff read it and download it as CSV with totals matching the claim. Each
page passes axe-core."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def test_the_family_pays_the_administrator_settles_the_agency_downloads(new_page, log_in):
    parent = new_page()
    log_in(parent, "parent@dolbom.kr")
    main_nav(parent).get_by_role("link", name="Payments").click()
    expect(parent.get_by_role("heading", level=1)).to_have_text("Payments")
    payments = parent.get_by_test_id("payments")
    # next week's demo booking (other journeys may have booked and confirmed care meanwhile)
    waiting = (
        payments.locator("tbody tr")
        .filter(has_text="Waiting for your deposit")
        .filter(has_text="3/5/26")
    )
    expect(waiting).to_have_count(1)
    expect(waiting.get_by_test_id("account-number")).to_have_text(re.compile(r"^\d{14}$"))
    expect(waiting).to_contain_text("Pay by")
    expect(payments.locator("tbody tr").filter(has_text=re.compile(r"\bPaid\b"))).to_have_count(3)
    assert_accessible(parent)

    admin = new_page()
    log_in(admin, "admin@dolbom.kr")
    main_nav(admin).get_by_role("link", name="Settlement").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Settlement of February 2026")
    claims = admin.get_by_test_id("claims")
    row = claims.locator("tbody tr").filter(has_text="AG035")
    expect(row).to_contain_text("Draft")
    expect(admin.get_by_test_id("chart")).to_be_visible()
    assert_accessible(admin)
    row.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(claims.locator("tbody tr").filter(has_text="AG035")).to_contain_text("Claim confirmed")
    claims.locator("tbody tr").filter(has_text="AG035").get_by_role(
        "button", name=re.compile("^Mark as paid")
    ).click()
    expect(claims.locator("tbody tr").filter(has_text="AG035")).to_contain_text(
        "Paid to the agency"
    )

    staff = new_page()
    log_in(staff, "staff@dolbom.kr")
    main_nav(staff).get_by_role("link", name="Monthly claims").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Monthly claims")
    staff.get_by_role("link", name=re.compile("2026-02")).first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Claim for 2026-02")
    expect(staff.get_by_test_id("lines").locator("tbody tr")).to_have_count(3)
    assert_accessible(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    lines, totals = rows[1:-1], rows[-1]
    header = rows[0]
    total = header.index(next(name for name in header if name.startswith("Total")))
    assert len(lines) == 3
    assert int(totals[total]) == sum(int(line[total]) for line in lines) > 0
