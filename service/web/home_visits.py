"""e-Child Happiness home visits (R-ECH-1..2): the officers' pages.

The quarter's list, the CSV import with its report, each child's page with the forms of the
visit's steps, the October round, the quarter's dashboard and export, and the referrals to the
support queue. Administrators read (never the counselling notes); officers act.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import Schema
from werkzeug.datastructures import ImmutableMultiDict

from booking import home_visit_steps as steps
from booking import home_visits as domain
from booking.home_visit_lists import (
    COLUMNS,
    RowsRejected,
    add_october_round,
    import_flagged_children,
    october_round,
)
from booking.home_visit_reports import ministry_export, quarter_dashboard
from core.actors import Actor, Role
from core.clock import seoul_today
from core.errors import DomainError
from vouchers import support_referrals as referrals

from ..api.schemas.home_visits import (
    CallIn,
    FollowUpIn,
    ImportIn,
    QuarterArgs,
    ReferralCloseIn,
    ScheduleIn,
    ServiceLinkIn,
    VisitIn,
)
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from ..home_visits import HOME_VISIT_LABELS, case_body
from .allowances import load
from .forms import domain_errors, form_payload, load_form

bp = Blueprint("home_visits", __name__, url_prefix="/officer")
READERS = (Role.OFFICER, Role.ADMIN)
SEOUL_OFFSET = "+09:00"  # the forms' datetime-local inputs are Korean time


@bp.context_processor
def home_visit_labels() -> dict[str, Any]:
    return {**HOME_VISIT_LABELS, "CSV_COLUMNS": COLUMNS}


def chosen_quarter() -> tuple[int, int, dict[str, str]]:
    args, errors = load(QuarterArgs(), form_payload(QuarterArgs(), request.args))
    year, quarter = domain.quarter_of(seoul_today(current_clock()))
    return (args or {}).get("year") or year, (args or {}).get("quarter") or quarter, errors


@bp.get("/home-visits")
@roles_required(*READERS)
def quarter_list():
    year, quarter, errors = chosen_quarter()
    cases = domain.quarter_cases(db.session, require_web_actor(), year, quarter)
    return render_template(
        "home_visits/list.html", cases=cases, year=year, quarter=quarter, errors=errors
    ), (422 if errors else 200)


@bp.route("/home-visits/import", methods=["GET", "POST"])
@roles_required(Role.OFFICER)
def import_list():
    actor = require_web_actor()
    year, quarter, _ = chosen_quarter()
    errors: dict[str, str] = {}
    report, code = None, 200
    if request.method == "POST":
        form, errors = load_form(ImportIn())
        upload = request.files.get("file")
        if not upload or not upload.filename:
            errors["file"] = gettext("Choose the CSV file.")
        if not errors:
            try:
                report = import_flagged_children(
                    db.session,
                    actor,
                    upload.read(),
                    year=form["year"],
                    quarter=form["quarter"],
                    accept_partial=form["accept_partial"],
                    clock=current_clock(),
                )
                db.session.commit()
                flash(gettext("%(count)s children imported.", count=report.imported), "success")
                if not report.rejected:
                    return redirect(
                        url_for(".quarter_list", year=report.year, quarter=report.quarter)
                    )
            except RowsRejected as error:
                db.session.rollback()
                report, code = error.report, 422
                flash(gettext("Some rows were rejected; nothing was imported."), "error")
            except DomainError as error:
                db.session.rollback()
                errors = domain_errors(error)
        code = 422 if errors else code
    return render_template(
        "home_visits/import.html",
        year=year,
        quarter=quarter,
        form=request.form,
        errors=errors,
        report=report,
    ), code


@bp.get("/home-visits/<int:case_id>")
@roles_required(*READERS)
def case(case_id: int):
    actor = require_web_actor()
    return case_page(actor, domain.get_case(db.session, actor, case_id))


def case_page(
    actor: Actor,
    found: domain.VisitCase,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    code: int = 200,
):
    return render_template(
        "home_visits/case.html",
        case=case_body(found, actor),
        errors=errors or {},
        failed=failed,
        form=request.form if failed else ImmutableMultiDict(),
        can_act=actor.role is Role.OFFICER,
        referral=next(
            (r for r in referrals.open_referrals(db.session, actor) if r.case_id == found.id),
            None,
        ),
    ), code


def with_offset(names: tuple[str, ...]) -> dict[str, str]:
    """The datetime-local inputs of the posted form, given the Seoul offset."""
    return {n: f"{request.form[n]}{SEOUL_OFFSET}" for n in names if request.form.get(n, "").strip()}


def act(
    case_id: int,
    schema: Schema,
    form_name: str,
    command: Callable[[Actor, Any], object],
    done: str,
    times: tuple[str, ...] = (),
):
    """One form of the child's page: parse, load the district's case, one domain call,
    commit, back to the page; errors are shown at the form that was sent."""
    actor = require_web_actor()
    found = domain.get_case(db.session, actor, case_id)
    data, errors = load(schema, {**form_payload(schema, request.form), **with_offset(times)})
    code = 422
    if data is not None:
        try:
            command(actor, data)
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(".case", case_id=found.id))
        except DomainError as error:
            db.session.rollback()
            errors, code = domain_errors(error), error.status
            found = domain.get_case(db.session, actor, case_id)
    return case_page(actor, found, errors, form_name, code)


@bp.post("/home-visits/<int:case_id>/schedule")
@roles_required(Role.OFFICER)
def schedule(case_id: int):
    return act(
        case_id,
        ScheduleIn(),
        "schedule",
        lambda a, plan: steps.schedule(db.session, a, case_id, plan, clock=current_clock()),
        gettext("The call and visit have been planned."),
        ("call_at", "visit_at"),
    )


@bp.post("/home-visits/<int:case_id>/call")
@roles_required(Role.OFFICER)
def call(case_id: int):
    return act(
        case_id,
        CallIn(),
        "call",
        lambda a, rec: steps.record_call(db.session, a, case_id, rec, clock=current_clock()),
        gettext("The call has been recorded."),
        ("called_at",),
    )


@bp.post("/home-visits/<int:case_id>/visit")
@roles_required(Role.OFFICER)
def visit(case_id: int):
    return act(
        case_id,
        VisitIn(),
        "visit",
        lambda a, rec: steps.record_visit(db.session, a, case_id, rec, clock=current_clock()),
        gettext("The visit has been recorded."),
        ("visited_at",),
    )


@bp.post("/home-visits/<int:case_id>/services")
@roles_required(Role.OFFICER)
def link_service(case_id: int):
    return act(
        case_id,
        ServiceLinkIn(),
        "service",
        lambda a, link: referrals.link_service(db.session, a, case_id, link, clock=current_clock()),
        gettext("The service has been linked."),
    )


@bp.post("/home-visits/<int:case_id>/follow-up")
@roles_required(Role.OFFICER)
def follow_up(case_id: int):
    return act(
        case_id,
        FollowUpIn(),
        "follow_up",
        lambda a, plan: steps.plan_follow_up(db.session, a, case_id, plan, clock=current_clock()),
        gettext("The follow-up has been saved."),
    )


@bp.post("/home-visits/<int:case_id>/closure")
@roles_required(Role.OFFICER)
def close(case_id: int):
    actor = require_web_actor()
    steps.close_case(db.session, actor, case_id, clock=current_clock())
    db.session.commit()
    flash(gettext("The child's case has been closed."), "success")
    return redirect(url_for(".case", case_id=case_id))


@bp.get("/home-visits/dashboard")
@roles_required(*READERS)
def dashboard():
    year, quarter, errors = chosen_quarter()
    summary = quarter_dashboard(
        db.session, require_web_actor(), year, quarter, clock=current_clock()
    )
    return render_template("home_visits/dashboard.html", summary=summary, errors=errors), (
        422 if errors else 200
    )


@bp.get("/home-visits/export.csv")
@roles_required(*READERS)
def export():
    year, quarter, _ = chosen_quarter()
    body = ministry_export(db.session, require_web_actor(), year, quarter)
    name = f"home-visits-{year}-Q{quarter}.csv"
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.route("/home-visits/october-round", methods=["GET", "POST"])
@roles_required(*READERS)
def october():
    actor = require_web_actor()
    year, _, _ = chosen_quarter()
    if request.method == "POST":
        added = add_october_round(db.session, actor, year, clock=current_clock())
        db.session.commit()
        flash(gettext("%(count)s children added to the Q4 list.", count=added), "success")
        return redirect(url_for(".quarter_list", year=year, quarter=domain.OCTOBER_ROUND_QUARTER))
    children = october_round(db.session, actor, year)
    return render_template("home_visits/october.html", children=children, year=year)


@bp.get("/referrals")
@roles_required(*READERS)
def referral_list():
    found = referrals.open_referrals(db.session, require_web_actor())
    return render_template("officer/referrals.html", referrals=found)


@bp.post("/referrals/<int:referral_id>/closure")
@roles_required(Role.OFFICER)
def close_referral(referral_id: int):
    actor = require_web_actor()
    data, errors = load_form(ReferralCloseIn())
    if data is None:
        flash(next(iter(errors.values())), "error")
        return redirect(url_for(".referral_list"))
    referrals.close_referral(db.session, actor, referral_id, data["note"], clock=current_clock())
    db.session.commit()
    flash(gettext("The referral has been closed."), "success")
    return redirect(url_for(".referral_list"))
