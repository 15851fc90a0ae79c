"""Booking care, matching and visits (issue 5): what parents, agencies and caregivers send and see.

The HTML forms post through the same schemas. ``BookingIn`` needs a ``request_key``: the API takes
it from the ``Idempotency-Key`` header (``IdempotencyKeyIn``; the view puts it into the payload),
the booking form from a hidden field holding a uuid made when the form was first shown, so that
a retried request or a double click makes one booking.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from booking.bookings import BookingKind
from booking.requests import BookingDraft
from core.i18n import N_
from vouchers.care_calendar import on_half_hour
from vouchers.cost_split import SickRate
from vouchers.tariffs import Service

from ...i18n import translate
from .common import StrictSchema, bounded_int, choice, text
from .quotes import NOT_AWARE, ServiceField

SICK_NOTES = ("uploaded", "at_visit")  # R-SVC table: the doctor's note, uploaded or at the visit
VIEWS = ("month", "week")
HALF_HOUR = N_("Care starts and ends on the hour or the half hour.")
END_AFTER_START = N_("The end must come after the start.")
CHOOSE_CHILD = N_("Choose at least one child.")
BAD_KEY = N_("Give a request key of 8 to 64 letters, digits or dashes.")


def request_key(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$", error=BAD_KEY), **kwargs
    )


class IdempotencyKeyIn(Schema):
    """The API's ``Idempotency-Key`` header (the other headers are none of its business)."""

    class Meta:
        unknown = EXCLUDE

    key = request_key(required=True, data_key="Idempotency-Key")


class BookingIn(StrictSchema):
    service = ServiceField(required=True, metadata={"enum": [s.value for s in Service]})
    start = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    end = fields.AwareDateTime(required=True, error_messages={"invalid_awareness": NOT_AWARE})
    child_ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, error=CHOOSE_CHILD)
    )
    sick_note = choice(
        SICK_NOTES,
        load_default="",
        metadata={"description": "sick-child care: the doctor's note is uploaded or shown"},
    )
    sick_rate = choice([r.value for r in SickRate], load_default=SickRate.FLAT.value)
    notes = text(2000, required=False, load_default="")
    request_key = request_key(
        required=True,
        metadata={"description": "the API fills it from the Idempotency-Key header"},
    )

    @validates_schema
    def span(self, data: dict[str, Any], **_: Any) -> None:
        """R-SVC-1: on the half hour, and the end after the start."""
        errors: dict[str, str] = {}
        for name in ("start", "end"):
            value: datetime | None = data.get(name)
            if value is not None and not on_half_hour(value):
                errors[name] = HALF_HOUR
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            errors.setdefault("end", END_AFTER_START)
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> BookingDraft:
        sick = data["service"] == Service.SICK
        return BookingDraft(
            service=data["service"].value,
            starts_at=data["start"],
            ends_at=data["end"],
            child_ids=tuple(dict.fromkeys(data["child_ids"])),
            request_key=data["request_key"],
            kind=BookingKind.ADHOC,
            sick_rate=data["sick_rate"],
            sick_note=data["sick_note"] if sick else "",
            notes=data["notes"],
        )


class CancelIn(StrictSchema):
    reason = text(500, required=False, load_default="")
    waived = fields.Boolean(
        load_default=False,
        metadata={"description": "R-CAN-2: the child's illness or accident, or a death (document)"},
    )
    fee_shown = bounded_int(
        0,
        10_000_000,
        load_default=None,
        allow_none=True,
        metadata={"description": "the fee the family was shown; a different fee is refused"},
    )


class AssignIn(StrictSchema):
    caregiver_id = fields.Integer(required=True)
    reason = text(500, required=False, load_default="")
    overtime = fields.Boolean(load_default=False, metadata={"description": "R-BK-5: up to 52 h"})


class UnassignIn(StrictSchema):
    reason = text(500, required=False, load_default="")


class ExtensionIn(StrictSchema):
    minutes = bounded_int(30, 12 * 60, required=True)
    reason = text(500, required=False, load_default="")


class CalendarArgs(StrictSchema):
    view = choice(VIEWS, load_default="month")
    date = fields.Date(load_default=None)


class BoardArgs(StrictSchema):
    week = fields.Date(load_default=None, metadata={"description": "any day of the week shown"})
    q = text(80, required=False, load_default="")
    page = bounded_int(1, 100_000, load_default=1)
    cg_page = bounded_int(1, 100_000, load_default=1)


class BookedChildOut(Schema):
    id = fields.Integer(attribute="child_id")
    name = fields.Function(lambda booked: booked.child.name)


class TransitionOut(Schema):
    from_state = fields.String()
    to_state = fields.String()
    at = fields.DateTime()
    reason = fields.String()


class CaregiverRefOut(Schema):
    id = fields.Integer()
    name = fields.String()


class BookingLineOut(Schema):
    """One line of the stored price (R-FEE, R-SUP): a child's time at one fee."""

    child_id = fields.Integer()
    start = fields.String()
    end = fields.String()
    band = fields.String(metadata={"description": "day | surcharged (R-FEE-2)"})
    units = fields.Integer(metadata={"description": "30-minute units"})
    fee = fields.Integer()
    government = fields.Integer()
    parent = fields.Integer()
    supported = fields.Boolean()


class BookingOut(Schema):
    id = fields.Integer()
    state = fields.String()
    kind = fields.String()
    service = fields.String()
    start = fields.DateTime(attribute="starts_at")
    end = fields.DateTime(attribute="ends_at")
    urgent = fields.Boolean()
    children = fields.List(fields.Nested(BookedChildOut))
    agency_id = fields.Integer()
    caregiver = fields.Nested(CaregiverRefOut, allow_none=True)
    total = fields.Integer()
    government = fields.Integer()
    parent = fields.Integer()
    currency = fields.Constant("KRW")
    tariff_year = fields.Integer()
    tier = fields.String()
    capped_minutes = fields.Integer(
        metadata={"description": "subsidised minutes held against the annual cap (R-SUP-10)"}
    )
    lines = fields.List(fields.Nested(BookingLineOut), attribute="price_lines")
    sick_note = fields.String()
    notes = fields.String()
    assignment_reason = fields.String()
    cancellation_fee = fields.Integer()
    cancellation_waived = fields.Boolean()
    strike_bought_back = fields.Boolean(
        metadata={"description": "R-CAN-3: the fee was paid twice; no longer a strike"}
    )
    extension_minutes = fields.Integer()
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    transitions = fields.List(fields.Nested(TransitionOut))


class OfferedBookingOut(Schema):
    """What a caregiver sees of a booking offered to them: no names before they accept."""

    id = fields.Integer()
    service = fields.String()
    start = fields.DateTime(attribute="starts_at")
    end = fields.DateTime(attribute="ends_at")
    district_code = fields.Function(lambda booking: booking.household.district_code)
    children = fields.Function(lambda booking: len(booking.children))


class OfferOut(Schema):
    id = fields.Integer()
    booking_id = fields.Integer()
    state = fields.String()
    rank = fields.Integer()
    reason = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    booking = fields.Nested(OfferedBookingOut)


class CandidateOut(Schema):
    """One caregiver of the engine's ranking, with its reasons in the request's language."""

    caregiver_id = fields.Function(lambda candidate: candidate.caregiver.id)
    name = fields.Function(lambda candidate: candidate.caregiver.name)
    week_minutes = fields.Integer()
    distance_km = fields.Integer()
    reasons = fields.Function(
        lambda candidate: [translate(r.message, r.params) for r in candidate.reasons]
    )
