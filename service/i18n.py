"""Locale choice and translation of domain messages."""

from __future__ import annotations

import functools
from typing import Any

from babel import Locale
from flask import current_app, request, session
from flask_babel import gettext
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from core.errors import DomainError

from .context import api_caller, web_actor

LOCALE_NAMES = {"ko": "한국어", "en": "English", "kk": "Қазақша"}


def supported_locales() -> tuple[str, ...]:
    return current_app.config["SUPPORTED_LOCALES"]


def selected_locale() -> Locale:
    """The locale for Flask-Babel: parsed once per language, not on every request."""
    return _parsed(select_locale())


@functools.cache
def _parsed(identifier: str) -> Locale:
    return Locale.parse(identifier)


def select_locale() -> str:
    """The user's saved language, then the session's, then Accept-Language, then Korean."""
    supported = supported_locales()
    if request.path.startswith("/api/"):  # the API never reads the session cookie
        caller = api_caller()
        if caller is not None and caller.locale in supported:
            return caller.locale
    else:
        if web_actor() is not None and current_user.locale in supported:
            return current_user.locale
        if session.get("locale") in supported:
            return session["locale"]
    header = request.headers.get("Accept-Language", "")
    return _best_match(header, tuple(supported)) or current_app.config["BABEL_DEFAULT_LOCALE"]


@functools.lru_cache(maxsize=256)
def _best_match(header: str, supported: tuple[str, ...]) -> str | None:
    """Accept-Language against our languages; cached, as browsers send a few headers over and
    over and werkzeug's parse is a third of choosing the language."""
    return parse_accept_header(header, LanguageAccept).best_match(supported)


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
