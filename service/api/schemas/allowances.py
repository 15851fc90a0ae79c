"""The allowances overview (R-ALW-1..5) and the household facts behind it."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate

from booking.allowance_facts import (
    CareArrangement,
    ChildAllowanceFacts,
    HouseholdAllowanceFacts,
    KindergartenKind,
    MoveDetails,
    StayPeriod,
)
from core.i18n import N_
from vouchers.allowances import AbroadStay, ChildCircumstances, DistrictMove

from .common import CHOOSE_FROM_LIST, StrictSchema, choice

MONTH_FORMAT = N_("Give the month as YYYY-MM.")
MONTH = re.compile(r"(\d{4})-(\d{2})")
DISTRICT_CODE = validate.Regexp(r"^\d{5}$", error=CHOOSE_FROM_LIST)


class MonthField(fields.Field):
    """A calendar month as ``YYYY-MM`` (an ``<input type="month">``), loaded as its 1st day."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        match = MONTH.fullmatch(str(value).strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
            raise ValidationError(MONTH_FORMAT)
        return date(int(match[1]), int(match[2]), 1)

    def _serialize(self, value: date | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else f"{value:%Y-%m}"


class MonthArgs(StrictSchema):
    month = MonthField(
        load_default=None, metadata={"description": "YYYY-MM; this month if left out"}
    )


class StayIn(StrictSchema):
    departed_on = fields.Date(required=True)
    returned_on = fields.Date(load_default=None, allow_none=True)


class AllowanceOverviewIn(StrictSchema):
    """Anyone's question: a child's birth date and care arrangement, and the facts that matter."""

    month = MonthField(
        load_default=None, metadata={"description": "YYYY-MM; this month if left out"}
    )
    birth_date = fields.Date(required=True)
    care = choice([c.value for c in CareArrangement], load_default=CareArrangement.HOME.value)
    after_school = fields.Boolean(load_default=False)
    korean_national = fields.Boolean(load_default=True)
    refugee = fields.Boolean(load_default=False)
    disabled = fields.Boolean(load_default=False)
    farming_fishing_area = fields.Boolean(load_default=False)
    child_allowance_applied_on = fields.Date(load_default=None, allow_none=True)
    home_care_applied_on = fields.Date(load_default=None, allow_none=True)
    stays_abroad = fields.List(fields.Nested(StayIn), load_default=list)
    moved_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "R-ALW-4: the day the family moves to another district"},
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        moves = (DistrictMove(data["moved_on"]),) if data["moved_on"] else ()
        child = ChildCircumstances(
            birth_date=data["birth_date"],
            care=CareArrangement(data["care"]),
            after_school=data["after_school"],
            korean_national=data["korean_national"],
            refugee=data["refugee"],
            disabled=data["disabled"],
            farming_fishing_area=data["farming_fishing_area"],
            child_allowance_applied_on=data["child_allowance_applied_on"],
            home_care_applied_on=data["home_care_applied_on"],
            stays_abroad=tuple(AbroadStay(**s) for s in data["stays_abroad"]),
            moves=moves,
        )
        return {"month": data["month"], "child": child}


class ChildFactsIn(StrictSchema):
    kindergarten_kind = choice(
        [k.value for k in KindergartenKind], load_default=None, allow_none=True
    )
    after_school = fields.Boolean(load_default=False)
    infant_fullday_care = fields.Boolean(load_default=False)
    child_allowance_applied_on = fields.Date(load_default=None, allow_none=True)
    home_care_applied_on = fields.Date(load_default=None, allow_none=True)
    stays_abroad = fields.List(fields.Nested(StayIn), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ChildAllowanceFacts:
        kind = data["kindergarten_kind"]
        return ChildAllowanceFacts(
            kindergarten_kind=KindergartenKind(kind) if kind else None,
            after_school=data["after_school"],
            infant_fullday_care=data["infant_fullday_care"],
            child_allowance_applied_on=data["child_allowance_applied_on"],
            home_care_applied_on=data["home_care_applied_on"],
            stays_abroad=tuple(StayPeriod(**s) for s in data["stays_abroad"]),
        )


class MoveIn(StrictSchema):
    moved_on = fields.Date(required=True)
    from_district_code = fields.String(required=True, validate=DISTRICT_CODE)
    to_district_code = fields.String(required=True, validate=DISTRICT_CODE)


class HouseholdFactsIn(StrictSchema):
    farming_fishing_area = fields.Boolean(load_default=False)
    moves = fields.List(fields.Nested(MoveIn), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> HouseholdAllowanceFacts:
        return HouseholdAllowanceFacts(
            farming_fishing_area=data["farming_fishing_area"],
            moves=tuple(MoveDetails(**m) for m in data["moves"]),
        )


# --- output ----------------------------------------------------------------------------------


class LineOut(Schema):
    allowance = fields.String(metadata={"description": "R-ALW-1..5 allowance code"})
    amount = fields.Integer(metadata={"description": "won a month: cash + voucher"})
    cash = fields.Integer()
    voucher = fields.Integer()
    unconfirmed = fields.Boolean(metadata={"description": "a figure used has no official source"})
    payday = fields.Date(allow_none=True)
    paying_district = fields.String()
    paying_district_name = fields.String()
    payer = fields.String(allow_none=True, metadata={"description": "new | previous (moving)"})
    explanation = fields.List(fields.String())


class AllowanceOverviewOut(Schema):
    child_id = fields.Integer()
    child_name = fields.String()
    month = MonthField()
    months_old = fields.Integer(metadata={"description": "month of life; the birth month is 0"})
    care = fields.String()
    table_year = fields.Integer()
    total = fields.Integer()
    cash = fields.Integer()
    voucher = fields.Integer()
    currency = fields.Constant("KRW")
    unconfirmed = fields.Boolean()
    lines = fields.List(fields.Nested(LineOut))


class ChildRef(Schema):
    child_id = fields.Integer()
    child_name = fields.String()


class HouseholdOverviewOut(Schema):
    month = MonthField()
    total = fields.Integer()
    cash = fields.Integer()
    voucher = fields.Integer()
    currency = fields.Constant("KRW")
    children = fields.List(fields.Nested(AllowanceOverviewOut))
    unborn = fields.List(fields.Nested(ChildRef))


class StayOut(Schema):
    departed_on = fields.Date()
    returned_on = fields.Date(allow_none=True)


class ChildFactsOut(Schema):
    child_id = fields.Integer()
    care = fields.String()
    kindergarten_kind = fields.String(allow_none=True)
    after_school = fields.Boolean()
    infant_fullday_care = fields.Boolean()
    child_allowance_applied_on = fields.Date(allow_none=True)
    home_care_applied_on = fields.Date(allow_none=True)
    stays_abroad = fields.List(fields.Nested(StayOut))


class MoveOut(Schema):
    moved_on = fields.Date()
    from_district_code = fields.String()
    to_district_code = fields.String()


class HouseholdFactsOut(Schema):
    farming_fishing_area = fields.Boolean()
    moves = fields.List(fields.Nested(MoveOut))
