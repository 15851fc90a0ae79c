"""Community-centre officers: the district's support applications, tier decisions, dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import Schema
from sqlalchemy import select

from booking.households import get_household
from core.actors import Actor, Role
from core.clock import seoul_today
from core.errors import DomainError
from vouchers import support_applications as applications
from vouchers import tier_decisions as decisions
from vouchers.support_applications import SupportApplication
from vouchers.support_referrals import open_referrals
from vouchers.tariffs import Tier
from vouchers.tier_decisions import TierDecision

from ..api.schemas.support import DecisionIn, NoteIn, ReasonIn
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from ..quotes import tariff_book
from ..support import application_view
from .forms import domain_errors, load_form
from .support import application_form_page, decision_letter, send_document, support_context

bp = Blueprint("officer_support", __name__, url_prefix="/officer")
READERS = (Role.OFFICER, Role.ADMIN)  # administrators may read; decisions are the officers'


@bp.context_processor
def support_labels() -> dict[str, Any]:
    return support_context()


@bp.get("/applications")
@roles_required(*READERS)
def applications_queue():
    actor = require_web_actor()
    return render_template(
        "officer/applications.html",
        applications=applications.open_applications(db.session, actor),
        referrals=open_referrals(db.session, actor),  # families found at home visits (R-ECH-2)
        today=seoul_today(current_clock()),
    )


@bp.get("/applications/new")
@roles_required(Role.OFFICER)
def pick_household():
    """The queue's household picker (a plain GET form) leads to the household's form."""
    household_id = request.args.get("household_id", "").strip()
    if not household_id.isdigit():
        flash(gettext("Enter the household number."), "error")
        return redirect(url_for("officer_support.applications_queue"))
    return redirect(url_for("officer_support.record_application", household_id=household_id))


@bp.route("/households/<int:household_id>/apply", methods=["GET", "POST"])
@roles_required(Role.OFFICER)
def record_application(household_id: int):
    actor = require_web_actor()
    household = get_household(db.session, actor, household_id)
    return application_form_page(actor, household, household_id=household.id)


@bp.get("/applications/<int:application_id>")
@roles_required(*READERS)
def application(application_id: int):
    actor = require_web_actor()
    return detail_page(actor, applications.get_application(db.session, actor, application_id))


@bp.post("/applications/<int:application_id>/decision")
@roles_required(Role.OFFICER)
def decide(application_id: int):
    return act(
        application_id,
        DecisionIn(),
        "decision",
        lambda actor, found, data: decisions.decide(
            db.session,
            actor,
            found.id,
            tier=Tier(data["tier"]) if data["tier"] else None,
            reason=data["reason"],
            tariffs=tariff_book(),
            clock=current_clock(),
        ),
        gettext("The tier has been decided."),
    )


@bp.post("/applications/<int:application_id>/documents-request")
@roles_required(Role.OFFICER)
def request_documents(application_id: int):
    return act(
        application_id,
        NoteIn(),
        "documents",
        lambda actor, found, data: decisions.request_documents(
            db.session, actor, found.id, data["note"], clock=current_clock()
        ),
        gettext("The family has been asked for more documents."),
    )


@bp.post("/applications/<int:application_id>/rejection")
@roles_required(Role.OFFICER)
def reject(application_id: int):
    return act(
        application_id,
        ReasonIn(),
        "rejection",
        lambda actor, found, data: decisions.reject(
            db.session, actor, found.id, data["reason"], clock=current_clock()
        ),
        gettext("The application has been rejected."),
    )


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@roles_required(*READERS)
def document(application_id: int, document_id: int):
    return send_document(require_web_actor(), application_id, document_id)


@bp.get("/dashboard")
@roles_required(*READERS)
def dashboard():
    summary = decisions.district_dashboard(db.session, require_web_actor(), clock=current_clock())
    return render_template("officer/dashboard.html", summary=summary)


@bp.get("/decisions/<int:decision_id>/letter")
@roles_required(*READERS)
def letter(decision_id: int):
    letter = decision_letter(require_web_actor(), decision_id)
    back = url_for("officer_support.applications_queue")
    if letter["application"] is not None:
        back = url_for("officer_support.application", application_id=letter["application"].id)
    return render_template("support/letter.html", back=back, **letter)


# --- helpers ----------------------------------------------------------------------------------


def act(
    application_id: int,
    schema: Schema,
    form_name: str,
    command: Callable[[Actor, SupportApplication, dict[str, Any]], object],
    done: str,
):
    """One of the detail page's forms: parse, load the district's application, one domain
    call, commit, back to the page; errors are shown at the form that was sent."""
    actor = require_web_actor()
    found = applications.get_application(db.session, actor, application_id)
    data, errors = load_form(schema)
    code = 422
    if data is not None:
        try:
            command(actor, found, data)
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("officer_support.application", application_id=found.id))
        except DomainError as error:
            db.session.rollback()
            errors, code = domain_errors(error), error.status
    return detail_page(actor, found, errors, form_name, code)


def detail_page(
    actor: Actor,
    found: SupportApplication,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    code: int = 200,
):
    view = application_view(found, actor)
    decision = db.session.scalar(
        select(TierDecision).where(TierDecision.application_id == found.id)
    )
    income = tariff_book().for_date(view.today).income  # the percents behind the thresholds
    return render_template(
        "officer/application.html",
        application=view,
        children=[c for c in found.household.children if c.id in set(found.child_ids)],
        decision=decision,
        threshold_percent={t.value: percent for t, percent in income.threshold_percent.items()},
        dual_earner_percent=income.dual_earner_percent,
        tiers=[t.value for t in Tier],
        errors=errors or {},
        failed=failed,
        form=request.form if failed else {},
        can_decide=actor.role is Role.OFFICER,
    ), code
