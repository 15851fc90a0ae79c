"""Every mapped class, imported once so that the shared metadata knows all tables."""

from booking.agencies import Agency, agency_districts
from booking.caregivers import Caregiver, CaregiverSkill, Leave, WeeklySlot, caregiver_areas
from booking.geography import CommunityCentre, District, Province
from booking.households import Child, Guardian, Household

from .accounts.models import ApiToken, User

__all__ = [
    "Agency",
    "ApiToken",
    "Caregiver",
    "CaregiverSkill",
    "Child",
    "CommunityCentre",
    "District",
    "Guardian",
    "Household",
    "Leave",
    "Province",
    "User",
    "WeeklySlot",
    "agency_districts",
    "caregiver_areas",
]
