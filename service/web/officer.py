"""Community-centre officers: the households of their district."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from booking import households as domain
from core.actors import Role

from ..context import require_web_actor, roles_required
from ..extensions import db

bp = Blueprint("officer", __name__, url_prefix="/district")


@bp.get("/households")
@roles_required(Role.OFFICER, Role.ADMIN)
def households():
    actor = require_web_actor()
    page_number = request.args.get("page", "1")
    page = db.paginate(
        domain.households_for_actor(actor).order_by(domain.Household.id),
        page=int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1,
        per_page=25,
        error_out=False,
    )
    return render_template("officer/households.html", page=page)


@bp.get("/households/<int:household_id>")
@roles_required(Role.OFFICER, Role.ADMIN)
def household(household_id: int):
    found = domain.get_household(db.session, require_web_actor(), household_id)
    return render_template("officer/household.html", household=found)
