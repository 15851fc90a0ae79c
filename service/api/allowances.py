"""The allowances overview (R-ALW-1..5): anyone's question, a household's own, and its facts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask.views import MethodView

from booking import allowance_facts as facts
from booking.households import Child, get_child, get_household, get_own_household
from core.actors import Role
from core.clock import seoul_today
from vouchers.allowances import overview
from vouchers.household_allowances import household_overview

from ..allowances import allowance_book, household_body, overview_body
from ..context import api_actor, current_clock
from ..extensions import db
from .blueprint import Blueprint
from .schemas.allowances import (
    AllowanceOverviewIn,
    AllowanceOverviewOut,
    ChildFactsIn,
    ChildFactsOut,
    HouseholdFactsIn,
    HouseholdFactsOut,
    HouseholdOverviewOut,
    MonthArgs,
)

blp = Blueprint(
    "api_allowances", __name__, url_prefix="/api/v1", description="Family allowances overview"
)
SECURITY = [{"bearerAuth": []}]


def this_month(month: date | None) -> date:
    return month or seoul_today(current_clock()).replace(day=1)


def child_facts_body(child: Child) -> dict[str, Any]:
    recorded = facts.child_allowance_facts(db.session, child)
    return {
        "child_id": child.id,
        "care": facts.care_arrangement(child).value,
        "kindergarten_kind": child.kindergarten_kind,
        "after_school": recorded.after_school,
        "infant_fullday_care": recorded.infant_fullday_care,
        "child_allowance_applied_on": recorded.child_allowance_applied_on,
        "home_care_applied_on": recorded.home_care_applied_on,
        "stays_abroad": recorded.stays_abroad,
    }


def household_facts_body(household) -> dict[str, Any]:
    return {
        "farming_fishing_area": household.farming_fishing_area,
        "moves": facts.moves_of(db.session, household),
    }


@blp.route("/allowances/overview", methods=["POST"])
@blp.arguments(AllowanceOverviewIn())
@blp.response(200, AllowanceOverviewOut())
def public_overview(payload):
    """What a child may receive in a month (R-ALW-1..5), from its birth date and care; no login."""
    found = overview(payload["child"], this_month(payload["month"]), allowance_book())
    return overview_body(found)


@blp.route("/household/allowances", methods=["GET"])
@blp.arguments(MonthArgs(), location="query")
@blp.response(200, HouseholdOverviewOut())
@blp.doc(security=SECURITY)
def own_allowances(args):
    """The caller's children, each with the month's allowances, from the household's records."""
    household = get_own_household(db.session, api_actor(Role.PARENT))
    month = this_month(args["month"])
    return household_body(household_overview(db.session, household, month, allowance_book()))


@blp.route("/households/<int:household_id>/allowances", methods=["GET"])
@blp.arguments(MonthArgs(), location="query")
@blp.response(200, HouseholdOverviewOut())
@blp.doc(security=SECURITY)
def district_household_allowances(args, household_id):
    """A household of the officer's district (admins: any), as its family sees it."""
    household = get_household(db.session, api_actor(Role.OFFICER, Role.ADMIN), household_id)
    month = this_month(args["month"])
    return household_body(household_overview(db.session, household, month, allowance_book()))


@blp.route("/household/allowance-facts")
class HouseholdFacts(MethodView):
    @blp.response(200, HouseholdFactsOut())
    @blp.doc(security=SECURITY)
    def get(self):
        """The household's farming/fishing area and its moves between districts."""
        return household_facts_body(get_own_household(db.session, api_actor(Role.PARENT)))

    @blp.arguments(HouseholdFactsIn())
    @blp.response(200, HouseholdFactsOut())
    @blp.doc(security=SECURITY)
    def put(self, details):
        """Replace the household's facts (the moves listed are all the moves)."""
        household = facts.update_household_allowance_facts(
            db.session, api_actor(Role.PARENT), details, clock=current_clock()
        )
        db.session.commit()
        return household_facts_body(household)


@blp.route("/household/children/<int:child_id>/allowance-facts")
class ChildFacts(MethodView):
    @blp.response(200, ChildFactsOut())
    @blp.doc(security=SECURITY)
    def get(self, child_id):
        """A child's care arrangement in detail, application dates and stays abroad."""
        return child_facts_body(get_child(db.session, api_actor(Role.PARENT), child_id))

    @blp.arguments(ChildFactsIn())
    @blp.response(200, ChildFactsOut())
    @blp.doc(security=SECURITY)
    def put(self, details, child_id):
        """Replace the child's facts (the stays listed are all the stays abroad)."""
        child = facts.update_child_allowance_facts(
            db.session, api_actor(Role.PARENT), child_id, details, clock=current_clock()
        )
        db.session.commit()
        return child_facts_body(child)
