"""Tier decisions (R-SUP-1..3, R-SUP-12): dated, immutable documents made by an officer.

A decision takes effect on the day it is made and runs to the end of that year (re-judged
yearly). A later decision supersedes it from its own first day: the earlier one keeps its content
untouched and only learns where its effect ends (``effective_until``, ``superseded_by_id``), so two
effective decisions of a household never overlap; on PostgreSQL an exclusion constraint over the
effective date range guarantees it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Select,
    String,
    Text,
    bindparam,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from booking.households import Household, MemberState, age_in_years, get_household
from core.actors import Actor, Role
from core.audit import record
from core.clock import SEOUL, Clock, seoul_today
from core.db import Base, read_rows
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import N_
from core.outbox import notify

from .income import dual_earner_reduction, median_income, tier_thresholds
from .support_applications import (
    OPEN_STATUSES,
    ApplicationStatus,
    CareGap,
    SupportApplication,
    applications_for_actor,
    get_application,
)
from .tariffs import Group, TariffBook, Tier


class TierDecision(Base):
    __tablename__ = "tier_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("support_applications.id"), unique=True
    )
    tier: Mapped[str] = mapped_column(String(8))
    suggested_tier: Mapped[str] = mapped_column(String(8))
    groups: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[date]
    valid_until: Mapped[date]
    # where the effect ends: valid_until, or the day before a superseding decision starts
    effective_until: Mapped[date]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("tier_decisions.id"))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("valid_from <= valid_until", name="validity_order"),
        CheckConstraint(
            "valid_from <= effective_until AND effective_until <= valid_until",
            name="effect_within_validity",
        ),
    )


# --- the suggestion: the working an officer sees ----------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    year: int
    household_size: int
    median: int
    incomes: tuple[int, ...]
    dual_earner: bool
    reduction: int  # R-SUP-2
    income: int
    percent_of_median_x10: int  # one decimal, in integers: 1234 = 123.4%
    thresholds: dict[str, int | None]  # R-SUP-1
    income_tier: str
    care_gap: bool  # R-SUP-3
    care_gap_notes: tuple[str, ...]  # N_ messages: grounds that the records do not bear out
    tier: str  # what the officer is offered: the income tier, or none without a care gap
    groups: tuple[str, ...]

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)


def suggest(application: SupportApplication, tariffs: TariffBook, on: date) -> Suggestion:
    tariff = tariffs.for_date(on)
    dual = CareGap.DUAL_EARNER in application.care_gaps and len(application.earners) == 2
    incomes = tuple(application.incomes)
    reduction = dual_earner_reduction(tariff, incomes) if dual else 0
    income = sum(incomes) - reduction
    median = median_income(tariff, application.household_size)
    thresholds = tier_thresholds(tariff, application.household_size)
    income_tier = tariff.income.tier_order[-1]
    for tier in tariff.income.tier_order:
        limit = thresholds[tier]
        if limit is None or income <= limit:
            income_tier = tier
            break
    notes = _care_gap_notes(application, on)
    care_gap = bool(set(application.care_gaps)) and len(notes) < len(application.care_gaps)
    return Suggestion(
        year=tariff.year,
        household_size=application.household_size,
        median=median,
        incomes=incomes,
        dual_earner=dual,
        reduction=reduction,
        income=income,
        percent_of_median_x10=income * 1000 // median,
        thresholds={tier.value: limit for tier, limit in thresholds.items()},
        income_tier=Tier(income_tier).value,
        care_gap=care_gap,
        care_gap_notes=tuple(notes),
        tier=Tier(income_tier).value if care_gap else Tier.NONE.value,
        groups=tuple(application.groups),
    )


def _care_gap_notes(application: SupportApplication, on: date) -> list[str]:
    """R-SUP-3 grounds that the household's own records contradict."""
    children = [c for c in application.household.children if age_in_years(c.birth_date, on) <= 12]
    infants = [c for c in children if _months(c.birth_date, on) <= 36]
    notes = []
    gaps = set(application.care_gaps)
    if CareGap.DUAL_EARNER in gaps and len(application.earners) < 2:
        notes.append(N_("Dual earners: the application lists fewer than two earners."))
    if CareGap.MULTI_CHILD in gaps and not (len(children) >= 3 or (len(children) >= 2 and infants)):
        notes.append(
            N_(
                "Multi-child: needs 3 children aged 12 or under, "
                "or 2 with one aged 36 months or under."
            )
        )
    if CareGap.MULTICULTURAL in gaps and len(children) < 2:
        notes.append(N_("Multicultural family: needs 2 children aged 12 or under."))
    return notes


