"""A family's support: its tier and what it means in money, its application, its decisions.

The helpers at the bottom (the application form, documents, the decision letter) serve the
officers' pages too (``officer_support``).
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, gettext
from marshmallow import ValidationError
from sqlalchemy import select

from booking.geography import CommunityCentre, District
from booking.households import Household, find_own_household, households_for_actor
from core.actors import Actor, Role
from core.clock import SEOUL, seoul_today
from core.errors import DomainError, NotFound
from core.i18n import N_
from vouchers import support_applications as applications
from vouchers import tier_decisions as decisions
from vouchers.care_calendar import is_public_holiday, service_allows_age
from vouchers.cost_split import ChildFacts, QuoteRequest, Service
from vouchers.support_applications import ApplicationForm, SupportApplication
from vouchers.tier_decisions import SupportStanding, TierDecision

from ..accounts.models import User
from ..api.schemas.support import ApplicationIn
from ..context import current_clock, require_web_actor, roles_required
from ..errors import flatten_messages
from ..extensions import db
from ..i18n import translate
from ..labels import Labels
from ..quotes import quote_for, tariff_book
from ..support import application_view, document_store, uploads
from .forms import domain_errors, form_payload

bp = Blueprint("support", __name__, url_prefix="/support")

MAX_EARNERS = 2  # the form's earner blocks: the applicant and a partner
EXAMPLE_HOURS = (time(9), time(11))  # the status page's example: 2 hours of basic care
SUPPORT_LABELS = {
    "INSURANCE_NAMES": Labels(
        {
            "workplace": N_("Insured at work"),
            "regional": N_("Insured in the regional scheme (self-employed, others)"),
            "none": N_("Not insured / no income"),
        }
    ),
    "CARE_GAP_NAMES": Labels(
        {
            "dual_earner": N_("Both parents work"),
            "single_parent": N_("Single parent"),
            "disabled_parent": N_("Disabled parent"),
            "grandparent": N_("Grandparent-headed family"),
            "multi_child": N_(
                "Multi-child family (3 children aged 12 or under, or 2 with one aged 36 months "
                "or under)"
            ),
            "multicultural": N_("Multicultural family with 2 children aged 12 or under"),
            "parent_ill": N_("A parent is ill"),
            "parent_in_hospital": N_("A parent is in hospital for 5 days or more"),
            "parent_in_military": N_("A parent is in military service"),
            "parent_training": N_("A parent is in training"),
            "parent_job_seeking": N_("A parent is looking for work"),
            "birth": N_("A mother is giving birth"),
        }
    ),
    "STATUS_NAMES": Labels(
        {
            "submitted": N_("Submitted: waiting for the community centre"),
            "documents_requested": N_("More documents needed"),
            "decided": N_("Decided"),
            "rejected": N_("Not approved"),
        }
    ),
    "CHANNEL_NAMES": Labels({"online": N_("Online"), "in_person": N_("In person")}),
}


@bp.context_processor
def support_labels() -> dict[str, Any]:
    return support_context()


def support_context() -> dict[str, Any]:
    """The label maps and the programme's limits that the support templates name."""
    return {
        **SUPPORT_LABELS,
        "DECISION_DAYS": applications.DECISION_DAYS,
        "DOCUMENT_LIMIT_MB": applications.MAX_DOCUMENT_BYTES // (1024 * 1024),
    }


@bp.app_template_filter("tenths")
def tenths(value_x10: int) -> str:
    """An integer in tenths (1234) as a decimal number in the page's locale (123.4)."""
    return format_decimal(Decimal(value_x10).scaleb(-1), format="#,##0.0")


@bp.app_template_filter("translated")
def translated(message: str) -> str:
    """An ``N_()`` message stored by the domain (a care-gap note), in the page's language."""
    return translate(message)


# --- pages ------------------------------------------------------------------------------------


@bp.get("")
@roles_required(Role.PARENT)
def status():
    actor = require_web_actor()
    household = find_own_household(db.session, actor)
    if household is None:
        return redirect(url_for("parents.edit_household"))
    return status_page(actor, household, {})


