"""Parents book care: the form with its price, the list and calendar, a booking and cancelling it.

The helpers at the bottom (labels, the run-commit-flash step, calendar weeks) serve the agency's
assignment board and the caregivers' visit pages too.
"""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, format_time, gettext
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking.bookings import Booking, BookingState
from booking.households import Household, find_own_household
from booking.matching import request_and_offer
from booking.requests import (
    BookingDraft,
    barred_until_date,
    cancel_booking,
    cancellation_quote,
    reserved_minutes,
    strikes_this_month,
)
from booking.visits import attach_doctor_note
from core.actors import Actor, Role
from core.clock import SEOUL, seoul_today
from core.errors import Conflict, DomainError, NotFound
from core.i18n import N_
from vouchers.booking_payments import buy_back_strike as buy_back
from vouchers.cost_split import SickRate
from vouchers.tariffs import Service
from vouchers.tier_decisions import support_standing

from ..accounts.models import User
from ..api.schemas.bookings import BookingIn, CalendarArgs, CancelIn
from ..bookings import bookings_for_actor, get_booking, limits, offer_expiry, pricing
from ..context import current_clock, require_web_actor, roles_required
from ..errors import flatten_messages
from ..extensions import db
from ..household_quotes import household_quote_request
from ..i18n import translate
from ..labels import Labels
from ..quotes import quote_for, tariff_book
from ..support import document_store, uploads
from .booking_calendar import calendar_view
from .forms import domain_errors, flash_errors, form_payload, load_args, load_form, run

bp = Blueprint("bookings", __name__, url_prefix="/bookings")

HALF_HOURS = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in (0, 30)]
CANCELLABLE = frozenset(
    {BookingState.REQUESTED, BookingState.OFFERED, BookingState.MATCHED, BookingState.CONFIRMED}
)
UPCOMING_LIMIT, PAST_LIMIT = 50, 20
BOOKING_LABELS = {
    "STATE_NAMES": Labels(
        {
            "requested": N_("Requested"),
            "offered": N_("Offered to caregivers"),
            "matched": N_("Caregiver found"),
            "confirmed": N_("Confirmed"),
            "in_progress": N_("In progress"),
            "completed": N_("Completed"),
            "cancelled": N_("Cancelled"),
            "no_show": N_("Nobody at the door (no-show)"),
        }
    ),
    "SICK_NOTE_NAMES": Labels(
        {
            "uploaded": N_("I have uploaded the doctor's note"),
            "at_visit": N_("I will show the doctor's note at the visit"),
        }
    ),
    "OFFER_STATE_NAMES": Labels(
        {
            "pending": N_("Waiting for your answer"),
            "accepted": N_("Accepted"),
            "declined": N_("Declined"),
            "withdrawn": N_("Withdrawn"),
            "expired": N_("Expired"),
        }
    ),
}


@bp.app_context_processor
def booking_labels() -> dict[str, Any]:
    """State names for every page that shows a booking (parents, the board, visits)."""
    return {
        **BOOKING_LABELS,
        "format_time": lambda value, style="short": format_time(value, style),
        "reason_text": lambda reason: translate(reason.message, reason.params),
    }


# --- pages ------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def new():
    actor = require_web_actor()
    household = find_own_household(db.session, actor)
    if household is None:
        return redirect(url_for("parents.edit_household"))
    errors: dict[str, str] = {}
    preview, status = None, 200
    if request.method == "POST":
        draft, errors = load_booking_form()
        status = 422 if errors else 200
        if draft is not None:
            try:
                if request.form.get("step") == "book":
                    booking = book(actor, draft)
                    db.session.commit()
                    flash(gettext("Your booking request has been sent."), "success")
                    return redirect(url_for("bookings.detail", booking_id=booking.id))
                preview = price_preview(actor, household, draft)
            except DomainError as error:
                db.session.rollback()
                errors, status = form_errors(domain_errors(error)), error.status
    return render_template(
        "bookings/new.html",
        household=household,
        form=booking_form(),
        errors=errors,
        preview=preview,
        half_hours=HALF_HOURS,
        services=[s.value for s in Service],
        sick_rates=[r.value for r in SickRate],
        window=pricing().request_window(seoul_today(current_clock())),
        **standing_of(household),
    ), status


