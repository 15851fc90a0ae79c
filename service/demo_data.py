"""A realistic, deterministic country of demo data: households, children, caregivers, logins.

Every agency of the reference data gets caregivers in proportion to the population it serves;
households spread over the districts by population. The same seed and date give the same data.
Rows go in with bulk inserts so that the national scale (30,000 caregivers, 140,000 households)
loads in a minute or two.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from booking.agencies import Agency, agency_districts
from booking.caregivers import Caregiver, CaregiverSkill, Skill, WeeklySlot, caregiver_areas
from booking.geography import District
from booking.home_visits import VisitCase, quarter_of
from booking.households import Attendance, Child, ChildState, Guardian, Household, MemberState
from booking.reference_data import load_reference_data
from core.actors import Role
from core.clock import Clock, seoul_today

from .accounts.models import User
from .accounts.passwords import hash_password

DEMO_PASSWORD = "dolbom-demo-2026"
DEMO_DISTRICT = "11680"  # Gangnam-gu, Seoul
DEMO_AGENCY = "AG035"
SKILL_SHARE = {Skill.INFANT: 0.45, Skill.SICK_CHILD: 0.25, Skill.COMPREHENSIVE: 0.5}


@dataclass(frozen=True)
class Scale:
    name: str
    caregivers: int
    households: int


SCALES = {
    "tiny": Scale("tiny", 462, 500),  # for tests: two caregivers an agency
    "small": Scale("small", 3_000, 3_000),
    "national": Scale("national", 30_000, 140_000),
}


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    note: str


DEMO_LOGINS = (
    DemoLogin(Role.PARENT, "parent@dolbom.kr", "Kim Minji, Gangnam-gu, two children"),
    DemoLogin(Role.PARENT, "parent.kk@dolbom.kr", "Aigerim Seitkali, Kazakh-speaking family"),
    DemoLogin(Role.CAREGIVER, "caregiver@dolbom.kr", "Park Sunhee, Gangnam-gu Family Center"),
    DemoLogin(Role.AGENCY_STAFF, "staff@dolbom.kr", "Gangnam-gu Family Center"),
    DemoLogin(Role.OFFICER, "officer@dolbom.kr", "Gangnam-gu community centres"),
    DemoLogin(Role.ADMIN, "admin@dolbom.kr", "national administrator"),
)

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = "민서지우하은도윤예준수아시현유진서연건우채원지호다은태윤소율"
FOREIGN_FAMILIES = (
    ("kk", ["Айгерім", "Нұрлан", "Дана", "Ерлан", "Әлия"], ["Сейтқали", "Омаров", "Жақсылық"]),
    ("vi", ["Linh", "Anh", "Thu", "Minh", "Hoa"], ["Nguyen", "Tran", "Le"]),
    ("zh", ["Li Na", "Wang Fang", "Zhang Wei"], ["Li", "Wang", "Zhang"]),
    ("ru", ["Ольга", "Ирина", "Сергей"], ["Иванова", "Ким", "Пак"]),
    ("uz", ["Dilnoza", "Malika", "Jasur"], ["Karimova", "Rashidov"]),
    ("tl", ["Maria", "Grace", "Joy"], ["Santos", "Reyes"]),
)


def korean_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def apportion(total: int, weights: Sequence[int], minimum: int = 0) -> list[int]:
    """Largest-remainder split of ``total`` in proportion to ``weights``, ``minimum`` each first."""
    rest = total - minimum * len(weights)
    whole = sum(weights) or 1
    exact = [rest * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: rest - sum(shares)]:
        shares[i] += 1
    return [share + minimum for share in shares]


def batched(rows: list[dict[str, Any]], size: int = 5_000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def build_demo_data(
    session: Session,
    *,
    scale: Scale,
    seed: int,
    clock: Clock,
    progress: Callable[[str, int], None] = lambda label, n: None,
) -> dict[str, int]:
    """Load reference data, then the demo country. Refuses to run twice on the same database."""
    load_reference_data(session)
    if session.scalar(select(User.id).where(User.email == DEMO_LOGINS[0].email)) is not None:
        raise RuntimeError("demo data is already loaded in this database")
    rng = random.Random(seed)
    today = seoul_today(clock)
    now = clock.now()
    districts = list(session.scalars(select(District).order_by(District.code)))
    agencies = list(session.scalars(select(Agency).order_by(Agency.code)))
    served: dict[int, list[str]] = {}
    for agency_id, code in session.execute(
        select(agency_districts.c.agency_id, agency_districts.c.district_code)
    ):
        served.setdefault(agency_id, []).append(code)
    population = {d.code: d.population for d in districts}

    shared_hash = hash_password(DEMO_PASSWORD)
    logins = _demo_accounts(session, agencies, shared_hash, now)
    progress("accounts", len(logins))

    caregiver_counts = apportion(
        scale.caregivers,
        [sum(population[c] for c in served.get(a.id, [])) for a in agencies],
        minimum=2,  # no agency without caregivers
    )
    caregivers = _caregivers(
        session, rng, agencies, served, caregiver_counts, today, logins, progress
    )
    households = _households(
        session, rng, districts, scale.households, today, now, shared_hash, logins, progress
    )
    _flagged_children(session, logins, today, now)
    session.flush()
    return {"caregivers": caregivers, "households": households, "accounts": len(logins)}


def _demo_accounts(
    session: Session, agencies: list[Agency], password_hash: str, now
) -> dict[str, int]:
    demo_agency = next(a for a in agencies if a.code == DEMO_AGENCY)
    ids: dict[str, int] = {}
    for login in DEMO_LOGINS:
        user = User(
            email=login.email,
            password_hash=password_hash,
            display_name=login.note.split(",")[0],
            role=login.role.value,
            locale="kk" if login.email.startswith("parent.kk") else None,
            agency_id=demo_agency.id if login.role in (Role.AGENCY_STAFF, Role.CAREGIVER) else None,
            district_code=DEMO_DISTRICT if login.role is Role.OFFICER else None,
            active=True,
            created_at=now,
        )
        session.add(user)
        session.flush()
        ids[login.email] = user.id
    return ids


def _weekly_slots(rng: random.Random) -> list[tuple[int, time, time]]:
    days = rng.sample(range(6), k=rng.randint(3, 6))  # Monday–Saturday by default (R-BK-5)
    start_hour = rng.choice((7, 8, 9, 10, 13, 14))
    length = rng.choice((4, 5, 6, 8))
    return [(day, time(start_hour), time(min(start_hour + length, 22))) for day in sorted(days)]


def _caregivers(session, rng, agencies, served, counts, today, logins, progress) -> int:
    rows: list[dict[str, Any]] = []
    extras: list[tuple[list[str], list[str], list[tuple[int, time, time]]]] = []
    for agency, count in zip(agencies, counts, strict=True):
        areas = served.get(agency.id, [agency.home_district_code])
        for index in range(count):
            languages = (
                ["ko"]
                + (["en"] if rng.random() < 0.15 else [])
                + ([rng.choice(["vi", "zh", "kk", "ru"])] if rng.random() < 0.08 else [])
            )
            is_demo = agency.code == DEMO_AGENCY and index == 0
            rows.append(
                {
                    "agency_id": agency.id,
                    "user_id": logins["caregiver@dolbom.kr"] if is_demo else None,
                    "name": "박선희" if is_demo else korean_name(rng),
                    "phone": f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                    "email": None,
                    "home_district_code": rng.choice(areas),
                    "languages": languages,
                    "training_hours": 120 + 16 * rng.randint(0, 6),
                    "hire_date": today - timedelta(days=rng.randint(30, 3650)),
                    "active": rng.random() > 0.03 or is_demo,
                }
            )
            skills = [s.value for s in Skill if rng.random() < SKILL_SHARE[s]]
            own_areas = sorted(
                {
                    rows[-1]["home_district_code"],
                    *rng.sample(areas, k=min(len(areas), rng.randint(1, 3))),
                }
            )
            extras.append((skills, own_areas, _weekly_slots(rng)))
    ids: list[int] = []
    for chunk in batched(rows):
        ids.extend(
            session.scalars(
                insert(Caregiver).returning(Caregiver.id, sort_by_parameter_order=True), chunk
            )
        )
        progress("caregivers", len(chunk))
    skill_rows, area_rows, slot_rows = [], [], []
    for caregiver_id, (skills, areas, slots) in zip(ids, extras, strict=True):
        skill_rows += [{"caregiver_id": caregiver_id, "skill": s} for s in skills]
        area_rows += [{"caregiver_id": caregiver_id, "district_code": c} for c in areas]
        slot_rows += [
            {"caregiver_id": caregiver_id, "weekday": d, "starts_at": s, "ends_at": e}
            for d, s, e in slots
        ]
    for table, table_rows in (
        (CaregiverSkill, skill_rows),
        (caregiver_areas, area_rows),
        (WeeklySlot, slot_rows),
    ):
        for chunk in batched(table_rows):
            session.execute(insert(table), chunk)
    return len(ids)


def _child(rng: random.Random, today: date, surname: str) -> dict[str, Any]:
    age_days = rng.randint(100, 12 * 365 + 300)
    birth = today - timedelta(days=age_days)
    years = age_days // 365
    if years < 3:
        attendance = rng.choice([Attendance.NONE, Attendance.DAYCARE])
    elif years < 6:
        attendance = rng.choice([Attendance.DAYCARE, Attendance.KINDERGARTEN, Attendance.NONE])
    else:
        attendance = Attendance.NONE
    hours = {
        Attendance.DAYCARE: (time(9), time(16)),
        Attendance.KINDERGARTEN: (time(9), time(13)),
        Attendance.NONE: (None, None),
    }[attendance]
    return {
        "name": surname + rng.choice(GIVEN) + rng.choice(GIVEN),
        "birth_date": birth,
        "korean_national": rng.random() > 0.03,
        "refugee": False,
        "disabled": rng.random() < 0.02,
        "attendance": attendance.value,
        "attendance_starts_at": hours[0],
        "attendance_ends_at": hours[1],
        "state": ChildState.REGULAR.value if rng.random() < 0.4 else ChildState.WAITING.value,
        "care_notes": "",
    }


def _demo_child(name: str, birth_date: date) -> dict[str, Any]:
    return {
        "name": name,
        "birth_date": birth_date,
        "korean_national": True,
        "refugee": False,
        "disabled": False,
        "attendance": Attendance.NONE.value,
        "attendance_starts_at": None,
        "attendance_ends_at": None,
        "state": ChildState.REGULAR.value,
        "care_notes": "",
    }


# the two demo families, the same every time: [Korean family, Kazakh-speaking family]
DEMO_CHILDREN = (
    lambda today: [
        _demo_child("김서준", date(today.year - 5, 5, 1)),
        _demo_child("김하은", date(today.year - 1, 8, 15)),
    ],
    lambda today: [_demo_child("Әлия", date(today.year - 3, 2, 10))],
)


def _households(session, rng, districts, total, today, now, password_hash, logins, progress) -> int:
    counts = apportion(total - 2, [d.population for d in districts])
    plans: list[dict[str, Any]] = []
    demo = [
        ("parent@dolbom.kr", "ko", "김민지", "김"),
        ("parent.kk@dolbom.kr", "kk", "Айгерім Сейтқали", "Сейтқали "),
    ]
    for email, language, name, surname in demo:
        plans.append(
            {
                "user_id": logins[email],
                "district": DEMO_DISTRICT,
                "language": language,
                "name": name,
                "surname": surname,
            }
        )
    number = 0
    for district, count in zip(districts, counts, strict=True):
        for _ in range(count):
            number += 1
            foreign = rng.random() < 0.06
            if foreign:
                language, firsts, lasts = rng.choice(FOREIGN_FAMILIES)
                name, surname = f"{rng.choice(firsts)} {rng.choice(lasts)}", "김"
            else:
                language, name = "ko", korean_name(rng)
                surname = name[0]
            plans.append(
                {
                    "user_id": None,
                    "number": number,
                    "district": district.code,
                    "language": language,
                    "name": name,
                    "surname": surname,
                }
            )

    user_rows = [
        {
            "email": f"family{plan['number']:06d}@example.kr",
            "password_hash": password_hash,
            "display_name": plan["name"],
            "role": Role.PARENT.value,
            "locale": None,
            "agency_id": None,
            "district_code": None,
            "active": True,
            "created_at": now,
        }
        for plan in plans
        if plan["user_id"] is None
    ]
    new_ids: list[int] = []
    for chunk in batched(user_rows):
        new_ids.extend(
            session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), chunk)
        )
    fresh = iter(new_ids)
    for plan in plans:
        if plan["user_id"] is None:
            plan["user_id"] = next(fresh)

    demo_ids = {logins["parent@dolbom.kr"], logins["parent.kk@dolbom.kr"]}
    household_rows, child_plans, guardian_plans = [], [], []
    for plan in plans:
        children = [
            _child(rng, today, plan["surname"])
            for _ in range(rng.choices((1, 2, 3), weights=(55, 35, 10))[0])
        ]
        if plan["user_id"] in demo_ids:
            children = DEMO_CHILDREN[plan["user_id"] == logins["parent.kk@dolbom.kr"]](today)
        two_parents = rng.random() > 0.12
        household_rows.append(
            {
                "applicant_user_id": plan["user_id"],
                "district_code": plan["district"],
                "address": "",
                "household_size": len(children)
                + (2 if two_parents else 1)
                + (1 if rng.random() < 0.1 else 0),
                "home_languages": [plan["language"]] + (["ko"] if plan["language"] != "ko" else []),
                "member_state": MemberState.FULL.value
                if rng.random() < 0.7
                else MemberState.WEB.value,
                "created_at": now,
            }
        )
        child_plans.append(children)
        guardian_plans.append((plan["name"], two_parents))
    household_ids: list[int] = []
    for chunk in batched(household_rows):
        household_ids.extend(
            session.scalars(
                insert(Household).returning(Household.id, sort_by_parameter_order=True), chunk
            )
        )
        progress("households", len(chunk))
    guardian_rows, child_rows = [], []
    for household_id, children, (name, two_parents) in zip(
        household_ids, child_plans, guardian_plans, strict=True
    ):
        guardian_rows.append(
            {
                "household_id": household_id,
                "name": name,
                "relation": "mother",
                "phone": f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
                "birth_date": None,
                "is_applicant": True,
            }
        )
        if two_parents:
            guardian_rows.append(
                {
                    "household_id": household_id,
                    "name": korean_name(rng),
                    "relation": "father",
                    "phone": "",
                    "birth_date": None,
                    "is_applicant": False,
                }
            )
        child_rows += [{**child, "household_id": household_id} for child in children]
    for table, table_rows in ((Guardian, guardian_rows), (Child, child_rows)):
        for chunk in batched(table_rows):
            session.execute(insert(table), chunk)
    return len(household_ids)


# issue 7: a few children on the demo officer's home-visit list for the current quarter (R-ECH-1)
FLAGGED_DEMO_CHILDREN = (
    ("DEMO-ECH-001", "정다온", date(2019, 4, 2), "정수빈", "010-2100-0001", [3, 17]),
    ("DEMO-ECH-002", "Нұрай Омарова", date(2021, 9, 14), "Әлия Омарова", "010-2100-0002", [5]),
    ("DEMO-ECH-003", "Nguyen Bao", date(2015, 1, 20), "Nguyen Thu", "010-2100-0003", [8, 40]),
)


def _flagged_children(session: Session, logins: dict[str, int], today: date, now) -> None:
    officer = next(login for login in DEMO_LOGINS if login.role is Role.OFFICER)
    year, quarter = quarter_of(today)
    for ref, name, born, guardian, phone, indicators in FLAGGED_DEMO_CHILDREN:
        session.add(
            VisitCase(
                district_code=DEMO_DISTRICT,
                year=year,
                quarter=quarter,
                source="flagged",
                child_ref=ref,
                child_name=name,
                child_birth_date=born,
                guardian_name=guardian,
                guardian_phone=phone,
                address="",
                indicators=indicators,
                status="to_contact",
                follow_up="",
                created_by_user_id=logins[officer.email],
                created_at=now,
            )
        )
