"""The audit trail: who did what, to which record, and when. Append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from .actors import Actor
from .clock import Clock
from .db import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    at: Mapped[datetime]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)


def record(
    session: Session,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: int,
    *,
    clock: Clock,
    **details: Any,
) -> None:
    """Append an event to the trail, written at once on the session's transaction: the trail is
    append-only and nothing reads an event back while the request runs, so it is a plain row,
    not an object for the unit of work."""
    row = event_row(actor, action, subject_type, clock=clock, **details)
    session.connection().execute(_INSERT_EVENT, {**row, "subject_id": subject_id})


def event_row(
    actor: Actor, action: str, subject_type: str, *, clock: Clock, **details: Any
) -> dict[str, Any]:
    """An event as a plain row, but for its subject's id: for a subject written in the same
    statement (``core.db.KeyedRows``)."""
    return {
        "actor_user_id": actor.user_id,
        "actor_role": actor.role.value,
        "action": action,
        "subject_type": subject_type,
        "at": clock.now(),
        "details": details,
    }


_INSERT_EVENT = insert(AuditEvent.__table__)  # built once; every event is the same statement
