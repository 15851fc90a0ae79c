"""POST /api/v1/quotes: the public fee calculator (no login needed)."""

from __future__ import annotations

from flask.views import MethodView

from core.actors import Role

from ..context import api_actor
from ..extensions import db
from ..household_quotes import household_quote_request
from ..quotes import quote_for
from .blueprint import Blueprint
from .schemas.quotes import HouseholdQuoteIn, QuoteIn, QuoteOut

blp = Blueprint("api_quotes", __name__, url_prefix="/api/v1", description="Fees and the cost split")


@blp.route("/quotes")
class Quotes(MethodView):
    @blp.arguments(QuoteIn())
    @blp.response(200, QuoteOut())
    def post(self, request):
        """What care costs, what the government voucher pays and what the parent pays."""
        return quote_for(request)


@blp.route("/household/quotes")
class HouseholdQuotes(MethodView):
    @blp.arguments(HouseholdQuoteIn())
    @blp.response(200, QuoteOut())
    @blp.doc(security=[{"bearerAuth": []}])
    def post(self, payload):
        """A parent's quote: children by id, tier and groups from the household's decision."""
        return quote_for(household_quote_request(db.session, api_actor(Role.PARENT), payload))
