"""Every mapped class, imported once so that the shared metadata knows all tables."""

from booking.agencies import Agency, agency_districts
from booking.caregivers import Caregiver, CaregiverSkill, Leave, WeeklySlot, caregiver_areas
from booking.geography import CommunityCentre, District, Province
from booking.households import Child, Guardian, Household
from core.audit import AuditEvent
from core.outbox import Notification
from vouchers.support_applications import ApplicationDocument, SupportApplication
from vouchers.tier_decisions import TierDecision

from .accounts.models import ApiToken, User

__all__ = [
    "Agency",
    "ApiToken",
    "ApplicationDocument",
    "AuditEvent",
    "Caregiver",
    "CaregiverSkill",
    "Child",
    "CommunityCentre",
    "District",
    "Guardian",
    "Household",
    "Leave",
    "Notification",
    "Province",
    "SupportApplication",
    "TierDecision",
    "User",
    "WeeklySlot",
    "agency_districts",
    "caregiver_areas",
]
