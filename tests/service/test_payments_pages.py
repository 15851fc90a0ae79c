"""The payment and settlement pages: a family's payments, card and arrears (R-PAY-1..3); an
agency's monthly claims and their downloads; the administrator's month (lock, build, confirm, pay)
with the national totals and the chart by province."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from booking.requests import request_booking
from core.clock import SEOUL
from service.accounts.models import User
from service.payments import payment_setup
from tests.booking.conftest import TUESDAY_9, caregiver, draft
from tests.factories import (
    AdminFactory,
    ChildFactory,
    HouseholdFactory,
    StaffFactory,
    parent_of,
)
from tests.helpers import agency, web_login
from vouchers.booking_pricing import TariffPricing
from vouchers.caregiver_statements import statements
from vouchers.ledger import Account, leg, post
from vouchers.payments import Payment, PaymentCard, Purpose, open_payment
from vouchers.settlement import AgencyClaim
from vouchers.tariffs import default_tariff_book

APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=SEOUL)  # March is over: it may be settled
TARIFFS = default_tariff_book()


@pytest.fixture
def people(session):
    family = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=family, birth_date=date(2021, 5, 1), name="김서준")
    other_family = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=other_family, name="이도윤")
    people = {
        "family": family,
        "other_family": other_family,
        "parent": session.get(User, parent_of(family).user_id),
        "other_parent": session.get(User, parent_of(other_family).user_id),
        "staff": StaffFactory(agency_id=agency("AG035").id),
        "other_staff": StaffFactory(agency_id=agency("AG001").id),
        "admin": AdminFactory(),
    }
    session.commit()
    return people


def as_user(client, user):
    client.post("/logout")
    web_login(client, user)


def text(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(page))


def booked(session, household, clock, key="k1", **changes):
    made = request_booking(
        session,
        parent_of(household),
        draft(household, key=key, **changes),
        pricing=TariffPricing(TARIFFS),
        clock=clock,
    )
    session.flush()
    return made


def deposit_account(session, household, booking, clock) -> Payment:
    terms = TARIFFS.for_date(booking.starts_at.date()).payment
    return open_payment(
        session,
        household,
        booking.parent,
        booking.starts_at,
        purpose=Purpose.BOOKING,
        setup=payment_setup(),
        terms=terms,
        clock=clock,
        booking_id=booking.id,
    )


def completed_march(session, people, clock):
    """Two completed visits of March at AG035: one claimed, one whose government share has no
    tier decision behind it; then the clock moves to April."""
    carer = caregiver()
    plain = booked(session, people["family"], clock, key="plain")
    odd = booked(
        session, people["other_family"], clock, key="odd", start=TUESDAY_9.replace(hour=14)
    )
    for booking in (plain, odd):
        booking.caregiver_id, booking.state = carer.id, "completed"
    odd.government, odd.parent = 10_000, odd.total - 10_000  # no tier decision: not claimable
    session.commit()
    clock.instant = APRIL
    return carer


# --- families ---------------------------------------------------------------------------------


def test_a_parent_sees_the_familys_payments_and_not_another_familys(client, session, clock, people):
    mine = booked(session, people["family"], clock, key="mine")
    theirs = booked(session, people["other_family"], clock, key="theirs")
    own = deposit_account(session, people["family"], mine, clock)
    other = deposit_account(session, people["other_family"], theirs, clock)
    session.commit()

    as_user(client, people["parent"])
    page = client.get("/payments")
    body = text(page)
    assert page.status_code == 200
    assert own.account_number in body and other.account_number not in body
    assert "Care on 3/3/26, 9:00" in body and f"{mine.parent:,}" in body
    assert "Virtual bank account" in body and "Waiting for your deposit" in body
    assert "Pay by 3/3/26, 12:00" in body  # R-PAY-1: the end of the day before the care
    assert own.account_bank in body
    assert "Happiness Card" not in body  # the virtual-account backend takes no cards
    assert 'data-testid="arrears"' not in page.get_data(as_text=True)

    as_user(client, people["staff"])
    assert client.get("/payments").status_code == 404


def test_arrears_show_the_amount_and_the_account_to_pay_into(client, session, clock, people):
    family = people["family"]
    post(
        session,
        "test-charge",
        "visit_charge",
        [
            leg(Account.PARENT_RECEIVABLE, family.id, 350_000),
            leg(Account.AGENCY_PAYABLE, agency("AG035").id, -350_000),
        ],
        clock=clock,
    )
    session.commit()

    as_user(client, people["parent"])
    body = text(client.get("/payments"))
    assert "You owe 350,000 won, unpaid since Mar 2, 2026." in body
    assert "Booking is suspended until this is paid: more than 300,000 won" in body  # R-PAY-2

    shown = client.post("/payments/arrears")
    assert shown.status_code == 302
    account = session.scalar(select(Payment).where(Payment.purpose == Purpose.ARREARS.value))
    assert (account.household_id, account.amount, account.state) == (
        family.id,
        350_000,
        "awaiting_deposit",
    )
    again = client.post("/payments/arrears", follow_redirects=True)
    body = text(again)
    assert account.account_number in body and "Amount to deposit 350,000 won" in body
    assert (
        session.scalar(
            select(Payment.id).where(Payment.purpose == "arrears", Payment.id != account.id)
        )
        is None
    )  # asking again shows the same account

    as_user(client, people["other_parent"])
    assert "You owe" not in text(client.get("/payments"))


def new_card(stripe_client, number="4242424242424242") -> str:
    card = {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    return stripe_client.v1.payment_methods.create({"type": "card", "card": card}).id


def test_a_parent_registers_a_card_in_the_applicants_name(
    client, session, people, card_setup, stripe_client
):
    as_user(client, people["parent"])
    assert "No card is registered" in text(client.get("/payments"))

    wrong = client.post("/payments/card", data={"payment_method": "pm_x", "holder_name": "홍길동"})
    assert wrong.status_code == 422
    assert "The card must be in the applicant's own name (김민지)." in text(wrong)
    declined = client.post(
        "/payments/card",
        data={
            "payment_method": new_card(stripe_client, "4000000000000002"),
            "holder_name": "김민지",
        },
    )
    assert declined.status_code == 422 and "The card was declined." in text(declined)
    missing = client.post("/payments/card", data={"holder_name": "김민지"})
    assert missing.status_code == 422 and 'aria-invalid="true"' in missing.get_data(as_text=True)

    done = client.post(
        "/payments/card",
        data={"payment_method": new_card(stripe_client), "holder_name": "김민지"},
        follow_redirects=True,
    )
    body = text(done)
    assert "Your card has been registered." in body
    assert "VISA card ending in 4242, in the name of 김민지" in body and "Replace the card" in body
    card = session.scalar(select(PaymentCard))
    assert (card.household_id, card.last4) == (people["family"].id, "4242")


# --- agencies ---------------------------------------------------------------------------------


def test_an_agency_reads_and_downloads_its_claim_and_no_other(client, session, clock, people):
    from vouchers.claims import build_claims
    from vouchers.settlement import lock_month

    carer = completed_march(session, people, clock)
    lock_month(session, "2026-03", tariffs=TARIFFS, clock=clock)
    build_claims(session, "2026-03", tariffs=TARIFFS, clock=clock)
    foreign = AgencyClaim(month="2026-03", agency_id=agency("AG001").id, built_at=clock.now())
    session.add(foreign)
    session.commit()
    claim = session.scalar(select(AgencyClaim).where(AgencyClaim.agency_id == agency("AG035").id))
    assert claim.lines == 2 and claim.government < claim.total

    as_user(client, people["staff"])
    listing = text(client.get("/agency/claims"))
    assert "2026-03 Draft 2 4 " in listing and f"{claim.payable:,}" in listing
    detail = client.get(f"/agency/claims/{claim.id}")
    body = text(detail)
    assert detail.status_code == 200 and f"Payable to the agency {claim.payable:,} won" in body
    assert "No tier decision in force on the care date" in body and "Not claimed" in body
    [statement] = statements(session, claim.agency_id, "2026-03", TARIFFS)  # R-CG-2
    assert f"{carer.name} {carer.id} 2 4 {statement.base:,}" in body
    assert f"{statement.total:,}" in body

    response = client.get(f"/agency/claims/{claim.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "claim-AG035-2026-03.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert_totals(rows, claim, number=int)

    response = client.get(f"/agency/claims/{claim.id}.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    book.close()
    assert_totals(rows, claim, number=lambda value: value)

    for path in ("", ".csv", ".xlsx"):
        assert client.get(f"/agency/claims/{foreign.id}{path}").status_code == 404
    as_user(client, people["other_staff"])
    assert client.get(f"/agency/claims/{claim.id}").status_code == 404
    assert "2026-03" in text(client.get("/agency/claims"))  # its own (empty) claim only
    as_user(client, people["parent"])
    assert client.get(f"/agency/claims/{claim.id}.csv").status_code == 404


def assert_totals(rows, claim, *, number) -> None:
    """The totals row is the claim's, and the lines add up to it."""
    header, *lines, totals = rows
    assert header[0] == "Date" and len(lines) == claim.lines
    columns = {
        "minutes": 5,
        "total": 7,
        "government": 9,
        "parent": 10,
        "fees": 11,
        "refunds": 12,
        "payable": 13,
    }
    for name, index in columns.items():
        assert number(totals[index]) == getattr(claim, name), name
        assert sum(number(line[index]) for line in lines) == getattr(claim, name), name
    assert totals[0] == "Total of 2 lines"
    assert {line[14] or "" for line in lines} == {"", "no_effective_tier"}  # xlsx: None


