"""Finding and ranking the caregivers who can take a booking (R-BK-4, R-BK-5, R-SVC-3).

Hard rules decide who *can* take it: the agency and its districts, the skills the service needs,
weekly hours and leave, no overlap with other visits including the travel between homes, at most
8 hours a day and 40 a week (52 with explicit overtime), and the sick-child same-day rule. The
ranking then prefers, in order: the caregiver the family already knows (continuity), a short
journey, under-15-hour caregivers for ad-hoc work, a language the family speaks, and fairness of
hours across caregivers. Each candidate carries its reasons in words an agency can read.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, Subquery, Text, bindparam, cast, func, select
from sqlalchemy.orm import Session

from core.clock import SEOUL
from core.db import one_of, overlaps, read_rows
from core.i18n import N_

from .bookings import WITH_CAREGIVER, Booking, BookingKind, BookingState
from .caregivers import Caregiver, CaregiverSkill, Leave, Skill, WeeklySlot, caregiver_areas
from .geography import District, distance_km
from .households import Household

INFANT_MONTHS = 36
SKILL_FOR_SERVICE = {
    "infant_fullday": Skill.INFANT,
    "sick": Skill.SICK_CHILD,
    "comprehensive": Skill.COMPREHENSIVE,
}


@dataclass(frozen=True)
class CaregiverLimits:  # R-BK-5 (the figures come from the tariff of the year; defaults for tests)
    daily_minutes: int = 8 * 60
    weekly_minutes: int = 40 * 60
    weekly_overtime_minutes: int = 52 * 60
    light_load_minutes: int = 15 * 60  # R-BK-4: under 15 h a week, preferred for ad-hoc work
    travel_kmh: int = 20  # a cautious city speed for the journey between two homes
    min_travel_minutes: int = 15  # between homes in different districts


@dataclass(frozen=True)
class Reason:
    message: str
    params: dict[str, int | str] = field(default_factory=dict)


class Place(NamedTuple):
    """A district's centre, as the journey between two homes is reckoned."""

    code: str
    lat_e6: int
    lon_e6: int


class Visit(NamedTuple):
    """Another visit of a caregiver, as much of it as the rules need."""

    starts_at: datetime
    ends_at: datetime
    service: str
    household_id: int
    place: Place


