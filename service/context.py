"""Per-request context: who is acting, and the clock, handed explicitly to domain calls."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_login import current_user

from core.actors import Actor, Role
from core.clock import Clock
from core.errors import DomainError, NotFound
from core.i18n import N_

from .accounts.service import TokenHolder, token_holder
from .extensions import db

F = TypeVar("F", bound=Callable[..., Any])


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    message = N_("Log in to continue.")


def current_clock() -> Clock:
    return current_app.extensions["dolbom.clock"]


def web_actor() -> Actor | None:
    if current_user.is_authenticated:
        return current_user.actor
    return None


def api_caller() -> TokenHolder | None:
    """Who holds the request's bearer token; the API never accepts session cookies."""
    header = request.headers.get("Authorization")
    if not header:  # the public endpoints' usual caller: nothing to look up or remember
        return None
    if "api_caller" not in g:
        scheme, _, token = header.partition(" ")
        caller = None
        if scheme.lower() == "bearer" and token.strip():
            caller = token_holder(db.session, token.strip(), clock=current_clock())
        g.api_caller = caller
    return g.api_caller


def api_actor(*roles: Role) -> Actor:
    """The API caller, who must hold one of ``roles`` (any role when none is named)."""
    caller = api_caller()
    if caller is None:
        raise NotAuthenticated()
    actor = caller.actor
    if roles and actor.role not in roles:
        raise NotFound()
    return actor


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Web views: log in first, then only these roles; others are told the page does not exist."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if roles and Role(current_user.role) not in roles:
                raise NotFound()
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def require_web_actor() -> Actor:
    actor = web_actor()
    if actor is None:
        raise NotAuthenticated()
    return actor
