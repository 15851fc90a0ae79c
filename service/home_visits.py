"""Home visits at the edge (R-ECH-1..2): labels, and a child's case as its reader may see it
(counselling notes only for the officers of the child's district)."""

from __future__ import annotations

from typing import Any

from booking.home_visits import VisitCase, may_read_notes
from core.actors import Actor
from core.i18n import N_

from .labels import Labels

HOME_VISIT_LABELS = {
    "CASE_STATUS_NAMES": Labels(
        {
            "to_contact": N_("To contact"),
            "call_scheduled": N_("Call planned"),
            "reached": N_("Reached by phone"),
            "visit_scheduled": N_("Visit planned"),
            "visited": N_("Visited"),
            "not_reached": N_("Not reached"),
            "closed": N_("Closed"),
        }
    ),
    "CASE_SOURCE_NAMES": Labels(
        {
            "flagged": N_("Flagged by the social-security data"),
            "october_round": N_("October round: 3-year-old cared for at home"),
        }
    ),
    "OUTCOME_NAMES": Labels(
        {"face_to_face": N_("Met face to face"), "not_reached": N_("Not reached")}
    ),
    "NEED_NAMES": Labels(
        {
            "care": N_("Child care"),
            "living_costs": N_("Living costs"),
            "housing": N_("Housing"),
            "health": N_("Health and medical care"),
            "development": N_("Development (language, cognitive, emotional)"),
            "education": N_("Education and learning"),
            "parenting": N_("Parenting and the home environment"),
            "employment": N_("Employment"),
            "safety": N_("Safety"),
            "other": N_("Other"),
        }
    ),
    "SERVICE_LINK_NAMES": Labels(
        {
            "care_service": N_("Child-care service with a support tier"),
            "dream_start": N_("Dream Start"),
            "therapy": N_("Therapy (speech, play, other)"),
            "living_costs": N_("Living-cost support"),
            "housing": N_("Housing support"),
            "medical_sponsorship": N_("Medical sponsorship"),
            "employment_centre": N_("Employment centre"),
            "other": N_("Other service"),
        }
    ),
    "REFERRAL_STATUS_NAMES": Labels({"open": N_("Open"), "closed": N_("Closed")}),
}

CASE_FIELDS = (
    "id",
    "district_code",
    "year",
    "quarter",
    "source",
    "status",
    "child_ref",
    "child_name",
    "child_birth_date",
    "guardian_name",
    "guardian_phone",
    "address",
    "indicators",
    "child_id",
    "call_planned_at",
    "visit_planned_at",
    "called_at",
    "call_reached",
    "reached",
    "visited",
    "follow_up_on",
    "follow_up",
    "created_at",
    "closed_at",
)
VISIT_FIELDS = ("id", "visited_at", "visitor_name", "place", "outcome", "needs", "recorded_at")


def case_body(case: VisitCase, actor: Actor) -> dict[str, Any]:
    """The case with its visits and services; counselling notes left out unless the reader is
    an officer of the child's district (``None`` then, so the absence is explicit)."""
    notes = may_read_notes(actor, case)
    return {
        **{name: getattr(case, name) for name in CASE_FIELDS},
        "notes_visible": notes,
        "visits": [
            {
                **{name: getattr(visit, name) for name in VISIT_FIELDS},
                "counselling_notes": visit.counselling_notes if notes else None,
            }
            for visit in case.visits
        ],
        "services": case.services,
    }
