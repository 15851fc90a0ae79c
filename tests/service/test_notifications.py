"""The notification outbox: in-app list, consent, and the delivery worker in the user's language."""

from __future__ import annotations

import logging

from core.i18n import N_
from core.outbox import Notification, notify
from service.notifications import LogTransport, deliver_pending
from tests.factories import ParentFactory
from tests.helpers import web_login

MESSAGE = N_("Your support tier has been decided: %(tier)s, valid until %(until)s.")


def test_the_worker_sends_consented_copies_in_the_users_language(session, clock, caplog):
    quiet = ParentFactory(locale="en")
    emailed = ParentFactory(locale="kk", notify_by_email=True)
    texted = ParentFactory(locale="en", notify_by_sms=True, phone="010-1234-5678")
    for user in (quiet, emailed, texted):
        notify(
            session, user.id, "tier_decided", MESSAGE, clock=clock, tier="ga", until="2026-12-31"
        )
    session.flush()
    with caplog.at_level(logging.INFO, logger="dolbom.notifications"):
        assert deliver_pending(session, LogTransport(), clock=clock) == 3
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert (
        lines[0].startswith(f"e-mail to {emailed.email}: ") and "Your support tier" not in lines[0]
    )
    expected = "Your support tier has been decided: Ga (가형), valid until Dec 31, 2026."
    assert lines[1] == f"SMS to 010-1234-5678: {expected}"
    assert all(n.delivered_at is not None for n in session.query(Notification))
    assert deliver_pending(session, LogTransport(), clock=clock) == 0  # each notice once


def test_in_app_list_consent_and_mark_read(client, session, clock):
    user = ParentFactory()
    notify(
        session,
        user.id,
        "tier_decided",
        MESSAGE,
        clock=clock,
        link="/support",
        tier="na",
        until="2026-12-31",
    )
    session.commit()
    web_login(client, user)
    page = client.get("/notifications").data.decode()
    assert "Your support tier has been decided: Na (나형)" in page and "New" in page
    client.post("/notifications/read")
    assert "New:" not in client.get("/notifications").data.decode()
    refused = client.post("/account/notifications", data={"notify_by_sms": "1", "phone": ""})
    assert refused.status_code == 422 and not user.notify_by_sms
    client.post(
        "/account/notifications",
        data={"notify_by_email": "1", "notify_by_sms": "1", "phone": "010-5555-0000"},
    )
    assert (user.notify_by_email, user.notify_by_sms, user.phone) == (True, True, "010-5555-0000")


def test_notifications_are_private(client, session, clock):
    owner, other = ParentFactory(), ParentFactory()
    notify(session, owner.id, "tier_decided", MESSAGE, clock=clock, tier="ga", until="2026-12-31")
    session.commit()
    web_login(client, other)
    assert "Ga (가형)" not in client.get("/notifications").data.decode()
    assert client.get("/notifications").status_code == 200
