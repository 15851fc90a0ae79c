"""Requesting, matching, visiting and cancelling care (issue 5), with the official figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, insert, select

from booking import matching, visits
from booking.agencies import agency_districts
from booking.assignment import rank_candidates
from booking.bookings import Booking, BookingState, IllegalTransition, move
from booking.matching import describe
from booking.requests import (
    barred_until_date,
    cancel_booking,
    cancellation_quote,
    prepare_request,
    request_booking,
    strikes_this_month,
)
from core.actors import Actor, Role
from core.clock import SEOUL
from core.db import one_of
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.booking.conftest import LIMITS, TUESDAY_9, caregiver, draft
from tests.factories import (
    ChildFactory,
    HouseholdFactory,
    ParentFactory,
    StaffFactory,
    parent_of,
)
from tests.helpers import agency, statements_sent


def test_a_request_is_priced_and_holds_its_time(session, clock, family, pricing):
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    assert booking.state == "requested" and booking.agency_id == agency("AG035").id
    # no tier decision: full price. R-FEE-1 2026 basic 12,790/h × 2 h = 25,580
    assert (booking.total, booking.government, booking.parent, booking.tier) == (
        25580,
        0,
        25580,
        "none",
    )
    assert [t.to_state for t in booking.transitions] == []
    again = request_booking(session, parent_of(family), draft(family), pricing=pricing, clock=clock)
    assert again is booking  # the same request key: the same booking, not a second one


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"start": TUESDAY_9 - timedelta(days=2)}, "in_the_past"),
        ({"start": datetime(2026, 3, 8, 9, tzinfo=SEOUL)}, "too_early"),  # more than 5 days ahead
        ({"start": datetime(2026, 3, 2, 11, tzinfo=SEOUL)}, "too_late"),  # 1 h ahead (R-BK-1)
        ({"service": "sick"}, "doctor_note_required"),
    ],
)
def test_request_windows_and_rules(session, clock, family, pricing, changes, code):
    with pytest.raises(ValidationFailed) as caught:
        request_booking(
            session, parent_of(family), draft(family, **changes), pricing=pricing, clock=clock
        )
    assert caught.value.code == code


def test_urgent_requests_between_two_and_four_hours_ahead(session, clock, family, pricing):
    booking = request_booking(
        session,
        parent_of(family),
        draft(family, start=datetime(2026, 3, 2, 13, tzinfo=SEOUL)),
        pricing=pricing,
        clock=clock,
    )
    assert booking.urgent


def test_no_requests_at_night(session, clock, family, pricing):
    clock.instant = datetime(2026, 3, 2, 23, 0, tzinfo=SEOUL)
    with pytest.raises(ValidationFailed) as caught:
        request_booking(session, parent_of(family), draft(family), pricing=pricing, clock=clock)
    assert caught.value.code == "night_request"


def test_web_members_and_other_households_children_are_refused(session, clock, family, pricing):
    family.member_state = "web_member"
    with pytest.raises(Forbidden):
        request_booking(session, parent_of(family), draft(family), pricing=pricing, clock=clock)
    family.member_state = "full_member"
    stranger = ChildFactory(household=HouseholdFactory())
    bad = draft(family)
    with pytest.raises(ValidationFailed) as caught:
        request_booking(
            session,
            parent_of(family),
            bad.__class__(**{**bad.__dict__, "child_ids": (stranger.id,)}),
            pricing=pricing,
            clock=clock,
        )
    assert caught.value.code == "unknown_child"


def test_a_child_is_never_booked_twice(session, clock, family, pricing):
    request_booking(session, parent_of(family), draft(family), pricing=pricing, clock=clock)
    with pytest.raises(Conflict) as caught:
        request_booking(
            session,
            parent_of(family),
            draft(family, start=TUESDAY_9 + timedelta(hours=1), key="k2"),
            pricing=pricing,
            clock=clock,
        )
    assert caught.value.code == "child_already_booked"


def test_the_annual_cap_holds_across_bookings(session, clock, family, pricing):
    """R-SUP-10: hours reserved by earlier bookings count; the booking crossing the cap splits."""
    from tests.factories import OfficerFactory
    from vouchers.tier_decisions import TierDecision

    session.add(
        TierDecision(
            household_id=family.id,
            tier="ga",
            suggested_tier="ga",
            groups=[],
            valid_from=clock.now().date(),
            valid_until=clock.now().date().replace(month=12, day=31),
            effective_until=clock.now().date().replace(month=12, day=31),
            inputs={},
            reason="",
            decided_by_user_id=OfficerFactory().id,
            decided_at=clock.now(),
        )
    )
    session.flush()
    first = request_booking(session, parent_of(family), draft(family), pricing=pricing, clock=clock)
    assert (first.government, first.capped_minutes) == (21744, 120)  # 4 × ceil(6,395 × 85%)
    assert first.tier == "ga"


def test_a_request_reads_its_pricing_terms_with_its_other_facts(session, clock, family, pricing):
    """One round trip for what a request must know: its other bookings and its pricing terms
    (the family's balance and its tier decision)."""
    parent, request = parent_of(family), draft(family)
    session.flush()
    with statements_sent(session) as statements:
        prepared = prepare_request(session, parent, request, pricing=pricing, clock=clock)
    assert len(statements) == 2  # the household, locked; then its facts with the pricing terms
    assert "pricing_terms" in statements[1] and "tier_decisions" in statements[1]
    # no tier decision: full price. R-FEE-1 2026 basic 12,790/h × 2 h = 25,580
    assert (prepared.booking.total, prepared.booking.parent) == (25580, 25580)
    # the same query every time, so that the statement around it is built once, not per request
    day = TUESDAY_9.date()
    terms = pricing.request_terms(family, day)
    assert pricing.request_terms(family, day + timedelta(days=1)).query is terms.query


def test_one_of_writes_the_code_constants_into_the_sql(session, clock, family, pricing):
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    statement = select(Booking.id).where(one_of(Booking.state, ["requested", "it's"]))
    compiled = statement.compile(dialect=session.get_bind().dialect)
    assert "'requested', 'it''s'" in str(compiled)
    # nothing is left to expand on each execution
    assert not compiled.post_compile_params and not compiled.literal_execute_params
    assert session.scalars(statement).all() == [booking.id]
    cancelled = select(Booking.id).where(one_of(Booking.state, ["cancelled"]))
    assert session.scalars(cancelled).all() == []
    with pytest.raises(TypeError):
        one_of(Booking.state, [1])


def test_ranking_prefers_the_caregiver_the_family_knows_then_distance(
    session, clock, family, pricing
):
    near = caregiver(home="11680")
    far = caregiver(home="11110")
    known = caregiver(home="11110")
    past = request_booking(
        session,
        parent_of(family),
        draft(family, start=TUESDAY_9 + timedelta(days=1), key="old"),
        pricing=pricing,
        clock=clock,
    )
    past.caregiver_id, past.state = known.id, BookingState.COMPLETED.value
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    ranked = rank_candidates(session, booking, limits=LIMITS)
    assert [c.caregiver.id for c in ranked] == [known.id, near.id, far.id]
    assert ranked[0].caregiver.name == known.name
    assert "cared for this family before" in ranked[0].reasons[0].message


def test_ranking_prefers_a_caregiver_who_speaks_a_language_of_the_family(
    session, clock, family, pricing
):
    family.home_languages = ["ko", "kk"]
    korean_only = caregiver(languages=("ko",))
    kazakh = caregiver(languages=("ko", "kk", "ru"))
    also_kazakh = caregiver(languages=("kk", "ko", "ru"))  # the same languages, another order
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    ranked = rank_candidates(session, booking, limits=LIMITS)
    # all else alike (home, hours, history): the speakers first, then by id
    assert [c.caregiver.id for c in ranked] == [kazakh.id, also_kazakh.id, korean_only.id]
    assert [c.caregiver.languages for c in ranked] == [
        ("ko", "kk", "ru"),
        ("kk", "ko", "ru"),
        ("ko",),
    ]
    assert ranked[0].shared_languages == ("kk",) and ranked[2].shared_languages == ()
    assert "Speaks a language of the family: kk." in describe(ranked[0])
    assert "Speaks a language" not in describe(ranked[2])


def test_hard_rules_exclude_busy_absent_and_unskilled_caregivers(session, clock, family, pricing):
    from booking.caregivers import Leave

    free = caregiver()
    on_leave = caregiver()
    on_leave.leaves = [Leave(starts_on=TUESDAY_9.date(), ends_on=TUESDAY_9.date(), reason="")]
    unskilled = caregiver(skills=())  # the child is 4: no infant skill needed for basic care
    sick_only = caregiver(
        skills=("sick_child",),
        hours=(__import__("datetime").time(13), __import__("datetime").time(20)),
    )
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    found = [c.caregiver.id for c in rank_candidates(session, booking, limits=LIMITS)]
    assert free.id in found and unskilled.id in found
    # on leave; weekly hours that start at 13:00
    assert on_leave.id not in found and sick_only.id not in found


def test_offers_first_acceptance_wins_and_visit_runs(session, clock, family, pricing):
    first, second = caregiver(user=True), caregiver(user=True)
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    offers = matching.offer_booking(
        session, booking, limits=LIMITS, clock=clock, expires_in=timedelta(hours=2)
    )
    assert booking.state == "offered" and {o.caregiver_id for o in offers} == {first.id, second.id}
    from service.accounts.models import User

    first_actor = session.get(User, first.user_id).actor
    second_actor = session.get(User, second.user_id).actor
    offer_of = {o.caregiver_id: o for o in offers}
    matching.accept_offer(session, second_actor, offer_of[second.id].id, limits=LIMITS, clock=clock)
    assert booking.state == "matched" and booking.caregiver_id == second.id
    with pytest.raises(Conflict):
        matching.accept_offer(
            session, first_actor, offer_of[first.id].id, limits=LIMITS, clock=clock
        )
    staff = StaffFactory(agency_id=agency("AG035").id).actor
    matching.confirm(session, staff, booking, clock=clock)
    with pytest.raises(Conflict):
        visits.check_in(session, second_actor, booking.id, clock=clock)  # a day early
    clock.instant = TUESDAY_9
    visits.check_in(session, second_actor, booking.id, clock=clock)
    with pytest.raises(NotFound):
        visits.check_out(session, first_actor, booking.id, clock=clock)
    visits.record_extension(
        session, second_actor, booking.id, 30, "agreed with the agency by phone", clock=clock
    )
    clock.advance(timedelta(hours=1))  # leaving early changes nothing: booked time is billed
    visits.check_out(session, second_actor, booking.id, clock=clock)
    assert (booking.state, booking.total, booking.extension_minutes) == ("completed", 25580, 30)
    assert [t.to_state for t in booking.transitions] == [
        "offered",
        "matched",
        "confirmed",
        "in_progress",
        "completed",
    ]
    with pytest.raises(IllegalTransition):
        move(booking, BookingState.CANCELLED, None, clock=clock)


def test_no_offers_then_the_agency_assigns_by_hand_with_a_reason(session, clock, family, pricing):
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    assert (
        matching.offer_booking(
            session, booking, limits=LIMITS, clock=clock, expires_in=timedelta(hours=2)
        )
        == []
    )
    hired = caregiver()
    other_agency_staff = StaffFactory(agency_id=agency("AG001").id).actor
    with pytest.raises(NotFound):
        matching.assign(
            session, other_agency_staff, booking, hired.id, reason="", limits=LIMITS, clock=clock
        )
    staff = StaffFactory(agency_id=agency("AG035").id).actor
    matching.assign(session, staff, booking, hired.id, reason="", limits=LIMITS, clock=clock)
    assert booking.caregiver_id == hired.id and "km from the family" in booking.assignment_reason
    replacement = caregiver()
    with pytest.raises(ValidationFailed):
        matching.assign(
            session, staff, booking, replacement.id, reason=" ", limits=LIMITS, clock=clock
        )
    matching.assign(
        session, staff, booking, replacement.id, reason="caregiver ill", limits=LIMITS, clock=clock
    )
    assert booking.caregiver_id == replacement.id


def test_a_caregiver_is_never_booked_twice(session, clock, family, pricing):
    only = caregiver()
    other_family = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=other_family)
    staff = StaffFactory(agency_id=agency("AG035").id).actor
    one = request_booking(session, parent_of(family), draft(family), pricing=pricing, clock=clock)
    two = request_booking(
        session,
        parent_of(other_family),
        draft(other_family, start=TUESDAY_9 + timedelta(minutes=90)),
        pricing=pricing,
        clock=clock,
    )
    matching.assign(session, staff, one, only.id, reason="", limits=LIMITS, clock=clock)
    with pytest.raises(Conflict) as caught:
        matching.assign(session, staff, two, only.id, reason="", limits=LIMITS, clock=clock)
    assert caught.value.code == "caregiver_unsuitable"


