"""Booking at the edge: the pricing port, caregiver limits and offer timing from configuration."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import Select, select

from booking.assignment import CaregiverLimits
from booking.bookings import Booking
from booking.caregivers import Caregiver
from booking.households import Household
from core.actors import Actor, Role
from core.clock import seoul_today
from core.errors import NotFound
from vouchers.booking_pricing import TariffPricing

from .context import current_clock
from .quotes import tariff_book


def pricing() -> TariffPricing:
    return TariffPricing(tariff_book())


def limits() -> CaregiverLimits:
    """R-BK-5 limits of this year's tariff (a test may pin its own in CAREGIVER_LIMITS)."""
    pinned = current_app.extensions.get("dolbom.caregiver_limits")
    return pinned or pricing().caregiver_limits(seoul_today(current_clock()))


def offer_expiry() -> timedelta:
    return timedelta(minutes=current_app.config["OFFER_MINUTES"])


def bookings_for_actor(actor: Actor) -> Select[tuple[Booking]]:
    """Bookings the actor may know of: the family's own, the agency's, the caregiver's."""
    query = select(Booking)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.PARENT:
        return query.join(Household, Household.id == Booking.household_id).where(
            Household.applicant_user_id == actor.user_id
        )
    if actor.role is Role.AGENCY_STAFF and actor.agency_id is not None:
        return query.where(Booking.agency_id == actor.agency_id)
    if actor.role is Role.CAREGIVER:
        return query.join(Caregiver, Caregiver.id == Booking.caregiver_id).where(
            Caregiver.user_id == actor.user_id
        )
    return query.where(False)


def get_booking(session, actor: Actor, booking_id: int) -> Booking:
    booking = session.scalar(bookings_for_actor(actor).where(Booking.id == booking_id))
    if booking is None:
        raise NotFound()
    return booking
