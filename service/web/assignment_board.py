"""The agency's assignment board: open requests with the engine's ranking, matched bookings to
confirm, reassign or unassign, and each caregiver's week (R-BK-4..6)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext

from booking import matching
from booking.assignment import rank_candidates
from booking.bookings import WITH_CAREGIVER, Booking, BookingState
from booking.caregivers import Caregiver, CaregiverSearch, caregivers_for_actor, search_caregivers
from core.actors import Actor, Role
from core.clock import SEOUL, seoul_today

from ..api.schemas.bookings import AssignIn, BoardArgs, UnassignIn
from ..bookings import bookings_for_actor, get_booking, limits
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from .booking_calendar import seoul_midnight, week_of
from .bookings import people_of
from .forms import flash_errors, load_args, load_form, run

bp = Blueprint("board", __name__, url_prefix="/agency/board")

OPEN = (BookingState.REQUESTED.value, BookingState.OFFERED.value)
ASSIGNED = (BookingState.MATCHED.value, BookingState.CONFIRMED.value)
REQUESTS_PER_PAGE, MATCHED_LIMIT, CAREGIVERS_PER_PAGE, SHOWN_CANDIDATES = 10, 50, 20, 5


@bp.get("")
@roles_required(Role.AGENCY_STAFF)
def board():
    actor = require_web_actor()
    args = load_args(BoardArgs(), request.args)
    now = current_clock().now()
    scoped = bookings_for_actor(actor).where(Booking.ends_at > now).order_by(Booking.starts_at)
    requests = db.paginate(
        scoped.where(Booking.state.in_(OPEN)),
        page=args["page"],
        per_page=REQUESTS_PER_PAGE,
        error_out=False,
    )
    return render_template(
        "board/board.html",
        requests=requests,
        rankings={b.id: rank_candidates(db.session, b, limits=limits()) for b in requests.items},
        matched=db.session.scalars(
            scoped.where(Booking.state.in_(ASSIGNED)).limit(MATCHED_LIMIT)
        ).all(),
        caregivers=agency_caregivers(actor),
        week=caregiver_week(actor, args),
        args=args,
        shown=SHOWN_CANDIDATES,
    )


@bp.get("/bookings/<int:booking_id>")
@roles_required(Role.AGENCY_STAFF)
def booking(booking_id: int):
    actor = require_web_actor()
    found = get_booking(db.session, actor, booking_id)
    still_open = found.state in OPEN + ASSIGNED
    ranking = rank_candidates(db.session, found, limits=limits()) if still_open else []
    return render_template(
        "board/booking.html",
        booking=found,
        ranking=ranking,
        caregivers=agency_caregivers(actor),
        people=people_of(found),
    )


@bp.post("/bookings/<int:booking_id>/assign")
@roles_required(Role.AGENCY_STAFF)
def assign(booking_id: int):
    actor = require_web_actor()
    found = get_booking(db.session, actor, booking_id)
    data, errors = load_form(AssignIn())
    if data is not None:
        errors = run(
            lambda: matching.assign(
                db.session,
                actor,
                found,
                data["caregiver_id"],
                reason=data["reason"],
                overtime=data["overtime"],
                limits=limits(),
                clock=current_clock(),
            ),
            gettext("The caregiver has been assigned."),
        )
    flash_errors(errors)
    return back(found)


@bp.post("/bookings/<int:booking_id>/confirm")
@roles_required(Role.AGENCY_STAFF)
def confirm(booking_id: int):
    actor = require_web_actor()
    found = get_booking(db.session, actor, booking_id)
    flash_errors(
        run(
            lambda: matching.confirm(db.session, actor, found, clock=current_clock()),
            gettext("The booking is confirmed; the family has been told."),
        )
    )
    return back(found)


@bp.post("/bookings/<int:booking_id>/unassign")
@roles_required(Role.AGENCY_STAFF)
def unassign(booking_id: int):
    actor = require_web_actor()
    found = get_booking(db.session, actor, booking_id)
    data, errors = load_form(UnassignIn())
    if data is not None:
        errors = run(
            lambda: matching.unassign(
                db.session, actor, found, reason=data["reason"], clock=current_clock()
            ),
            gettext("The caregiver has been taken off the booking."),
        )
    flash_errors(errors)
    return back(found)


def back(found: Booking):
    """Back to the board, or to the booking's own page when the form came from there."""
    if request.form.get("back") == "booking":
        return redirect(url_for("board.booking", booking_id=found.id))
    return redirect(url_for("board.board"))


def agency_caregivers(actor: Actor) -> list[Caregiver]:
    """The agency's active caregivers, for choosing one by hand (the engine still checks)."""
    return list(db.session.scalars(search_caregivers(actor, CaregiverSearch(active=True))))


def caregiver_week(actor: Actor, args: dict[str, Any]) -> dict[str, Any]:
    """Caregivers × the 7 days of a week, with their bookings: those booked that week, or those
    a search finds; a page at a time."""
    days = week_of(args["week"] or seoul_today(current_clock()))
    start, end = seoul_midnight(days[0]), seoul_midnight(days[-1] + timedelta(days=1))
    in_week = bookings_for_actor(actor).where(
        Booking.state.in_([s.value for s in WITH_CAREGIVER]),
        Booking.starts_at >= start,
        Booking.starts_at < end,
    )
    if args["q"]:
        query = search_caregivers(actor, CaregiverSearch(text=args["q"], active=None))
    else:
        booked = in_week.with_only_columns(Booking.caregiver_id)
        query = caregivers_for_actor(actor).where(Caregiver.id.in_(booked))
        query = query.order_by(Caregiver.name, Caregiver.id)
    page = db.paginate(query, page=args["cg_page"], per_page=CAREGIVERS_PER_PAGE, error_out=False)
    grid: dict[int, list[list[Booking]]] = {c.id: [[] for _ in days] for c in page.items}
    for found in db.session.scalars(
        in_week.where(Booking.caregiver_id.in_(list(grid))).order_by(Booking.starts_at)
    ):
        day: date = found.starts_at.astimezone(SEOUL).date()
        grid[found.caregiver_id][(day - days[0]).days].append(found)
    return {
        "days": days,
        "page": page,
        "grid": grid,
        "previous": days[0] - timedelta(days=7),
        "following": days[0] + timedelta(days=7),
    }