def test_cancellation_fees_and_strikes(session, clock, family, pricing):
    """R-CAN-1: free beyond 24 h; one hourly basic fee (2026: 12,790) between 24 h and 1 h."""
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    assert cancellation_quote(booking, pricing=pricing, clock=clock) == 12790  # 23 h ahead
    clock.instant = datetime(2026, 3, 2, 8, tzinfo=SEOUL)
    assert cancellation_quote(booking, pricing=pricing, clock=clock) == 0  # 25 h ahead
    clock.instant = datetime(2026, 3, 3, 8, 50, tzinfo=SEOUL)
    # under 1 h: 12,790 × 2 h × 50% = 12,790, at least one hourly fee
    assert cancellation_quote(booking, pricing=pricing, clock=clock) == 12790
    cancel_booking(
        session,
        parent_of(family),
        booking,
        reason="plans changed",
        waived=False,
        pricing=pricing,
        clock=clock,
    )
    assert (booking.state, booking.cancellation_fee, booking.capped_minutes) == (
        "cancelled",
        12790,
        0,
    )
    assert all(not bc.active for bc in booking.children)


def test_three_late_cancellations_in_a_month_bar_the_family(session, clock, family, pricing):
    """R-CAN-3: cancellations within 72 h, counted once per service date."""
    actor = parent_of(family)
    for day in (3, 4, 5):
        start = datetime(2026, 3, day, 9, tzinfo=SEOUL)
        booking = request_booking(
            session, actor, draft(family, start=start, key=f"d{day}"), pricing=pricing, clock=clock
        )
        cancel_booking(
            session, actor, booking, reason="", waived=False, pricing=pricing, clock=clock
        )
    assert strikes_this_month(session, family.id, pricing=pricing, clock=clock) == 3
    assert (
        barred_until_date(session, family.id, pricing=pricing, clock=clock)
        == datetime(2026, 4, 2).date()
    )
    with pytest.raises(Forbidden) as caught:
        request_booking(
            session,
            actor,
            draft(family, start=datetime(2026, 3, 6, 9, tzinfo=SEOUL), key="x"),
            pricing=pricing,
            clock=clock,
        )
    assert caught.value.code == "barred"