def _months(birth: date, on: date) -> int:
    return (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)


# --- decisions ---------------------------------------------------------------------------------


def _officer_application(session: Session, actor: Actor, application_id: int) -> SupportApplication:
    if actor.role is not Role.OFFICER:  # decisions are the district officers' alone
        raise NotFound()
    application = get_application(session, actor, application_id, lock=True)
    if not application.is_open:
        raise Conflict(N_("This application has already been decided."), code="already_decided")
    return application


def decide(
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    tier: Tier | None,
    reason: str,
    tariffs: TariffBook,
    clock: Clock,
) -> TierDecision:
    """Approve the suggested tier (``tier`` None or equal), or set another with a written reason."""
    application = _officer_application(session, actor, application_id)
    today = seoul_today(clock)
    suggestion = suggest(application, tariffs, today)
    chosen = Tier(tier or suggestion.tier)
    if chosen.value != suggestion.tier and not reason.strip():
        message = N_("Give the reason for a tier other than the suggested one.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": message})
    valid_until = date(today.year, 12, 31)  # R-SUP-12: re-judged every year
    current = effective_decision(session, application.household_id, today)
    if current is not None and current.valid_from == today:
        raise Conflict(
            N_("A decision for this household already takes effect today."), code="decided_today"
        )
    decision = TierDecision(
        household_id=application.household_id,
        application_id=application.id,
        tier=chosen.value,
        suggested_tier=suggestion.tier,
        groups=list(suggestion.groups),
        valid_from=today,
        valid_until=valid_until,
        effective_until=valid_until,
        inputs=suggestion.snapshot(),
        reason=reason.strip(),
        decided_by_user_id=actor.user_id,
        decided_at=clock.now(),
    )
    if current is not None:  # the old one ends the day before; its content stays as it was
        current.effective_until = today - timedelta(days=1)
        session.flush()  # shorten first, so the exclusion constraint never sees an overlap
    session.add(decision)
    session.flush()
    if current is not None:
        current.superseded_by_id = decision.id
    application.status = ApplicationStatus.DECIDED.value
    application.closed_at = clock.now()
    application.household.member_state = MemberState.FULL.value  # R-BK-2
    session.flush()
    record(
        session,
        actor,
        "decision.made",
        "tier_decision",
        decision.id,
        clock=clock,
        tier=chosen.value,
        application=application.id,
    )
    notify(
        session,
        application.household.applicant_user_id,
        "tier_decided",
        N_("Your support tier has been decided: %(tier)s, valid until %(until)s."),
        clock=clock,
        link="/support",
        tier=chosen.value,
        until=valid_until.isoformat(),
    )
    return decision


def request_documents(
    session: Session, actor: Actor, application_id: int, note: str, *, clock: Clock
) -> SupportApplication:
    application = _officer_application(session, actor, application_id)
    if not note.strip():
        message = N_("Say which documents are needed.")
        raise ValidationFailed(message, fields={"note": message})
    application.status = ApplicationStatus.DOCUMENTS_REQUESTED.value
    application.officer_note = note.strip()
    session.flush()
    record(
        session,
        actor,
        "application.documents_requested",
        "support_application",
        application.id,
        clock=clock,
        note=note.strip(),
    )
    notify(
        session,
        application.household.applicant_user_id,
        "documents_requested",
        N_("The community centre needs more documents for your application: %(note)s"),
        clock=clock,
        link="/support",
        note=note.strip(),
    )
    return application


