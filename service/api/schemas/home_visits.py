"""e-Child Happiness home visits (R-ECH-1..2) and referrals to the support queue."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, post_load

from booking.home_visit_steps import CallRecord, FollowUp, Schedule, ServiceLink, VisitRecord
from booking.home_visits import LinkedServiceKind, Need, VisitOutcome

from .common import StrictSchema, bounded_int, choice, text
from .quotes import NOT_AWARE


def aware(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(error_messages={"invalid_awareness": NOT_AWARE}, **kwargs)


class QuarterArgs(StrictSchema):
    year = bounded_int(
        2000, 2100, load_default=None, metadata={"description": "this year if left out"}
    )
    quarter = bounded_int(
        1, 4, load_default=None, metadata={"description": "this quarter if left out"}
    )


class YearArgs(StrictSchema):
    year = bounded_int(2000, 2100, load_default=None)


class ImportIn(StrictSchema):
    """The form fields sent with the file (multipart/form-data)."""

    year = bounded_int(2000, 2100, required=True)
    quarter = bounded_int(1, 4, required=True)
    accept_partial = fields.Boolean(
        load_default=False,
        metadata={"description": "import the valid rows and report the others"},
    )


class ImportFileIn(Schema):
    file = Upload(required=True, metadata={"description": "the CSV file (format: README.md)"})


class ScheduleIn(StrictSchema):
    call_at = aware(load_default=None, allow_none=True)
    visit_at = aware(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Schedule:
        return Schedule(**data)


class CallIn(StrictSchema):
    called_at = aware(required=True)
    reached = fields.Boolean(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> CallRecord:
        return CallRecord(**data)


class VisitIn(StrictSchema):
    visited_at = aware(required=True)
    visitor_name = text(80)
    place = text(200)
    outcome = choice([o.value for o in VisitOutcome], required=True)
    counselling_notes = text(5000, required=False, load_default="")
    needs = fields.List(choice([n.value for n in Need]), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> VisitRecord:
        return VisitRecord(
            visited_at=data["visited_at"],
            visitor_name=data["visitor_name"],
            place=data["place"],
            outcome=VisitOutcome(data["outcome"]),
            counselling_notes=data["counselling_notes"],
            needs=frozenset(Need(n) for n in data["needs"]),
        )


class ServiceLinkIn(StrictSchema):
    service = choice([s.value for s in LinkedServiceKind], required=True)
    note = text(500, required=False, load_default="")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ServiceLink:
        return ServiceLink(LinkedServiceKind(data["service"]), data["note"])


class FollowUpIn(StrictSchema):
    follow_up_on = fields.Date(load_default=None, allow_none=True)
    note = text(2000, required=False, load_default="")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> FollowUp:
        return FollowUp(data["follow_up_on"], data["note"])


class ReferralCloseIn(StrictSchema):
    note = text(2000, required=False, load_default="")


# --- output ----------------------------------------------------------------------------------


class VisitOut(Schema):
    id = fields.Integer()
    visited_at = fields.DateTime()
    visitor_name = fields.String()
    place = fields.String()
    outcome = fields.String()
    needs = fields.List(fields.String())
    counselling_notes = fields.String(
        allow_none=True, metadata={"description": "null unless you are an officer of the district"}
    )
    recorded_at = fields.DateTime()


class ServiceOut(Schema):
    id = fields.Integer()
    service = fields.String()
    note = fields.String()
    linked_at = fields.DateTime()


class CaseSummaryOut(Schema):
    id = fields.Integer()
    district_code = fields.String()
    year = fields.Integer()
    quarter = fields.Integer()
    source = fields.String(metadata={"description": "flagged | october_round"})
    status = fields.String()
    child_ref = fields.String()
    child_name = fields.String()
    child_birth_date = fields.Date()
    indicators = fields.List(fields.Integer())
    call_planned_at = fields.DateTime(allow_none=True)
    visit_planned_at = fields.DateTime(allow_none=True)
    follow_up_on = fields.Date(allow_none=True)


class CaseOut(CaseSummaryOut):
    guardian_name = fields.String()
    guardian_phone = fields.String()
    address = fields.String()
    child_id = fields.Integer(allow_none=True)
    called_at = fields.DateTime(allow_none=True)
    call_reached = fields.Boolean(allow_none=True)
    reached = fields.Boolean()
    visited = fields.Boolean()
    follow_up = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    notes_visible = fields.Boolean()
    visits = fields.List(fields.Nested(VisitOut))
    services = fields.List(fields.Nested(ServiceOut))


class RejectedRowOut(Schema):
    line = fields.Integer()
    child_ref = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.String())


class ImportReportOut(Schema):
    year = fields.Integer()
    quarter = fields.Integer()
    rows = fields.Integer()
    imported = fields.Integer()
    rejected = fields.List(fields.Nested(RejectedRowOut))


class DashboardOut(Schema):
    year = fields.Integer()
    quarter = fields.Integer()
    listed = fields.Integer()
    flagged = fields.Integer()
    october_round = fields.Integer()
    reached = fields.Integer()
    visited = fields.Integer()
    linked = fields.Integer()
    not_reached = fields.Integer()
    closed = fields.Integer()
    follow_ups_due = fields.Integer()


class RoundChildOut(Schema):
    id = fields.Integer()
    name = fields.String()
    birth_date = fields.Date()
    household_id = fields.Integer()


class RoundAddedOut(Schema):
    added = fields.Integer()


class ReferralOut(Schema):
    id = fields.Integer()
    district_code = fields.String()
    case_id = fields.Integer()
    household_id = fields.Integer(allow_none=True)
    child_name = fields.String()
    child_birth_date = fields.Date()
    guardian_name = fields.String()
    guardian_contact = fields.String()
    note = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    closing_note = fields.String()
