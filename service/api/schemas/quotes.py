"""The public quote: POST /api/v1/quotes (the contract of issue 3)."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from core.i18n import N_
from vouchers.cost_split import ChildFacts, QuoteRequest, SickRate, check_services
from vouchers.tariffs import Attendance, Group, Service, Tier

from .common import CHOOSE_FROM_LIST, StrictSchema, choice

NOT_AWARE = N_("Give the time with its UTC offset, e.g. 2026-03-03T09:00:00+09:00.")
HALF_HOURS = N_("Give the hours in steps of half an hour.")


class ServiceField(fields.String):
    """One service code; a combination such as "comprehensive+sick" is refused by R-SVC-3."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Service:
        text = super()._deserialize(value, attr, data, **kwargs)
        if text in SERVICES:
            return SERVICES[text]
        codes = [code.strip() for code in text.split("+")]
        if any(code not in SERVICES for code in codes):
            raise ValidationError(CHOOSE_FROM_LIST)
        check_services(SERVICES[code] for code in codes)  # raises comprehensive_with_sick
        if len(set(codes)) > 1:
            raise ValidationError(N_("Choose one service per booking."))
        return SERVICES[codes[0]]


SERVICES = {service.value: service for service in Service}


def code_of(enum: type[Enum], **kwargs: Any) -> fields.Enum:
    """One code of ``enum`` by its value, refused with the message a translator translated."""
    return fields.Enum(enum, by_value=True, error_messages={"unknown": CHOOSE_FROM_LIST}, **kwargs)


def in_half_hours(value: Decimal) -> None:
    if (value * 2) % 1:
        raise ValidationError(HALF_HOURS)


class QuoteChildIn(StrictSchema):
    birth_date = fields.Date(required=True)
    korean_national = fields.Boolean(load_default=True)
    attendance = code_of(Attendance, load_default=Attendance.NONE)
    closure = fields.Boolean(load_default=False)


def child_facts(child: dict[str, Any]) -> ChildFacts:
    return ChildFacts(
        birth_date=child["birth_date"],
        supported=child["korean_national"],
        attendance=child["attendance"],
        closure=child["closure"],
    )


class QuoteIn(StrictSchema):
    service = ServiceField(required=True, metadata={"enum": [s.value for s in Service]})
    start = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    end = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    children = fields.List(fields.Nested(QuoteChildIn), required=True)
    tier = code_of(Tier, required=True)
    groups = fields.List(code_of(Group), load_default=list)
    sick_rate = code_of(SickRate, load_default=SickRate.FLAT)
    hours_used = fields.Decimal(
        load_default=Decimal(0),
        validate=[
            validate.Range(min=0, max=10_000, error=N_("This number is out of range.")),
            in_half_hours,
        ],
        metadata={"description": "supported hours already used this year (R-SUP-10)"},
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> QuoteRequest:
        return QuoteRequest(
            service=data["service"],
            start=data["start"],
            end=data["end"],
            children=tuple(child_facts(child) for child in data["children"]),
            tier=data["tier"],
            groups=frozenset(data["groups"]),
            sick_rate=data["sick_rate"],
            minutes_used=int(data["hours_used"] * 60),
        )


class QuoteLineOut(Schema):
    child = fields.Integer()
    start = fields.DateTime()
    end = fields.DateTime()
    band = fields.String(metadata={"description": "day | surcharged (R-FEE-2)"})
    units = fields.Integer(metadata={"description": "30-minute units"})
    fee = fields.Integer()
    government = fields.Integer()
    parent = fields.Integer()
    supported = fields.Boolean()

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return getattr(obj, attr, default)  # always a QuoteLine: no keys, no dotted paths


class QuoteOut(Schema):
    total = fields.Integer()
    government = fields.Integer()
    parent = fields.Integer()
    currency = fields.Constant("KRW")
    tariff_year = fields.Integer()
    supported_minutes = fields.Integer()
    unsupported_minutes = fields.Integer()
    lines = fields.List(fields.Nested(QuoteLineOut))
    explanation = fields.List(fields.String())

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return obj.get(attr, default)  # always the dict of ``quote_for``


class HouseholdQuoteIn(StrictSchema):
    """A logged-in parent's quote: children by id; tier, groups and hours used from the records."""

    service = ServiceField(required=True, metadata={"enum": [s.value for s in Service]})
    start = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    end = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    child_ids = fields.List(fields.Integer(), required=True)
    closure = fields.Boolean(
        load_default=False, metadata={"description": "R-SUP-11: a recorded closure"}
    )
    sick_rate = choice([r.value for r in SickRate], load_default=SickRate.FLAT.value)
