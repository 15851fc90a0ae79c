"""The waiting list for regular care (R-BK-3, R-BK-2, R-BK-4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from booking import waiting_list as wl
from booking.waiting_list import PriorityGround as G
from core.errors import Conflict, NotFound
from tests.factories import ChildFactory, HouseholdFactory, StaffFactory, parent_of
from tests.helpers import agency


@pytest.mark.parametrize(
    ("grounds", "months", "total"),
    [
        ((), 0, 0),
        ((G.SINGLE_PARENT,), 0, 5),  # +5 a ground
        ((G.DISABLED_PARENT_SEVERE,), 0, 5),
        ((G.DISABLED_PARENT,), 0, 3),  # other disability: 3
        ((G.DUAL_EARNER, G.MULTI_CHILD), 2, 12),  # 5 + 5 + 2 months
        ((), 5, 5),  # +1 a renewed month
        ((), 6, 10),  # from the 6th month +5 more: 6 + 5 = 11, capped at 10
        ((G.LOW_INCOME,), 12, 15),  # waiting points never above 10
    ],
)
def test_points_r_bk_3(grounds, months, total):
    request = wl.WaitingRequest(grounds=[g.value for g in grounds], renewed_months=months)
    assert wl.points(request).total == total


def test_join_renew_order_and_place(session, clock):
    first = HouseholdFactory(district_code="11680")
    second = HouseholdFactory(district_code="11680")
    a = ChildFactory(household=first)
    b = ChildFactory(household=second)
    early = wl.join_waiting_list(session, parent_of(first), a.id, [], clock=clock)
    clock.advance(timedelta(days=1))
    late = wl.join_waiting_list(session, parent_of(second), b.id, [G.SINGLE_PARENT], clock=clock)
    assert early.agency_id == agency("AG035").id and early.answer_due == date(2026, 3, 9)
    staff = StaffFactory(agency_id=agency("AG035").id).actor
    assert [p.request for p in wl.agency_list(session, staff, clock=clock)] == [
        late,
        early,
    ]  # points first
    with pytest.raises(Conflict):
        wl.renew(session, parent_of(first), early.id, clock=clock)  # already counted this month
    clock.instant = clock.instant.replace(month=4, day=1)
    wl.renew(session, parent_of(first), early.id, clock=clock)
    assert early.renewed_months == 1
    places = wl.agency_list(session, staff, clock=clock)
    assert [p.overdue for p in places] == [True, True]  # nobody answered within a week
    wl.answer(session, staff, late.id, clock=clock)
    assert [p.overdue for p in wl.agency_list(session, staff, clock=clock)] == [False, True]
    assert [
        (p.position, p.points.total)
        for p in wl.family_places(session, parent_of(first), clock=clock)
    ] == [(2, 1)]
    wl.place_as_regular(session, staff, early.id, clock=clock)
    assert a.state == "regular" and early.state == "regular"
    with pytest.raises(Conflict):
        wl.join_waiting_list(session, parent_of(first), a.id, [], clock=clock)


def test_denials(session, clock):
    household = HouseholdFactory(district_code="11680")
    child = ChildFactory(household=household)
    request = wl.join_waiting_list(session, parent_of(household), child.id, [], clock=clock)
    with pytest.raises(NotFound):
        wl.place_as_regular(
            session, StaffFactory(agency_id=agency("AG001").id).actor, request.id, clock=clock
        )
    with pytest.raises(NotFound):
        wl.renew(session, parent_of(HouseholdFactory()), request.id, clock=clock)
    with pytest.raises(NotFound):
        wl.join_waiting_list(session, parent_of(HouseholdFactory()), child.id, [], clock=clock)
    with pytest.raises(Conflict):
        wl.join_waiting_list(session, parent_of(household), child.id, [], clock=clock)