class CaregiverSummary(NamedTuple):
    """As much of a caregiver as a ranking shows: read as plain columns, not whole records."""

    id: int
    name: str
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    caregiver: CaregiverSummary
    sort_key: tuple[int, ...]
    week_minutes: int
    distance_km: int
    known_visits: int  # visits paid to this family before (continuity)
    light_for_adhoc: bool  # ad-hoc care, and under 15 hours this week (R-BK-4)
    shared_languages: tuple[str, ...]

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """Why the caregiver ranks where it does, in words an agency can read (worded only when
        shown: most candidates of a request are never offered it)."""
        reasons = []
        if self.known_visits:
            reasons.append(
                Reason(
                    N_("Has cared for this family before (%(visits)s visits)."),
                    {"visits": self.known_visits},
                )
            )
        reasons.append(
            Reason(N_("Lives %(km)s km from the family's district."), {"km": self.distance_km})
        )
        if self.light_for_adhoc:
            reasons.append(Reason(N_("Works under 15 hours this week: preferred for ad-hoc care.")))
        if self.shared_languages:
            reasons.append(
                Reason(
                    N_("Speaks a language of the family: %(languages)s."),
                    {"languages": ", ".join(self.shared_languages)},
                )
            )
        reasons.append(
            Reason(N_("%(hours)s hours booked this week."), {"hours": self.week_minutes // 60})
        )
        return tuple(reasons)


def travel_minutes(a: Place, b: Place, limits: CaregiverLimits) -> int:
    if a.code == b.code:
        return 0
    km = distance_km(a.lat_e6, a.lon_e6, b.lat_e6, b.lon_e6)
    return max(limits.min_travel_minutes, math.ceil(km * 60 / limits.travel_kmh))


def required_skills(booking: Booking) -> set[Skill]:
    skills = {SKILL_FOR_SERVICE[booking.service]} if booking.service in SKILL_FOR_SERVICE else set()
    day = booking.starts_at.astimezone(SEOUL).date()
    if any(_months(bc.child.birth_date, day) <= INFANT_MONTHS for bc in booking.children):
        skills.add(Skill.INFANT)
    return skills


def _months(birth: date, on: date) -> int:
    return (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds()) // 60


def rank_candidates(
    session: Session,
    booking: Booking,
    *,
    limits: CaregiverLimits,
    overtime: bool = False,
    only: int | None = None,
) -> list[Candidate]:
    """Every caregiver who can take ``booking``, best first (``only``: check that one alone)."""
    household = booking.household
    skills = required_skills(booking)
    start, end = booking.starts_at, booking.ends_at
    local_start, local_end = start.astimezone(SEOUL), end.astimezone(SEOUL)
    day = local_start.date()
    if local_end.date() != day:
        return []  # care past midnight is arranged by hand: weekly hours are one day's windows
    week_start = datetime.combine(day - timedelta(days=day.weekday()), datetime.min.time(), SEOUL)
    rows = read_rows(
        session,
        _candidates_statement(frozenset(skills), only is not None),
        {
            "agency_id": booking.agency_id,
            "district_code": household.district_code,
            "weekday": day.weekday(),
            "starts_at": local_start.time(),
            "ends_at": local_end.time(),
            "day": day,
            "household_id": household.id,
            "only": only,
            "booking_id": booking.id or 0,  # a booking not yet written has no visit to skip
            "from": week_start - timedelta(days=1),
            "until": week_start + timedelta(days=8),
        },
    )
    # a row per caregiver and other visit (one with no visit fields when they have none)
    caregivers: dict[int, tuple[Any, ...]] = {}
    busy: dict[int, list[Visit]] = defaultdict(list)
    for caregiver_id, *caregiver, starts_at, ends_at, service, household_id, code, lat, lon in rows:
        caregivers.setdefault(caregiver_id, tuple(caregiver))
        if starts_at is not None:
            place = Place(code, lat, lon)
            busy[caregiver_id].append(Visit(starts_at, ends_at, service, household_id, place))
    home = household.district
    here = Place(home.code, home.lat_e6, home.lon_e6)
    home_languages = set(household.home_languages) - {"ko"}
    adhoc = booking.kind == BookingKind.ADHOC
    weekly_cap = limits.weekly_overtime_minutes if overtime else limits.weekly_minutes
    length = _minutes(start, end)
    found = []
    for caregiver_id, (name, languages_json, lat_e6, lon_e6, visits) in caregivers.items():
        theirs = busy[caregiver_id]
        if not _free(theirs, booking, here, limits):
            continue
        same_day = [b for b in theirs if b.starts_at.astimezone(SEOUL).date() == day]
        if sum(_minutes(b.starts_at, b.ends_at) for b in same_day) + length > limits.daily_minutes:
            continue
        week = [b for b in theirs if week_start <= b.starts_at < week_start + timedelta(days=7)]
        week_minutes = sum(_minutes(b.starts_at, b.ends_at) for b in week)
        if week_minutes + length > weekly_cap:
            continue
        other_homes = [b for b in same_day if b.household_id != household.id]
        if other_homes and (
            booking.service == "sick" or any(b.service == "sick" for b in other_homes)
        ):
            continue  # R-SVC table: after sick-child care, no other home that day
        km = round(distance_km(lat_e6, lon_e6, here.lat_e6, here.lon_e6))
        light = adhoc and week_minutes < limits.light_load_minutes
        languages = _languages(languages_json)
        shared = tuple(sorted(home_languages.intersection(languages)))
        sort_key = (-min(visits, 1), km // 5, -light, -bool(shared), week_minutes, caregiver_id)
        found.append(
            Candidate(
                CaregiverSummary(caregiver_id, name, languages),
                sort_key,
                week_minutes,
                km,
                visits,
                light,
                shared,
            )
        )
    found.sort(key=lambda c: c.sort_key)
    return found


@lru_cache(maxsize=1024)
def _languages(document: str) -> tuple[str, ...]:
    """A caregiver's languages from their JSON text: a few dozen lists recur across thirty
    thousand caregivers, so each is decoded once (decoding every row was a tenth of a ranking)."""
    return tuple(json.loads(document))


@cache  # one statement per set of skills, built once: ranking then only binds its values
def _candidates_statement(skills: frozenset[Skill], only: bool) -> Select[tuple[Any, ...]]:
    """The caregivers whom the cheap rules allow, with their home's place, the visits each has
    paid this family (continuity) and their other visits around the week, with each visit's
    place: the cheap rules run in the database, so that only plausible caregivers are loaded at
    all, and only their visits are looked up (one round trip; a second statement for the visits
    of all the agency's caregivers in the district probed the calendar of three times as many).
    Languages come as JSON text (see ``_languages``)."""
    day = bindparam("day")
    able = select(
        Caregiver.id,
        Caregiver.name,
        cast(Caregiver.languages, Text).label("languages"),
        Caregiver.home_district_code,
    ).where(
        Caregiver.agency_id == bindparam("agency_id"),
        Caregiver.id.in_(
            select(caregiver_areas.c.caregiver_id).where(
                caregiver_areas.c.district_code == bindparam("district_code")
            )
        ),
        Caregiver.active,
        Caregiver.id.in_(
            select(WeeklySlot.caregiver_id).where(
                WeeklySlot.weekday == bindparam("weekday"),
                WeeklySlot.starts_at <= bindparam("starts_at"),
                WeeklySlot.ends_at >= bindparam("ends_at"),
            )
        ),
        ~Caregiver.id.in_(
            select(Leave.caregiver_id).where(Leave.starts_on <= day, Leave.ends_on >= day)
        ),
    )
    for skill in sorted(skills):
        able = able.where(
            Caregiver.id.in_(
                select(CaregiverSkill.caregiver_id).where(CaregiverSkill.skill == skill.value)
            )
        )
    if only:
        able = able.where(Caregiver.id == bindparam("only"))
    # materialised, so that every cheap rule has passed before a home or a visit is looked up:
    # PostgreSQL, guessing one caregiver of the agency in the district where there are dozens,
    # otherwise joins the homes and the calendar first (a third of the caregivers pass the
    # weekly hours; this way a Gangnam ranking read 530 buffers instead of 890)
    able_cte = able.cte("able").prefix_with("MATERIALIZED")
    # the family's visits by caregiver, counted once and joined: a count per caregiver row would
    # scan the family's bookings once for each
    known = (
        select(Booking.caregiver_id, func.count().label("visits"))
        .where(
            Booking.household_id == bindparam("household_id"),
            one_of(Booking.state, [BookingState.COMPLETED.value, BookingState.CONFIRMED.value]),
        )
        .group_by(Booking.caregiver_id)
        .subquery("known")
    )
    visit = _other_visits()
    return (
        select(
            able_cte.c.id,
            able_cte.c.name,
            able_cte.c.languages,
            District.lat_e6,
            District.lon_e6,
            func.coalesce(known.c.visits, 0),
            visit.c.starts_at,
            visit.c.ends_at,
            visit.c.service,
            visit.c.household_id,
            visit.c.code,
            visit.c.lat_e6,
            visit.c.lon_e6,
        )
        .select_from(able_cte)
        .join(District, District.code == able_cte.c.home_district_code)
        .outerjoin(known, known.c.caregiver_id == able_cte.c.id)
        .outerjoin(visit, visit.c.caregiver_id == able_cte.c.id)
    )


def _other_visits() -> Subquery:
    """The visits with a caregiver in the window around the week, but the booking's own, with
    their home's place."""
    return (
        select(
            Booking.caregiver_id,
            Booking.starts_at,
            Booking.ends_at,
            Booking.service,
            Booking.household_id,
            District.code,
            District.lat_e6,
            District.lon_e6,
        )
        .join(Household, Household.id == Booking.household_id)
        .join(District, District.code == Household.district_code)
        .where(
            # the predicate of the caregivers' exclusion constraint, in literals, so that its
            # GiST index finds the visits in the range however long the caregivers' history is
            Booking.caregiver_id.is_not(None),
            one_of(Booking.state, sorted(s.value for s in WITH_CAREGIVER)),
            overlaps(
                Booking.starts_at,
                Booking.ends_at,
                bindparam("from", type_=Booking.starts_at.type),
                bindparam("until", type_=Booking.ends_at.type),
            ),
            Booking.id != bindparam("booking_id"),
        )
        .subquery("visit")
    )


def _free(theirs: list[Visit], booking: Booking, here: Place, limits: CaregiverLimits) -> bool:
    """No overlap with another visit, counting the journey between the two homes."""
    for other in theirs:
        travel = timedelta(minutes=travel_minutes(other.place, here, limits))
        if (
            other.starts_at < booking.ends_at + travel
            and booking.starts_at < other.ends_at + travel
        ):
            return False
    return True