def test_caregiver_limits_come_from_the_tariff(pricing):
    """R-BK-5: 8 h a day, 40 h a week, 52 with overtime; R-BK-4: under 15 h preferred."""
    limits = pricing.caregiver_limits(datetime(2026, 3, 2).date())
    assert (limits.daily_minutes, limits.weekly_minutes, limits.weekly_overtime_minutes) == (
        480,
        2400,
        3120,
    )
    assert limits.light_load_minutes == 900


def test_offers_nobody_accepts_expire_and_go_back_to_the_agency(session, clock, family, pricing):
    """R-BK-6: if nobody accepts in time, the agency assigns by hand."""
    caregiver(user=True)
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    offers = matching.offer_booking(
        session, booking, limits=LIMITS, clock=clock, expires_in=timedelta(hours=1)
    )
    assert matching.expire_offers(session, clock=clock) == 0
    clock.advance(timedelta(hours=1))
    assert matching.expire_offers(session, clock=clock) == len(offers) == 1
    assert booking.state == "requested" and offers[0].state == "expired"


def request(session, household, pricing, clock, **changes):
    return request_booking(
        session, parent_of(household), draft(household, **changes), pricing=pricing, clock=clock
    )


def test_a_family_keeps_its_agency_while_that_agency_serves_its_district(
    session, clock, family, pricing
):
    first = request(session, family, pricing, clock)
    assert first.agency_id == agency("AG035").id  # the first agency serving Gangnam-gu, by code
    other = agency("AG001")
    session.execute(insert(agency_districts).values(agency_id=other.id, district_code="11680"))
    first.agency_id = other.id  # the family's last booking was with the other agency
    session.flush()
    wednesday = TUESDAY_9 + timedelta(days=1)
    assert request(session, family, pricing, clock, start=wednesday, key="k2").agency_id == other.id
    session.execute(
        delete(agency_districts).where(
            agency_districts.c.agency_id == other.id, agency_districts.c.district_code == "11680"
        )
    )
    third = request(session, family, pricing, clock, start=wednesday + timedelta(hours=4), key="k3")
    assert third.agency_id == agency("AG035").id  # it no longer serves there: back to the first


