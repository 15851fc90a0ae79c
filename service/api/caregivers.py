"""Caregivers: agency staff manage their own agency's; a caregiver reads their own profile."""

from __future__ import annotations

from flask.views import MethodView

from booking import caregivers as domain
from core.actors import Role
from core.errors import NotFound

from ..context import api_actor
from ..extensions import db
from .blueprint import Blueprint
from .pagination import page_of, paged
from .schemas.caregivers import (
    AvailabilityIn,
    CaregiverIn,
    CaregiverOut,
    CaregiverSearchArgs,
    LeaveIn,
    LeaveOut,
)

blp = Blueprint(
    "api_caregivers", __name__, url_prefix="/api/v1/caregivers", description="Caregivers"
)
SECURITY = [{"bearerAuth": []}]
MANAGERS = (Role.AGENCY_STAFF, Role.ADMIN)


@blp.route("")
class Caregivers(MethodView):
    @blp.arguments(CaregiverSearchArgs, location="query")
    @blp.response(200, paged(CaregiverOut))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Search the caregivers of the caller's agency (all agencies for admins)."""
        query = domain.search_caregivers(api_actor(*MANAGERS), args["search"])
        return page_of(query, args["page"], args["per_page"])

    @blp.arguments(CaregiverIn)
    @blp.response(201, CaregiverOut)
    @blp.doc(security=SECURITY)
    def post(self, payload):
        caregiver = domain.create_caregiver(
            db.session, api_actor(*MANAGERS), payload["details"], agency_id=payload["agency_id"]
        )
        db.session.commit()
        return caregiver


@blp.route("/me")
class OwnProfile(MethodView):
    @blp.response(200, CaregiverOut)
    @blp.doc(security=SECURITY)
    def get(self):
        """The calling caregiver's own profile and availability."""
        caregiver = domain.find_caregiver_of_user(db.session, api_actor(Role.CAREGIVER))
        if caregiver is None:
            raise NotFound()
        return caregiver


@blp.route("/<int:caregiver_id>")
class CaregiverResource(MethodView):
    @blp.response(200, CaregiverOut)
    @blp.doc(security=SECURITY)
    def get(self, caregiver_id):
        return domain.get_caregiver(db.session, api_actor(), caregiver_id)

    @blp.arguments(CaregiverIn)
    @blp.response(200, CaregiverOut)
    @blp.doc(security=SECURITY)
    def put(self, payload, caregiver_id):
        caregiver = domain.update_caregiver(
            db.session, api_actor(*MANAGERS), caregiver_id, payload["details"]
        )
        db.session.commit()
        return caregiver


@blp.route("/<int:caregiver_id>/deactivate", methods=["POST"])
@blp.response(200, CaregiverOut)
@blp.doc(security=SECURITY)
def deactivate(caregiver_id):
    caregiver = domain.set_caregiver_active(db.session, api_actor(*MANAGERS), caregiver_id, False)
    db.session.commit()
    return caregiver


@blp.route("/<int:caregiver_id>/activate", methods=["POST"])
@blp.response(200, CaregiverOut)
@blp.doc(security=SECURITY)
def activate(caregiver_id):
    caregiver = domain.set_caregiver_active(db.session, api_actor(*MANAGERS), caregiver_id, True)
    db.session.commit()
    return caregiver


@blp.route("/<int:caregiver_id>/availability", methods=["PUT"])
@blp.arguments(AvailabilityIn)
@blp.response(200, CaregiverOut)
@blp.doc(security=SECURITY)
def put_availability(payload, caregiver_id):
    caregiver = domain.set_availability(
        db.session, api_actor(*MANAGERS), caregiver_id, payload["slots"]
    )
    db.session.commit()
    return caregiver


@blp.route("/<int:caregiver_id>/leaves", methods=["POST"])
@blp.arguments(LeaveIn)
@blp.response(201, LeaveOut)
@blp.doc(security=SECURITY)
def add_leave(leave, caregiver_id):
    entry = domain.add_leave(db.session, api_actor(*MANAGERS), caregiver_id, leave)
    db.session.commit()
    return entry


@blp.route("/<int:caregiver_id>/leaves/<int:leave_id>", methods=["DELETE"])
@blp.response(204)
@blp.doc(security=SECURITY)
def remove_leave(caregiver_id, leave_id):
    domain.remove_leave(db.session, api_actor(*MANAGERS), caregiver_id, leave_id)
    db.session.commit()
