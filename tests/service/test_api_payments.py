"""/api/v1 payments, arrears, the bank's and Stripe's notices, settlement: the journey through
the API, signatures, idempotency and the denials."""

from __future__ import annotations

import json
import time
from datetime import datetime

import stripe

from core.clock import SEOUL
from service.accounts.models import User
from tests.booking.conftest import caregiver
from tests.factories import AdminFactory, ChildFactory, HouseholdFactory, StaffFactory, parent_of
from tests.helpers import agency, bearer, error_code
from vouchers.ledger import Account, balance
from vouchers.payment_events import ProcessorEvent

BODY = {
    "service": "basic",
    "start": "2026-03-03T09:00:00+09:00",
    "end": "2026-03-03T11:00:00+09:00",
}


def booked_and_confirmed(client, session):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    child = ChildFactory(household=household)
    carer = caregiver(user=True)
    session.commit()
    parent = bearer(client, session.get(User, parent_of(household).user_id))
    made = client.post(
        "/api/v1/bookings",
        json={**BODY, "child_ids": [child.id]},
        headers={**parent, "Idempotency-Key": "req-00000001"},
    ).json
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    client.post(
        f"/api/v1/bookings/{made['id']}/assignment",
        json={"caregiver_id": carer.id, "reason": ""},
        headers=staff,
    )
    confirmed = client.post(f"/api/v1/bookings/{made['id']}/confirmation", headers=staff)
    assert confirmed.status_code == 200, confirmed.json
    return household, parent, made, carer


def deposit(client, app, body: dict, secret: str | None = None):
    raw = json.dumps(body).encode()
    accounts = app.extensions["dolbom.payments"].virtual_accounts
    signature = accounts.sign(raw) if secret is None else secret
    return client.post(
        "/api/v1/webhooks/bank-deposits",
        data=raw,
        headers={"Content-Type": "application/json", "X-Bank-Signature": signature},
    )


def test_confirmation_issues_a_virtual_account_the_bank_pays_it(client, session, app):
    _household, parent, made, _ = booked_and_confirmed(client, session)
    (payment,) = client.get("/api/v1/payments", headers=parent).json
    assert (payment["booking_id"], payment["method"], payment["state"]) == (
        made["id"],
        "virtual_account",
        "awaiting_deposit",
    )
    assert payment["amount"] == 25580 and payment["due_at"].startswith("2026-03-02T15:00")
    notice = {
        "bank_reference": "NH-20260302-1",
        "account_number": payment["account_number"],
        "amount": 25580,
        "depositor": "김민지",
    }
    assert deposit(client, app, notice, secret="forged").status_code == 403
    first = deposit(client, app, notice)
    assert first.status_code == 200 and first.json["payment_id"] == payment["id"]
    assert deposit(client, app, notice).status_code == 200  # repeated: recorded once
    assert balance(session, Account.VIRTUAL_ACCOUNT_CLEARING) == 25580
    assert client.get("/api/v1/payments", headers=parent).json[0]["state"] == "paid"
    bad = deposit(client, app, {**notice, "bank_reference": "NH-2", "amount": "lots"})
    assert bad.status_code == 422 and "amount" in bad.json["error"]["fields"]


def test_arrears_are_shown_and_a_virtual_account_opens_for_them(client, session, clock):
    household, parent, made, carer = booked_and_confirmed(client, session)
    assert client.get("/api/v1/arrears", headers=parent).json["amount"] == 0
    assert client.post("/api/v1/arrears/virtual-account", headers=parent).status_code == 404
    clock.instant = datetime(2026, 3, 3, 9, 20, tzinfo=SEOUL)
    carer_headers = bearer(client, session.get(User, carer.user_id))
    assert (
        client.post(f"/api/v1/bookings/{made['id']}/no-show", headers=carer_headers).status_code
        == 200
    )
    parent = bearer(client, session.get(User, parent_of(household).user_id))
    owed = client.get("/api/v1/arrears", headers=parent).json
    assert (owed["amount"], owed["suspended"], owed["limit"]) == (25580, False, 300000)
    account = client.post("/api/v1/arrears/virtual-account", headers=parent).json
    assert (account["purpose"], account["amount"]) == ("arrears", 25580)


def test_only_parents_have_payments_and_only_admins_settle(client, session):
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    assert client.get("/api/v1/payments", headers=staff).status_code == 404
    assert client.get("/api/v1/arrears").status_code == 401
    parent = bearer(client, session.get(User, parent_of(HouseholdFactory()).user_id))
    for path in ("/api/v1/settlement/lock", "/api/v1/settlement/claims"):
        assert client.post(path, json={"month": "2026-02"}, headers=parent).status_code == 404
        assert client.post(path, json={"month": "2026-02"}, headers=staff).status_code == 404
    assert client.get("/api/v1/claims", headers=parent).status_code == 404
    assert (
        client.post(
            "/api/v1/payments/1/refunds", json={"amount": 1, "reason": "x"}, headers=parent
        ).status_code
        == 404
    )