def test_a_district_no_agency_serves_is_told_so_and_nothing_is_written(session, clock, pricing):
    household = HouseholdFactory(district_code="11680", member_state="full_member")
    ChildFactory(household=household, birth_date=date(2021, 5, 1))
    session.execute(delete(agency_districts).where(agency_districts.c.district_code == "11680"))
    with pytest.raises(Conflict) as caught:
        request(session, household, pricing, clock)
    assert caught.value.code == "no_agency"
    assert session.scalar(select(func.count()).select_from(Booking)) == 0


def test_only_a_parent_with_a_household_can_request_care(session, clock, family, pricing):
    staff = StaffFactory(agency_id=agency("AG035").id).actor
    with pytest.raises(NotFound):
        request_booking(session, staff, draft(family), pricing=pricing, clock=clock)
    without_household = ParentFactory()
    with pytest.raises(NotFound) as caught:
        request_booking(
            session,
            Actor(without_household.id, Role.PARENT),
            draft(family),
            pricing=pricing,
            clock=clock,
        )
    assert caught.value.code == "no_household"
    assert session.scalar(select(func.count()).select_from(Booking)) == 0


def test_two_late_cancellations_do_not_bar_booking(session, clock, family, pricing):
    """R-CAN-3: a bar takes three strikes in a month (2026); with fewer recent cancellations than
    that, the request does not read the strike list at all (the test above has the third)."""
    for day in range(2):
        booking = request(
            session, family, pricing, clock, start=TUESDAY_9 + timedelta(days=day), key=f"c{day}"
        )
        cancel_booking(
            session,
            parent_of(family),
            booking,
            reason="ill",
            waived=False,
            pricing=pricing,
            clock=clock,
        )
    assert strikes_this_month(session, family.id, pricing=pricing, clock=clock) == 2
    later = request(session, family, pricing, clock, start=TUESDAY_9 + timedelta(days=3), key="ok")
    assert later.state == "requested"


