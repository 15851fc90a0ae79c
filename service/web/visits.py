"""A caregiver's visits, on the phone: today and this week, offers to accept or decline, the
family's care notes, check-in and check-out, extensions and no-shows (R-BK-6, R-BK-7)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext

from booking import matching
from booking import visits as domain
from booking.bookings import WITH_CAREGIVER, Booking
from booking.caregivers import find_caregiver_of_user
from core.actors import Role
from core.clock import SEOUL, seoul_today
from core.errors import NotFound

from ..api.schemas.bookings import ExtensionIn
from ..bookings import bookings_for_actor, limits
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from .booking_calendar import seoul_midnight, week_of
from .forms import flash_errors, load_form, run

bp = Blueprint("visits", __name__, url_prefix="/visits")

EXTENSION_CHOICES = tuple(range(30, 4 * 60 + 1, 30))  # R-BK-7: in half hours


@bp.get("")
@roles_required(Role.CAREGIVER)
def schedule():
    actor = require_web_actor()
    caregiver = find_caregiver_of_user(db.session, actor)
    if caregiver is None:
        raise NotFound()
    now, today = current_clock().now(), seoul_today(current_clock())
    days = week_of(today)
    visits = db.session.scalars(
        bookings_for_actor(actor)
        .where(
            Booking.state.in_([s.value for s in WITH_CAREGIVER]),
            Booking.starts_at >= seoul_midnight(days[0]),
            Booking.starts_at < seoul_midnight(days[-1] + timedelta(days=1)),
        )
        .order_by(Booking.starts_at)
    ).all()
    by_day = {day: [v for v in visits if local_day(v) == day] for day in days}
    return render_template(
        "visits/schedule.html",
        caregiver=caregiver,
        today=today,
        by_day=by_day,
        offers=[o for o in matching.pending_offers(db.session, actor) if o.expires_at > now],
    )


def local_day(visit: Booking):
    return visit.starts_at.astimezone(SEOUL).date()


@bp.get("/<int:booking_id>")
@roles_required(Role.CAREGIVER)
def visit(booking_id: int):
    found = domain.own_booking(db.session, require_web_actor(), booking_id)
    return render_template(
        "visits/visit.html",
        visit=found,
        now=current_clock().now(),
        extension_choices=EXTENSION_CHOICES,
    )


@bp.post("/offers/<int:offer_id>/accept")
@roles_required(Role.CAREGIVER)
def accept(offer_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: matching.accept_offer(
                db.session, actor, offer_id, limits=limits(), clock=current_clock()
            ),
            gettext("You have the visit: the agency will confirm it."),
        )
    )
    return redirect(url_for("visits.schedule"))


@bp.post("/offers/<int:offer_id>/decline")
@roles_required(Role.CAREGIVER)
def decline(offer_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: matching.decline_offer(db.session, actor, offer_id, clock=current_clock()),
            gettext("You have declined the offer."),
        )
    )
    return redirect(url_for("visits.schedule"))


@bp.post("/<int:booking_id>/check-in")
@roles_required(Role.CAREGIVER)
def check_in(booking_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: domain.check_in(db.session, actor, booking_id, clock=current_clock()),
            gettext("Checked in: the care has started."),
        )
    )
    return redirect(url_for("visits.visit", booking_id=booking_id))


@bp.post("/<int:booking_id>/check-out")
@roles_required(Role.CAREGIVER)
def check_out(booking_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: domain.check_out(db.session, actor, booking_id, clock=current_clock()),
            gettext("Checked out: the visit is complete."),
        )
    )
    return redirect(url_for("visits.visit", booking_id=booking_id))


@bp.post("/<int:booking_id>/extension")
@roles_required(Role.CAREGIVER)
def extension(booking_id: int):
    actor = require_web_actor()
    data, errors = load_form(ExtensionIn())
    if data is not None:
        errors = run(
            lambda: domain.record_extension(
                db.session,
                actor,
                booking_id,
                data["minutes"],
                data["reason"],
                clock=current_clock(),
            ),
            gettext("The extension has been recorded."),
        )
    flash_errors(errors)
    return redirect(url_for("visits.visit", booking_id=booking_id))


@bp.post("/<int:booking_id>/no-show")
@roles_required(Role.CAREGIVER)
def no_show(booking_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: domain.record_no_show(db.session, actor, booking_id, clock=current_clock()),
            gettext("The no-show has been recorded."),
        )
    )
    return redirect(url_for("visits.visit", booking_id=booking_id))