def reject(
    session: Session, actor: Actor, application_id: int, reason: str, *, clock: Clock
) -> SupportApplication:
    application = _officer_application(session, actor, application_id)
    if not reason.strip():
        message = N_("Give the reason for the rejection.")
        raise ValidationFailed(message, code="reason_required", fields={"reason": message})
    application.status = ApplicationStatus.REJECTED.value
    application.officer_note = reason.strip()
    application.closed_at = clock.now()
    session.flush()
    record(
        session,
        actor,
        "application.rejected",
        "support_application",
        application.id,
        clock=clock,
        reason=reason.strip(),
    )
    notify(
        session,
        application.household.applicant_user_id,
        "application_rejected",
        N_("Your application for support was not approved: %(reason)s"),
        clock=clock,
        link="/support",
        reason=reason.strip(),
    )
    return application


# --- reading -----------------------------------------------------------------------------------


def effective_decision(session: Session, household_id: int, on: date) -> TierDecision | None:
    return session.scalar(_effective_decision_statement(), {"household_id": household_id, "on": on})


@cache  # built once
def _effective_decision_statement() -> Select[tuple[TierDecision]]:
    return select(TierDecision).where(*_in_force())


def _in_force() -> tuple[ColumnElement[bool], ...]:
    """The household's decision in force on the day ``on`` (bound parameters)."""
    on = bindparam("on")
    return (
        TierDecision.household_id == bindparam("household_id"),
        TierDecision.valid_from <= on,
        TierDecision.effective_until >= on,
    )


def decision_history(session: Session, actor: Actor, household_id: int) -> list[TierDecision]:
    """Every decision of a household the actor may see (its family, its district's officers)."""
    household = get_household(session, actor, household_id)
    return list(
        session.scalars(
            select(TierDecision)
            .where(TierDecision.household_id == household.id)
            .order_by(TierDecision.valid_from.desc(), TierDecision.id.desc())
        )
    )


@dataclass(frozen=True)
class SupportStanding:
    """What a household's records say for pricing on a day: its tier and special groups."""

    tier: Tier
    groups: frozenset[Group]
    decision_id: int | None


def support_standing(session: Session, household: Household, on: date) -> SupportStanding:
    row = read_rows(session, standing_statement(), {"household_id": household.id, "on": on}).first()
    return standing_from(*(row or (None, None, None)))


def standing_from(
    tier: str | None, groups: list[str] | None, decision_id: int | None
) -> SupportStanding:
    """The standing a decision's columns give (none: full price, R-SUP-3, R-SUP-12)."""
    if decision_id is None:
        return SupportStanding(Tier.NONE, frozenset(), None)
    return SupportStanding(Tier(tier), frozenset(Group(g) for g in groups or ()), decision_id)


@cache  # built once: every booking request asks, and needs three columns of the decision
def standing_statement() -> Select[tuple[str, list[str], int]]:
    """The household's decision in force ``on`` a day: its tier, groups and id."""
    return select(TierDecision.tier, TierDecision.groups, TierDecision.id).where(*_in_force())


@dataclass(frozen=True)
class DistrictDashboard:
    open_applications: int
    overdue: int
    decided_this_month: int
    rejected_this_month: int
    average_days_to_decide_x10: int | None  # one decimal, in integers


def district_dashboard(session: Session, actor: Actor, *, clock: Clock) -> DistrictDashboard:
    """An officer's district at a glance; the month is the current one in Seoul."""
    today = seoul_today(clock)
    month_start = today.replace(day=1)
    scoped = applications_for_actor(actor)
    open_ones = list(session.scalars(scoped.where(SupportApplication.status.in_(OPEN_STATUSES))))
    closed = [
        a
        for a in session.scalars(scoped.where(SupportApplication.closed_at.is_not(None)))
        if a.closed_at is not None and a.closed_at.astimezone(SEOUL).date() >= month_start
    ]
    decided = [a for a in closed if a.status == ApplicationStatus.DECIDED]
    waits = [_seconds(a.closed_at - a.submitted_at) for a in decided if a.closed_at]
    return DistrictDashboard(
        open_applications=len(open_ones),
        overdue=sum(1 for a in open_ones if a.days_left(today) < 0),
        decided_this_month=len(decided),
        rejected_this_month=sum(1 for a in closed if a.status == ApplicationStatus.REJECTED),
        average_days_to_decide_x10=sum(waits) * 10 // (86_400 * len(waits)) if waits else None,
    )


def _seconds(delta: timedelta) -> int:
    return delta.days * 86_400 + delta.seconds
