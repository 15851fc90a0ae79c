"""A caregiver's own profile and weekly hours."""

from __future__ import annotations

from flask import Blueprint, render_template

from booking.caregivers import find_caregiver_of_user
from core.actors import Role
from core.errors import NotFound

from ..context import require_web_actor, roles_required
from ..extensions import db

bp = Blueprint("caregiver", __name__, url_prefix="/me")


@bp.get("/profile")
@roles_required(Role.CAREGIVER)
def profile():
    caregiver = find_caregiver_of_user(db.session, require_web_actor())
    if caregiver is None:
        raise NotFound()
    return render_template("caregiver/profile.html", caregiver=caregiver)
