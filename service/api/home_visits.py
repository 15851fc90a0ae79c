"""e-Child Happiness home visits (R-ECH-1..2) for officers, and referrals to the support queue."""

from __future__ import annotations

from typing import Any

from flask import Response

from booking import home_visit_steps as steps
from booking import home_visits as domain
from booking.home_visit_lists import ImportReport, add_october_round, import_flagged_children
from booking.home_visit_lists import october_round as october_children
from booking.home_visit_reports import ministry_export, quarter_dashboard
from core.actors import Role
from core.clock import seoul_today
from vouchers import support_referrals as referrals

from ..context import api_actor, current_clock
from ..extensions import db
from ..home_visits import case_body
from ..i18n import translate
from .blueprint import Blueprint
from .schemas.home_visits import (
    CallIn,
    CaseOut,
    CaseSummaryOut,
    DashboardOut,
    FollowUpIn,
    ImportFileIn,
    ImportIn,
    ImportReportOut,
    QuarterArgs,
    ReferralCloseIn,
    ReferralOut,
    RoundAddedOut,
    RoundChildOut,
    ScheduleIn,
    ServiceLinkIn,
    VisitIn,
    YearArgs,
)

blp = Blueprint(
    "api_home_visits", __name__, url_prefix="/api/v1", description="e-Child Happiness home visits"
)
SECURITY = [{"bearerAuth": []}]
READERS = (Role.OFFICER, Role.ADMIN)  # administrators read (never the counselling notes)


def quarter(args: dict[str, Any]) -> tuple[int, int]:
    year, current = domain.quarter_of(seoul_today(current_clock()))
    return args.get("year") or year, args.get("quarter") or current


def report_body(report: ImportReport) -> dict[str, Any]:
    return {
        "year": report.year,
        "quarter": report.quarter,
        "rows": report.rows,
        "imported": report.imported,
        "rejected": [
            {
                "line": row.line,
                "child_ref": row.child_ref,
                "errors": {name: translate(text) for name, text in row.errors.items()},
            }
            for row in report.rejected
        ],
    }


@blp.route("/home-visits", methods=["GET"])
@blp.arguments(QuarterArgs(), location="query")
@blp.response(200, CaseSummaryOut(many=True))
@blp.doc(security=SECURITY)
def cases(args):
    """The quarter's children of the caller's district (admins: every district)."""
    return domain.quarter_cases(db.session, api_actor(*READERS), *quarter(args))


@blp.route("/home-visits/imports", methods=["POST"])
@blp.arguments(ImportIn(), location="form")
@blp.arguments(ImportFileIn(), location="files")
@blp.response(201, ImportReportOut())
@blp.doc(security=SECURITY)
def import_list(form, files):
    """Import the quarter's flagged children (CSV, format in README.md). A file with a rejected
    row imports nothing (422, the rows in ``fields``) unless ``accept_partial`` is set."""
    report = import_flagged_children(
        db.session,
        api_actor(Role.OFFICER),
        files["file"].read(),
        year=form["year"],
        quarter=form["quarter"],
        accept_partial=form["accept_partial"],
        clock=current_clock(),
    )
    db.session.commit()
    return report_body(report)


@blp.route("/home-visits/dashboard", methods=["GET"])
@blp.arguments(QuarterArgs(), location="query")
@blp.response(200, DashboardOut())
@blp.doc(security=SECURITY)
def dashboard(args):
    """Flagged, reached, visited, linked to a service, not reached: the quarter at a glance."""
    actor = api_actor(*READERS)
    return quarter_dashboard(db.session, actor, *quarter(args), clock=current_clock())


@blp.route("/home-visits/export", methods=["GET"])
@blp.arguments(QuarterArgs(), location="query")
@blp.doc(security=SECURITY, responses={"200": {"description": "CSV for the ministry"}})
def export(args):
    """The quarter's outcomes for the ministry (CSV): no names, contacts or notes."""
    year, number = quarter(args)
    body = ministry_export(db.session, api_actor(*READERS), year, number)
    name = f"home-visits-{year}-Q{number}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blp.route("/home-visits/october-round", methods=["GET"])
@blp.arguments(YearArgs(), location="query")
@blp.response(200, RoundChildOut(many=True))
@blp.doc(security=SECURITY)
def october_round(args):
    """R-ECH-1: the district's 3-year-olds cared for at home (age on 1 October)."""
    year = args["year"] or seoul_today(current_clock()).year
    return october_children(db.session, api_actor(*READERS), year)


