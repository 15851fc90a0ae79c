"""Quotes at the edge: the tariffs chosen by configuration, explanations in the user's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import get_locale, get_translations

from vouchers.cost_split import Explanation, QuoteRequest, quote
from vouchers.tariffs import TariffBook

from .labels import CODE_LABELS

MONEY_PARAMS = frozenset({"fee"})
QUOTE_FIELDS = (
    "total",
    "government",
    "parent",
    "tariff_year",
    "supported_minutes",
    "unsupported_minutes",
    "lines",
)


def tariff_book() -> TariffBook:
    return current_app.extensions["dolbom.tariffs"]


def explain(notes: Iterable[Explanation]) -> list[str]:
    """Explanation sentences in the current language, with codes (tiers, services) named."""
    # Flask-Babel looks the catalogue and locale up on every call: do it once per quote
    gettext, locale = get_translations().gettext, get_locale()
    sentences = []
    for note in notes:
        params: dict[str, Any] = {}
        for key, value in note.params.items():
            if key in MONEY_PARAMS:
                params[key] = format_decimal(value, locale=locale)
            elif isinstance(value, str) and value in CODE_LABELS.get(key, {}):
                params[key] = gettext(CODE_LABELS[key].untranslated(value))
            else:
                params[key] = value
        text = gettext(note.message)
        sentences.append(text % params if params else text)
    return sentences


def quote_for(request: QuoteRequest) -> dict[str, Any]:
    """The quote as the API and the calculator show it: lines as they are, sentences translated."""
    result = quote(request, tariff_book())
    body: dict[str, Any] = {name: getattr(result, name) for name in QUOTE_FIELDS}
    body["explanation"] = explain(result.explanation)
    return body
