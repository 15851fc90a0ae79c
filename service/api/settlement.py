"""Monthly settlement: administrators lock months and move claims; agencies read their own."""

from __future__ import annotations

from core.actors import Role
from vouchers.claims import (
    build_claims,
    claim_lines,
    claims_for_actor,
    confirm_claim,
    get_claim,
    pay_claim,
)
from vouchers.settlement import lock_month

from ..context import api_actor, current_clock
from ..extensions import db
from ..quotes import tariff_book
from .blueprint import Blueprint
from .schemas.payments import BuildOut, ClaimDetailOut, ClaimOut, LockOut, MonthIn

blp = Blueprint("api_settlement", __name__, url_prefix="/api/v1", description="Settlement")
SECURITY = [{"bearerAuth": []}]


@blp.route("/settlement/lock", methods=["POST"])
@blp.arguments(MonthIn)
@blp.response(200, LockOut)
@blp.doc(security=SECURITY)
def lock(payload):
    """Snapshot the month's visits, no-shows and fees (and late earlier ones, as corrections)."""
    api_actor(Role.ADMIN)
    result = lock_month(db.session, payload["month"], tariffs=tariff_book(), clock=current_clock())
    db.session.commit()
    return result


@blp.route("/settlement/claims", methods=["POST"])
@blp.arguments(MonthIn)
@blp.response(200, BuildOut)
@blp.doc(security=SECURITY)
def build(payload):
    """Build (or rebuild) the month's draft claims, one per agency."""
    api_actor(Role.ADMIN)
    result = build_claims(
        db.session, payload["month"], tariffs=tariff_book(), clock=current_clock()
    )
    db.session.commit()
    return result


@blp.route("/claims", methods=["GET"])
@blp.response(200, ClaimOut(many=True))
@blp.doc(security=SECURITY)
def claims():
    """Claims the caller may see: an agency its own, an administrator all."""
    actor = api_actor(Role.ADMIN, Role.AGENCY_STAFF)
    return db.session.scalars(claims_for_actor(db.session, actor))


@blp.route("/claims/<int:claim_id>", methods=["GET"])
@blp.response(200, ClaimDetailOut)
@blp.doc(security=SECURITY)
def claim(claim_id):
    actor = api_actor(Role.ADMIN, Role.AGENCY_STAFF)
    found = get_claim(db.session, actor, claim_id)
    body = {name: getattr(found, name) for name in ClaimOut().fields if name != "currency"}
    return {**body, "items": claim_lines(db.session, found)}


@blp.route("/claims/<int:claim_id>/confirmation", methods=["POST"])
@blp.response(200, ClaimOut)
@blp.doc(security=SECURITY)
def confirm(claim_id):
    """Confirm a draft claim: the government share is claimed from the districts' funds."""
    actor = api_actor(Role.ADMIN)
    found = confirm_claim(
        db.session, actor, get_claim(db.session, actor, claim_id), clock=current_clock()
    )
    db.session.commit()
    return found


@blp.route("/claims/<int:claim_id>/payment", methods=["POST"])
@blp.response(200, ClaimOut)
@blp.doc(security=SECURITY)
def pay(claim_id):
    """Record the programme's payment of a confirmed claim."""
    actor = api_actor(Role.ADMIN)
    found = pay_claim(
        db.session, actor, get_claim(db.session, actor, claim_id), clock=current_clock()
    )
    db.session.commit()
    return found
