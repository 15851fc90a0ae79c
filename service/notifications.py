"""Delivering the notification outbox: in-app always; e-mail and SMS copies where consented.

The worker (``flask deliver-notifications``) renders each notice in its recipient's language and
hands it to the configured transport. The ``log`` transport (the default, for development and the
first run) writes the messages to the application log; a production deployment plugs in its mail
and SMS gateways through the same two-method interface.
"""

from __future__ import annotations

import logging
from typing import Protocol

from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session

from core.clock import Clock
from core.outbox import Notification, pending_delivery

from .accounts.models import User
from .support import notification_text

log = logging.getLogger("dolbom.notifications")


class Transport(Protocol):
    def send_email(self, to: str, text: str) -> None: ...

    def send_sms(self, to: str, text: str) -> None: ...


class LogTransport:
    def send_email(self, to: str, text: str) -> None:
        log.info("e-mail to %s: %s", to, text)

    def send_sms(self, to: str, text: str) -> None:
        log.info("SMS to %s: %s", to, text)


def deliver_pending(session: Session, transport: Transport, *, clock: Clock) -> int:
    """Send every undelivered notice once; returns how many were handled."""
    notices = pending_delivery(session)
    for notice in notices:
        user = session.get(User, notice.user_id)
        if user is not None and (user.notify_by_email or (user.notify_by_sms and user.phone)):
            with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                text = notification_text(notice)
            if user.notify_by_email:
                transport.send_email(user.email, text)
            if user.notify_by_sms and user.phone:
                transport.send_sms(user.phone, text)
        notice.delivered_at = clock.now()
    session.flush()
    return len(notices)


def unread_count(session: Session, user_id: int) -> int:
    from sqlalchemy import func, select

    return (
        session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