@blp.route("/home-visits/october-round", methods=["POST"])
@blp.arguments(YearArgs(), location="query")
@blp.response(201, RoundAddedOut())
@blp.doc(security=SECURITY)
def add_round(args):
    """Put the October round's children on the year's Q4 list."""
    year = args["year"] or seoul_today(current_clock()).year
    added = add_october_round(db.session, api_actor(Role.OFFICER), year, clock=current_clock())
    db.session.commit()
    return {"added": added}


@blp.route("/home-visits/<int:case_id>", methods=["GET"])
@blp.response(200, CaseOut())
@blp.doc(security=SECURITY)
def case(case_id):
    actor = api_actor(*READERS)
    return case_body(domain.get_case(db.session, actor, case_id), actor)


def _step(case_id: int, command, status: int = 200):
    actor = api_actor(Role.OFFICER)
    command(actor)
    db.session.commit()
    return case_body(domain.get_case(db.session, actor, case_id), actor), status


@blp.route("/home-visits/<int:case_id>/schedule", methods=["POST"])
@blp.arguments(ScheduleIn())
@blp.response(200, CaseOut())
@blp.doc(security=SECURITY)
def schedule(plan, case_id):
    """R-ECH-2: plan the call and/or the visit."""
    clock = current_clock()
    return _step(case_id, lambda a: steps.schedule(db.session, a, case_id, plan, clock=clock))


@blp.route("/home-visits/<int:case_id>/calls", methods=["POST"])
@blp.arguments(CallIn())
@blp.response(200, CaseOut())
@blp.doc(security=SECURITY)
def call(record, case_id):
    """R-ECH-2: the phone call (reached or not)."""
    clock = current_clock()
    return _step(case_id, lambda a: steps.record_call(db.session, a, case_id, record, clock=clock))


@blp.route("/home-visits/<int:case_id>/visits", methods=["POST"])
@blp.arguments(VisitIn())
@blp.response(201, CaseOut())
@blp.doc(security=SECURITY)
def visit(record, case_id):
    """R-ECH-2: the visit, its counselling notes and the needs found."""
    clock = current_clock()
    return _step(
        case_id, lambda a: steps.record_visit(db.session, a, case_id, record, clock=clock), 201
    )


@blp.route("/home-visits/<int:case_id>/services", methods=["POST"])
@blp.arguments(ServiceLinkIn())
@blp.response(201, CaseOut())
@blp.doc(security=SECURITY)
def link(link, case_id):
    """R-ECH-2: link a service; the care service refers the family to the support queue."""
    clock = current_clock()
    return _step(
        case_id, lambda a: referrals.link_service(db.session, a, case_id, link, clock=clock), 201
    )


@blp.route("/home-visits/<int:case_id>/follow-up", methods=["PUT"])
@blp.arguments(FollowUpIn())
@blp.response(200, CaseOut())
@blp.doc(security=SECURITY)
def follow_up(plan, case_id):
    clock = current_clock()
    return _step(case_id, lambda a: steps.plan_follow_up(db.session, a, case_id, plan, clock=clock))


@blp.route("/home-visits/<int:case_id>/closure", methods=["POST"])
@blp.response(200, CaseOut())
@blp.doc(security=SECURITY)
def close(case_id):
    clock = current_clock()
    return _step(case_id, lambda a: steps.close_case(db.session, a, case_id, clock=clock))


@blp.route("/support/referrals", methods=["GET"])
@blp.response(200, ReferralOut(many=True))
@blp.doc(security=SECURITY)
def open_referrals():
    """Open referrals from home visits in the caller's district, oldest first."""
    return referrals.open_referrals(db.session, api_actor(*READERS))


@blp.route("/support/referrals/<int:referral_id>/closure", methods=["POST"])
@blp.arguments(ReferralCloseIn())
@blp.response(200, ReferralOut())
@blp.doc(security=SECURITY)
def close_referral(payload, referral_id):
    """Close a referral: the family's application recorded, or the family declined."""
    referral = referrals.close_referral(
        db.session, api_actor(Role.OFFICER), referral_id, payload["note"], clock=current_clock()
    )
    db.session.commit()
    return referral
