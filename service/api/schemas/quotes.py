"""The public quote: POST /api/v1/quotes (the contract of issue 3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

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
        codes = [code.strip() for code in text.split("+")]
        if any(code not in set(Service) for code in codes):
            raise ValidationError(CHOOSE_FROM_LIST)
        check_services(Service(code) for code in codes)  # raises comprehensive_with_sick
        if len(set(codes)) > 1:
            raise ValidationError(N_("Choose one service per booking."))
        return Service(codes[0])


class QuoteChildIn(StrictSchema):
    birth_date = fields.Date(required=True)
    korean_national = fields.Boolean(load_default=True)
    attendance = choice([a.value for a in Attendance], load_default=Attendance.NONE.value)
    closure = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ChildFacts:
        return ChildFacts(
            birth_date=data["birth_date"],
            supported=data["korean_national"],
            attendance=Attendance(data["attendance"]),
            closure=data["closure"],
        )


class QuoteIn(StrictSchema):
    service = ServiceField(required=True, metadata={"enum": [s.value for s in Service]})
    start = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    end = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    children = fields.List(fields.Nested(QuoteChildIn), required=True)
    tier = choice([t.value for t in Tier], required=True)
    groups = fields.List(choice([g.value for g in Group]), load_default=list)
    sick_rate = choice([r.value for r in SickRate], load_default=SickRate.FLAT.value)
    hours_used = fields.Decimal(
        load_default=Decimal(0),
        validate=validate.Range(min=0, max=10_000, error=N_("This number is out of range.")),
        metadata={"description": "supported hours already used this year (R-SUP-10)"},
    )

    @validates("hours_used")
    def half_hours(self, value: Decimal, **_: Any) -> None:
        if (value * 2) % 1:
            raise ValidationError(HALF_HOURS)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> QuoteRequest:
        return QuoteRequest(
            service=data["service"],
            start=data["start"],
            end=data["end"],
            children=tuple(data["children"]),
            tier=Tier(data["tier"]),
            groups=frozenset(Group(g) for g in data["groups"]),
            sick_rate=SickRate(data["sick_rate"]),
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
