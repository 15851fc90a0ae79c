"""Error mapping: domain errors and HTTP errors become JSON under /api and pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.errors import DomainError

from .extensions import db
from .i18n import error_body

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "server_error",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, str]:
    """Marshmallow/webargs nested error messages → {"children.0.birth_date": "first message"}."""
    if isinstance(messages, str):
        return {prefix or "_schema": messages}
    if isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_schema": messages[0]} if messages else {}
        flat: dict[str, str] = {}
        for item in messages:
            flat.update(flatten_messages(item, prefix))
        return flat
    flat = {}
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        flat.update(flatten_messages(value, name))
    return flat


def webargs_fields(error: HTTPException) -> dict[str, str]:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or {}
    # webargs keys messages by location ("json", "query", "form"); the field names are what matter
    merged: dict[str, Any] = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            merged.update(location_messages)
    return {name: gettext(text) for name, text in flatten_messages(merged).items()}


def handle_domain_error(error: DomainError):
    db.session.rollback()
    if _wants_json():
        return jsonify(error_body(error)), error.status
    if error.status == 401:
        from flask import current_app

        return current_app.login_manager.unauthorized()
    return render_template("error.html", status=error.status, error=error), error.status


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if _wants_json():
        fields = webargs_fields(error) if status == 422 else {}
        message = (
            gettext("Some of the information given is not valid.") if fields else error.description
        )
        body = {
            "error": {
                "code": HTTP_CODES.get(status, "http_error"),
                "message": message,
                "fields": fields,
            }
        }
        response = jsonify(body)
        response.status_code = status
        # keep headers such as Allow (405) and Retry-After (429)
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    return render_template("error.html", status=status, error=None), status


def handle_csrf_error(error: CSRFError):
    if _wants_json():
        return handle_http_exception(error)
    return render_template("error.html", status=400, error=None, csrf=True), 400


def handle_unexpected(error: Exception):
    log.exception("unhandled error", exc_info=error)
    db.session.rollback()
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