@bp.get("")
@roles_required(Role.PARENT)
def index():
    actor = require_web_actor()
    household = find_own_household(db.session, actor)
    if household is None:
        return redirect(url_for("parents.edit_household"))
    args = load_args(CalendarArgs(), request.args)
    now = current_clock().now()
    scoped = bookings_for_actor(actor)
    upcoming = scoped.where(Booking.starts_at >= now).order_by(Booking.starts_at)
    past = scoped.where(Booking.starts_at < now).order_by(Booking.starts_at.desc())
    return render_template(
        "bookings/index.html",
        upcoming=db.session.scalars(upcoming.limit(UPCOMING_LIMIT)).all(),
        past=db.session.scalars(past.limit(PAST_LIMIT)).all(),
        calendar=calendar_view(scoped, args["view"], args["date"] or seoul_today(current_clock())),
        **standing_of(household),
    )


@bp.get("/<int:booking_id>")
@roles_required(Role.PARENT)
def detail(booking_id: int):
    actor = require_web_actor()
    booking = get_booking(db.session, actor, booking_id)
    return render_template(
        "bookings/detail.html",
        booking=booking,
        fees=cancellation_fees(booking),
        lines=price_lines(booking),
        people=people_of(booking),
        **standing_of(booking.household),
    )


@bp.post("/<int:booking_id>/doctor-note")
@roles_required(Role.PARENT)
def upload_doctor_note(booking_id: int):
    actor = require_web_actor()
    booking = get_booking(db.session, actor, booking_id)
    files = [f for f in request.files.getlist("document") if f]
    if not files:
        flash(gettext("Choose the file of the doctor's note."), "error")
        return redirect(url_for("bookings.detail", booking_id=booking.id))
    (upload,) = uploads(files[:1])
    errors = run(
        lambda: attach_doctor_note(
            db.session, booking, upload, store=document_store(), actor=actor, clock=current_clock()
        ),
        gettext("The doctor's note has been uploaded."),
    )
    flash_errors(errors)
    return redirect(url_for("bookings.detail", booking_id=booking.id))


@bp.get("/<int:booking_id>/doctor-note")
@roles_required(Role.PARENT)
def doctor_note(booking_id: int):
    booking = get_booking(db.session, require_web_actor(), booking_id)
    if not booking.sick_note_key:
        raise NotFound()
    return send_file(
        io.BytesIO(document_store().load(booking.sick_note_key)),
        mimetype=booking.sick_note_type,
        as_attachment=True,
        download_name=booking.sick_note_filename or "doctor-note",
    )


@bp.post("/<int:booking_id>/cancel")
@roles_required(Role.PARENT)
def cancel(booking_id: int):
    actor = require_web_actor()
    booking = get_booking(db.session, actor, booking_id)
    data, errors = load_form(CancelIn())
    if data is not None:
        errors = run(
            lambda: cancel_at_fee_shown(actor, booking, data),
            gettext("The booking has been cancelled."),
        )
    flash_errors(errors)
    return redirect(url_for("bookings.detail", booking_id=booking.id))


@bp.post("/<int:booking_id>/strike-buyback")
@roles_required(Role.PARENT)
def buy_back_strike(booking_id: int):
    """R-CAN-3: the fee paid a second time removes the strike."""
    actor = require_web_actor()
    booking = get_booking(db.session, actor, booking_id)
    flash_errors(
        run(
            lambda: buy_back(db.session, actor, booking, clock=current_clock()),
            gettext("The cancellation no longer counts; the second fee is added to what you owe."),
        )
    )
    return redirect(url_for("bookings.detail", booking_id=booking.id))


# --- the booking form ---------------------------------------------------------------------------


def booking_form() -> dict[str, Any]:
    """The posted form, or a new one: tomorrow 10:00–12:00 and a fresh request key."""
    if request.method == "POST":
        form = request.form.to_dict()
        form["child_ids"] = request.form.getlist("child_ids")
        return form
    tomorrow = seoul_today(current_clock()) + timedelta(days=1)
    return {
        "request_key": uuid.uuid4().hex,
        "date": tomorrow.isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "service": Service.BASIC.value,
        "sick_rate": SickRate.FLAT.value,
        "child_ids": [],
    }


def load_booking_form() -> tuple[BookingDraft | None, dict[str, str]]:
    """The form's date and half-hour times (Seoul) as ``BookingIn``'s aware start and end."""
    payload = form_payload(BookingIn(), request.form)
    day = request.form.get("date", "").strip()
    for name, field in (("start", "start_time"), ("end", "end_time")):
        payload[name] = f"{day}T{request.form.get(field, '').strip()}:00+09:00"
    try:
        return BookingIn().load(payload), {}
    except ValidationError as error:
        messages = flatten_messages(error.messages)
        if not day:
            messages = {k: v for k, v in messages.items() if k not in ("start", "end")}
            messages["date"] = "Missing data for required field."
        return None, form_errors({k: translate(v) for k, v in messages.items()})


FORM_FIELDS = {"start": "start_time", "starts_at": "start_time", "end": "end_time"}