def test_a_caregiver_busy_at_the_time_or_on_the_way_is_not_ranked(session, clock, family, pricing):
    """Another visit that overlaps the booking (09:00–11:00), or ends too late to make the journey
    from another district, rules a caregiver out; one that ends as the booking starts, next door,
    does not (the range test runs in the database: GiST on PostgreSQL, comparisons on SQLite)."""
    next_door, overlapping, too_far, later = caregiver(), caregiver(), caregiver(), caregiver()

    def visit(who, district, start, end, key):
        household = HouseholdFactory(district_code=district, member_state="full_member")
        ChildFactory(household=household, birth_date=date(2020, 1, 1))
        booking = request(session, household, pricing, clock, start=start, key=key)
        booking.ends_at = end
        booking.caregiver_id, booking.state = who.id, BookingState.MATCHED.value
        booking.agency_id = agency("AG035").id
        session.flush()

    visit(next_door, "11680", TUESDAY_9 - timedelta(hours=2), TUESDAY_9, "a")  # 07:00–09:00
    visit(overlapping, "11680", TUESDAY_9 + timedelta(hours=1), TUESDAY_9 + timedelta(hours=3), "b")
    # Jongno-gu to Gangnam-gu is more than 15 minutes at 20 km/h: 08:45 is too late
    visit(too_far, "11110", TUESDAY_9 - timedelta(hours=2), TUESDAY_9 - timedelta(minutes=15), "c")
    visit(later, "11680", TUESDAY_9 + timedelta(hours=2), TUESDAY_9 + timedelta(hours=4), "d")
    twice = caregiver()  # two visits later that day: one candidate, with both counted
    visit(twice, "11680", TUESDAY_9 + timedelta(hours=4), TUESDAY_9 + timedelta(hours=6), "e")
    visit(twice, "11680", TUESDAY_9 + timedelta(hours=7), TUESDAY_9 + timedelta(hours=9), "f")
    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    session.flush()
    with statements_sent(session) as statements:
        ranked = rank_candidates(session, booking, limits=LIMITS)
    assert len(statements) == 1  # the candidates and their other visits, in one round trip
    found = [c.caregiver.id for c in ranked]
    assert len(found) == len(set(found))
    assert {next_door.id, later.id, twice.id} <= set(found)
    assert overlapping.id not in found and too_far.id not in found
    week_minutes = {c.caregiver.id: c.week_minutes for c in ranked}
    assert (week_minutes[twice.id], week_minutes[later.id]) == (240, 120)


def test_a_request_is_offered_as_it_is_written_and_a_retry_offers_nothing_again(
    session, clock, family, pricing
):
    """``request_and_offer`` ranks before it writes: the booking arrives offered, with its one
    transition and an offer per free caregiver; the same request key finds it and adds nothing."""
    from booking.matching import Offer, request_and_offer

    first, second = caregiver(), caregiver()

    def ask(key="k1", start=TUESDAY_9):
        return request_and_offer(
            session,
            parent_of(family),
            draft(family, key=key, start=start),
            pricing=pricing,
            limits=LIMITS,
            clock=clock,
            expires_in=timedelta(hours=2),
        )

    booking = ask()
    session.expire_all()  # what was written, not what the session remembers
    assert booking.state == "offered"
    assert [(t.from_state, t.to_state) for t in booking.transitions] == [("requested", "offered")]
    offers = session.scalars(select(Offer).where(Offer.booking_id == booking.id)).all()
    assert {o.caregiver_id for o in offers} == {first.id, second.id}
    assert sorted(o.rank for o in offers) == [1, 2] and all(o.state == "pending" for o in offers)
    assert ask() is booking  # the retry
    assert session.scalar(select(func.count()).select_from(Offer)) == 2
    # nobody free at 06:00 (weekly hours start at 08:00): written as requested, no offer
    early = ask(key="k2", start=TUESDAY_9.replace(hour=6))
    assert (early.state, early.transitions) == ("requested", [])
    assert session.scalar(select(func.count()).where(Offer.booking_id == early.id)) == 0


