"""The cost split: what care costs, what the voucher pays and what the parent pays, to the won.

Pure functions of a request and the tariffs of the year (R-SVC, R-FEE, R-SUP, R-CAN): no database,
no clock. Each half-hour unit of each child is priced on its own, then the units are gathered in
lines. Money is int won, rates are int percents, and all rounding is integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

from core.clock import SEOUL
from core.i18n import N_

from .care_calendar import (
    UNIT,
    UNIT_MINUTES,
    age_in_years,
    care_units,
    check_aware,
    check_children,
    check_span,
    has_reached,
    invalid,
    is_centre_day,
    is_night,
    is_surcharged_day,
)
from .tariffs import AgeBand, Attendance, AttendanceHours, Group, Service, Tariff, TariffBook, Tier

__all__ = [
    "AgeBand", "Attendance", "ChildFacts", "Explanation", "FeeBand", "Group", "MonthlyQuote",
    "Quote", "QuoteLine", "QuoteRequest", "Service", "SickRate", "Tier",
    "check_services", "quote", "quote_fullday_month",
]  # fmt: skip

HALF_DAY = frozenset({Service.BASIC, Service.COMPREHENSIVE})  # R-SUP-11 "half-day care"


class _Say:
    """The sentences of an explanation, one per rule, with ``%(name)s`` placeholders."""

    FEES = N_("Fees of %(year)s: %(fee)s won an hour for %(service)s.")  # R-FEE-1
    SIBLINGS = N_(
        "%(children)s children share the caregiver: the first pays in full and each further "
        "child %(percent)s%%, shared equally, so each child's half-hour costs %(fee)s won."
    )  # R-FEE-3
    SURCHARGE = N_(
        "%(units)s half-hours fall at night, on a Sunday, on a public holiday or on 1 May "
        "and cost %(percent)s%% more."
    )  # R-FEE-2
    COMPREHENSIVE = N_(
        "Comprehensive care gets the same government support in won as basic care; "
        "the parent pays the difference."
    )  # R-SUP-7
    NOT_ELIGIBLE = N_("Child %(child)s is not eligible for government support: full price.")
    NO_SUPPORT = N_("Tier %(tier)s, age band %(band)s gets no government support in %(year)s.")
    RATE = N_(
        "Child %(child)s, tier %(tier)s, age band %(band)s: "
        "the government pays %(rate)s%% of the fee."
    )  # R-SUP-5
    GROUP_BONUS = N_("Special-group families get %(points)s more points: %(rate)s%%.")
    TEEN_PARENT = N_("Child %(child)s of teen parents is aged 0–1: the government pays %(rate)s%%.")
    REDUCTION = {
        Group.MULTI_CHILD: N_("Multi-child family: the parent share is %(percent)s%% lower."),
        Group.DEPOPULATING_REGION: N_(
            "Depopulating region: the parent share is a further %(percent)s%% lower."
        ),
    }  # R-SUP-8
    OTHER_REDUCTION = N_("%(group)s: the parent share is a further %(percent)s%% lower.")
    SICK_FLAT = N_(
        "Sick-child care: the government pays a flat %(rate)s%% of the fee; "
        "these hours do not count against the annual cap."
    )  # R-SUP-9
    SICK_NORMAL = N_("Sick-child care at the normal rate: these hours count against the cap.")
    ATTENDANCE_HOURS = N_(
        "%(units)s half-hours fall in child %(child)s's daycare or kindergarten hours "
        "(weekdays %(hours)s) and get no government support."
    )  # R-SUP-11
    BEYOND_ANNUAL_CAP = N_(
        "%(units)s half-hours lie beyond the %(cap)s supported hours a year "
        "and are charged in full."
    )  # R-SUP-10
    BEYOND_MONTHLY_CAP = N_(
        "%(units)s half-hours lie beyond the %(cap)s supported hours a month "
        "and are charged in full."
    )
    FULLDAY_MINIMUM = N_("Full-day infant care is billed at least %(hours)s hours a month.")


class SickRate(StrEnum):
    """R-SUP-9: the flat sick-child rate, or the family's normal rate where allowed."""

    FLAT = "flat"
    NORMAL = "normal"