@bp.route("/apply", methods=["GET", "POST"])
@roles_required(Role.PARENT)
def apply():
    actor = require_web_actor()
    household = find_own_household(db.session, actor)
    if household is None:
        return redirect(url_for("parents.edit_household"))
    return application_form_page(actor, household, household_id=None)


@bp.post("/applications/<int:application_id>/documents")
@roles_required(Role.PARENT)
def add_documents(application_id: int):
    actor = require_web_actor()
    found = applications.get_application(db.session, actor, application_id)
    files = uploads(request.files.getlist("documents"))
    try:
        applications.add_documents(
            db.session, actor, found.id, files, store=document_store(), clock=current_clock()
        )
        db.session.commit()
        flash(gettext("Your documents have been sent to the community centre."), "success")
        return redirect(url_for("support.status"))
    except DomainError as error:
        db.session.rollback()
        return status_page(actor, found.household, form_errors(error), error.status)


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@roles_required(Role.PARENT)
def document(application_id: int, document_id: int):
    return send_document(require_web_actor(), application_id, document_id)


@bp.get("/decisions/<int:decision_id>/letter")
@roles_required(Role.PARENT)
def letter(decision_id: int):
    actor = require_web_actor()
    return render_template(
        "support/letter.html",
        back=url_for("support.status"),
        **decision_letter(actor, decision_id),
    )


# --- shared with the officers' pages --------------------------------------------------------


def status_page(actor: Actor, household: Household, errors: dict[str, str], code: int = 200):
    today = seoul_today(current_clock())
    standing = decisions.support_standing(db.session, household, today)
    latest = db.session.scalar(
        applications.applications_for_actor(actor)
        .order_by(SupportApplication.submitted_at.desc(), SupportApplication.id.desc())
        .limit(1)
    )
    history = decisions.decision_history(db.session, actor, household.id)
    return render_template(
        "support/status.html",
        household=household,
        standing=standing,
        current=next((d for d in history if d.id == standing.decision_id), None),
        example=example_quote(household, standing, today),
        application=application_view(latest, actor) if latest is not None else None,
        history=history,
        errors=errors,
    ), code


def example_quote(
    household: Household, standing: SupportStanding, today: date
) -> dict[str, Any] | None:
    """What the tier means in money: 2 hours of basic care on the next working weekday for the
    youngest child eligible for support, cared for at home; None when no child is eligible."""
    day = today + timedelta(days=1)
    while day.weekday() >= 5 or is_public_holiday(day):
        day += timedelta(days=1)
    start, end = (datetime.combine(day, moment, tzinfo=SEOUL) for moment in EXAMPLE_HOURS)
    try:  # no fees for that day yet: no example rather than a failed page
        terms = tariff_book().for_date(day).services[Service.BASIC]
        eligible = [
            c
            for c in household.children
            if c.eligible_for_support and service_allows_age(terms, c.birth_date, day)
        ]
        if not eligible:
            return None
        child = max(eligible, key=lambda c: c.birth_date)
        result = quote_for(
            QuoteRequest(
                service=Service.BASIC,
                start=start,
                end=end,
                children=(ChildFacts(birth_date=child.birth_date),),
                tier=standing.tier,
                groups=standing.groups,
            )
        )
    except DomainError:
        return None
    return {"child": child, "start": start, "end": end, "quote": result}


def application_form_page(actor: Actor, household: Household, *, household_id: int | None):
    """The application form: a parent applies online; an officer records an in-person
    application for ``household_id``."""
    errors: dict[str, str] = {}
    code = 200
    if request.method == "POST":
        form, errors = load_application_form()
        code = 422
        if form is not None:
            try:
                created = applications.submit_application(
                    db.session,
                    actor,
                    form,
                    store=document_store(),
                    clock=current_clock(),
                    household_id=household_id,
                )
                db.session.commit()
                if household_id is None:
                    flash(gettext("Your application has been sent."), "success")
                    return redirect(url_for("support.status"))
                flash(gettext("The application has been recorded."), "success")
                return redirect(url_for("officer_support.application", application_id=created.id))
            except DomainError as error:
                db.session.rollback()
                errors, code = form_errors(error), error.status
    return render_template(
        "support/apply.html",
        household=household,
        form=request.form,
        errors=errors,
        in_person=household_id is not None,
        max_earners=MAX_EARNERS,
    ), code