# --- administrators ---------------------------------------------------------------------------


def test_an_administrator_locks_builds_confirms_and_pays_the_month(client, session, clock, people):
    completed_march(session, people, clock)
    as_user(client, people["admin"])
    early = client.post("/admin/settlement/lock", data={"month": "2026-04"}, follow_redirects=True)
    assert "A month is settled after it ends." in text(early)
    assert client.post("/admin/settlement/lock", data={"month": "March"}).status_code == 302

    locked = client.post("/admin/settlement/lock", data={"month": "2026-03"})
    assert locked.headers["Location"].endswith("/admin/settlement?month=2026-03")
    body = text(client.get("/admin/settlement?month=2026-03"))
    assert "2026-03 is locked. New lines: 2; corrections of earlier months: 0." in body
    assert "2 lines locked for this month." in body and "No claims for this month yet." in body

    built = client.post("/admin/settlement/build", data={"month": "2026-03"}, follow_redirects=True)
    body = text(built)
    assert "Claims built for 2026-03. Claims: 1; lines: 2; lines not fully claimed: 1." in body
    claim = session.scalar(select(AgencyClaim))
    assert f"Whole country 1 claim 2 4 {claim.total:,}" in body
    page = built.get_data(as_text=True)
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in page
    assert "Payable to agencies by province, March 2026" in body
    assert re.search(rf"Seoul 1 {claim.payable:,}", body)  # the table behind the chart

    client.post(f"/admin/settlement/claims/{claim.id}/confirm")
    session.refresh(claim)
    assert claim.state == "confirmed" and claim.confirmed_at is not None
    again = client.post(f"/admin/settlement/claims/{claim.id}/confirm", follow_redirects=True)
    assert "A claim in state confirmed cannot become confirmed." in text(again)
    paid = client.post(f"/admin/settlement/claims/{claim.id}/pay", follow_redirects=True)
    assert "The claim has been marked as paid." in text(paid)
    session.refresh(claim)
    assert claim.state == "paid" and claim.paid_at is not None
    assert client.get(f"/agency/claims/{claim.id}").status_code == 200  # admins read claims too


def test_settlement_is_for_administrators_only(client, session, people):
    assert client.get("/admin/settlement").status_code == 302  # to the login page
    for user in ("parent", "staff"):
        as_user(client, people[user])
        assert client.get("/admin/settlement").status_code == 404
        assert client.post("/admin/settlement/lock", data={"month": "2026-02"}).status_code == 404
        assert client.post("/admin/settlement/claims/1/confirm").status_code == 404
    assert client.get("/agency/claims").status_code == 200
    as_user(client, people["parent"])
    assert client.get("/agency/claims").status_code == 404
