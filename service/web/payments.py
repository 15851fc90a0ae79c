"""A family's payments (R-PAY-1..3): what was paid and how, the registered card, and arrears."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from booking.bookings import Booking, BookingSeries
from booking.households import Household, find_own_household, get_own_household
from core.actors import Role
from core.clock import seoul_today
from core.i18n import N_
from vouchers.arrears import Arrears, arrears_account, arrears_of
from vouchers.payment_events import register_card
from vouchers.payments import Payment, PaymentCard, PaymentState, Purpose

from ..api.schemas.payments import CardIn
from ..context import current_clock, require_web_actor, roles_required
from ..extensions import db
from ..labels import Labels
from ..payments import payment_setup
from ..quotes import tariff_book
from .forms import load_form, run

bp = Blueprint("payments", __name__, url_prefix="/payments")
PER_PAGE = 25

PAYMENT_LABELS = {
    "PAYMENT_STATE_NAMES": Labels(
        {
            "scheduled": N_("Card hold scheduled"),
            "authorising": N_("Card hold being placed"),
            "authorised": N_("Held on the card"),
            "awaiting_deposit": N_("Waiting for your deposit"),
            "paid": N_("Deposit received"),
            "captured": N_("Paid"),
            "released": N_("Nothing to pay (released)"),
            "refunded": N_("Refunded"),
            "failed": N_("Failed"),
            "expired": N_("Not paid in time"),
        }
    ),
    "PAYMENT_METHOD_NAMES": Labels(
        {"card": N_("Happiness Card"), "virtual_account": N_("Virtual bank account")}
    ),
    "PAYMENT_PURPOSE_NAMES": Labels(
        {
            "booking": N_("Booking"),
            "contract": N_("Monthly full-day contract"),
            "arrears": N_("Arrears"),
        }
    ),
}


@bp.context_processor
def payment_labels() -> dict[str, Any]:
    return PAYMENT_LABELS


@bp.get("")
@roles_required(Role.PARENT)
def index():
    household = find_own_household(db.session, require_web_actor())
    if household is None:
        return redirect(url_for("parents.edit_household"))
    return render_template("payments/index.html", **page_context(household, errors={}))


@bp.post("/card")
@roles_required(Role.PARENT)
def card():
    actor = require_web_actor()
    household = get_own_household(db.session, actor)
    details, errors = load_form(CardIn())
    if details is not None:
        errors = run(
            lambda: register_card(
                db.session, actor, **details, setup=payment_setup(), clock=current_clock()
            ),
            gettext("Your card has been registered."),
        )
        if not errors:
            return redirect(url_for("payments.index"))
    return render_template(
        "payments/index.html", **page_context(household, errors=errors, form=request.form)
    ), 422


@bp.post("/arrears")
@roles_required(Role.PARENT)
def arrears():
    """Show (or open) the virtual account the family pays its arrears into."""
    household = get_own_household(db.session, require_web_actor())
    account = arrears_account(
        db.session, household, setup=payment_setup(), tariffs=tariff_book(), clock=current_clock()
    )
    db.session.commit()
    if account is None:
        flash(gettext("You owe nothing at the moment."), "success")
    return redirect(url_for("payments.index", _anchor="arrears-heading"))


# --- reading ----------------------------------------------------------------------------------


def page_context(household: Household, **extra: Any) -> dict[str, Any]:
    setup = payment_setup()
    page_number = request.args.get("page", "1")
    page = family_payments(household, int(page_number) if page_number.isdigit() else 1)
    return {
        "household": household,
        "page": page,
        "paid_for": paid_for(page.items),
        "takes_cards": setup.card is not None,
        "card": db.session.scalar(
            select(PaymentCard).where(PaymentCard.household_id == household.id)
        ),
        "arrears": family_arrears(household),
        "arrears_account": open_arrears_account(household),
        "form": {},
        **extra,
    }


def family_payments(household: Household, page: int):
    """The family's payments, newest first."""
    query = (
        select(Payment)
        .where(Payment.household_id == household.id)
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )
    return db.paginate(query, page=max(page, 1), per_page=PER_PAGE, error_out=False)


def paid_for(payments: list[Payment]) -> dict[str, dict[int, Any]]:
    """What each payment pays for: the booking's start, or the contract's month."""
    booking_ids = {p.booking_id for p in payments if p.booking_id is not None}
    series_ids = {p.series_id for p in payments if p.series_id is not None}
    starts = db.session.execute(
        select(Booking.id, Booking.starts_at).where(Booking.id.in_(booking_ids))
    )
    months = db.session.execute(
        select(BookingSeries.id, BookingSeries.month).where(BookingSeries.id.in_(series_ids))
    )
    return {"bookings": {i: v for i, v in starts}, "series": {i: v for i, v in months}}


def family_arrears(household: Household) -> Arrears:
    clock = current_clock()
    terms = tariff_book().for_date(seoul_today(clock)).payment
    return arrears_of(db.session, household.id, terms, clock=clock)


def open_arrears_account(household: Household) -> Payment | None:
    return db.session.scalar(
        select(Payment)
        .where(
            Payment.household_id == household.id,
            Payment.purpose == Purpose.ARREARS.value,
            Payment.state == PaymentState.AWAITING_DEPOSIT.value,
        )
        .order_by(Payment.id.desc())
        .limit(1)
    )
