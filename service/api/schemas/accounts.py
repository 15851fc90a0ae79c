"""Log-in, tokens and the account itself."""

from __future__ import annotations

from marshmallow import Schema, fields

from .common import StrictSchema, text


class TokenRequest(StrictSchema):
    email = text(254)
    password = text(200)


class UserOut(Schema):
    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role = fields.String()
    locale = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    district_code = fields.String(allow_none=True)


class TokenOut(Schema):
    token = fields.String()
    token_type = fields.Constant("Bearer")
    expires_at = fields.DateTime()
    user = fields.Nested(UserOut)


class SignUpIn(StrictSchema):
    email = fields.Email(required=True)
    password = text(200)
    display_name = text(80)
    locale = fields.String(load_default=None, allow_none=True)


class PasswordChangeIn(StrictSchema):
    current_password = text(200)
    new_password = text(200)


class LocaleIn(StrictSchema):
    locale = text(10)


class NotificationSettingsIn(StrictSchema):
    notify_by_email = fields.Boolean(load_default=False)
    notify_by_sms = fields.Boolean(load_default=False)
    phone = text(20, required=False, load_default="")
