"""The notification outbox: domain code enqueues, a worker delivers (in-app, e-mail, SMS).

A notification is written in the same transaction as the change it reports, so it is sent if and
only if that change is committed. ``message`` is an untranslated ``N_()`` string rendered in the
recipient's language when it is shown or delivered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import Clock
from .db import Base


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    # set by the delivery worker once the e-mail / SMS copies (if consented) have gone out
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)


def notify(
    session: Session,
    user_id: int,
    kind: str,
    message: str,
    *,
    clock: Clock,
    link: str = "",
    **params: Any,
) -> Notification:
    notification = Notification(
        user_id=user_id,
        kind=kind,
        message=message,
        params=params,
        link=link,
        created_at=clock.now(),
    )
    session.add(notification)
    return notification


def pending_delivery(session: Session, limit: int = 500) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.delivered_at.is_(None))
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def mark_all_read(session: Session, user_id: int, *, clock: Clock) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
