"""The waiting list for regular care and next month's regular series."""

from __future__ import annotations

from flask.views import MethodView

from booking import series as series_domain
from booking import waiting_list as waiting
from booking.waiting_list import PriorityGround
from core.actors import Role

from ..bookings import limits, pricing
from ..context import api_actor, current_clock
from ..extensions import db
from ..payments import contract_with_money
from .blueprint import Blueprint
from .schemas.regular_care import (
    PlaceOut,
    SeriesAssignIn,
    SeriesIn,
    SeriesOut,
    WaitingIn,
    WaitingRequestOut,
)

blp = Blueprint("api_regular_care", __name__, url_prefix="/api/v1", description="Regular care")
SECURITY = [{"bearerAuth": []}]


def _series_view(series, *, with_candidates=False):
    bookings = series_domain.series_bookings(db.session, series)
    view = {
        c: getattr(series, c)
        for c in (
            "id",
            "month",
            "service",
            "weekdays",
            "start_minute",
            "end_minute",
            "child_ids",
            "caregiver_id",
            "state",
            "monthly_hours",
            "total",
            "government",
            "parent",
        )
    }
    view["booking_ids"] = [b.id for b in bookings]
    view["candidate_ids"] = (
        series_domain.series_candidates(db.session, series, limits=limits())
        if with_candidates
        else []
    )
    return view


@blp.route("/waiting-list")
class WaitingList(MethodView):
    @blp.response(200, PlaceOut(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """Agency staff: the agency's list by points (R-BK-3); parents: their children's places."""
        actor = api_actor(Role.AGENCY_STAFF, Role.PARENT)
        if actor.role is Role.PARENT:
            return waiting.family_places(db.session, actor, clock=current_clock())
        return waiting.agency_list(db.session, actor, clock=current_clock())

    @blp.arguments(WaitingIn)
    @blp.response(201, WaitingRequestOut)
    @blp.doc(security=SECURITY)
    def post(self, payload):
        """A family asks for regular care for a child."""
        request = waiting.join_waiting_list(
            db.session,
            api_actor(Role.PARENT),
            payload["child_id"],
            [PriorityGround(g) for g in payload["grounds"]],
            clock=current_clock(),
        )
        db.session.commit()
        return request


def _waiting_action(action, roles, request_id):
    request = action(db.session, api_actor(*roles), request_id, clock=current_clock())
    db.session.commit()
    return request


@blp.route("/waiting-list/<int:request_id>/renewal", methods=["POST"])
@blp.response(200, WaitingRequestOut)
@blp.doc(security=SECURITY)
def renew(request_id):
    """The family renews its request for this month (waiting points, R-BK-3)."""
    return _waiting_action(waiting.renew, (Role.PARENT,), request_id)


@blp.route("/waiting-list/<int:request_id>/answer", methods=["POST"])
@blp.response(200, WaitingRequestOut)
@blp.doc(security=SECURITY)
def answer(request_id):
    """The agency has answered the family (R-BK-4)."""
    return _waiting_action(waiting.answer, (Role.AGENCY_STAFF,), request_id)


@blp.route("/waiting-list/<int:request_id>/regular", methods=["POST"])
@blp.response(200, WaitingRequestOut)
@blp.doc(security=SECURITY)
def make_regular(request_id):
    """The agency moves the child to regular care (R-BK-2)."""
    return _waiting_action(waiting.place_as_regular, (Role.AGENCY_STAFF,), request_id)


@blp.route("/booking-series", methods=["POST"])
@blp.arguments(SeriesIn)
@blp.response(201, SeriesOut)
@blp.doc(security=SECURITY)
def submit(draft):
    """Next month's weekly pattern for regular children (the monthly window)."""
    series = series_domain.submit_series(
        db.session, api_actor(Role.PARENT), draft, pricing=pricing(), clock=current_clock()
    )
    db.session.commit()
    return _series_view(series)


@blp.route("/booking-series/<int:series_id>", methods=["GET"])
@blp.response(200, SeriesOut)
@blp.doc(security=SECURITY)
def show(series_id):
    """A series with its bookings; for agency staff, the caregivers who can take all of it."""
    actor = api_actor(Role.PARENT, Role.AGENCY_STAFF)
    series = series_domain.get_series(db.session, actor, series_id)
    return _series_view(series, with_candidates=actor.role is Role.AGENCY_STAFF)


@blp.route("/booking-series/<int:series_id>/assignment", methods=["POST"])
@blp.arguments(SeriesAssignIn)
@blp.response(200, SeriesOut)
@blp.doc(security=SECURITY)
def assign(payload, series_id):
    series = series_domain.assign_series(
        db.session,
        api_actor(Role.AGENCY_STAFF),
        series_id,
        payload["caregiver_id"],
        reason=payload["reason"],
        limits=limits(),
        clock=current_clock(),
    )
    db.session.commit()
    return _series_view(series)


@blp.route("/booking-series/<int:series_id>/confirmation", methods=["POST"])
@blp.response(200, SeriesOut)
@blp.doc(security=SECURITY)
def confirm(series_id):
    series = series_domain.confirm_series(
        db.session, api_actor(Role.AGENCY_STAFF), series_id, clock=current_clock()
    )
    contract_with_money(series)
    db.session.commit()
    return _series_view(series)
