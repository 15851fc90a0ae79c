"""Administrators: the agencies of the country at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.agencies import Agency
from booking.caregivers import caregiver_counts_by_agency
from core.actors import Role

from ..context import roles_required
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/agencies")
@roles_required(Role.ADMIN)
def agencies():
    rows = db.session.scalars(
        select(Agency)
        .options(selectinload(Agency.home_district), selectinload(Agency.served_districts))
        .order_by(Agency.code)
    ).all()
    return render_template(
        "admin/agencies.html", agencies=rows, counts=caregiver_counts_by_agency(db.session)
    )
