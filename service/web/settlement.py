"""Monthly settlement: agencies read and download their claims; administrators lock the month,
build the claims from the snapshot, confirm and pay them, and see the month by province."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, gettext
from openpyxl import Workbook
from sqlalchemy import func, select

from booking.agencies import Agency
from booking.geography import District, Province
from core.actors import Role
from core.clock import SEOUL, seoul_today
from core.errors import DomainError
from core.i18n import N_
from vouchers.caregiver_statements import statements
from vouchers.claims import (
    build_claims,
    claim_lines,
    claims_for_actor,
    confirm_claim,
    get_claim,
    pay_claim,
)
from vouchers.settlement import AgencyClaim, SettlementItem, lock_month

from ..allowances import month_label
from ..api.schemas.allowances import MonthArgs, MonthField
from ..api.schemas.common import StrictSchema
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from ..labels import Labels
from ..quotes import tariff_book
from .forms import domain_errors, flash_errors, load_args, load_form, run

claims_bp = Blueprint("claims", __name__, url_prefix="/agency/claims")
bp = Blueprint("settlement", __name__, url_prefix="/admin/settlement")
READERS = (Role.AGENCY_STAFF, Role.ADMIN)
TOTALS = ("lines", "minutes", "total", "government", "parent", "fees", "refunds", "payable")

SETTLEMENT_LABELS = {
    "CLAIM_STATE_NAMES": Labels(
        {"draft": N_("Draft"), "confirmed": N_("Claim confirmed"), "paid": N_("Paid to the agency")}
    ),
    "ITEM_KIND_NAMES": Labels(
        {
            "visit": N_("Visit"),
            "no_show": N_("No-show"),
            "cancellation_fee": N_("Cancellation fee"),
            "waived_cancellation": N_("Waived cancellation"),
            "contract": N_("Full-day contract"),
            "refund": N_("Refund to the family"),
        }
    ),
    "REASON_NAMES": Labels(
        {
            "over_cap": N_("The family's subsidised hours of the year are used up"),
            "no_effective_tier": N_("No tier decision in force on the care date"),
            "unqualified_caregiver": N_("The caregiver lacks the training or skill"),
            "duplicate": N_("The caregiver's time is already claimed"),
        }
    ),
    "LINE_STATUS_NAMES": Labels(
        {"accepted": N_("Accepted"), "adjusted": N_("Reduced"), "rejected": N_("Not claimed")}
    ),
}


class MonthIn(StrictSchema):
    month = MonthField(required=True)


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


def settlement_context() -> dict[str, Any]:
    return {
        **SETTLEMENT_LABELS,
        "format_hours": lambda minutes: format_decimal(hours(minutes), "#,##0.##"),
        "month_label": month_label,
    }


for blueprint in (claims_bp, bp):
    blueprint.context_processor(settlement_context)


# --- agencies -------------------------------------------------------------------------------


@claims_bp.get("")
@roles_required(Role.AGENCY_STAFF)
def index():
    args = load_args(MonthArgs(), request.args)
    month = f"{args['month']:%Y-%m}" if args["month"] else None
    query = claims_for_actor(db.session, require_web_actor(), month)
    return render_template("settlement/claims.html", claims=db.session.scalars(query).all())


@claims_bp.get("/<int:claim_id>")
@roles_required(*READERS)
def detail(claim_id: int):
    claim = get_claim(db.session, require_web_actor(), claim_id)
    return render_template(
        "settlement/claim.html",
        claim=claim,
        agency=db.session.get(Agency, claim.agency_id),
        lines=claim_lines(db.session, claim),
        statements=statements(db.session, claim.agency_id, claim.month, tariff_book()),
    )


@claims_bp.get("/<int:claim_id>.csv")
@roles_required(*READERS)
def download_csv(claim_id: int):
    _claim, name, rows = export(claim_id)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    data = io.BytesIO(text.getvalue().encode("utf-8-sig"))  # the BOM: Excel reads it as UTF-8
    return send_file(data, mimetype="text/csv", as_attachment=True, download_name=f"{name}.csv")


@claims_bp.get("/<int:claim_id>.xlsx")
@roles_required(*READERS)
def download_xlsx(claim_id: int):
    claim, name, rows = export(claim_id)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=claim.month)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return send_file(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{name}.xlsx",
    )


def export(claim_id: int) -> tuple[AgencyClaim, str, list[list[Any]]]:
    """The claim as rows: a header, one row per line, and the claim's own totals."""
    claim = get_claim(db.session, require_web_actor(), claim_id)
    agency = db.session.get(Agency, claim.agency_id)
    lines = claim_lines(db.session, claim)
    header = [
        gettext("Date"),
        gettext("Kind"),
        gettext("Service"),
        gettext("Caregiver ID"),
        gettext("Children"),
        gettext("Minutes"),
        gettext("Hours"),
        gettext("Total (won)"),
        gettext("Government share (won)"),
        gettext("Government claimed (won)"),
        gettext("Parent share (won)"),
        gettext("Cancellation fee (won)"),
        gettext("Refund (won)"),
        gettext("Payable (won)"),
        gettext("Reason code"),
        gettext("Status"),
    ]
    rows: list[list[Any]] = [header]
    for line in lines:
        rows.append(
            [
                line.starts_at.astimezone(SEOUL).date(),
                line.kind,
                line.service,
                line.caregiver_id if line.caregiver_id is not None else "",
                line.children,
                line.minutes,
                hours(line.minutes),
                line.total,
                line.government,
                line.claimed_government,
                line.parent,
                line.fee,
                line.refund,
                line.claimed_government + line.parent + line.fee - line.refund,
                line.reason,
                line.status,
            ]
        )
    rows.append(
        [
            gettext("Total of %(count)s lines", count=claim.lines),
            *([""] * 4),
            claim.minutes,
            hours(claim.minutes),
            claim.total,
            sum(line.government for line in lines),
            claim.government,
            claim.parent,
            claim.fees,
            claim.refunds,
            claim.payable,
            "",
            "",
        ]
    )
    return claim, f"claim-{agency.code}-{claim.month}", rows


