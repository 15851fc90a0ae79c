"""The parent's own household and children; officers and admins read households in their scope."""

from __future__ import annotations

from flask.views import MethodView

from booking import households as domain
from core.actors import Role

from ..context import api_actor, current_clock
from ..extensions import db
from .blueprint import Blueprint
from .pagination import page_of, paged
from .schemas.common import PageArgs
from .schemas.households import ChildIn, ChildOut, HouseholdIn, HouseholdOut, HouseholdSummaryOut

blp = Blueprint(
    "api_households", __name__, url_prefix="/api/v1", description="Households and children"
)
SECURITY = [{"bearerAuth": []}]


@blp.route("/household")
class OwnHousehold(MethodView):
    @blp.response(200, HouseholdOut)
    @blp.doc(security=SECURITY)
    def get(self):
        """The caller's household (parents)."""
        return domain.get_own_household(db.session, api_actor(Role.PARENT))

    @blp.arguments(HouseholdIn)
    @blp.response(201, HouseholdOut)
    @blp.doc(security=SECURITY)
    def post(self, details):
        """Register the caller's household."""
        household = domain.register_household(
            db.session, api_actor(Role.PARENT), details, clock=current_clock()
        )
        db.session.commit()
        return household

    @blp.arguments(HouseholdIn)
    @blp.response(200, HouseholdOut)
    @blp.doc(security=SECURITY)
    def put(self, details):
        """Replace the household's details (children are edited separately)."""
        household = domain.update_household(
            db.session, api_actor(Role.PARENT), details, clock=current_clock()
        )
        db.session.commit()
        return household

    @blp.response(204)
    @blp.doc(security=SECURITY)
    def delete(self):
        """Remove the household with its children."""
        domain.remove_household(db.session, api_actor(Role.PARENT))
        db.session.commit()


@blp.route("/household/children")
class OwnChildren(MethodView):
    @blp.response(200, ChildOut(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """The household's children."""
        return domain.get_own_household(db.session, api_actor(Role.PARENT)).children

    @blp.arguments(ChildIn)
    @blp.response(201, ChildOut)
    @blp.doc(security=SECURITY)
    def post(self, details):
        """Add a child."""
        child = domain.add_child(db.session, api_actor(Role.PARENT), details, clock=current_clock())
        db.session.commit()
        return child


@blp.route("/household/children/<int:child_id>")
class OwnChild(MethodView):
    @blp.response(200, ChildOut)
    @blp.doc(security=SECURITY)
    def get(self, child_id):
        return domain.get_child(db.session, api_actor(Role.PARENT), child_id)

    @blp.arguments(ChildIn)
    @blp.response(200, ChildOut)
    @blp.doc(security=SECURITY)
    def put(self, details, child_id):
        child = domain.update_child(
            db.session, api_actor(Role.PARENT), child_id, details, clock=current_clock()
        )
        db.session.commit()
        return child

    @blp.response(204)
    @blp.doc(security=SECURITY)
    def delete(self, child_id):
        domain.remove_child(db.session, api_actor(Role.PARENT), child_id)
        db.session.commit()


@blp.route("/households")
class Households(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, paged(HouseholdSummaryOut))
    @blp.doc(security=SECURITY)
    def get(self, args):
        """Households in the caller's scope: an officer's district, or all for admins."""
        actor = api_actor(Role.OFFICER, Role.ADMIN)
        query = domain.households_for_actor(actor).order_by(domain.Household.id)
        return page_of(query, args["page"], args["per_page"])


@blp.route("/households/<int:household_id>")
class HouseholdDetail(MethodView):
    @blp.response(200, HouseholdOut)
    @blp.doc(security=SECURITY)
    def get(self, household_id):
        return domain.get_household(db.session, api_actor(), household_id)


@blp.route("/households/<int:household_id>/membership-approval", methods=["POST"])
@blp.response(200, HouseholdOut)
@blp.doc(security=SECURITY)
def approve_membership(household_id):
    """R-BK-2: agency staff make a web member a full (full-price) member."""
    household = domain.approve_membership(
        db.session, api_actor(Role.AGENCY_STAFF), household_id, clock=current_clock()
    )
    db.session.commit()
    return household
