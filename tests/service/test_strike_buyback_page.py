"""R-CAN-3 on the booking page: a late cancellation can be paid off by paying the fee again."""

from __future__ import annotations

from datetime import timedelta

from booking.requests import cancel_booking, request_booking
from service.accounts.models import User
from tests.booking import conftest as booking_fixtures
from tests.booking.conftest import TUESDAY_9, draft
from tests.factories import ParentFactory, parent_of
from tests.helpers import web_login
from vouchers.ledger import Account, balance

family = booking_fixtures.family  # the Gangnam family and the real pricing of the booking tests
pricing = booking_fixtures.pricing


def test_a_parent_pays_off_a_late_cancellation(client, session, clock, family, pricing):
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    clock.instant = TUESDAY_9 - timedelta(hours=3)
    cancel_booking(
        session, parent_of(family), booking, reason="", waived=False, pricing=pricing, clock=clock
    )
    session.commit()
    web_login(client, session.get(User, family.applicant_user_id))
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "Pay the fee again to remove the strike" in page
    done = client.post(f"/bookings/{booking.id}/strike-buyback", follow_redirects=True)
    assert 'data-testid="strike-removed"' in done.get_data(as_text=True)
    assert booking.strike_bought_back
    # the fee (posted when the cancellation committed) and the second fee
    assert balance(session, Account.PARENT_RECEIVABLE, family.id) == 2 * 12790


def test_another_family_cannot_pay_off_a_strike(client, session, clock, family, pricing):
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    session.commit()
    web_login(client, ParentFactory())
    assert client.post(f"/bookings/{booking.id}/strike-buyback").status_code == 404
    assert not booking.strike_bought_back
