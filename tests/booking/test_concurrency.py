"""Races against a real PostgreSQL server: many requests at once, exactly one wins (issue 5).

These tests commit for real (no rolled-back outer transaction): each thread has its own
session and connection, as concurrent web requests would.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from booking import matching
from booking.agencies import Agency
from booking.bookings import Booking, Transition
from booking.caregivers import Caregiver, CaregiverSkill, WeeklySlot
from booking.geography import District
from booking.households import Child, Guardian, Household
from booking.requests import BookingDraft, request_booking
from core.actors import Actor, Role
from core.clock import SEOUL, FixedClock
from core.errors import Conflict
from service.accounts.models import User
from service.extensions import db
from tests.booking.conftest import LIMITS
from tests.conftest import build_app, dispose, migrate_and_seed
from vouchers.booking_pricing import TariffPricing
from vouchers.tariffs import default_tariff_book

pytestmark = pytest.mark.postgres
START = datetime(2026, 3, 3, 9, tzinfo=SEOUL)
CLOCK = FixedClock(datetime(2026, 3, 2, 10, tzinfo=SEOUL))
RACERS = 12


@pytest.fixture
def engine(scratch_postgres_url):
    app = build_app(scratch_postgres_url, CLOCK)
    migrate_and_seed(app)
    with app.app_context():
        yield db.engine
    dispose(app)


def _user(session: Session, role: str, **kwargs) -> User:
    user = User(
        email=f"{role}{session.scalar(select(func.count()).select_from(User))}@example.kr",
        password_hash="x",
        display_name=role,
        role=role,
        created_at=CLOCK.now(),
        **kwargs,
    )
    session.add(user)
    session.flush()
    return user


def _family(session: Session) -> Household:
    household = Household(
        applicant_user_id=_user(session, "parent").id,
        district_code="11680",
        household_size=3,
        home_languages=["ko"],
        member_state="full_member",
        created_at=CLOCK.now(),
        guardians=[Guardian(name="부모", relation="mother", is_applicant=True)],
        children=[Child(name="아이", birth_date=date(2021, 5, 1))],
    )
    session.add(household)
    session.flush()
    return household


def _draft(household: Household, key: str) -> BookingDraft:
    return BookingDraft(
        service="basic",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        child_ids=(household.children[0].id,),
        request_key=key,
    )


def _race(engine, jobs):
    """Run the jobs at the same moment, each in its own session; collect results or errors."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with Session(engine) as session:
            barrier.wait()
            try:
                result = job(session)
                session.commit()
                return ("ok", result)
            except Conflict as error:
                session.rollback()
                return ("conflict", error.code)

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _caregiver(session: Session) -> Caregiver:
    """A caregiver of the agency serving Gangnam-gu, with an account, free on weekdays."""
    agency_id = session.scalar(select(Agency.id).where(Agency.code == "AG035"))
    caregiver = Caregiver(
        agency_id=agency_id,
        user_id=_user(session, "caregiver", agency_id=agency_id).id,
        name="돌보미",
        phone="010",
        home_district_code="11680",
        languages=["ko"],
        training_hours=120,
        hire_date=date(2024, 1, 1),
        active=True,
        skill_rows=[CaregiverSkill(skill="infant")],
        availability=[WeeklySlot(weekday=d, starts_at=time(8), ends_at=time(20)) for d in range(6)],
    )
    caregiver.areas = [session.get(District, "11680")]
    session.add(caregiver)
    session.flush()
    return caregiver


def test_many_acceptances_for_one_caregiver_and_slot_exactly_one_wins(engine):
    with Session(engine) as session:
        caregiver = _caregiver(session)
        agency_id, account_id = caregiver.agency_id, caregiver.user_id
        offers = []
        pricing = TariffPricing(default_tariff_book())
        for index in range(RACERS):
            household = _family(session)
            parent = Actor(household.applicant_user_id, Role.PARENT)
            booking = request_booking(
                session, parent, _draft(household, f"k{index}"), pricing=pricing, clock=CLOCK
            )
            offers += matching.offer_booking(
                session, booking, limits=LIMITS, clock=CLOCK, expires_in=timedelta(hours=2)
            )
        session.commit()
        offer_ids = [offer.id for offer in offers]
        actor = Actor(account_id, Role.CAREGIVER, agency_id=agency_id)
        caregiver_id = caregiver.id
    assert len(offer_ids) == RACERS

    results = _race(
        engine,
        [
            lambda s, o=o: matching.accept_offer(s, actor, o, limits=LIMITS, clock=CLOCK).id
            for o in offer_ids
        ],
    )

    assert sum(1 for status, _ in results if status == "ok") == 1
    assert {code for status, code in results if status == "conflict"} <= {"slot_unavailable"}
    with Session(engine) as session:
        matched = session.scalars(select(Booking).where(Booking.caregiver_id == caregiver_id)).all()
        assert len(matched) == 1 and matched[0].state == "matched"
        # the losers are exactly as they were: offered, no caregiver, no extra transition
        others = session.scalars(select(Booking).where(Booking.id != matched[0].id)).all()
        assert {b.state for b in others} == {"offered"} and all(
            b.caregiver_id is None for b in others
        )
        moves = session.scalar(
            select(func.count()).select_from(Transition).where(Transition.to_state == "matched")
        )
        assert moves == 1


def test_double_submits_and_racing_requests_for_one_child_make_one_booking(engine):
    """The path the API and the form take (``request_and_offer``): one booking, offered once."""
    with Session(engine) as session:
        household = _family(session)
        caregiver_id = _caregiver(session).id
        session.commit()
        parent = Actor(household.applicant_user_id, Role.PARENT)
        household_id = household.id
    pricing = TariffPricing(default_tariff_book())

    def request(session: Session, key: str) -> int:
        return matching.request_and_offer(
            session,
            parent,
            _draft(session.get(Household, household_id), key),
            pricing=pricing,
            limits=LIMITS,
            clock=CLOCK,
            expires_in=timedelta(hours=2),
        ).id

    same_key = _race(engine, [lambda s: request(s, "click")] * 6)
    other_keys = _race(engine, [lambda s, k=k: request(s, f"tab{k}") for k in range(6)])
    with Session(engine) as session:
        bookings = session.scalars(
            select(Booking).where(Booking.household_id == household_id)
        ).all()
        offers = session.scalars(select(matching.Offer)).all()
    assert len(bookings) == 1 and bookings[0].state == "offered"
    assert {result for status, result in same_key if status == "ok"} == {bookings[0].id}
    assert all(result == ("conflict", "child_already_booked") for result in other_keys)
    assert [(o.booking_id, o.caregiver_id) for o in offers] == [(bookings[0].id, caregiver_id)]
