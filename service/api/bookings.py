"""Bookings: requests and cancellations (parents), the board (agencies), visits (caregivers)."""

from __future__ import annotations

import io

from flask import send_file
from flask.views import MethodView
from flask_smorest.fields import Upload as UploadField
from marshmallow import Schema

from booking import matching, visits
from booking.assignment import rank_candidates
from booking.requests import cancel_booking, cancellation_quote
from core.actors import Role
from core.errors import Conflict, NotFound
from core.i18n import N_

from ..bookings import bookings_for_actor, get_booking, limits, offer_expiry, pricing
from ..context import api_actor, current_clock
from ..extensions import db
from ..support import document_store, uploads
from .blueprint import Blueprint
from .schemas.bookings import (
    AssignIn,
    BookingIn,
    BookingOut,
    CancelIn,
    CandidateOut,
    ExtensionIn,
    IdempotencyKeyIn,
    OfferOut,
    UnassignIn,
    request_key,
)
from .schemas.common import PageArgs


class ApiBookingIn(BookingIn):
    """The API's booking request: the request key comes from the Idempotency-Key header."""

    request_key = request_key(load_default="from-header", load_only=True)


blp = Blueprint("api_bookings", __name__, url_prefix="/api/v1", description="Bookings and visits")
SECURITY = [{"bearerAuth": []}]


@blp.route("/bookings")
class Bookings(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, BookingOut(many=True))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """The caller's bookings: the family's, the agency's, or the caregiver's; newest first."""
        from booking.bookings import Booking

        query = bookings_for_actor(api_actor()).order_by(
            Booking.starts_at.desc(), Booking.id.desc()
        )
        return db.paginate(
            query, page=args["page"], per_page=args["per_page"], error_out=False
        ).items

    @blp.arguments(IdempotencyKeyIn, location="headers")
    @blp.arguments(ApiBookingIn, location="json")
    @blp.response(201, BookingOut)
    @blp.doc(security=SECURITY)
    def post(self, headers, draft):
        """Request care: priced, hours reserved, offered to the best caregivers (R-BK-6).

        A retry with the same ``Idempotency-Key`` returns the booking made the first time.
        """
        from dataclasses import replace

        booking = matching.request_and_offer(
            db.session,
            api_actor(Role.PARENT),
            replace(draft, request_key=headers["key"]),
            pricing=pricing(),
            limits=limits(),
            clock=current_clock(),
            expires_in=offer_expiry(),
        )
        _commit_keeping_objects()  # the answer shows the booking as written
        return booking


def _commit_keeping_objects() -> None:
    """Commit without expiring what the session holds, so that an answer built from the rows
    just written does not read each of them back (nothing in the database changes them at
    commit: no server defaults or triggers rewrite a booking)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


@blp.route("/bookings/<int:booking_id>")
class BookingResource(MethodView):
    @blp.response(200, BookingOut)
    @blp.doc(security=SECURITY)
    def get(self, booking_id):
        return get_booking(db.session, api_actor(), booking_id)


@blp.route("/bookings/<int:booking_id>/cancellation")
class Cancellation(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200)
    def get(self, booking_id):
        """The fee the family would pay if it cancelled now (R-CAN-1)."""
        booking = get_booking(db.session, api_actor(Role.PARENT), booking_id)
        return {
            "fee": cancellation_quote(booking, pricing=pricing(), clock=current_clock()),
            "currency": "KRW",
        }

    @blp.arguments(CancelIn)
    @blp.response(200, BookingOut)
    @blp.doc(security=SECURITY)
    def post(self, payload, booking_id):
        """Cancel; with ``fee_shown``, a fee that changed meanwhile is refused, not charged."""
        actor = api_actor(Role.PARENT)
        booking = get_booking(db.session, actor, booking_id)
        fee = cancellation_quote(
            booking, pricing=pricing(), clock=current_clock(), waived=payload["waived"]
        )
        if payload["fee_shown"] is not None and payload["fee_shown"] != fee:
            raise Conflict(
                N_("The cancellation fee has changed: %(fee)s won now."),
                code="fee_changed",
                fee=fee,
            )
        cancel_booking(
            db.session,
            actor,
            booking,
            reason=payload["reason"],
            waived=payload["waived"],
            pricing=pricing(),
            clock=current_clock(),
        )
        db.session.commit()
        return booking


@blp.route("/bookings/<int:booking_id>/candidates", methods=["GET"])
@blp.response(200, CandidateOut(many=True))
@blp.doc(security=SECURITY)
def candidates(booking_id):
    """The engine's ranking of the agency's caregivers for this booking, with reasons."""
    booking = get_booking(db.session, api_actor(Role.AGENCY_STAFF), booking_id)
    return rank_candidates(db.session, booking, limits=limits())


@blp.route("/bookings/<int:booking_id>/assignment", methods=["POST"])
@blp.arguments(AssignIn)
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def assign(payload, booking_id):
    """Assign or reassign by hand (a reason is needed to change a caregiver)."""
    actor = api_actor(Role.AGENCY_STAFF)
    booking = get_booking(db.session, actor, booking_id)
    matching.assign(
        db.session,
        actor,
        booking,
        payload["caregiver_id"],
        reason=payload["reason"],
        limits=limits(),
        clock=current_clock(),
        overtime=payload["overtime"],
    )
    db.session.commit()
    return booking


@blp.route("/bookings/<int:booking_id>/assignment", methods=["DELETE"])
@blp.arguments(UnassignIn)
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def unassign(payload, booking_id):
    actor = api_actor(Role.AGENCY_STAFF)
    booking = get_booking(db.session, actor, booking_id)
    matching.unassign(db.session, actor, booking, reason=payload["reason"], clock=current_clock())
    db.session.commit()
    return booking


@blp.route("/bookings/<int:booking_id>/confirmation", methods=["POST"])
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def confirm(booking_id):
    actor = api_actor(Role.AGENCY_STAFF)
    booking = get_booking(db.session, actor, booking_id)
    matching.confirm(db.session, actor, booking, clock=current_clock())
    db.session.commit()
    return booking


@blp.route("/offers", methods=["GET"])
@blp.response(200, OfferOut(many=True))
@blp.doc(security=SECURITY)
def offers():
    """The calling caregiver's open offers."""
    return matching.pending_offers(db.session, api_actor(Role.CAREGIVER))


