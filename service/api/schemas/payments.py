"""Payments, arrears, deposit notices, claims and their lines."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import OUT_OF_RANGE, StrictSchema, text

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="Use the form YYYY-MM.")


class PaymentOut(Schema):
    id = fields.Integer()
    booking_id = fields.Integer(allow_none=True)
    series_id = fields.Integer(allow_none=True)
    purpose = fields.String()
    method = fields.String()
    state = fields.String()
    amount = fields.Integer()
    captured = fields.Integer()
    refunded = fields.Integer()
    deposited = fields.Integer()
    currency = fields.Constant("KRW")
    account_bank = fields.String()
    account_number = fields.String()
    due_at = fields.DateTime(allow_none=True)
    authorise_from = fields.DateTime(allow_none=True)
    failure = fields.String()


class CardIn(StrictSchema):
    payment_method = text(60)
    holder_name = text(100)


class CardOut(Schema):
    brand = fields.String()
    last4 = fields.String()
    holder_name = fields.String()
    registered_at = fields.DateTime()


class ArrearsOut(Schema):
    amount = fields.Integer()
    since = fields.Date(allow_none=True)
    suspended = fields.Boolean()
    limit = fields.Integer(metadata={"description": "R-PAY-2: booking stops above this amount"})
    days = fields.Integer(metadata={"description": "R-PAY-2: or when owed longer than this"})
    currency = fields.Constant("KRW")


class DepositNoticeIn(StrictSchema):
    bank_reference = text(60)
    account_number = text(20)
    amount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=100_000_000, error=OUT_OF_RANGE),
    )
    depositor = text(100, required=False, load_default="")


class DepositOut(Schema):
    bank_reference = fields.String()
    payment_id = fields.Integer(allow_none=True)
    amount = fields.Integer()


class RefundIn(StrictSchema):
    amount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=1, max=100_000_000, error=OUT_OF_RANGE),
    )
    reason = text(300)


class MonthIn(StrictSchema):
    month = fields.String(required=True, validate=MONTH)


class LockOut(Schema):
    month = fields.String()
    items = fields.Integer()
    corrections = fields.Integer()


class BuildOut(Schema):
    month = fields.String()
    claims = fields.Integer()
    lines = fields.Integer()
    rejected = fields.Integer()


class ClaimOut(Schema):
    id = fields.Integer()
    month = fields.String()
    agency_id = fields.Integer()
    state = fields.String()
    lines = fields.Integer()
    minutes = fields.Integer()
    total = fields.Integer()
    government = fields.Integer()
    parent = fields.Integer()
    fees = fields.Integer()
    refunds = fields.Integer()
    payable = fields.Integer()
    currency = fields.Constant("KRW")
    built_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)


class ClaimLineOut(Schema):
    id = fields.Integer()
    source = fields.String()
    kind = fields.String()
    service_month = fields.String()
    correction = fields.Function(lambda item: item.service_month != item.month)
    booking_id = fields.Integer(allow_none=True)
    series_id = fields.Integer(allow_none=True)
    caregiver_id = fields.Integer(allow_none=True)
    service = fields.String()
    start = fields.DateTime(attribute="starts_at")
    end = fields.DateTime(attribute="ends_at")
    minutes = fields.Integer()
    children = fields.Integer()
    total = fields.Integer()
    government = fields.Integer()
    claimed_government = fields.Integer()
    parent = fields.Integer()
    fee = fields.Integer()
    refund = fields.Integer()
    reason = fields.String()
    status = fields.String()


class ClaimDetailOut(ClaimOut):
    items = fields.List(fields.Nested(ClaimLineOut))
