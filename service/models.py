"""Every mapped class, imported once so that the shared metadata knows all tables."""

from booking.agencies import Agency, agency_districts
from booking.allowance_facts import AllowanceApplication, ChildStayAbroad, HouseholdMove
from booking.bookings import BookedChild, Booking, BookingSeries, Transition
from booking.caregivers import Caregiver, CaregiverSkill, Leave, WeeklySlot, caregiver_areas
from booking.geography import CommunityCentre, District, Province
from booking.home_visits import HomeVisit, LinkedService, VisitCase
from booking.households import Child, Guardian, Household
from booking.matching import Offer
from booking.waiting_list import WaitingRequest
from core.audit import AuditEvent
from core.outbox import Notification
from vouchers.ledger import LedgerEntry, LedgerTransaction
from vouchers.payment_events import BankDeposit, ProcessorEvent
from vouchers.payments import Payment, PaymentCard, PaymentCommand
from vouchers.settlement import AgencyClaim, SettlementItem
from vouchers.support_applications import ApplicationDocument, SupportApplication
from vouchers.support_referrals import SupportReferral
from vouchers.tier_decisions import TierDecision

from .accounts.models import ApiToken, User

__all__ = [
    "Agency",
    "AgencyClaim",
    "AllowanceApplication",
    "ApiToken",
    "ApplicationDocument",
    "AuditEvent",
    "BankDeposit",
    "BookedChild",
    "Booking",
    "BookingSeries",
    "Caregiver",
    "CaregiverSkill",
    "Child",
    "ChildStayAbroad",
    "CommunityCentre",
    "District",
    "Guardian",
    "HomeVisit",
    "Household",
    "HouseholdMove",
    "Leave",
    "LedgerEntry",
    "LedgerTransaction",
    "LinkedService",
    "Notification",
    "Offer",
    "Payment",
    "PaymentCard",
    "PaymentCommand",
    "ProcessorEvent",
    "Province",
    "SettlementItem",
    "SupportApplication",
    "SupportReferral",
    "TierDecision",
    "Transition",
    "User",
    "VisitCase",
    "WaitingRequest",
    "WeeklySlot",
    "agency_districts",
    "caregiver_areas",
]
