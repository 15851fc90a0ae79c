"""Shared schema pieces: the error body, pagination, and messages a translator can translate."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from core.i18n import N_

# marshmallow's own messages, listed so that Babel extracts them and they reach users translated
MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Not a valid integer."),
    N_("Not a valid string."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid number."),
    N_("Not a valid list."),
    N_("Not a valid email address."),
    N_("Invalid input type."),
    N_("Invalid value."),
    N_("Shorter than minimum length 1."),
)
CHOOSE_FROM_LIST = N_("Choose a value from the list.")
OUT_OF_RANGE = N_("This number is out of range.")
TOO_LONG = N_("This text is too long.")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def text(max_length: int, *, required: bool = True, **kwargs) -> fields.String:
    return fields.String(
        required=required, validate=validate.Length(max=max_length, error=TOO_LONG), **kwargs
    )


def choice(values: tuple[str, ...] | list[str], **kwargs) -> fields.String:
    return fields.String(validate=validate.OneOf(values, error=CHOOSE_FROM_LIST), **kwargs)


def bounded_int(low: int, high: int, **kwargs) -> fields.Integer:
    return fields.Integer(
        strict=False, validate=validate.Range(min=low, max=high, error=OUT_OF_RANGE), **kwargs
    )


class ErrorDetail(Schema):
    code = fields.String(metadata={"description": "Stable machine-readable error code"})
    message = fields.String(metadata={"description": "Message in the request's language"})
    fields = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "Field errors"}
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetail)


class PageArgs(StrictSchema):
    page = bounded_int(1, 100_000, load_default=1)
    per_page = bounded_int(1, 100, load_default=25)


class PageMeta(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