class FeeBand(StrEnum):
    """R-FEE-2: a unit is priced at the day fee or the surcharged fee."""

    DAY = "day"
    SURCHARGED = "surcharged"


@dataclass(frozen=True, slots=True)
class ChildFacts:
    birth_date: date
    supported: bool = True  # False: no Korean nationality (R-SVC-2), full price
    attendance: Attendance = Attendance.NONE  # R-SUP-11
    closure: bool = False  # R-SUP-11: the family recorded a closure, vacation or illness


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    service: Service
    start: datetime  # timezone-aware
    end: datetime
    children: tuple[ChildFacts, ...]
    tier: Tier
    groups: frozenset[Group] = frozenset()
    sick_rate: SickRate = SickRate.FLAT
    minutes_used: int = 0  # supported minutes already used in the cap's period (R-SUP-10)


@dataclass(frozen=True, slots=True)
class Explanation:
    """One rule applied: an untranslated ``N_`` message and the values of its placeholders."""

    message: str
    params: Mapping[str, int | str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % dict(self.params)


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """One child's run of consecutive units with the same fee band and support."""

    child: int  # index in ``QuoteRequest.children``
    start: datetime
    end: datetime
    band: FeeBand
    units: int
    fee: int
    government: int
    parent: int
    supported: bool

    def followed_by(self, later: QuoteLine) -> QuoteLine:
        """This line and the next one of the same band and support, as one line."""
        return QuoteLine(
            child=self.child,
            start=self.start,
            end=later.end,
            band=self.band,
            units=self.units + later.units,
            fee=self.fee + later.fee,
            government=self.government + later.government,
            parent=self.parent + later.parent,
            supported=self.supported,
        )


@dataclass(frozen=True, slots=True)
class Quote:
    tariff_year: int
    total: int
    government: int
    parent: int
    supported_minutes: int  # care time with support for at least one child
    unsupported_minutes: int
    capped_minutes: int  # the part of supported_minutes that counts against the cap (R-SUP-10)
    lines: tuple[QuoteLine, ...]
    explanation: tuple[Explanation, ...]


@dataclass(frozen=True)
class MonthlyQuote:
    """R-SUP-10: a month of the full-day infant-care contract, at the day fee."""

    tariff_year: int
    month: date
    billed_hours: int
    supported_hours: int
    unsupported_hours: int
    total: int
    government: int
    parent: int
    explanation: tuple[Explanation, ...]


@dataclass(frozen=True)
class _ChildPlan:
    rate: int  # percent of the support base paid by the government; 0: no support
    reductions: tuple[int, ...]  # parent-share reductions in percent, in order (R-SUP-8)
    no_support_hours: AttendanceHours | None  # R-SUP-11; only ever set with a rate above 0


class _Notes:
    """The explanation being built: each distinct sentence once, in order."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, tuple[tuple[str, int | str], ...]], Explanation] = {}

    @property
    def items(self) -> list[Explanation]:
        return list(self._seen.values())  # dicts keep the order of insertion

    def add(self, message: str, **params: int | str) -> None:
        key = (message, tuple(params.items()))
        if key not in self._seen:
            self._seen[key] = Explanation(message, params)


def check_services(services: Iterable[Service]) -> None:
    """R-SVC-3: ``comprehensive`` cannot be combined with ``sick`` in one booking."""
    if {Service.COMPREHENSIVE, Service.SICK} <= set(services):
        message = N_("Comprehensive care cannot be combined with sick-child care in one booking.")
        raise invalid(message, "comprehensive_with_sick", "service")


def quote(request: QuoteRequest, tariffs: TariffBook) -> Quote:
    """Price a booking: the fee of each half hour of each child and who pays it."""
    start, end, service, children = request.start, request.end, request.service, request.children
    check_aware(start, "start")
    day = start.astimezone(SEOUL).date()
    tariff = tariffs.for_date(day)
    check_span(start, end, tariff.services[service].minimum_hours)  # checks the end's offset too
    if request.minutes_used < 0:
        message = N_("The hours already used cannot be negative.")
        raise invalid(message, "invalid_hours_used", "hours_used")
    check_children([c.birth_date for c in children], tariff.services[service], tariff.siblings, day)
    notes = _Notes()
    _explain_fees(notes, tariff, service, len(children))
    plans = [_plan_child(i, child, request, tariff, day, notes) for i, child in enumerate(children)]

    # R-SUP-10: the cap of the period (a month for infant_fullday), and which units count
    counted = not (service == Service.SICK and request.sick_rate == SickRate.FLAT)  # R-SUP-9
    if service == Service.INFANT_FULLDAY:
        cap_hours, cap_note = tariff.infant_fullday.max_monthly_hours, _Say.BEYOND_MONTHLY_CAP
    else:
        cap_hours, cap_note = tariff.caps.hours_for(request.groups), _Say.BEYOND_ANNUAL_CAP
    cap_left = cap_hours * 60 - request.minutes_used
    support_base = Service.BASIC if service == Service.COMPREHENSIVE else service  # R-SUP-7
    n = len(children)
    # R-FEE-1..3: a unit costs one of two fees, by its band; the support base likewise
    fees = {s: tariff.fee30(service, surcharged=s, children=n) for s in (False, True)}
    bases = {s: tariff.fee30(support_base, surcharged=s, children=n) for s in (False, True)}
    runs: list[_Run] = []  # consecutive units that share the band and each child's support
    supported_units = capped_units = beyond_units = surcharged_units = 0
    at_centre_units = [0] * n
    with_support = [plan.rate > 0 for plan in plans]
    # R-SUP-11: the children whose daycare or kindergarten hours take their support away
    attending = [(i, p.no_support_hours) for i, p in enumerate(plans) if p.no_support_hours]
    surcharge = tariff.surcharge
    days: dict[date, tuple[bool, bool]] = {}  # (surcharged all day, daycare open)
    for unit in care_units(start, end):
        unit_day, clock = unit.date(), unit.time()
        flags = days.get(unit_day)
        if flags is None:
            flags = (is_surcharged_day(unit_day, surcharge), is_centre_day(unit_day))
            days[unit_day] = flags
        surcharged_day, centre_day = flags
        surcharged = surcharged_day or is_night(clock, surcharge)  # R-FEE-2
        surcharged_units += surcharged
        eligible = with_support
        if attending and centre_day:
            eligible = with_support.copy()
            for i, hours in attending:
                if hours.start <= clock < hours.end:
                    eligible[i] = False
                    at_centre_units[i] += 1
        supported = any(eligible)
        if supported and counted:  # a unit is supported only if all of it fits the cap
            if cap_left >= UNIT_MINUTES:
                cap_left -= UNIT_MINUTES
                capped_units += 1
            else:  # R-SUP-10: beyond the cap the parent pays in full, from the exact unit
                eligible, supported = [False] * n, False
                beyond_units += 1
        supported_units += supported
        kind = (surcharged, tuple(eligible))
        if runs and runs[-1].kind == kind:
            runs[-1].last, runs[-1].units = unit, runs[-1].units + 1
        else:
            runs.append(_Run(kind, unit, unit, 1))

    if surcharged_units:
        notes.add(_Say.SURCHARGE, units=surcharged_units, percent=tariff.surcharge.percent - 100)
    for i, units in enumerate(at_centre_units):
        hours = plans[i].no_support_hours
        if units and hours is not None:
            span = f"{hours.start:%H:%M}–{hours.end:%H:%M}"
            notes.add(_Say.ATTENDANCE_HOURS, units=units, child=i + 1, hours=span)
    if beyond_units:
        notes.add(cap_note, units=beyond_units, cap=cap_hours)
    lines = tuple(
        line for i, plan in enumerate(plans) for line in _lines(i, plan, runs, fees, bases)
    )
    return Quote(
        tariff_year=tariff.year,
        total=sum(line.fee for line in lines),
        government=sum(line.government for line in lines),
        parent=sum(line.parent for line in lines),
        supported_minutes=supported_units * UNIT_MINUTES,
        unsupported_minutes=(sum(run.units for run in runs) - supported_units) * UNIT_MINUTES,
        capped_minutes=capped_units * UNIT_MINUTES,
        lines=lines,
        explanation=tuple(notes.items),
    )


@dataclass(slots=True)
class _Run:
    """Consecutive half hours priced alike: the same fee band, each child supported or not."""

    kind: tuple[bool, tuple[bool, ...]]  # (surcharged, supported per child)
    first: datetime
    last: datetime
    units: int


def _split(fee: int, base: int, plan: _ChildPlan) -> tuple[int, int]:
    """One child's unit: (government, parent), with government + parent == fee."""
    # R-SUP-6: government = ceil(per-child basic fee × rate); the parent pays the rest
    government = min(fee, -(-base * plan.rate // 100))
    parent = fee - government
    for percent in plan.reductions:  # R-SUP-8: each step rounded down to the won
        reduced = parent * (100 - percent) // 100
        government, parent = government + parent - reduced, reduced
    return government, parent


def _lines(
    child: int,
    plan: _ChildPlan,
    runs: list[_Run],
    fees: Mapping[bool, int],
    bases: Mapping[bool, int],
) -> list[QuoteLine]:
    """One child's lines: its runs of units with the same band and support, each unit split
    on its own (so a line is exactly the sum of its units)."""
    lines: list[QuoteLine] = []
    for run in runs:
        surcharged, eligible = run.kind
        supported = eligible[child]
        fee = fees[surcharged]
        government, parent = _split(fee, bases[surcharged], plan) if supported else (0, fee)
        line = QuoteLine(
            child=child,
            start=run.first,
            end=run.last + UNIT,
            band=FeeBand.SURCHARGED if surcharged else FeeBand.DAY,
            units=run.units,
            fee=fee * run.units,
            government=government * run.units,
            parent=parent * run.units,
            supported=supported,
        )
        if lines and (lines[-1].band, lines[-1].supported) == (line.band, supported):
            line = lines.pop().followed_by(line)  # only another child's support changed
        lines.append(line)
    return lines


def _explain_fees(notes: _Notes, tariff: Tariff, service: Service, children: int) -> None:
    notes.add(_Say.FEES, year=tariff.year, fee=tariff.fees[service], service=str(service))
    if children > 1:  # R-FEE-3
        fee = tariff.fee30(service, surcharged=False, children=children)
        percent = tariff.siblings.further_child_percent
        notes.add(_Say.SIBLINGS, children=children, percent=percent, fee=fee)
    if service == Service.COMPREHENSIVE:
        notes.add(_Say.COMPREHENSIVE)


def _plan_child(
    index: int, child: ChildFacts, request: QuoteRequest, tariff: Tariff, day: date, notes: _Notes
) -> _ChildPlan:
    """The rate, parent-share reductions and unsupported hours of one child (R-SUP-4..11)."""
    service, tier, groups = request.service, request.tier, request.groups
    number = index + 1
    band = age_band(tariff, child.birth_date, day, service)
    if not child.supported:  # R-SVC-2
        notes.add(_Say.NOT_ELIGIBLE, child=number)
        return _ChildPlan(0, (), None)
    no_support_hours = None
    if service in HALF_DAY and not child.closure:  # R-SUP-11
        no_support_hours = tariff.attendance.get(child.attendance)
    if service == Service.SICK and request.sick_rate == SickRate.FLAT:  # R-SUP-9, every family
        notes.add(_Say.SICK_FLAT, rate=tariff.sick.flat_percent)
        return _ChildPlan(tariff.sick.flat_percent, (), None)
    if service == Service.SICK and band not in tariff.sick.normal_rate_allowed.get(tier, ()):
        message = N_("The normal rate for sick-child care is only for the tiers and ages allowed.")
        raise invalid(message, "sick_normal_rate_not_allowed", "sick_rate")
    rate = tariff.support_rate(tier, band)  # R-SUP-5
    if rate == 0:
        notes.add(_Say.NO_SUPPORT, tier=str(tier), band=str(band), year=tariff.year)
        return _ChildPlan(0, (), None)
    notes.add(_Say.RATE, child=number, tier=str(tier), band=str(band), rate=rate)
    bonus = tariff.special.bonus
    if tier in bonus.tiers and bonus.groups.intersection(groups):  # R-SUP-8
        rate = min(100, rate + bonus.points)
        notes.add(_Say.GROUP_BONUS, points=bonus.points, rate=rate)
    teen = tariff.special.teen_parent
    if (
        Group.TEEN_PARENT in groups
        and tier in teen.tiers
        and age_in_years(child.birth_date, day) <= teen.child_max_age_years
        and teen.percent > rate
    ):  # R-SUP-8: teen parents with a child aged 0-1
        rate = teen.percent
        notes.add(_Say.TEEN_PARENT, child=number, rate=rate)
    if service == Service.SICK:
        notes.add(_Say.SICK_NORMAL)
    reductions = []
    for step in tariff.special.parent_share_reductions:  # R-SUP-8, in the tariff's order
        if step.group in groups and tier in step.tiers and step.percent:
            reductions.append(step.percent)
            message = _Say.REDUCTION.get(step.group, _Say.OTHER_REDUCTION)
            notes.add(message, percent=step.percent, group=str(step.group))
    return _ChildPlan(rate, tuple(reductions), no_support_hours)


def age_band(tariff: Tariff, birth_date: date, day: date, service: Service) -> AgeBand:
    """R-SUP-4: A if under 7 on 1 January of the service year; ``infant_fullday`` always A."""
    if service == Service.INFANT_FULLDAY:
        return AgeBand.A
    seventh = has_reached(birth_date, 12 * tariff.support.band_a_under_years, date(day.year, 1, 1))
    return AgeBand.B if seventh else AgeBand.A


def quote_fullday_month(
    tariffs: TariffBook,
    month: date,
    hours: int,
    children: tuple[ChildFacts, ...],
    tier: Tier,
    groups: frozenset[Group] = frozenset(),
) -> MonthlyQuote:
    """R-SUP-10: a month of the full-day infant-care contract, paid in advance (R-PAY-3).

    80–200 supported hours a month, billed at least 80 h; hours over 200 are charged in full.
    Priced at the day fee (the contract's hours have no times); ages judged on the 1st.
    """
    first = month.replace(day=1)
    tariff = tariffs.for_date(first)
    terms = tariff.infant_fullday
    if hours < 0:
        raise invalid(N_("The hours cannot be negative."), "invalid_hours", "hours")
    service = Service.INFANT_FULLDAY
    births = [child.birth_date for child in children]
    check_children(births, tariff.services[service], tariff.siblings, first)
    notes = _Notes()
    _explain_fees(notes, tariff, service, len(children))
    midnight = datetime.combine(first, time(0), SEOUL)
    request = QuoteRequest(service, midnight, midnight, children, tier, groups)
    plans = [
        _plan_child(i, child, request, tariff, first, notes) for i, child in enumerate(children)
    ]
    billed = max(hours, terms.billed_minimum_hours)
    if hours < terms.billed_minimum_hours:
        notes.add(_Say.FULLDAY_MINIMUM, hours=terms.billed_minimum_hours)
    per_hour = 60 // UNIT_MINUTES
    supported = min(billed, terms.max_monthly_hours) if any(p.rate for p in plans) else 0
    if 0 < supported < billed:
        units = (billed - supported) * per_hour
        notes.add(_Say.BEYOND_MONTHLY_CAP, units=units, cap=terms.max_monthly_hours)
    fee = tariff.fee30(service, surcharged=False, children=len(children))
    total = fee * billed * per_hour * len(plans)
    government = sum(_split(fee, fee, p)[0] * supported * per_hour for p in plans if p.rate)
    return MonthlyQuote(
        tariff_year=tariff.year,
        month=first,
        billed_hours=billed,
        supported_hours=supported,
        unsupported_hours=billed - supported,
        total=total,
        government=government,
        parent=total - government,
        explanation=tuple(notes.items),
    )