# --- administrators -------------------------------------------------------------------------


@bp.get("")
@roles_required(Role.ADMIN)
def overview():
    args = load_args(MonthArgs(), request.args)
    month = args["month"] or (seoul_today(current_clock()).replace(day=1) - timedelta(days=1))
    return render_template("settlement/admin.html", **month_overview(month.replace(day=1)))


@bp.post("/lock")
@roles_required(Role.ADMIN)
def lock():
    return month_step(
        lock_month,
        lambda done: gettext(
            "%(month)s is locked. New lines: %(items)s; corrections of earlier months: "
            "%(corrections)s.",
            month=done.month,
            items=done.items,
            corrections=done.corrections,
        ),
    )


@bp.post("/build")
@roles_required(Role.ADMIN)
def build():
    return month_step(
        build_claims,
        lambda done: gettext(
            "Claims built for %(month)s. Claims: %(claims)s; lines: %(lines)s; lines not "
            "fully claimed: %(rejected)s.",
            month=done.month,
            claims=done.claims,
            lines=done.lines,
            rejected=done.rejected,
        ),
    )


@bp.post("/claims/<int:claim_id>/confirm")
@roles_required(Role.ADMIN)
def confirm(claim_id: int):
    return claim_step(claim_id, confirm_claim, gettext("The claim has been confirmed."))


@bp.post("/claims/<int:claim_id>/pay")
@roles_required(Role.ADMIN)
def mark_paid(claim_id: int):
    return claim_step(claim_id, pay_claim, gettext("The claim has been marked as paid."))


def month_step(step: Callable[..., Any], done: Callable[[Any], str]):
    """Lock or build one month: one domain call, one commit; a domain error is flashed."""
    args, errors = load_form(MonthIn())
    if args is None:
        flash_errors(errors)
        return redirect(url_for("settlement.overview"))
    month = f"{args['month']:%Y-%m}"
    try:
        result = step(db.session, month, tariffs=tariff_book(), clock=current_clock())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash_errors(domain_errors(error))
    else:
        flash(done(result), "success")
    return redirect(url_for("settlement.overview", month=month))


def claim_step(claim_id: int, step: Callable[..., Any], done: str):
    actor = require_web_actor()
    claim = get_claim(db.session, actor, claim_id)
    month = claim.month
    flash_errors(run(lambda: step(db.session, actor, claim, clock=current_clock()), done))
    return redirect(url_for("settlement.overview", month=month))


def month_overview(first: date) -> dict[str, Any]:
    month = f"{first:%Y-%m}"
    query = claims_for_actor(db.session, require_web_actor(), month)
    claims = db.session.execute(
        query.join(Agency, Agency.id == AgencyClaim.agency_id).add_columns(Agency)
    ).all()
    return {
        "month": month,
        "first": first,
        "previous": (first - timedelta(days=1)).replace(day=1),
        "following": (first + timedelta(days=31)).replace(day=1),
        "claims": claims,
        "totals": {name: sum(getattr(row[0], name) for row in claims) for name in TOTALS},
        "locked": db.session.scalar(select(func.count()).where(SettlementItem.month == month)),
        "regions": payable_by_province(month),
    }


def payable_by_province(month: str) -> list[Any]:
    """Every province with what its agencies (by their home district) are owed for the month."""
    sums = (
        select(
            District.province_code.label("code"),
            func.sum(AgencyClaim.payable).label("payable"),
            func.count().label("claims"),
        )
        .join(Agency, Agency.id == AgencyClaim.agency_id)
        .join(District, District.code == Agency.home_district_code)
        .where(AgencyClaim.month == month)
        .group_by(District.province_code)
        .subquery()
    )
    payable = func.coalesce(sums.c.payable, 0)
    return db.session.execute(
        select(Province, payable.label("payable"), func.coalesce(sums.c.claims, 0).label("claims"))
        .outerjoin(sums, sums.c.code == Province.code)
        .order_by(payable.desc(), Province.code)
    ).all()