def form_errors(errors: dict[str, str]) -> dict[str, str]:
    """Schema and domain field names → the form's inputs (a child's age → the children)."""
    renamed: dict[str, str] = {}
    for name, text in errors.items():
        if name.startswith("children") or name.startswith("child_ids"):
            name = "child_ids"
        renamed.setdefault(FORM_FIELDS.get(name, name), text)
    return renamed


def book(actor: Actor, draft: BookingDraft) -> Booking:
    """Request the care and offer it to the best caregivers (R-BK-6); a repeated request key
    finds the booking made the first time and offers nothing again."""
    try:
        return request_and_offer(
            db.session,
            actor,
            draft,
            pricing=pricing(),
            limits=limits(),
            clock=current_clock(),
            expires_in=offer_expiry(),
        )
    except IntegrityError:  # a double click that raced past the domain's look-up: the first won
        db.session.rollback()
        booking = db.session.scalar(
            bookings_for_actor(actor).where(Booking.request_key == draft.request_key)
        )
        if booking is None:
            raise
        return booking


def price_preview(actor: Actor, household: Household, draft: BookingDraft) -> dict[str, Any]:
    """The quote line by line, with the hours the household's bookings already hold, and the
    subsidised hours left this year (R-SUP-10)."""
    day = draft.starts_at.astimezone(SEOUL).date()
    used = reserved_minutes(db.session, household.id, day.year)
    quote = quote_for(
        household_quote_request(
            db.session,
            actor,
            {
                "service": Service(draft.service),
                "start": draft.starts_at,
                "end": draft.ends_at,
                "child_ids": list(draft.child_ids),
                "closure": False,
                "sick_rate": draft.sick_rate,
            },
        )
    )
    standing = support_standing(db.session, household, day)
    cap_minutes = tariff_book().for_date(day).caps.hours_for(standing.groups) * 60
    names = {child.id: child.name for child in household.children}
    return {
        "quote": quote,
        "children": [names[child_id] for child_id in draft.child_ids],
        "year": day.year,
        "hours_left": hours(max(cap_minutes - used, 0)),
        "cap_hours": cap_minutes // 60,
    }


# --- a booking's page ---------------------------------------------------------------------------


def cancellation_fees(booking: Booking) -> dict[str, int] | None:
    """R-CAN-1..2: what cancelling now costs, and with a waiving reason; None if too late."""
    if booking.state not in CANCELLABLE:
        return None
    try:
        return {"fee": fee_now(booking, False), "waived": fee_now(booking, True)}
    except Conflict:
        return None


def cancel_at_fee_shown(actor: Actor, booking: Booking, data: dict[str, Any]) -> Booking:
    """R-CAN-1..2: cancel, unless the fee is no longer the one the family saw (the page sat open
    while the start came closer)."""
    if data["fee_shown"] is not None and data["fee_shown"] != fee_now(booking, False):
        raise Conflict(
            N_("The cancellation fee has changed: check it and confirm again."),
            code="fee_changed",
        )
    return cancel_booking(
        db.session,
        actor,
        booking,
        reason=data["reason"],
        waived=data["waived"],
        pricing=pricing(),
        clock=current_clock(),
    )


def fee_now(booking: Booking, waived: bool) -> int:
    return cancellation_quote(booking, pricing=pricing(), clock=current_clock(), waived=waived)


def price_lines(booking: Booking) -> list[dict[str, Any]]:
    names = {booked.child_id: booked.child.name for booked in booking.children}
    return [
        {
            **line,
            "child": names.get(line["child_id"], ""),
            "start": datetime.fromisoformat(line["start"]),
            "end": datetime.fromisoformat(line["end"]),
        }
        for line in booking.price_lines
    ]


def people_of(booking: Booking) -> dict[int, str]:
    """Who made each change of state (the service itself when nobody did)."""
    ids = {t.actor_user_id for t in booking.transitions if t.actor_user_id is not None}
    ids.add(booking.requested_by_user_id)
    users = db.session.scalars(select(User).where(User.id.in_(ids)))
    return {user.id: user.display_name for user in users}


def standing_of(household: Household) -> dict[str, Any]:
    """R-CAN-3: late cancellations this month and any bar on booking."""
    clock = current_clock()
    return {
        "strike_terms": pricing().strike_terms(seoul_today(clock)),
        "strikes": strikes_this_month(db.session, household.id, pricing=pricing(), clock=clock),
        "barred_until": barred_until_date(db.session, household.id, pricing=pricing(), clock=clock),
    }


def hours(minutes: int) -> str:
    """Minutes as hours in the page's locale (90 → 1.5)."""
    return format_decimal(Decimal(minutes) / 60)
