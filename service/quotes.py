"""Quotes at the edge: the tariffs chosen by configuration, explanations in the user's language."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, get_locale, get_translations

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
    locale = str(get_locale())
    return [_sentence(locale, note.message, tuple(note.params.items())) for note in notes]


@functools.lru_cache(maxsize=4096)
def _sentence(locale: str, message: str, params: tuple[tuple[str, Any], ...]) -> str:
    """One sentence; cached, since most quotes repeat the same few (fees of the year, rates)."""
    with force_locale(locale):
        gettext = get_translations().gettext
    values: dict[str, Any] = {}
    for key, value in params:
        if key in MONEY_PARAMS:
            values[key] = format_decimal(value, locale=locale)
        elif isinstance(value, str) and value in CODE_LABELS.get(key, {}):
            values[key] = gettext(CODE_LABELS[key].untranslated(value))
        else:
            values[key] = value
    text = gettext(message)
    return text % values if values else text


def quote_for(request: QuoteRequest) -> dict[str, Any]:
    """The quote as the API and the calculator show it: lines as they are, sentences translated."""
    result = quote(request, tariff_book())
    body: dict[str, Any] = {name: getattr(result, name) for name in QUOTE_FIELDS}
    body["explanation"] = explain(result.explanation)
    return body