def test_a_deadlock_inside_an_exclusion_check_is_the_race_lost_not_a_server_error():
    """PostgreSQL aborts one of two transactions that wrote conflicting rows at the same moment
    with SQLSTATE 40P01 "while checking exclusion constraint ... in relation" (seen about once in
    twelve racing inserts): ``flush_or_conflict`` answers the loser as for a violation. Any other
    operational error, or a deadlock elsewhere, is not a conflict and goes on."""
    from types import SimpleNamespace

    from sqlalchemy.exc import OperationalError

    from booking.bookings import flush_or_conflict
    from booking.matching import SlotTaken

    def flushing(sqlstate, context):
        driver_error = SimpleNamespace(sqlstate=sqlstate, diag=SimpleNamespace(context=context))

        class Failing:
            def flush(self):
                raise OperationalError("INSERT ...", {}, driver_error)

        return Failing()

    in_bookings = 'while checking exclusion constraint on tuple (4,21) in relation "bookings"'
    constraints = {"ex_bookings_caregiver_time": SlotTaken()}
    with pytest.raises(SlotTaken):
        flush_or_conflict(flushing("40P01", in_bookings), constraints)
    elsewhere = 'while checking exclusion constraint on tuple (1,2) in relation "booked_children"'
    for sqlstate, context in (
        ("40P01", elsewhere),
        ("40P01", "while locking tuple"),
        ("57P01", ""),
    ):
        with pytest.raises(OperationalError):
            flush_or_conflict(flushing(sqlstate, context), constraints)