def load_application_form() -> tuple[ApplicationForm | None, dict[str, str]]:
    """The posted form through ``ApplicationIn`` (the API's schema), with the uploaded files."""
    schema = ApplicationIn()
    payload = form_payload(schema, request.form)
    payload.pop("household_id", None)  # an officer's household comes from the address
    payload["earners"] = earners_payload(request.form)
    try:
        loaded = schema.load(payload)
    except ValidationError as error:
        return None, {
            name: translate(text) for name, text in flatten_messages(error.messages).items()
        }
    return replace(loaded["form"], documents=tuple(uploads(request.files.getlist("documents")))), {}


def earners_payload(form) -> list[dict[str, Any]]:
    """The earner blocks (``earners.0.name`` …) that were filled in; incomes as integer won
    (digits with optional thousands separators), anything else left for the schema to refuse."""
    earners = []
    for index in range(MAX_EARNERS):
        values = {
            key: form.get(f"earners.{index}.{key}", "").strip()
            for key in ("name", "monthly_income", "insurance")
        }
        if not (values["name"] or values["monthly_income"]):
            continue
        income = values["monthly_income"].replace(",", "").replace(" ", "")
        if income.lstrip("-").isdigit():
            values["monthly_income"] = int(income)
        earners.append({key: value for key, value in values.items() if value != ""})
    return earners


def form_errors(error: DomainError) -> dict[str, str]:
    """A domain error as form errors; each file's error is shown at the file input."""
    errors: dict[str, str] = {}
    for name, text in domain_errors(error).items():
        errors.setdefault("documents" if name.startswith("documents.") else name, text)
    return errors


def send_document(actor: Actor, application_id: int, document_id: int):
    """A document of an application the actor may see, as a download (never shown inline)."""
    found = applications.get_application(db.session, actor, application_id)
    stored = next((d for d in found.documents if d.id == document_id), None)
    if stored is None:
        raise NotFound()
    try:
        data = document_store().load(stored.storage_key)
    except (KeyError, OSError) as error:
        raise NotFound() from error
    response = send_file(
        io.BytesIO(data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def find_decision(actor: Actor, decision_id: int) -> TierDecision:
    """A decision of a household the actor may see (its family, its district's officers)."""
    own = households_for_actor(actor).with_only_columns(Household.id)
    decision = db.session.scalar(
        select(TierDecision).where(
            TierDecision.id == decision_id, TierDecision.household_id.in_(own)
        )
    )
    if decision is None:
        raise NotFound()
    return decision


def decision_letter(actor: Actor, decision_id: int) -> dict[str, Any]:
    """Everything the printed notice names: the centre, the family, the tier and the working."""
    decision = find_decision(actor, decision_id)
    household = db.session.get(Household, decision.household_id)
    application = (
        db.session.get(SupportApplication, decision.application_id)
        if decision.application_id is not None
        else None
    )
    district_code = application.district_code if application else household.district_code
    chosen = set(application.child_ids) if application else set()
    return {
        "decision": decision,
        "household": household,
        "application": application,
        "children": [c for c in household.children if c.id in chosen],
        "district": db.session.get(District, district_code),
        "centre": db.session.scalar(
            select(CommunityCentre)
            .where(CommunityCentre.district_code == district_code)
            .order_by(CommunityCentre.id)
            .limit(1)
        ),
        "officer": db.session.get(User, decision.decided_by_user_id),
        "decided_on": decision.decided_at.astimezone(SEOUL).date(),
    }
