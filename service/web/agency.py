"""Agency staff manage their caregivers: a searchable list, edit forms, availability and leave."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from booking import caregivers as domain
from booking.households import approve_membership, web_members
from core.actors import Role
from core.errors import Conflict, DomainError

from ..api.schemas.caregivers import CaregiverIn, CaregiverSearchArgs, LeaveIn, SlotIn
from ..context import current_clock, require_web_actor, roles_required
from ..errors import flatten_messages
from ..extensions import db
from ..i18n import translate
from .forms import domain_errors, load_form
from .options import district_options

bp = Blueprint("agency", __name__, url_prefix="/agency")
MANAGERS = (Role.AGENCY_STAFF, Role.ADMIN)


@bp.get("/caregivers")
@roles_required(*MANAGERS)
def caregivers():
    actor = require_web_actor()
    try:
        args = CaregiverSearchArgs().load({k: v for k, v in request.args.items() if v != ""})
    except ValidationError:
        args = CaregiverSearchArgs().load({})
    page = db.paginate(
        domain.search_caregivers(actor, args["search"]),
        page=args["page"],
        per_page=args["per_page"],
        error_out=False,
    )
    return render_template(
        "agency/caregivers.html",
        page=page,
        search=args["search"],
        args=request.args,
        districts=district_options(actor.agency_id),
    )


@bp.route("/caregivers/new", methods=["GET", "POST"])
@roles_required(Role.AGENCY_STAFF)
def new_caregiver():
    return _caregiver_form(None)


@bp.route("/caregivers/<int:caregiver_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_caregiver(caregiver_id: int):
    return _caregiver_form(caregiver_id)


@bp.get("/caregivers/<int:caregiver_id>")
@roles_required(*MANAGERS)
def caregiver(caregiver_id: int):
    found = domain.get_caregiver(db.session, require_web_actor(), caregiver_id)
    return render_template("agency/caregiver.html", caregiver=found, errors={})


@bp.post("/caregivers/<int:caregiver_id>/active")
@roles_required(*MANAGERS)
def set_active(caregiver_id: int):
    active = request.form.get("active") == "1"
    domain.set_caregiver_active(db.session, require_web_actor(), caregiver_id, active)
    db.session.commit()
    flash(
        gettext("The caregiver is active again.")
        if active
        else gettext("The caregiver has been deactivated."),
        "success",
    )
    return redirect(url_for("agency.caregiver", caregiver_id=caregiver_id))


@bp.post("/caregivers/<int:caregiver_id>/availability")
@roles_required(*MANAGERS)
def availability(caregiver_id: int):
    actor = require_web_actor()
    slots, errors = [], {}
    for weekday in range(7):
        start, end = (
            request.form.get(f"day{weekday}.starts_at", ""),
            request.form.get(f"day{weekday}.ends_at", ""),
        )
        if not start and not end:
            continue
        try:
            slots.append(SlotIn().load({"weekday": weekday, "starts_at": start, "ends_at": end}))
        except ValidationError as error:
            for name, text in flatten_messages(error.messages).items():
                errors[f"day{weekday}.{name}"] = translate(text)
    if not errors:
        try:
            domain.set_availability(db.session, actor, caregiver_id, slots)
            db.session.commit()
            flash(gettext("The weekly hours have been saved."), "success")
            return redirect(url_for("agency.caregiver", caregiver_id=caregiver_id))
        except DomainError as error:
            db.session.rollback()
            errors = domain_errors(error)
    found = domain.get_caregiver(db.session, actor, caregiver_id)
    return render_template("agency/caregiver.html", caregiver=found, errors=errors), 422


@bp.post("/caregivers/<int:caregiver_id>/leaves")
@roles_required(*MANAGERS)
def add_leave(caregiver_id: int):
    actor = require_web_actor()
    leave, errors = load_form(LeaveIn())
    if leave is not None:
        try:
            domain.add_leave(db.session, actor, caregiver_id, leave)
            db.session.commit()
            flash(gettext("The leave has been recorded."), "success")
            return redirect(url_for("agency.caregiver", caregiver_id=caregiver_id))
        except DomainError as error:
            db.session.rollback()
            errors = domain_errors(error)
    found = domain.get_caregiver(db.session, actor, caregiver_id)
    return render_template(
        "agency/caregiver.html", caregiver=found, errors=errors, form=request.form
    ), 422


@bp.post("/caregivers/<int:caregiver_id>/leaves/<int:leave_id>/delete")
@roles_required(*MANAGERS)
def remove_leave(caregiver_id: int, leave_id: int):
    domain.remove_leave(db.session, require_web_actor(), caregiver_id, leave_id)
    db.session.commit()
    flash(gettext("The leave has been removed."), "success")
    return redirect(url_for("agency.caregiver", caregiver_id=caregiver_id))


def _caregiver_form(caregiver_id: int | None):
    actor = require_web_actor()
    existing = (
        domain.get_caregiver(db.session, actor, caregiver_id) if caregiver_id is not None else None
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        payload, errors = load_form(CaregiverIn())
        if payload is not None:
            try:
                if existing is None:
                    saved = domain.create_caregiver(db.session, actor, payload["details"])
                else:
                    saved = domain.update_caregiver(
                        db.session, actor, existing.id, payload["details"]
                    )
                db.session.commit()
                flash(gettext("The caregiver has been saved."), "success")
                return redirect(url_for("agency.caregiver", caregiver_id=saved.id))
            except DomainError as error:
                db.session.rollback()
                errors = domain_errors(error)
    agency_id = existing.agency_id if existing is not None else actor.agency_id
    return render_template(
        "agency/caregiver_form.html",
        caregiver=existing,
        form=request.form,
        errors=errors,
        districts=district_options(agency_id),
        all_districts=district_options(),
    ), (422 if errors else 200)


@bp.get("/members")
@roles_required(Role.AGENCY_STAFF)
def members():
    """Web members of the agency's districts, waiting for approval (R-BK-2)."""
    page_number = request.args.get("page", "1")
    page = db.paginate(
        web_members(require_web_actor()),
        page=int(page_number) if page_number.isdigit() and int(page_number) > 0 else 1,
        per_page=25,
        error_out=False,
    )
    return render_template("agency/members.html", page=page)


@bp.post("/members/<int:household_id>/approve")
@roles_required(Role.AGENCY_STAFF)
def approve_member(household_id: int):
    try:
        approve_membership(db.session, require_web_actor(), household_id, clock=current_clock())
        db.session.commit()
        flash(gettext("The household is now a full member."), "success")
    except Conflict as error:
        db.session.rollback()
        domain_errors(error)
    return redirect(url_for("agency.members"))