def test_a_request_is_written_whole_and_never_read_back(session, clock, family, pricing):
    """``write_request`` writes the booking, its children's time, its transitions, the audit
    event and the rows that take its key (offers) with Core (``core.db.write_new``): on
    PostgreSQL in one statement, elsewhere table by table. Every column is known to the session
    afterwards, so reading the booking back costs no statement, and what the database holds is
    the same."""

    from booking.matching import Offer
    from booking.requests import prepare_request, write_request
    from core.audit import AuditEvent
    from core.db import KeyedRows

    ChildFactory(household=family, birth_date=date(2019, 2, 3), name="김하은")  # two rows each
    session.expire(family, ["children"])
    near, far = caregiver(), caregiver()
    booking, _ = prepare_request(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    move(booking, BookingState.OFFERED, None, clock=clock, reason="two caregivers free")
    move(booking, BookingState.REQUESTED, None, clock=clock, reason="both declined")
    move(booking, BookingState.OFFERED, None, clock=clock, reason="offered again")
    now = clock.now()
    offers = [
        {
            "caregiver_id": who.id,
            "rank": rank,
            "reason": reason,
            "state": "pending",
            "created_at": now,
            "expires_at": now + timedelta(minutes=30),
        }
        for rank, (who, reason) in enumerate([(near, "가까움"), (far, "")], start=1)
    ]
    parent = parent_of(family)
    session.flush()  # the caregivers first: only the request's writes are counted
    with statements_sent(session) as written:
        write_request(
            session,
            parent,
            booking,
            clock=clock,
            with_rows=[KeyedRows(Offer.__table__, "booking_id", offers)],
        )
    tables = ["bookings", "booked_children", "booking_transitions", "audit_events"]
    tables.append("booking_offers")
    if session.get_bind().dialect.name == "postgresql":  # one round trip
        (statement,) = written
        assert all(f"INSERT INTO {table} " in statement for table in tables)
    else:  # table by table, in order
        into = [statement.split()[2] for statement in written]
        assert list(dict.fromkeys(into)) == tables
    with statements_sent(session) as statements:
        seen = {
            "id": booking.id,
            "state": booking.state,
            "fee": booking.cancellation_fee,  # a column default, never set by hand
            "notes": booking.assignment_reason,
            "children": [(b.booking_id, b.child_id, b.active) for b in booking.children],
            "transitions": [(t.id, t.booking_id, t.to_state) for t in booking.transitions],
        }
    assert statements == []
    assert seen["id"] and seen["fee"] == 0 and seen["notes"] == ""
    assert sorted(seen["children"]) == sorted((booking.id, c.id, True) for c in family.children)
    transitions = seen["transitions"]  # one statement: each row got its own key, in order
    assert [t[1:] for t in transitions] == [
        (booking.id, "offered"),
        (booking.id, "requested"),
        (booking.id, "offered"),
    ]
    assert [t[0] for t in transitions] == sorted({t[0] for t in transitions})
    session.expire_all()
    assert booking.state == "offered" and booking.cancellation_fee == 0
    assert [(b.booking_id, b.child_id, b.active) for b in booking.children] == sorted(
        seen["children"]
    )
    assert [(t.id, t.booking_id, t.to_state) for t in booking.transitions] == seen["transitions"]
    audit = session.scalars(select(AuditEvent).where(AuditEvent.subject_id == booking.id)).one()
    assert (audit.action, audit.details) == ("booking.requested", {})
    assert (audit.actor_user_id, audit.subject_type) == (family.applicant_user_id, "booking")
    stored = session.execute(
        select(Offer.caregiver_id, Offer.rank, Offer.reason, Offer.expires_at)
        .where(Offer.booking_id == booking.id)
        .order_by(Offer.rank)
    ).all()
    assert [tuple(row) for row in stored] == [
        (near.id, 1, "가까움", now + timedelta(minutes=30)),
        (far.id, 2, "", now + timedelta(minutes=30)),
    ]
    booking.notes = "ring twice"  # still an ordinary persistent object: changes are flushed
    session.flush()
    session.expire_all()
    assert booking.notes == "ring twice"


def test_write_new_goes_table_by_table_when_a_row_needs_an_unwritten_parent(
    session, clock, family, pricing
):
    """The one statement of ``write_new`` hands the first object's key to the rest; a booking
    whose caregiver is new too needs the caregiver's key first, so everything goes table by
    table, each row with its parents' keys, and ``KeyedRows`` still take the first object's."""
    from booking.agencies import Agency
    from booking.caregivers import Caregiver
    from booking.requests import prepare_request
    from core.audit import AuditEvent, event_row
    from core.db import KeyedRows, write_new

    booking, _ = prepare_request(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    new_agency = Agency(
        code="NEW-001",
        name_ko="새 기관",
        name_en="New agency",
        home_district_code=family.district_code,
        phone="02-000-0000",
        address_ko="서울",
    )
    helper = Caregiver(
        agency=new_agency,
        name="이도움",
        phone="010-0000-0000",
        home_district_code=family.district_code,
        hire_date=date(2026, 1, 5),
    )
    booking.caregiver = helper
    event = event_row(
        Actor(family.applicant_user_id, Role.PARENT), "test.created", "agency", clock=clock, n=1
    )
    session.flush()
    with statements_sent(session) as statements:
        write_new(
            session,
            [new_agency, helper, booking, *booking.children],
            keyed=[KeyedRows(AuditEvent.__table__, "subject_id", [event])],
        )
    into = [statement.split()[2] for statement in statements]
    assert into == ["agencies", "caregivers", "bookings", "booked_children", "audit_events"]
    assert new_agency.id is not None and helper.agency_id == new_agency.id
    assert booking.caregiver_id == helper.id is not None
    session.expire_all()
    assert session.get(Booking, booking.id).caregiver.agency_id == new_agency.id
    stored = session.scalars(select(AuditEvent).where(AuditEvent.action == "test.created")).one()
    assert (stored.subject_id, stored.details) == (new_agency.id, {"n": 1})


def _write_with_events(session, booking, events) -> list[str]:
    """Write a prepared booking with audit events as its keyed rows; the statements sent."""
    from core.audit import AuditEvent
    from core.db import KeyedRows, write_new

    session.flush()
    with statements_sent(session) as statements:
        write_new(
            session,
            [booking, *booking.children],
            keyed=[KeyedRows(AuditEvent.__table__, "subject_id", events)],
        )
    return statements


def test_write_new_sends_json_columns_in_the_one_statement(session, clock, family, pricing):
    """More keyed rows than one travel as one JSON record set on PostgreSQL, JSON columns too:
    two audit events (their details are JSON) go in the one statement, and each event takes the
    booking's id and keeps its details."""
    from booking.requests import prepare_request
    from core.audit import AuditEvent, event_row

    booking, _ = prepare_request(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    actor = Actor(family.applicant_user_id, Role.PARENT)
    events = [
        event_row(actor, "test.json", "booking", clock=clock, n=n, name="김하은") for n in (1, 2)
    ]
    statements = _write_with_events(session, booking, events)
    if session.get_bind().dialect.name == "postgresql":
        (statement,) = statements
        assert "json_to_recordset" in statement and "INSERT INTO audit_events " in statement
    else:
        assert [statement.split()[2] for statement in statements] == [
            "bookings",
            "booked_children",
            "audit_events",
        ]
    stored = session.execute(
        select(AuditEvent.subject_id, AuditEvent.details, AuditEvent.at)
        .where(AuditEvent.action == "test.json")
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(row) for row in stored] == [
        (booking.id, {"n": 1, "name": "김하은"}, clock.now()),
        (booking.id, {"n": 2, "name": "김하은"}, clock.now()),
    ]


def test_write_new_sends_a_json_null_table_by_table(session, clock, family, pricing):
    """A JSON record set reads a JSON null as SQL NULL, where SQLAlchemy writes the JSON value
    ``null``: rows with None in a JSON column go table by table, and keep the JSON ``null``
    (which the audit trail's NOT NULL ``details`` accepts)."""
    from booking.requests import prepare_request
    from core.audit import AuditEvent, event_row

    booking, _ = prepare_request(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    actor = Actor(family.applicant_user_id, Role.PARENT)
    events = [event_row(actor, "test.null", "booking", clock=clock, n=1)]
    events.append({**events[0], "details": None})
    statements = _write_with_events(session, booking, events)
    into = [statement.split()[2] for statement in statements]
    assert into == ["bookings", "booked_children", "audit_events"]
    stored = session.execute(
        select(AuditEvent.subject_id, AuditEvent.details)
        .where(AuditEvent.action == "test.null")
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(row) for row in stored] == [(booking.id, {"n": 1}), (booking.id, None)]


def test_insert_rows_writes_every_row_in_one_statement(session, clock, family, pricing):
    """``insert_rows`` sends a batch of plain rows as one statement: on PostgreSQL as one JSON
    record set, JSON columns too; other databases take an ``executemany``. Either way the rows
    are the same, to the microsecond and in UTC."""
    from booking.matching import Offer
    from core.audit import AuditEvent
    from core.db import insert_rows

    booking = request_booking(
        session, parent_of(family), draft(family), pricing=pricing, clock=clock
    )
    first, second, third = caregiver(), caregiver(), caregiver()
    now = clock.now()
    offers = [
        {
            "booking_id": booking.id,
            "caregiver_id": who.id,
            "rank": rank,
            "reason": reason,
            "state": "pending",
            "created_at": now,
            "expires_at": now + timedelta(minutes=minutes, microseconds=rank),
        }
        for rank, (who, reason, minutes) in enumerate(
            [(first, "가까움", 60), (second, "", 60), (third, "Speaks kk.", 90)], start=1
        )
    ]
    events = [
        {
            "actor_user_id": None,
            "actor_role": "system",
            "action": "test.batch",
            "subject_type": "booking",
            "subject_id": booking.id,
            "at": now,
            "details": {"n": n},
        }
        for n in (1, 2)
    ]
    session.flush()  # the caregivers first: only the batches below are counted
    with statements_sent(session) as statements:
        insert_rows(session, Offer.__table__, offers)
        insert_rows(session, AuditEvent.__table__, events)
        insert_rows(session, AuditEvent.__table__, [])
    assert len(statements) == 2
    on_postgres = session.get_bind().dialect.name == "postgresql"
    assert all(("json_to_recordset" in statement) is on_postgres for statement in statements)
    written = session.execute(
        select(Offer.caregiver_id, Offer.rank, Offer.reason, Offer.state, Offer.expires_at)
        .where(Offer.booking_id == booking.id)
        .order_by(Offer.rank)
    ).all()
    assert [tuple(row) for row in written] == [
        (first.id, 1, "가까움", "pending", now + timedelta(minutes=60, microseconds=1)),
        (second.id, 2, "", "pending", now + timedelta(minutes=60, microseconds=2)),
        (third.id, 3, "Speaks kk.", "pending", now + timedelta(minutes=90, microseconds=3)),
    ]
    details = session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "test.batch").order_by(AuditEvent.id)
    ).all()
    assert details == [{"n": 1}, {"n": 2}]


def test_write_new_refuses_a_column_it_cannot_know():
    """A column whose default only the database can work out (an SQL expression) would have to be
    read back: ``write_new`` says which one instead of guessing."""
    from sqlalchemy import Column, Integer, text

    from core.db import _default_of

    assert _default_of("T", "n", Column("m", Integer)) is None
    assert _default_of("T", "n", Column("m", Integer, default=3)) == 3
    assert _default_of("T", "n", Column("m", Integer, default=lambda: 4)) == 4
    with pytest.raises(ValueError, match=r"T\.n"):
        _default_of("T", "n", Column("n", Integer, default=text("5")))


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_child_booked_twice_past_the_check_is_refused_by_the_database(
    session, clock, family, pricing
):
    """Two requests prepared before either is written both pass the check in Python; writing the
    second breaks the children's exclusion constraint, which ``write_request`` answers as the
    check would, and the second booking is neither written nor kept in the session."""
    from booking.requests import prepare_request, write_request

    parent = parent_of(family)
    first, _ = prepare_request(
        session, parent, draft(family, key="a"), pricing=pricing, clock=clock
    )
    later = TUESDAY_9 + timedelta(hours=1)  # 10:00–12:00 overlaps 09:00–11:00
    second, _ = prepare_request(
        session, parent, draft(family, key="b", start=later), pricing=pricing, clock=clock
    )
    write_request(session, parent, first, clock=clock)
    with pytest.raises(Conflict) as refused, session.begin_nested():
        write_request(session, parent, second, clock=clock)
    assert refused.value.code == "child_already_booked"
    assert second not in session
    written = session.scalars(select(Booking.request_key).where(Booking.household_id == family.id))
    assert written.all() == ["a"]
