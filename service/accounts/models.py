"""User accounts and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.actors import Actor, Role
from core.db import Base


class Account(Protocol):
    """What makes an actor of an account: a ``User``, or a token's holder read as columns."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def agency_id(self) -> int | None: ...
    @property
    def district_code(self) -> str | None: ...


def actor_of(account: Account) -> Actor:
    return Actor(
        user_id=account.id,
        role=Role(account.role),
        agency_id=account.agency_id,
        district_code=account.district_code,
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str | None] = mapped_column(String(10))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # consent to receive notifications outside the site (in-app notices are always kept)
    phone: Mapped[str | None] = mapped_column(String(20))
    notify_by_email: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    notify_by_sms: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        CheckConstraint(
            "role IN ('parent', 'caregiver', 'agency_staff', 'officer', 'admin')", name="role_known"
        ),
        CheckConstraint(
            "(role IN ('agency_staff', 'caregiver')) = (agency_id IS NOT NULL)",
            name="agency_binding",
        ),
        CheckConstraint(
            "(role = 'officer') = (district_code IS NOT NULL)", name="district_binding"
        ),
    )

    # Flask-Login's user protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def actor(self) -> Actor:
        return actor_of(self)


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
