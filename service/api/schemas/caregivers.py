"""Caregivers, their weekly availability and leave."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from booking.caregivers import CaregiverDetails, CaregiverSearch, LeaveRequest, Skill, Slot
from booking.languages import LANGUAGE_CODES

from .common import CHOOSE_FROM_LIST, PageArgs, StrictSchema, bounded_int, choice, text

SKILLS = [s.value for s in Skill]


class CaregiverIn(StrictSchema):
    name = text(80)
    phone = text(20)
    email = fields.Email(load_default=None, allow_none=True)
    home_district_code = fields.String(
        required=True, validate=validate.Length(equal=5, error=CHOOSE_FROM_LIST)
    )
    hire_date = fields.Date(required=True)
    languages = fields.List(choice(list(LANGUAGE_CODES)), load_default=lambda: ["ko"])
    skills = fields.List(choice(SKILLS), load_default=list)
    area_codes = fields.List(
        fields.String(validate=validate.Length(equal=5, error=CHOOSE_FROM_LIST)), load_default=list
    )
    training_hours = bounded_int(0, 10_000, load_default=0)
    agency_id = fields.Integer(
        load_default=None, allow_none=True, metadata={"description": "admins only"}
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        agency_id = data.pop("agency_id")
        details = CaregiverDetails(
            **{
                **data,
                "languages": tuple(data["languages"]),
                "skills": tuple(Skill(s) for s in data["skills"]),
                "area_codes": tuple(data["area_codes"]),
            }
        )
        return {"details": details, "agency_id": agency_id}


class CaregiverSearchArgs(PageArgs):
    q = text(80, required=False, load_default="")
    status = choice(["active", "inactive", "all"], load_default="active")
    skill = choice(SKILLS, load_default=None)
    district = fields.String(load_default=None)
    agency_id = fields.Integer(load_default=None)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        active = {"active": True, "inactive": False, "all": None}[data["status"]]
        search = CaregiverSearch(
            text=data["q"],
            active=active,
            skill=Skill(data["skill"]) if data["skill"] else None,
            district_code=data["district"] or None,
            agency_id=data["agency_id"],
        )
        return {"search": search, "page": data["page"], "per_page": data["per_page"]}


class SlotIn(StrictSchema):
    weekday = bounded_int(0, 6, required=True)
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Slot:
        return Slot(**data)


class AvailabilityIn(StrictSchema):
    slots = fields.List(fields.Nested(SlotIn), required=True)


class LeaveIn(StrictSchema):
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    reason = text(200, required=False, load_default="")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LeaveRequest:
        return LeaveRequest(**data)


class SlotOut(Schema):
    weekday = fields.Integer()
    starts_at = fields.Time()
    ends_at = fields.Time()


class LeaveOut(Schema):
    id = fields.Integer()
    starts_on = fields.Date()
    ends_on = fields.Date()
    reason = fields.String()


class CaregiverOut(Schema):
    id = fields.Integer()
    agency_id = fields.Integer()
    name = fields.String()
    phone = fields.String()
    email = fields.String(allow_none=True)
    home_district_code = fields.String()
    hire_date = fields.Date()
    languages = fields.List(fields.String())
    skills = fields.List(fields.String())
    area_codes = fields.Function(lambda c: [d.code for d in c.areas])
    training_hours = fields.Integer()
    active = fields.Boolean()
    availability = fields.List(fields.Nested(SlotOut))
    leaves = fields.List(fields.Nested(LeaveOut))
