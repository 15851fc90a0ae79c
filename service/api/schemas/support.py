"""Support applications and tier decisions."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from vouchers.support_applications import ApplicationForm, CareGap, Earner, Insurance
from vouchers.tariffs import Group, Tier

from .common import OUT_OF_RANGE, StrictSchema, bounded_int, choice, text


class EarnerIn(StrictSchema):
    name = text(80)
    monthly_income = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=0, max=1_000_000_000, error=OUT_OF_RANGE),
        metadata={"description": "won a month, as judged from the health-insurance premium"},
    )
    insurance = choice([i.value for i in Insurance], required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Earner:
        return Earner(data["name"], data["monthly_income"], Insurance(data["insurance"]))


class ApplicationIn(StrictSchema):
    household_size = bounded_int(1, 20, required=True)
    earners = fields.List(
        fields.Nested(EarnerIn), required=True, validate=validate.Length(min=1, max=4)
    )
    care_gaps = fields.List(choice([g.value for g in CareGap]), load_default=list)
    groups = fields.List(choice([g.value for g in Group]), load_default=list)
    child_ids = fields.List(fields.Integer(), required=True)
    household_id = fields.Integer(
        load_default=None, metadata={"description": "officers: the household applying in person"}
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        form = ApplicationForm(
            household_size=data["household_size"],
            earners=tuple(data["earners"]),
            care_gaps=frozenset(CareGap(g) for g in data["care_gaps"]),
            groups=frozenset(Group(g) for g in data["groups"]),
            child_ids=tuple(data["child_ids"]),
        )
        return {"form": form, "household_id": data["household_id"]}


class DecisionIn(StrictSchema):
    tier = choice(
        [t.value for t in Tier],
        load_default=None,
        metadata={"description": "omit to approve the suggestion"},
    )
    reason = text(2000, required=False, load_default="")


class NoteIn(StrictSchema):
    note = text(2000)


class ReasonIn(StrictSchema):
    reason = text(2000)


class ApplicationArgs(StrictSchema):
    status = choice(["open", "all"], load_default="open")


class DocumentOut(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size_bytes = fields.Integer()
    uploaded_at = fields.DateTime()


class EarnerOut(Schema):
    name = fields.String()
    monthly_income = fields.Integer()
    insurance = fields.String()


class SuggestionOut(Schema):
    year = fields.Integer()
    household_size = fields.Integer()
    median = fields.Integer()
    incomes = fields.List(fields.Integer())
    dual_earner = fields.Boolean()
    reduction = fields.Integer()
    income = fields.Integer()
    percent_of_median = fields.Function(lambda s: s.percent_of_median_x10 / 10)
    thresholds = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
    income_tier = fields.String()
    care_gap = fields.Boolean()
    care_gap_notes = fields.List(fields.String())
    tier = fields.String()
    groups = fields.List(fields.String())


class ApplicationOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    district_code = fields.String()
    channel = fields.String()
    status = fields.String()
    household_size = fields.Integer()
    earners = fields.List(fields.Nested(EarnerOut))
    care_gaps = fields.List(fields.String())
    groups = fields.List(fields.String())
    child_ids = fields.List(fields.Integer())
    submitted_at = fields.DateTime()
    deadline = fields.Date()
    days_left = fields.Integer()
    officer_note = fields.String()
    documents = fields.List(fields.Nested(DocumentOut))
    suggestion = fields.Nested(
        SuggestionOut, allow_none=True, metadata={"description": "officers only"}
    )


class DecisionOut(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    application_id = fields.Integer(allow_none=True)
    tier = fields.String()
    suggested_tier = fields.String()
    groups = fields.List(fields.String())
    valid_from = fields.Date()
    valid_until = fields.Date()
    effective_until = fields.Date()
    superseded_by_id = fields.Integer(allow_none=True)
    reason = fields.String()
    decided_at = fields.DateTime()
    inputs = fields.Dict()


class SupportDashboardOut(Schema):
    open_applications = fields.Integer()
    overdue = fields.Integer()
    decided_this_month = fields.Integer()
    rejected_this_month = fields.Integer()
    average_days_to_decide = fields.Function(
        lambda d: (
            None if d.average_days_to_decide_x10 is None else d.average_days_to_decide_x10 / 10
        )
    )


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
