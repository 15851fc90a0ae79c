"""Agency claims built from the locked snapshot: checks, totals, confirmation and payment.

The checks set a reason code on each line whose government share is not (fully) claimed:
``duplicate`` (the caregiver's time claimed twice), ``unqualified_caregiver`` (initial training
or the service's skill missing, R-CG-1), ``no_effective_tier`` (no tier decision on the care date,
R-SUP-12) and ``over_cap`` (the household's subsidised hours of the year are used up, R-SUP-10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, exists, func, literal_column, or_, select, text, update
from sqlalchemy.orm import Session, aliased

from booking.assignment import SKILL_FOR_SERVICE
from booking.caregivers import Caregiver, CaregiverSkill
from core.actors import Actor, Role
from core.clock import Clock
from core.errors import Conflict, NotFound
from core.i18n import N_

from .ledger import Account, leg, post
from .settlement import AgencyClaim, ClaimState, ItemKind, Reason, SettlementItem
from .sql_dates import seoul_date
from .tariffs import Group, TariffBook
from .tier_decisions import TierDecision

DELIVERED = (ItemKind.VISIT.value, ItemKind.NO_SHOW.value)


@dataclass(frozen=True)
class BuildResult:
    month: str
    claims: int
    lines: int
    rejected: int


def build_claims(session: Session, month: str, *, tariffs: TariffBook, clock: Clock) -> BuildResult:
    """Replace the month's draft claims with fresh ones; confirmed claims stay as they are."""
    drafts = select(AgencyClaim.id).where(
        AgencyClaim.month == month, AgencyClaim.state == ClaimState.DRAFT
    )
    session.execute(delete(AgencyClaim).where(AgencyClaim.id.in_(drafts)))
    if session.get_bind().dialect.name == "postgresql":
        # fresh statistics after a lock of hundreds of thousands of rows: the checks' joins
        # are planned well only with them
        session.execute(text("ANALYZE settlement_items"))
    _check(session, month, tariffs)
    now = clock.now()
    open_lines = unclaimed(month)
    totals = (
        select(
            SettlementItem.agency_id,
            func.count(),
            func.sum(SettlementItem.minutes),
            func.sum(SettlementItem.total),
            func.sum(SettlementItem.claimed_government),
            func.sum(SettlementItem.parent),
            func.sum(SettlementItem.fee),
            func.sum(SettlementItem.refund),
        )
        .where(open_lines)
        .group_by(SettlementItem.agency_id)
    )
    rows = session.execute(totals)
    claims = [
        {
            "month": month,
            "agency_id": agency_id,
            "state": ClaimState.DRAFT.value,
            "lines": count,
            "minutes": minutes,
            "total": total,
            "government": government,
            "parent": parent,
            "fees": fees,
            "refunds": refunds,
            "payable": government + parent + fees - refunds,
            "built_at": now,
        }
        for agency_id, count, minutes, total, government, parent, fees, refunds in rows
    ]
    if claims:
        session.execute(AgencyClaim.__table__.insert(), claims)
    rejected = session.scalar(
        select(func.count()).where(SettlementItem.month == month, SettlementItem.reason != "")
    )
    session.flush()
    return BuildResult(month, len(claims), sum(c["lines"] for c in claims), int(rejected or 0))


def unclaimed(month: str) -> Any:
    """The month's lines of agencies whose claim is not confirmed yet (or not built)."""
    confirmed = select(AgencyClaim.agency_id).where(
        AgencyClaim.month == month, AgencyClaim.state != ClaimState.DRAFT
    )
    return and_(SettlementItem.month == month, SettlementItem.agency_id.not_in(confirmed))


