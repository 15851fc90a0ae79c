"""JSON for every response and request body, through orjson.

Flask's own provider goes through the standard library: a quote's answer (Korean explanations
escaped to ASCII, keys sorted) took 20 µs to encode; orjson takes under 1 µs and sends the
text as UTF-8.
"""

from __future__ import annotations

import decimal
from datetime import date
from typing import Any

import orjson
from flask import Flask, Response
from flask.json.provider import JSONProvider
from werkzeug.http import http_date

# int keys as Flask allows them; dates through _default, as Flask writes them
OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value: Any) -> Any:
    """What orjson does not know, or writes differently, as Flask's own provider writes it."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, date):  # and datetime: an HTTP date, as Flask does
        return http_date(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class OrjsonProvider(JSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, default=_default, option=OPTIONS).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = orjson.dumps(
            self._prepare_response_obj(args, kwargs),
            default=_default,
            option=OPTIONS | orjson.OPT_APPEND_NEWLINE,
        )
        return self._app.response_class(body, mimetype="application/json")


def configure_json(app: Flask) -> None:
    app.json = OrjsonProvider(app)
