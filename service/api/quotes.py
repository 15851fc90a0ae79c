"""POST /api/v1/quotes: the public fee calculator (no login needed)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ..quotes import quote_for
from .schemas.quotes import QuoteIn, QuoteOut

blp = Blueprint("api_quotes", __name__, url_prefix="/api/v1", description="Fees and the cost split")


@blp.route("/quotes")
class Quotes(MethodView):
    @blp.arguments(QuoteIn())  # instances: webargs would build one per request from a class
    @blp.response(200, QuoteOut())
    def post(self, request):
        """What care costs, what the government voucher pays and what the parent pays."""
        return quote_for(request)
