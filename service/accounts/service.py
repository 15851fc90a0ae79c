"""Account commands: sign-up, authentication, password and language changes, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy.orm import Session

from core.actors import Actor, Role
from core.clock import Clock
from core.db import read_rows
from core.errors import Conflict, ValidationFailed
from core.i18n import N_

from .models import ApiToken, User, actor_of
from .passwords import DUMMY_HASH, MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    display_name: str
    locale: str | None = None


@dataclass(frozen=True)
class NotificationSettings:
    notify_by_email: bool
    notify_by_sms: bool
    phone: str = ""


@dataclass(frozen=True)
class PasswordChange:
    current_password: str
    new_password: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            fields={field: N_("Use at least 10 characters.")}, code="weak_password"
        )


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    display_name: str,
    role: Role,
    clock: Clock,
    locale: str | None = None,
    agency_id: int | None = None,
    district_code: str | None = None,
) -> User:
    check_password_strength(password)
    if (role in (Role.AGENCY_STAFF, Role.CAREGIVER)) != (agency_id is not None):
        raise ValidationFailed(
            fields={"agency_id": N_("Agency staff and caregivers belong to one agency.")}
        )
    if (role is Role.OFFICER) != (district_code is not None):
        raise ValidationFailed(fields={"district_code": N_("Officers belong to one district.")})
    if find_user_by_email(session, email) is not None:
        raise Conflict(
            N_("An account with this e-mail address already exists."),
            code="email_taken",
            fields={"email": N_("An account with this e-mail address already exists.")},
        )
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        role=role.value,
        locale=locale,
        agency_id=agency_id,
        district_code=district_code,
        active=True,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def sign_up_parent(session: Session, form: SignUp, *, clock: Clock) -> User:
    if not form.display_name.strip():
        raise ValidationFailed(fields={"display_name": N_("Enter your name.")})
    return create_user(
        session,
        email=form.email,
        password=form.password,
        display_name=form.display_name,
        role=Role.PARENT,
        locale=form.locale,
        clock=clock,
    )


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def change_password(session: Session, user: User, change: PasswordChange) -> None:
    if not verify_password(user.password_hash, change.current_password):
        raise ValidationFailed(
            fields={"current_password": N_("The current password is not correct.")},
            code="wrong_password",
        )
    check_password_strength(change.new_password, "new_password")
    user.password_hash = hash_password(change.new_password)
    session.flush()


def set_locale(session: Session, user: User, locale: str, supported: tuple[str, ...]) -> None:
    if locale not in supported:
        raise ValidationFailed(fields={"locale": N_("Choose a language from the list.")})
    user.locale = locale
    session.flush()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, user: User, *, clock: Clock, lifetime: timedelta
) -> tuple[str, ApiToken]:
    now = clock.now()
    # expired tokens of this user are of no use to anyone: clear them as new ones are issued
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= now))
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, digest=_digest(token), created_at=now, expires_at=now + lifetime
    )
    session.add(row)
    session.flush()
    return token, row


class TokenHolder(NamedTuple):
    """The active user behind a token, as much of them as a request needs: every API call asks,
    so it is read as plain columns (a whole ``User`` record doubled the cost of the lookup)."""

    id: int
    role: str
    agency_id: int | None
    district_code: str | None
    locale: str | None

    @property
    def actor(self) -> Actor:
        return actor_of(self)


def token_holder(session: Session, token: str, *, clock: Clock) -> TokenHolder | None:
    """The active user behind an unexpired token, in one query."""
    row = read_rows(
        session, _token_holder_statement(), {"digest": _digest(token), "now": clock.now()}
    ).first()
    return None if row is None else TokenHolder(*row)


@cache  # built once: composing it anew on every API call cost as much as running it
def _token_holder_statement() -> Select[tuple[int, str, int | None, str | None, str | None]]:
    return (
        select(User.id, User.role, User.agency_id, User.district_code, User.locale)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.digest == bindparam("digest"),
            ApiToken.expires_at > bindparam("now"),
            User.active,
        )
    )


def update_notification_settings(
    session: Session, user: User, settings: NotificationSettings
) -> None:
    phone = settings.phone.strip()
    if settings.notify_by_sms and not phone:
        raise ValidationFailed(fields={"phone": N_("Enter a mobile number to receive SMS.")})
    user.notify_by_email = settings.notify_by_email
    user.notify_by_sms = settings.notify_by_sms
    user.phone = phone or None
    session.flush()
