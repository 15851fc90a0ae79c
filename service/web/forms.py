"""HTML form posts validated by the same marshmallow schemas as the API (DESIGN rule 6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict

from core.errors import DomainError, NotFound

from ..errors import flatten_messages
from ..extensions import db
from ..i18n import translate


def form_payload(schema: Schema, form: MultiDict[str, str], prefix: str = "") -> dict[str, Any]:
    """Turn flat form fields (``applicant.name``, repeated ``skills``) into the schema's shape.

    Empty inputs are left out so that defaults apply; an optional nested block whose inputs are
    all empty becomes ``None``. A checkbox comes with a hidden "0" before it: the last value wins.
    """
    payload: dict[str, Any] = {}
    for name, field in schema.fields.items():
        key = f"{prefix}{name}"
        if isinstance(field, fields.Nested) and not field.many:
            nested = form_payload(field.schema, form, f"{key}.")
            if nested or field.required:
                payload[name] = nested
            elif field.allow_none:
                payload[name] = None
        elif isinstance(field, fields.List):
            values = [v for v in form.getlist(key) if v != ""]
            if values or key in form or f"{key}-present" in form:
                payload[name] = values
        elif isinstance(field, fields.Boolean):
            values = form.getlist(key)
            if values:
                payload[name] = values[-1]
        else:
            value = form.get(key, "")
            if value.strip() != "":
                payload[name] = value
    return payload


def load_form(schema: Schema) -> tuple[Any, dict[str, str]]:
    try:
        return schema.load(form_payload(schema, request.form)), {}
    except ValidationError as error:
        return None, {
            name: translate(text) for name, text in flatten_messages(error.messages).items()
        }


def domain_errors(error: DomainError) -> dict[str, str]:
    """A domain error as form errors; its general message is flashed."""
    if not error.fields:
        flash(translate(error.message, error.params), "error")
    return {name: translate(text, error.params) for name, text in error.fields.items()}


def run(action: Callable[[], Any], done: str) -> dict[str, str]:
    """One domain call, then commit and say so; a domain error rolls back and becomes form
    errors. Rows the actor may not see stay a 404."""
    try:
        action()
        db.session.commit()
    except NotFound:
        raise
    except DomainError as error:
        db.session.rollback()
        return domain_errors(error)
    flash(done, "success")
    return {}


def flash_errors(errors: dict[str, str]) -> None:
    for text in errors.values():
        flash(text, "error")


def load_args(schema: Schema, source, *, strict: bool = False) -> dict[str, Any] | None:
    """Query or form arguments through a schema; bad arguments fall back to the defaults
    (``strict``: give None instead)."""
    try:
        return schema.load(form_payload(schema, source))
    except ValidationError:
        return None if strict else schema.load({})
