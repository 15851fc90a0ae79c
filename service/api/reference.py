"""Public reference data: provinces, districts and provider agencies."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.agencies import Agency, agencies_serving
from booking.geography import District, Province

from ..extensions import db
from .blueprint import Blueprint
from .schemas.reference import AgencyArgs, AgencyOut, DistrictArgs, DistrictOut, ProvinceOut

blp = Blueprint("api_reference", __name__, url_prefix="/api/v1", description="Reference data")


@blp.route("/provinces")
class Provinces(MethodView):
    @blp.response(200, ProvinceOut(many=True))
    def get(self):
        """Korea's 17 provinces (시·도)."""
        return db.session.scalars(select(Province).order_by(Province.code)).all()


@blp.route("/districts")
class Districts(MethodView):
    @blp.arguments(DistrictArgs, location="query")
    @blp.response(200, DistrictOut(many=True))
    def get(self, args):
        """Districts (시·군·구), optionally of one province."""
        query = select(District).order_by(District.code)
        if args["province"]:
            query = query.where(District.province_code == args["province"])
        return db.session.scalars(query).all()


@blp.route("/agencies")
class Agencies(MethodView):
    @blp.arguments(AgencyArgs, location="query")
    @blp.response(200, AgencyOut(many=True))
    def get(self, args):
        """Provider agencies, optionally those serving one district."""
        if args["district"]:
            return agencies_serving(db.session, args["district"])
        query = select(Agency).options(selectinload(Agency.served_districts)).order_by(Agency.code)
        return db.session.scalars(query).all()