@blp.route("/offers/<int:offer_id>/acceptance", methods=["POST"])
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def accept(offer_id):
    """The first caregiver to accept gets the booking (R-BK-6); later ones get 409."""
    booking = matching.accept_offer(
        db.session, api_actor(Role.CAREGIVER), offer_id, limits=limits(), clock=current_clock()
    )
    db.session.commit()
    return booking


@blp.route("/offers/<int:offer_id>/decline", methods=["POST"])
@blp.response(204)
@blp.doc(security=SECURITY)
def decline(offer_id):
    matching.decline_offer(db.session, api_actor(Role.CAREGIVER), offer_id, clock=current_clock())
    db.session.commit()


def _visit(action, booking_id, **kwargs):
    booking = action(
        db.session, api_actor(Role.CAREGIVER), booking_id, clock=current_clock(), **kwargs
    )
    db.session.commit()
    return booking


@blp.route("/bookings/<int:booking_id>/check-in", methods=["POST"])
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def check_in(booking_id):
    return _visit(visits.check_in, booking_id)


@blp.route("/bookings/<int:booking_id>/check-out", methods=["POST"])
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def check_out(booking_id):
    return _visit(visits.check_out, booking_id)


@blp.route("/bookings/<int:booking_id>/no-show", methods=["POST"])
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def no_show(booking_id):
    """R-BK-7: nobody at the door; the family pays in full without support."""
    return _visit(visits.record_no_show, booking_id)


@blp.route("/bookings/<int:booking_id>/extension", methods=["POST"])
@blp.arguments(ExtensionIn)
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def extension(payload, booking_id):
    return _visit(
        visits.record_extension, booking_id, minutes=payload["minutes"], reason=payload["reason"]
    )


class DoctorNoteIn(Schema):
    document = UploadField(required=True)


@blp.route("/bookings/<int:booking_id>/doctor-note", methods=["POST"])
@blp.arguments(DoctorNoteIn, location="files")
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def upload_doctor_note(files, booking_id):
    """Sick-child care: the doctor's note as a PDF, JPEG or PNG file of at most 5 MB."""
    actor = api_actor(Role.PARENT)
    booking = get_booking(db.session, actor, booking_id)
    (upload,) = uploads([files["document"]])
    visits.attach_doctor_note(
        db.session, booking, upload, store=document_store(), actor=actor, clock=current_clock()
    )
    db.session.commit()
    return booking


@blp.route("/bookings/<int:booking_id>/doctor-note", methods=["GET"])
@blp.doc(security=SECURITY)
def download_doctor_note(booking_id):
    """The family, its agency and its caregiver may read the note."""
    booking = get_booking(db.session, api_actor(), booking_id)
    if not booking.sick_note_key:
        raise NotFound()
    data = document_store().load(booking.sick_note_key)
    return send_file(
        io.BytesIO(data),
        mimetype=booking.sick_note_type,
        as_attachment=True,
        download_name=booking.sick_note_filename or "doctor-note",
    )
