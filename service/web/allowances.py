"""The allowances overview (R-ALW-1..5): a public page for anyone, and a family's own page with
the facts it records (care in detail, application dates, stays abroad, moves)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from booking import allowance_facts as facts
from booking.households import find_own_household, get_child, get_own_household
from core.actors import Role
from core.clock import seoul_today
from core.errors import DomainError
from vouchers.allowances import overview
from vouchers.household_allowances import household_overview

from ..allowances import (
    ALLOWANCE_LABELS,
    allowance_book,
    household_body,
    month_label,
    overview_body,
)
from ..api.schemas.allowances import (
    AllowanceOverviewIn,
    ChildFactsIn,
    HouseholdFactsIn,
    MonthArgs,
)
from ..context import current_clock, require_web_actor, roles_required
from ..errors import flatten_messages
from ..extensions import db
from ..i18n import translate
from .forms import domain_errors, form_payload, run
from .options import district_options

bp = Blueprint("allowances", __name__)
MAX_STAYS = 3  # rows of the stays-abroad form (the recorded ones and one empty)
MAX_MOVES = 3
STAY_FIELDS = ("departed_on", "returned_on")
MOVE_FIELDS = ("moved_on", "from_district_code", "to_district_code")


@bp.context_processor
def allowance_labels() -> dict[str, Any]:
    return {
        **ALLOWANCE_LABELS,
        "care_codes": [c.value for c in facts.CareArrangement],
        "month_label": month_label,
    }


def indexed_rows(form: MultiDict, name: str, keys: tuple[str, ...], limit: int) -> list[dict]:
    """Rows of a repeated block (``moves.0.moved_on`` …); rows left empty are dropped."""
    rows = []
    for index in range(limit):
        row = {key: form.get(f"{name}.{index}.{key}", "").strip() for key in keys}
        if any(row.values()):
            rows.append({key: value for key, value in row.items() if value})
    return rows


def load(schema: Schema, payload: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    try:
        return schema.load(payload), {}
    except ValidationError as error:
        found = flatten_messages(error.messages)
        return None, {name: translate(text) for name, text in found.items()}


def this_month():
    return seoul_today(current_clock()).replace(day=1)


@bp.get("/allowances")
def public_overview():
    """Anyone: a child's birth date and care arrangement → the month's allowances."""
    result, errors = None, {}
    if "birth_date" in request.args:
        payload = form_payload(AllowanceOverviewIn(), request.args)
        stays = indexed_rows(request.args, "stays_abroad", STAY_FIELDS, 1)
        payload["stays_abroad"] = stays
        data, errors = load(AllowanceOverviewIn(), payload)
        if data is not None:
            try:
                month = data["month"] or this_month()
                result = overview_body(overview(data["child"], month, allowance_book()))
            except DomainError as error:
                errors = domain_errors(error)
    return render_template(
        "allowances/public.html",
        result=result,
        errors=errors,
        args=request.args,
        month=(result or {}).get("month") or this_month(),
    ), (422 if errors else 200)


@bp.get("/household/allowances")
@roles_required(Role.PARENT)
def household_allowances():
    household = find_own_household(db.session, require_web_actor())
    if household is None:
        return redirect(url_for("parents.edit_household"))
    args, errors = load(MonthArgs(), form_payload(MonthArgs(), request.args))
    month = (args or {}).get("month") or this_month()
    found = household_body(household_overview(db.session, household, month, allowance_book()))
    return render_template(
        "allowances/household.html", household=household, overview=found, errors=errors
    ), (422 if errors else 200)


@bp.route("/household/allowances/children/<int:child_id>", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def child_facts(child_id: int):
    actor = require_web_actor()
    child = get_child(db.session, actor, child_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        payload = form_payload(ChildFactsIn(), request.form)
        payload["stays_abroad"] = indexed_rows(request.form, "stays_abroad", STAY_FIELDS, MAX_STAYS)
        details, errors = load(ChildFactsIn(), payload)
        if details is not None:
            errors = run(
                lambda: facts.update_child_allowance_facts(
                    db.session, actor, child.id, details, clock=current_clock()
                ),
                gettext("The child's allowance details have been saved."),
            )
            if not errors:
                return redirect(url_for("allowances.household_allowances"))
    return render_template(
        "allowances/child_facts.html",
        child=child,
        recorded=facts.child_allowance_facts(db.session, child),
        form=request.form,
        errors=errors,
        max_stays=MAX_STAYS,
    ), (422 if errors else 200)


@bp.route("/household/allowances/household", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def household_facts():
    actor = require_web_actor()
    household = get_own_household(db.session, actor)
    errors: dict[str, str] = {}
    if request.method == "POST":
        payload = form_payload(HouseholdFactsIn(), request.form)
        payload["moves"] = indexed_rows(request.form, "moves", MOVE_FIELDS, MAX_MOVES)
        details, errors = load(HouseholdFactsIn(), payload)
        if details is not None:
            errors = run(
                lambda: facts.update_household_allowance_facts(
                    db.session, actor, details, clock=current_clock()
                ),
                gettext("The household's allowance details have been saved."),
            )
            if not errors:
                return redirect(url_for("allowances.household_allowances"))
    return render_template(
        "allowances/household_facts.html",
        household=household,
        moves=facts.moves_of(db.session, household),
        form=request.form,
        errors=errors,
        max_moves=MAX_MOVES,
        districts=district_options(),
    ), (422 if errors else 200)
