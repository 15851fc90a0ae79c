"""Locale choice and translation of domain messages."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, session
from flask_babel import gettext

from core.errors import DomainError

LOCALE_NAMES = {"ko": "한국어", "en": "English", "kk": "Қазақша"}


def supported_locales() -> tuple[str, ...]:
    return current_app.config["SUPPORTED_LOCALES"]


def select_locale() -> str:
    """The user's saved language, then the session's, then Accept-Language, then Korean."""
    supported = supported_locales()
    from .context import api_user, web_actor  # late: context imports the accounts models

    if request.path.startswith("/api/"):
        user = api_user()
        if user is not None and user.locale in supported:
            return user.locale
    elif web_actor() is not None:
        from flask_login import current_user

        if current_user.locale in supported:
            return current_user.locale
    chosen = session.get("locale") if not request.path.startswith("/api/") else None
    if chosen in supported:
        return chosen
    return (
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def translate(message: str, params: dict[str, Any] | None = None) -> str:
    """Translate an ``N_()`` message and fill its placeholders."""
    text = gettext(message)
    if params:
        return text % params
    return text


def error_body(error: DomainError) -> dict[str, Any]:
    return {
        "error": {
            "code": error.code,
            "message": translate(error.message, error.params),
            "fields": {name: translate(text, error.params) for name, text in error.fields.items()},
        }
    }
