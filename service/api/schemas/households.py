"""Households, guardians and children."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from booking.households import (
    Attendance,
    ChildDetails,
    GuardianDetails,
    GuardianRelation,
    HouseholdDetails,
)
from booking.languages import LANGUAGE_CODES

from .common import CHOOSE_FROM_LIST, StrictSchema, bounded_int, choice, text


class GuardianIn(StrictSchema):
    name = text(80)
    relation = choice([r.value for r in GuardianRelation], required=True)
    phone = text(20, required=False, load_default="")
    birth_date = fields.Date(required=False, load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> GuardianDetails:
        return GuardianDetails(
            name=data["name"],
            relation=GuardianRelation(data["relation"]),
            phone=data["phone"],
            birth_date=data["birth_date"],
        )


class HouseholdIn(StrictSchema):
    district_code = fields.String(
        required=True, validate=validate.Length(equal=5, error=CHOOSE_FROM_LIST)
    )
    household_size = bounded_int(1, 20, required=True)
    address = text(200, required=False, load_default="")
    home_languages = fields.List(choice(list(LANGUAGE_CODES)), load_default=lambda: ["ko"])
    applicant = fields.Nested(GuardianIn, required=True)
    other_guardian = fields.Nested(GuardianIn, load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> HouseholdDetails:
        return HouseholdDetails(
            district_code=data["district_code"],
            household_size=data["household_size"],
            applicant=data["applicant"],
            other_guardian=data["other_guardian"],
            home_languages=tuple(data["home_languages"]),
            address=data["address"],
        )


class ChildIn(StrictSchema):
    name = text(80)
    birth_date = fields.Date(required=True)
    korean_national = fields.Boolean(load_default=True)
    disabled = fields.Boolean(load_default=False)
    attendance = choice([a.value for a in Attendance], load_default=Attendance.NONE.value)
    attendance_starts_at = fields.Time(load_default=None, allow_none=True)
    attendance_ends_at = fields.Time(load_default=None, allow_none=True)
    care_notes = text(2000, required=False, load_default="")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ChildDetails:
        return ChildDetails(**{**data, "attendance": Attendance(data["attendance"])})


class GuardianOut(Schema):
    name = fields.String()
    relation = fields.String()
    phone = fields.String()
    birth_date = fields.Date(allow_none=True)


class ChildOut(Schema):
    id = fields.Integer()
    name = fields.String()
    birth_date = fields.Date()
    korean_national = fields.Boolean()
    refugee = fields.Boolean()
    disabled = fields.Boolean()
    attendance = fields.String()
    attendance_starts_at = fields.Time(allow_none=True)
    attendance_ends_at = fields.Time(allow_none=True)
    state = fields.String(metadata={"description": "waiting | regular (RULES R-BK-2)"})
    care_notes = fields.String()


class DistrictRef(Schema):
    code = fields.String()
    name_ko = fields.String()
    name_en = fields.String()


class HouseholdOut(Schema):
    id = fields.Integer()
    district = fields.Nested(DistrictRef)
    household_size = fields.Integer()
    address = fields.String()
    home_languages = fields.List(fields.String())
    member_state = fields.String(metadata={"description": "web_member | full_member (R-BK-2)"})
    applicant = fields.Nested(GuardianOut)
    other_guardian = fields.Nested(GuardianOut, allow_none=True)
    children = fields.List(fields.Nested(ChildOut))
    created_at = fields.DateTime()


class HouseholdSummaryOut(Schema):
    id = fields.Integer()
    district = fields.Nested(DistrictRef)
    household_size = fields.Integer()
    member_state = fields.String()
    applicant_name = fields.Function(lambda h: h.applicant.name if h.applicant else "")
    children_count = fields.Function(lambda h: len(h.children))
