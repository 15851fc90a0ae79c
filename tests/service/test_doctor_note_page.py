"""The doctor's note for sick-child care, uploaded from the booking page."""

from __future__ import annotations

import io

from booking.requests import request_booking
from service.accounts.models import User
from tests.booking.conftest import draft
from tests.factories import ChildFactory, HouseholdFactory, ParentFactory, parent_of
from tests.helpers import web_login
from vouchers.booking_pricing import TariffPricing
from vouchers.tariffs import default_tariff_book


def test_upload_and_read_the_note_from_the_booking_page(client, session, clock):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=household)
    booking = request_booking(
        session,
        parent_of(household),
        draft(household, service="sick", sick_note="at_visit"),
        pricing=TariffPricing(default_tariff_book()),
        clock=clock,
    )
    session.commit()
    web_login(client, session.get(User, parent_of(household).user_id))
    page = client.get(f"/bookings/{booking.id}").data.decode()
    assert "doctor-note" in page and 'type="file"' in page
    refused = client.post(
        f"/bookings/{booking.id}/doctor-note",
        data={"document": (io.BytesIO(b"not a pdf"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 302 and booking.sick_note_key is None
    pdf = b"%PDF-1.4\n%note\n"
    client.post(
        f"/bookings/{booking.id}/doctor-note",
        data={"document": (io.BytesIO(pdf), "note.pdf")},
        content_type="multipart/form-data",
    )
    session.refresh(booking)
    assert booking.sick_note == "uploaded" and booking.sick_note_filename == "note.pdf"
    assert client.get(f"/bookings/{booking.id}/doctor-note").data == pdf
    client.post("/logout")
    web_login(client, ParentFactory())
    assert client.get(f"/bookings/{booking.id}/doctor-note").status_code == 404