def test_settlement_through_the_api(client, session, clock):
    _household, parent, made, carer = booked_and_confirmed(client, session)
    (_payment,) = client.get("/api/v1/payments", headers=parent).json
    clock.instant = datetime(2026, 3, 3, 9, tzinfo=SEOUL)
    carer_headers = bearer(client, session.get(User, carer.user_id))
    client.post(f"/api/v1/bookings/{made['id']}/check-in", headers=carer_headers)
    client.post(f"/api/v1/bookings/{made['id']}/check-out", headers=carer_headers)
    clock.instant = datetime(2026, 4, 1, 9, tzinfo=SEOUL)
    admin = bearer(client, AdminFactory())
    early = client.post("/api/v1/settlement/lock", json={"month": "2026-04"}, headers=admin)
    assert early.status_code == 409 and error_code(early) == "month_not_over"
    assert (
        client.post("/api/v1/settlement/lock", json={"month": "2026-13"}, headers=admin).status_code
        == 422
    )
    locked = client.post("/api/v1/settlement/lock", json={"month": "2026-03"}, headers=admin)
    assert locked.json == {"month": "2026-03", "items": 1, "corrections": 0}
    built = client.post("/api/v1/settlement/claims", json={"month": "2026-03"}, headers=admin)
    assert built.json["claims"] == 1
    (claim,) = client.get("/api/v1/claims", headers=admin).json
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    detail = client.get(f"/api/v1/claims/{claim['id']}", headers=staff).json
    assert [line["booking_id"] for line in detail["items"]] == [made["id"]]
    assert detail["total"] == sum(line["total"] for line in detail["items"]) == 25580
    other = bearer(client, StaffFactory(agency_id=agency("AG001").id))
    assert client.get(f"/api/v1/claims/{claim['id']}", headers=other).status_code == 404
    assert (
        client.post(f"/api/v1/claims/{claim['id']}/confirmation", headers=staff).status_code == 404
    )
    confirmed = client.post(f"/api/v1/claims/{claim['id']}/confirmation", headers=admin)
    assert confirmed.json["state"] == "confirmed"
    paid = client.post(f"/api/v1/claims/{claim['id']}/payment", headers=admin)
    assert paid.json["state"] == "paid" and paid.json["payable"] == 25580
    again = client.post(f"/api/v1/claims/{claim['id']}/payment", headers=admin)
    assert again.status_code == 409


def test_stripe_webhooks_are_verified_and_recorded_once(client, session, app):
    app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_test"
    try:
        event = {
            "id": "evt_1",
            "type": "payment_intent.succeeded",
            "data": {"object": {"id": "pi_1", "metadata": {}}},
        }
        payload = json.dumps(event)
        stamp = int(time.time())
        signed = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", "whsec_test")
        headers = {"Stripe-Signature": f"t={stamp},v1={signed}", "Content-Type": "application/json"}
        forged = client.post(
            "/api/v1/webhooks/stripe",
            data=payload,
            headers={**headers, "Stripe-Signature": f"t={stamp},v1=00"},
        )
        assert forged.status_code == 422 and error_code(forged) == "bad_signature"
        first = client.post("/api/v1/webhooks/stripe", data=payload, headers=headers)
        assert first.json == {"received": True, "duplicate": False}
        second = client.post("/api/v1/webhooks/stripe", data=payload, headers=headers)
        assert second.json == {"received": True, "duplicate": True}
        assert session.query(ProcessorEvent).filter_by(event_id="evt_1").count() == 1
    finally:
        app.config["STRIPE_WEBHOOK_SECRET"] = ""


def test_card_registration_denials_and_the_virtual_account_only_backend(client, session):
    household = HouseholdFactory(district_code="11680")
    session.commit()
    body = {"payment_method": "pm_card_visa", "holder_name": "김민지"}
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    assert client.put("/api/v1/payment-card", json=body, headers=staff).status_code == 404
    parent = bearer(client, session.get(User, parent_of(household).user_id))
    refused = client.put("/api/v1/payment-card", json=body, headers=parent)
    assert refused.status_code == 409 and error_code(refused) == "cards_unavailable"
    missing = client.put("/api/v1/payment-card", json={"holder_name": "김민지"}, headers=parent)
    assert missing.status_code == 422 and "payment_method" in missing.json["error"]["fields"]


def test_refunds_only_by_the_bookings_agency_and_only_of_card_charges(client, session, clock):
    from vouchers.payments import Payment

    household, _, made, carer = booked_and_confirmed(client, session)
    clock.instant = datetime(2026, 3, 3, 9, 20, tzinfo=SEOUL)
    carer_headers = bearer(client, session.get(User, carer.user_id))
    assert (
        client.post(f"/api/v1/bookings/{made['id']}/no-show", headers=carer_headers).status_code
        == 200
    )
    payment = session.query(Payment).filter_by(household_id=household.id).one()
    path = f"/api/v1/payments/{payment.id}/refunds"
    other = bearer(client, StaffFactory(agency_id=agency("AG001").id))
    assert client.post(path, json={"amount": 100, "reason": "x"}, headers=other).status_code == 404
    staff = bearer(client, StaffFactory(agency_id=agency("AG035").id))
    assert client.post(path, json={"amount": 0, "reason": "x"}, headers=staff).status_code == 422
    refused = client.post(path, json={"amount": 100, "reason": "x"}, headers=staff)
    assert refused.status_code == 409 and error_code(refused) == "not_refundable"  # no card
