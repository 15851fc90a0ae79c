"""The waiting list (R-BK-3) and regular series (R-BK-1)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from booking.series import SeriesDraft
from booking.waiting_list import PriorityGround

from .common import StrictSchema, choice, text


class WaitingIn(StrictSchema):
    child_id = fields.Integer(required=True)
    grounds = fields.List(choice([g.value for g in PriorityGround]), load_default=list)


class PlaceOut(Schema):
    id = fields.Function(lambda p: p.request.id)
    child_id = fields.Function(lambda p: p.request.child_id)
    child_name = fields.Function(lambda p: p.request.child.name)
    position = fields.Integer()
    points = fields.Function(lambda p: p.points.total)
    ground_points = fields.Function(lambda p: p.points.grounds)
    waiting_points = fields.Function(lambda p: p.points.waiting)
    waiting_since = fields.Function(lambda p: p.request.waiting_since.isoformat())
    answer_due = fields.Function(lambda p: p.request.answer_due.isoformat())
    overdue = fields.Boolean()


class WaitingRequestOut(Schema):
    id = fields.Integer()
    child_id = fields.Integer()
    agency_id = fields.Integer()
    grounds = fields.List(fields.String())
    waiting_since = fields.Date()
    renewed_months = fields.Integer()
    answer_due = fields.Date()
    state = fields.String()


class SeriesIn(StrictSchema):
    month = fields.Date(required=True, metadata={"description": "any day of next month"})
    weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)), required=True)
    starts_at = fields.Time(required=True)
    ends_at = fields.Time(required=True)
    child_ids = fields.List(fields.Integer(), required=True)
    service = choice(["basic", "comprehensive", "sick", "infant_fullday"], load_default="basic")
    notes = text(2000, required=False, load_default="")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SeriesDraft:
        return SeriesDraft(
            month=data["month"],
            weekdays=tuple(data["weekdays"]),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            child_ids=tuple(data["child_ids"]),
            service=data["service"],
            notes=data["notes"],
        )


class SeriesAssignIn(StrictSchema):
    caregiver_id = fields.Integer(required=True)
    reason = text(2000, required=False, load_default="")


class SeriesOut(Schema):
    id = fields.Integer()
    month = fields.String()
    service = fields.String()
    weekdays = fields.List(fields.Integer())
    start_minute = fields.Integer()
    end_minute = fields.Integer()
    child_ids = fields.List(fields.Integer())
    caregiver_id = fields.Integer(allow_none=True)
    state = fields.String()
    monthly_hours = fields.Integer(
        allow_none=True, metadata={"description": "full-day infant care: the month's hours"}
    )
    total = fields.Integer(metadata={"description": "full-day infant care: the month's price"})
    government = fields.Integer()
    parent = fields.Integer()
    booking_ids = fields.List(fields.Integer())
    candidate_ids = fields.List(fields.Integer())