def _check(session: Session, month: str, tariffs: TariffBook) -> None:
    item = SettlementItem
    mine = unclaimed(month)
    earlier_check = or_(
        item.claimed_government != item.government, item.reason != "", item.status != "accepted"
    )  # a fresh lock writes lines as accepted: only a re-run has anything to reset
    session.execute(
        update(item)
        .where(mine, earlier_check)
        .values(claimed_government=item.government, reason="", status="accepted")
    )
    other = aliased(SettlementItem)
    same_time = [
        other.id < item.id,
        other.kind.in_(DELIVERED),
        other.caregiver_id == item.caregiver_id,
        or_(other.booking_id.is_(None), other.booking_id != item.booking_id),  # not a correction
        other.starts_at < item.ends_at,
        other.ends_at > item.starts_at,
    ]
    if session.get_bind().dialect.name == "postgresql":  # visits are shorter than a day
        same_time.append(other.starts_at > item.starts_at - literal_column("interval '1 day'"))
    duplicate = exists().where(*same_time)
    _reject(session, mine & item.kind.in_(DELIVERED) & duplicate, Reason.DUPLICATE)
    year = int(month[:4])
    training = tariffs.for_date(date(year, int(month[5:]), 1)).caregiver_pay.initial_training_hours
    skill_missing = or_(
        *(
            and_(
                item.service == service,
                ~exists().where(
                    CaregiverSkill.caregiver_id == item.caregiver_id,
                    CaregiverSkill.skill == skill.value,
                ),
            )
            for service, skill in SKILL_FOR_SERVICE.items()
        )
    )
    untrained = exists().where(
        Caregiver.id == item.caregiver_id, Caregiver.training_hours < training
    )
    _reject(
        session,
        mine & item.kind.in_(DELIVERED) & (untrained | skill_missing),
        Reason.UNQUALIFIED_CAREGIVER,
    )
    care_day = seoul_date(item.starts_at, session)
    no_tier = ~exists().where(
        TierDecision.household_id == item.household_id,
        TierDecision.valid_from <= care_day,
        TierDecision.effective_until >= care_day,
    )
    _reject(session, mine & (item.government > 0) & no_tier, Reason.NO_EFFECTIVE_TIER)
    _over_cap(session, month, tariffs)


def _reject(session: Session, where, reason: Reason) -> None:
    session.execute(
        update(SettlementItem)
        .where(where, SettlementItem.reason == "")
        .values(claimed_government=0, reason=reason.value, status="rejected")
    )


def _over_cap(session: Session, month: str, tariffs: TariffBook) -> None:
    """R-SUP-10: running subsidised minutes of each care year, per household, in care order
    (a correction of last December counts against last year's cap)."""
    years = session.scalars(
        select(func.substr(SettlementItem.service_month, 1, 4))
        .distinct()
        .where(SettlementItem.month == month, SettlementItem.kind == ItemKind.VISIT)
    )
    for year in list(years):
        _over_cap_of_year(session, month, year, tariffs)


