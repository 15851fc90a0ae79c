"""A parent's household and children."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from booking import households as domain
from core.actors import Role

from ..api.schemas.households import ChildIn, HouseholdIn
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from .forms import load_form, run
from .options import district_options

bp = Blueprint("parents", __name__, url_prefix="/household")


@bp.get("")
@roles_required(Role.PARENT)
def household():
    found = domain.find_own_household(db.session, require_web_actor())
    if found is None:
        return redirect(url_for("parents.edit_household"))
    return render_template("parents/household.html", household=found)


@bp.route("/edit", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def edit_household():
    actor = require_web_actor()
    existing = domain.find_own_household(db.session, actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        details, errors = load_form(HouseholdIn())
        if details is not None:
            save = domain.register_household if existing is None else domain.update_household
            errors = run(
                lambda: save(db.session, actor, details, clock=current_clock()),
                gettext("Your household has been saved."),
            )
            if not errors:
                return redirect(url_for("parents.household"))
    return render_template(
        "parents/household_form.html",
        household=existing,
        form=request.form,
        errors=errors,
        districts=district_options(),
    ), (422 if errors else 200)


@bp.post("/delete")
@roles_required(Role.PARENT)
def delete_household():
    domain.remove_household(db.session, require_web_actor())
    db.session.commit()
    flash(gettext("Your household has been removed."), "success")
    return redirect(url_for("public.home"))


@bp.route("/children/new", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def new_child():
    return _child_form(None)


@bp.route("/children/<int:child_id>/edit", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def edit_child(child_id: int):
    return _child_form(child_id)


@bp.post("/children/<int:child_id>/delete")
@roles_required(Role.PARENT)
def delete_child(child_id: int):
    domain.remove_child(db.session, require_web_actor(), child_id)
    db.session.commit()
    flash(gettext("The child has been removed."), "success")
    return redirect(url_for("parents.household"))


def _child_form(child_id: int | None):
    actor = require_web_actor()
    household = domain.get_own_household(db.session, actor)
    child = domain.get_child(db.session, actor, child_id) if child_id is not None else None
    errors: dict[str, str] = {}
    if request.method == "POST":
        details, errors = load_form(ChildIn())
        if details is not None:

            def save() -> None:
                if child is None:
                    domain.add_child(db.session, actor, details, clock=current_clock())
                else:
                    domain.update_child(db.session, actor, child.id, details, clock=current_clock())

            errors = run(save, gettext("The child's details have been saved."))
            if not errors:
                return redirect(url_for("parents.household"))
    return render_template(
        "parents/child_form.html",
        household=household,
        child=child,
        form=request.form,
        errors=errors,
    ), (422 if errors else 200)
