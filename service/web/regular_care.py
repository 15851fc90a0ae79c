"""Regular care (issue 5): the waiting list (R-BK-2..4) and next month's weekly series (R-BK-1).

Parents (``/bookings/regular``) see their children's places with the points behind them, join
the list, renew monthly and, for regular children, submit next month's pattern. Agency staff
(``/agency/waiting``) see the list by points with overdue answers, answer, place as regular, and
assign and confirm next month's series.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from booking import series as series_domain
from booking import waiting_list as waiting
from booking.bookings import BookingSeries
from booking.caregivers import Caregiver
from booking.households import ChildState, Household, find_own_household
from booking.waiting_list import PriorityGround
from core.actors import Actor, Role
from core.clock import seoul_today
from core.errors import DomainError
from core.i18n import N_

from ..api.schemas.regular_care import SeriesAssignIn, SeriesIn, WaitingIn
from ..bookings import limits, pricing
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from ..labels import Labels
from ..payments import contract_with_money
from .assignment_board import agency_caregivers
from .bookings import HALF_HOURS
from .forms import domain_errors, flash_errors, load_form, run

bp = Blueprint("waiting", __name__, url_prefix="/bookings/regular")
agency_bp = Blueprint("agency_waiting", __name__, url_prefix="/agency/waiting")

SERIES_SERVICES = ("basic", "comprehensive", "infant_fullday")  # full-day: a monthly contract
SERIES_SHOWN = 12
GROUND_NAMES = Labels(
    {
        PriorityGround.LOW_INCOME: N_("Basic livelihood or near-poverty household"),
        PriorityGround.SINGLE_PARENT: N_("Single parent"),
        PriorityGround.DISABLED_PARENT_SEVERE: N_("Parent with a severe disability"),
        PriorityGround.DISABLED_PARENT: N_("Parent with a disability (not severe)"),
        PriorityGround.DISABLED_SIBLING: N_("Severely disabled sibling"),
        PriorityGround.DUAL_EARNER: N_("Both parents work"),
        PriorityGround.MULTICULTURAL: N_("Multicultural family"),
        PriorityGround.MULTI_CHILD: N_("Multi-child family"),
        PriorityGround.TEEN_PARENTS: N_("Teen parents"),
    }
)
SERIES_STATE_NAMES = Labels(
    {
        "submitted": N_("Submitted, waiting for the agency"),
        "matched": N_("Caregiver assigned"),
        "confirmed": N_("Confirmed"),
        "cancelled": N_("Cancelled"),
    }
)


@bp.app_context_processor
def regular_care_labels() -> dict[str, Any]:
    return {
        "GROUND_NAMES": GROUND_NAMES,
        "SERIES_STATE_NAMES": SERIES_STATE_NAMES,
        "minutes_text": lambda m: f"{m // 60:02d}:{m % 60:02d}",
    }


# --- parents --------------------------------------------------------------------------------


@bp.get("")
@roles_required(Role.PARENT)
def index():
    actor = require_web_actor()
    household = find_own_household(db.session, actor)
    if household is None:
        return redirect(url_for("parents.edit_household"))
    return family_page(actor, household)


@bp.post("/waiting")
@roles_required(Role.PARENT)
def join():
    actor = require_web_actor()
    household = find_own_household(db.session, actor)
    if household is None:
        return redirect(url_for("parents.edit_household"))
    data, errors = load_form(WaitingIn())
    status = 422
    if data is not None:
        try:
            waiting.join_waiting_list(
                db.session,
                actor,
                data["child_id"],
                [PriorityGround(g) for g in data["grounds"]],
                clock=current_clock(),
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            errors, status = domain_errors(error), error.status
        else:
            flash(gettext("Your child is on the waiting list."), "success")
            return redirect(url_for("waiting.index"))
    return family_page(actor, household, waiting_errors=by_field(errors), status=status)


@bp.post("/waiting/<int:request_id>/renew")
@roles_required(Role.PARENT)
def renew(request_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: waiting.renew(db.session, actor, request_id, clock=current_clock()),
            gettext("Your request is renewed for this month."),
        )
    )
    return redirect(url_for("waiting.index"))


@bp.post("/series")
@roles_required(Role.PARENT)
def submit():
    actor = require_web_actor()
    household = find_own_household(db.session, actor)
    if household is None:
        return redirect(url_for("parents.edit_household"))
    draft, errors = load_form(SeriesIn())
    status = 422
    if draft is not None:
        try:
            series_domain.submit_series(
                db.session, actor, draft, pricing=pricing(), clock=current_clock()
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            errors, status = domain_errors(error), error.status
        else:
            flash(gettext("Your schedule for next month has been sent to the agency."), "success")
            return redirect(url_for("waiting.index"))
    return family_page(actor, household, series_errors=by_field(errors), status=status)


def family_page(
    actor: Actor,
    household: Household,
    *,
    waiting_errors: dict[str, str] | None = None,
    series_errors: dict[str, str] | None = None,
    status: int = 200,
):
    today = seoul_today(current_clock())
    places = waiting.family_places(db.session, actor, clock=current_clock())
    on_list = {place.request.child_id for place in places}
    series = db.session.scalars(
        select(BookingSeries)
        .where(BookingSeries.household_id == household.id)
        .order_by(BookingSeries.month.desc(), BookingSeries.id.desc())
        .limit(SERIES_SHOWN)
    ).all()
    return render_template(
        "regular_care/family.html",
        household=household,
        places=places,
        renewable={p.request.id: renewable(p.request, today) for p in places},
        can_join=[
            c for c in household.children if c.state == ChildState.WAITING and c.id not in on_list
        ],
        regular_children=[c for c in household.children if c.state == ChildState.REGULAR],
        series=[
            (s, series_domain.series_bookings(db.session, s), date.fromisoformat(f"{s.month}-01"))
            for s in series
        ],
        caregiver_names=caregiver_names({s.caregiver_id for s in series}),
        next_month=next_month_of(today),
        window_last_day=series_domain.WINDOW_LAST_DAY,
        waiting_form=posted(("grounds",)) if waiting_errors is not None else {},
        waiting_errors=waiting_errors or {},
        series_form=posted(("weekdays", "child_ids")) if series_errors is not None else {},
        series_errors=series_errors or {},
        grounds=[g.value for g in PriorityGround],
        services=SERIES_SERVICES,
        half_hours=HALF_HOURS,
    ), status


def renewable(found: waiting.WaitingRequest, today: date) -> bool:
    last = found.last_renewed_on or found.waiting_since
    return (last.year, last.month) != (today.year, today.month)


def by_field(errors: dict[str, str]) -> dict[str, str]:
    """Errors by the form's inputs: a list item's (``weekdays.0``) goes to its list, a child's
    problem (waiting, of another household) to the children's fieldset."""
    renamed: dict[str, str] = {}
    for name, text in errors.items():
        name = name.split(".")[0]
        if name.startswith("children"):
            name = "child_ids"
        renamed.setdefault(name, text)
    return renamed