def _over_cap_of_year(session: Session, month: str, year: str, tariffs: TariffBook) -> None:
    cap = tariffs.for_date(date(int(year), 1, 1)).caps
    running = func.sum(SettlementItem.minutes).over(
        partition_by=SettlementItem.household_id,
        order_by=(SettlementItem.starts_at, SettlementItem.id),
    )
    ranked = (
        select(
            SettlementItem.id,
            SettlementItem.household_id,
            SettlementItem.minutes,
            SettlementItem.claimed_government,
            SettlementItem.month,
            running.label("running"),
        )
        .where(
            SettlementItem.service_month.like(f"{year}-%"),
            SettlementItem.kind == ItemKind.VISIT,
            SettlementItem.service != "infant_fullday",
            SettlementItem.claimed_government > 0,
        )
        .subquery()
    )
    over = session.execute(
        select(ranked).where(ranked.c.running > cap.annual_hours * 60, ranked.c.month == month)
    ).all()
    groups = _groups(session, {row.household_id for row in over})
    for row in over:
        allowed = cap.hours_for(groups.get(row.household_id, ())) * 60 - (row.running - row.minutes)
        if allowed >= row.minutes:
            continue
        claimed = max(0, row.claimed_government * max(allowed, 0) // row.minutes)
        session.execute(
            update(SettlementItem)
            .where(SettlementItem.id == row.id)
            .values(
                claimed_government=claimed,
                reason=Reason.OVER_CAP.value,
                status="adjusted" if claimed else "rejected",
            )
        )


def _groups(session: Session, household_ids: set[int]) -> dict[int, frozenset[Group]]:
    """The special groups (R-SUP-8) of each household's latest tier decision, in one query."""
    latest: dict[int, list[str]] = {}
    rows = session.execute(
        select(TierDecision.household_id, TierDecision.groups)
        .where(TierDecision.household_id.in_(household_ids))
        .order_by(TierDecision.id)
    )
    for household_id, groups in rows:
        latest[household_id] = groups
    return {
        household_id: frozenset(Group(g) for g in groups if g in Group._value2member_map_)
        for household_id, groups in latest.items()
    }


def claims_for_actor(session: Session, actor: Actor, month: str | None = None):
    query = select(AgencyClaim).order_by(AgencyClaim.month.desc(), AgencyClaim.agency_id)
    if month:
        query = query.where(AgencyClaim.month == month)
    if actor.role is Role.ADMIN:
        return query
    if actor.role is Role.AGENCY_STAFF and actor.agency_id is not None:
        return query.where(AgencyClaim.agency_id == actor.agency_id)
    return query.where(False)


def get_claim(session: Session, actor: Actor, claim_id: int) -> AgencyClaim:
    claim = session.scalar(claims_for_actor(session, actor).where(AgencyClaim.id == claim_id))
    if claim is None:
        raise NotFound()
    return claim


def claim_lines(session: Session, claim: AgencyClaim) -> list[SettlementItem]:
    """A claim's lines: the month's lines of its agency (once a claim is confirmed, later lines
    of that agency go to the next month)."""
    return list(
        session.scalars(
            select(SettlementItem)
            .where(of_claim(claim))
            .order_by(SettlementItem.starts_at, SettlementItem.id)
        )
    )


def of_claim(claim: AgencyClaim) -> Any:
    return and_(SettlementItem.month == claim.month, SettlementItem.agency_id == claim.agency_id)


def confirm_claim(
    session: Session, actor: Actor, claim: AgencyClaim, *, clock: Clock
) -> AgencyClaim:
    """An administrator confirms: the government share is claimed from each district's fund."""
    if actor.role is not Role.ADMIN:
        raise NotFound()
    _move(claim, ClaimState.CONFIRMED)
    by_district = session.execute(
        select(SettlementItem.district_code, func.sum(SettlementItem.claimed_government))
        .where(of_claim(claim), SettlementItem.claimed_government > 0)
        .group_by(SettlementItem.district_code)
    ).all()
    legs = [leg(Account.VOUCHER_FUND, district, amount) for district, amount in by_district]
    legs.append(leg(Account.AGENCY_PAYABLE, claim.agency_id, -claim.government))
    post(
        session, f"voucher_claim:{claim.id}", "voucher_claim", legs, clock=clock, claim_id=claim.id
    )
    claim.confirmed_at = clock.now()
    session.flush()
    return claim


def pay_claim(session: Session, actor: Actor, claim: AgencyClaim, *, clock: Clock) -> AgencyClaim:
    """The programme pays the agency what the claim says; the ledger records the payment."""
    if actor.role is not Role.ADMIN:
        raise NotFound()
    _move(claim, ClaimState.PAID)
    post(
        session,
        f"settlement_payment:{claim.id}",
        "settlement_payment",
        [
            leg(Account.AGENCY_PAYABLE, claim.agency_id, claim.government + claim.parent),
            leg(Account.CANCELLATION_FEES, claim.agency_id, claim.fees),
            leg(Account.REFUNDS, claim.agency_id, -claim.refunds),
            leg(Account.SETTLEMENT_BANK, "", -claim.payable),
        ],
        clock=clock,
        claim_id=claim.id,
    )
    claim.paid_at = clock.now()
    session.flush()
    return claim


def _move(claim: AgencyClaim, target: ClaimState) -> None:
    allowed = {
        ClaimState.DRAFT: {ClaimState.CONFIRMED},
        ClaimState.CONFIRMED: {ClaimState.PAID},
        ClaimState.PAID: set(),
    }
    if target not in allowed[ClaimState(claim.state)]:
        raise Conflict(
            N_("A claim in state %(state)s cannot become %(target)s."),
            code="illegal_claim_transition",
            state=claim.state,
            target=target.value,
        )
    claim.state = target.value
