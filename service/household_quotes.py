"""A parent's quote from the household's own records: its children, its tier and groups."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from booking.households import get_own_household
from booking.requests import reserved_minutes
from core.actors import Actor
from core.clock import SEOUL
from core.errors import ValidationFailed
from core.i18n import N_
from vouchers.cost_split import ChildFacts, QuoteRequest, SickRate
from vouchers.tariffs import Attendance
from vouchers.tier_decisions import support_standing


def household_quote_request(
    session: Session, actor: Actor, payload: dict[str, Any]
) -> QuoteRequest:
    household = get_own_household(session, actor)
    by_id = {child.id: child for child in household.children}
    if not payload["child_ids"] or any(child_id not in by_id for child_id in payload["child_ids"]):
        message = N_("Choose children of your own household.")
        raise ValidationFailed(message, code="unknown_child", fields={"child_ids": message})
    standing = support_standing(session, household, payload["start"].astimezone(SEOUL).date())
    children = tuple(
        ChildFacts(
            birth_date=by_id[child_id].birth_date,
            supported=by_id[child_id].eligible_for_support,  # R-SVC-2
            attendance=Attendance(by_id[child_id].attendance),  # R-SUP-11
            closure=payload["closure"],
        )
        for child_id in dict.fromkeys(payload["child_ids"])
    )
    return QuoteRequest(
        service=payload["service"],
        start=payload["start"],
        end=payload["end"],
        children=children,
        tier=standing.tier,
        groups=standing.groups,
        sick_rate=SickRate(payload["sick_rate"]),
        # R-SUP-10: the hours the household's own bookings already hold this year
        minutes_used=reserved_minutes(
            session, household.id, payload["start"].astimezone(SEOUL).year
        ),
    )
