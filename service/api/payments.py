"""The National Happiness Card: a family's payments, card and arrears; the bank's and the card
processor's notices; refunds for corrections."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from booking.bookings import Booking
from booking.households import get_own_household
from core.actors import Role
from core.clock import SEOUL
from core.errors import Forbidden, NotFound, ValidationFailed
from core.i18n import N_
from vouchers.arrears import arrears_account, arrears_of
from vouchers.booking_payments import buy_back_strike
from vouchers.gateways import StripeGateway
from vouchers.payment_events import (
    DepositNotice,
    record_deposit,
    record_processor_event,
    refund_payment,
)
from vouchers.payment_events import register_card as register
from vouchers.payments import Payment

from ..bookings import get_booking
from ..context import api_actor, current_clock
from ..extensions import db
from ..payments import payment_setup
from ..quotes import tariff_book
from .blueprint import Blueprint
from .schemas.bookings import BookingOut
from .schemas.payments import (
    ArrearsOut,
    CardIn,
    CardOut,
    DepositNoticeIn,
    DepositOut,
    PaymentOut,
    RefundIn,
)

blp = Blueprint("api_payments", __name__, url_prefix="/api/v1", description="Payments")
SECURITY = [{"bearerAuth": []}]
BAD_SIGNATURE = N_("The notice's signature does not match.")


@blp.route("/payments", methods=["GET"])
@blp.response(200, PaymentOut(many=True))
@blp.doc(security=SECURITY)
def payments():
    """The family's payments, newest first."""
    household = get_own_household(db.session, api_actor(Role.PARENT))
    return db.session.scalars(
        select(Payment).where(Payment.household_id == household.id).order_by(Payment.id.desc())
    )


@blp.route("/payment-card", methods=["PUT"])
@blp.arguments(CardIn)
@blp.response(200, CardOut)
@blp.doc(security=SECURITY)
def register_card(payload):
    """R-PAY-1: register the applicant's Happiness Card (a token from Stripe.js)."""
    card = register(
        db.session,
        api_actor(Role.PARENT),
        payment_method=payload["payment_method"],
        holder_name=payload["holder_name"],
        setup=payment_setup(),
        clock=current_clock(),
    )
    db.session.commit()
    return card


@blp.route("/arrears", methods=["GET"])
@blp.response(200, ArrearsOut)
@blp.doc(security=SECURITY)
def arrears():
    """R-PAY-2: what the family owes, since when, and whether booking is suspended."""
    household = get_own_household(db.session, api_actor(Role.PARENT))
    clock = current_clock()
    terms = tariff_book().for_date(clock.now().astimezone(SEOUL).date()).payment
    return arrears_of(db.session, household.id, terms, clock=clock)


@blp.route("/arrears/virtual-account", methods=["POST"])
@blp.response(200, PaymentOut)
@blp.doc(security=SECURITY)
def arrears_virtual_account():
    """The virtual account to pay the arrears into; 404 when nothing is owed."""
    household = get_own_household(db.session, api_actor(Role.PARENT))
    payment = arrears_account(
        db.session, household, setup=payment_setup(), tariffs=tariff_book(), clock=current_clock()
    )
    if payment is None:
        raise NotFound()
    db.session.commit()
    return payment


@blp.route("/payments/<int:payment_id>/refunds", methods=["POST"])
@blp.arguments(RefundIn)
@blp.response(202, PaymentOut)
@blp.doc(security=SECURITY)
def refund(payload, payment_id):
    """A correction: refund part of a captured card payment (the agency bears it)."""
    actor = api_actor(Role.ADMIN, Role.AGENCY_STAFF)
    payment = db.session.get(Payment, payment_id)
    if payment is None or (
        actor.role is Role.AGENCY_STAFF
        and (payment.booking_id is None or _agency_of(payment) != actor.agency_id)
    ):
        raise NotFound()
    refund_payment(
        db.session, actor, payment, payload["amount"], payload["reason"], clock=current_clock()
    )
    db.session.commit()
    return payment


def _agency_of(payment: Payment) -> int | None:
    booking = db.session.get(Booking, payment.booking_id)
    return booking.agency_id if booking else None


@blp.route("/bookings/<int:booking_id>/strike-buyback", methods=["POST"])
@blp.response(200, BookingOut)
@blp.doc(security=SECURITY)
def strike_buyback(booking_id):
    """R-CAN-3: pay the cancellation fee a second time so that it no longer counts as a strike."""
    actor = api_actor(Role.PARENT)
    booking = buy_back_strike(
        db.session, actor, get_booking(db.session, actor, booking_id), clock=current_clock()
    )
    db.session.commit()
    return booking


@blp.route("/webhooks/bank-deposits", methods=["POST"])
@blp.arguments(DepositNoticeIn)
@blp.response(200, DepositOut)
def bank_deposit(payload):
    """The bank's deposit notice, signed with the shared secret (header X-Bank-Signature:
    hex HMAC-SHA256 of the body). A repeated notice is answered with the first one's record."""
    accounts = payment_setup().virtual_accounts
    if not accounts.verify(request.get_data(), request.headers.get("X-Bank-Signature", "")):
        raise Forbidden(BAD_SIGNATURE, code="bad_signature")
    deposit = record_deposit(db.session, DepositNotice(**payload), clock=current_clock())
    db.session.commit()
    return deposit


@blp.route("/webhooks/stripe", methods=["POST"])
@blp.response(200)
def stripe_webhook():
    """Stripe's events, verified with the endpoint secret and recorded once per event id."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        raise NotFound()
    try:
        event = StripeGateway.parse_webhook(
            request.get_data(), request.headers.get("Stripe-Signature", ""), secret
        )
    except ValueError as error:
        raise ValidationFailed(BAD_SIGNATURE, code="bad_signature") from error
    first = record_processor_event(
        db.session, event, setup=payment_setup(), tariffs=tariff_book(), clock=current_clock()
    )
    db.session.commit()
    return {"received": True, "duplicate": not first}