def posted(lists: tuple[str, ...]) -> dict[str, Any]:
    form: dict[str, Any] = request.form.to_dict()
    for name in lists:
        form[name] = request.form.getlist(name)
    return form


# --- agency staff ---------------------------------------------------------------------------


@agency_bp.get("")
@roles_required(Role.AGENCY_STAFF)
def agency_list():
    actor = require_web_actor()
    places = waiting.agency_list(db.session, actor, clock=current_clock())
    month = next_month_of(seoul_today(current_clock()))
    series = db.session.scalars(
        select(BookingSeries)
        .where(
            BookingSeries.agency_id == actor.agency_id,
            BookingSeries.month == f"{month:%Y-%m}",
        )
        .order_by(BookingSeries.id)
    ).all()
    caregivers = agency_caregivers(actor)
    by_id = {c.id: c for c in caregivers}
    candidates = {
        s.id: [
            by_id[i]
            for i in series_domain.series_candidates(db.session, s, limits=limits())
            if i in by_id
        ]
        if s.state == "submitted"
        else []
        for s in series
    }
    return render_template(
        "regular_care/agency.html",
        places=places,
        overdue=sum(1 for p in places if p.overdue),
        month=month,
        series=[(s, series_domain.series_bookings(db.session, s)) for s in series],
        candidates=candidates,
        caregivers=caregivers,
        caregiver_names=caregiver_names({s.caregiver_id for s in series}),
    )


@agency_bp.post("/<int:request_id>/answer")
@roles_required(Role.AGENCY_STAFF)
def answer(request_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: waiting.answer(db.session, actor, request_id, clock=current_clock()),
            gettext("The request is marked as answered."),
        )
    )
    return redirect(url_for("agency_waiting.agency_list"))


@agency_bp.post("/<int:request_id>/regular")
@roles_required(Role.AGENCY_STAFF)
def place_as_regular(request_id: int):
    actor = require_web_actor()
    flash_errors(
        run(
            lambda: waiting.place_as_regular(db.session, actor, request_id, clock=current_clock()),
            gettext("The child now has regular care; the family has been told."),
        )
    )
    return redirect(url_for("agency_waiting.agency_list"))


@agency_bp.post("/series/<int:series_id>/assign")
@roles_required(Role.AGENCY_STAFF)
def assign_series(series_id: int):
    actor = require_web_actor()
    series_domain.get_series(db.session, actor, series_id)  # another agency's: 404
    data, errors = load_form(SeriesAssignIn())
    if data is not None:
        errors = run(
            lambda: series_domain.assign_series(
                db.session,
                actor,
                series_id,
                data["caregiver_id"],
                reason=data["reason"],
                limits=limits(),
                clock=current_clock(),
            ),
            gettext("The caregiver has been assigned to the whole series."),
        )
    flash_errors(errors)
    return redirect(url_for("agency_waiting.agency_list"))


@agency_bp.post("/series/<int:series_id>/confirm")
@roles_required(Role.AGENCY_STAFF)
def confirm_series(series_id: int):
    actor = require_web_actor()
    series_domain.get_series(db.session, actor, series_id)
    flash_errors(
        run(
            lambda: contract_with_money(
                series_domain.confirm_series(db.session, actor, series_id, clock=current_clock())
            ),
            gettext("The series is confirmed; the family has been told."),
        )
    )
    return redirect(url_for("agency_waiting.agency_list"))


# --- helpers --------------------------------------------------------------------------------


def next_month_of(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


def caregiver_names(ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = db.session.execute(select(Caregiver.id, Caregiver.name).where(Caregiver.id.in_(wanted)))
    return {row.id: row.name for row in rows}
