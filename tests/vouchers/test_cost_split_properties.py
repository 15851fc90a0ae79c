"""Properties of the cost split that hold for every request (R-SUP-6, R-SUP-5, R-FEE-1, DESIGN
rule 7: government + parent == total to the won)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import given, reject, settings
from hypothesis import strategies as st

from core.clock import SEOUL
from core.errors import ValidationFailed
from vouchers.cost_split import (
    Attendance,
    ChildFacts,
    Group,
    QuoteRequest,
    Service,
    SickRate,
    Tier,
    quote,
    quote_fullday_month,
)
from vouchers.tariffs import default_tariff_book

BOOK = default_tariff_book()
RICHEST_LAST = (Tier.GA, Tier.NA, Tier.DA, Tier.RA, Tier.MA, Tier.NONE)
MINIMUM_UNITS = {
    Service.BASIC: 4,
    Service.COMPREHENSIVE: 4,
    Service.INFANT_FULLDAY: 6,
    Service.SICK: 4,
}
HALF_HOUR = timedelta(minutes=30)
SETTINGS = settings(max_examples=200, deadline=None)


@st.composite
def requests(draw, service: Service | None = None) -> QuoteRequest:
    service = service or draw(st.sampled_from(list(Service)))
    day = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    start = datetime.combine(day, time(0), SEOUL) + draw(st.integers(0, 47)) * HALF_HOUR
    end = start + draw(st.integers(MINIMUM_UNITS[service], 40)) * HALF_HOUR
    count = draw(st.integers(1, 2 if service is Service.INFANT_FULLDAY else 3))
    if service is Service.INFANT_FULLDAY:
        ages = st.integers(100, 1070)  # 3 to 35 months, in days
    elif count == 3:
        ages = st.integers(1150, 4700)  # older than 37 months: three children allowed
    else:
        ages = st.integers(100, 4700)  # under 13
    children = tuple(
        ChildFacts(
            birth_date=day - timedelta(days=draw(ages)),
            supported=draw(st.sampled_from([True, True, True, False])),
            attendance=draw(st.sampled_from(list(Attendance))),
            closure=draw(st.booleans()),
        )
        for _ in range(count)
    )
    groups = frozenset(draw(st.sets(st.sampled_from(list(Group)))))
    used = draw(st.integers(0, 1100 * 2)) * 30 + draw(st.sampled_from([0, 0, 0, 15]))
    return QuoteRequest(
        service,
        start,
        end,
        children,
        draw(st.sampled_from(RICHEST_LAST)),
        groups,
        SickRate.FLAT,
        used,
    )


@SETTINGS
@given(requests())
def test_every_split_adds_up_to_the_won(request):
    """R-SUP-6, DESIGN rule 7: government + parent == total, nothing negative."""
    result = quote(request, BOOK)
    for line in result.lines:
        assert line.government + line.parent == line.fee
        assert min(line.government, line.parent, line.fee) >= 0
        assert line.supported == (line.government > 0)
    assert result.government + result.parent == result.total
    assert sum(line.fee for line in result.lines) == result.total
    assert sum(line.government for line in result.lines) == result.government
    assert sum(line.parent for line in result.lines) == result.parent
    minutes = (request.end - request.start) // timedelta(minutes=1)
    assert result.supported_minutes + result.unsupported_minutes == minutes
    assert 0 <= result.capped_minutes <= result.supported_minutes
    for child in range(len(request.children)):
        assert sum(line.units for line in result.lines if line.child == child) * 30 == minutes


@SETTINGS
@given(requests())
def test_a_richer_tier_never_gets_more_support(request):
    """R-SUP-5, R-SUP-8: ga >= na >= da >= ra >= ma >= none."""
    supports = [quote(replace(request, tier=tier), BOOK).government for tier in RICHEST_LAST]
    assert supports == sorted(supports, reverse=True)


@SETTINGS
@given(requests(), st.integers(1, 12))
def test_more_hours_never_cost_less(request, extra_units):
    """R-FEE-1, R-SUP-10: a longer booking never costs less, in total or to the parent."""
    shorter = quote(request, BOOK)
    longer = quote(replace(request, end=request.end + extra_units * HALF_HOUR), BOOK)
    assert longer.total >= shorter.total
    assert longer.parent >= shorter.parent


@SETTINGS
@given(requests(Service.SICK))
def test_sick_normal_rate_where_allowed_adds_up(request):
    """R-SUP-9: the normal rate adds up; the flat rate never uses the cap."""
    normal = replace(request, sick_rate=SickRate.NORMAL, tier=Tier.GA)
    result = quote(normal, BOOK)
    assert result.government + result.parent == result.total
    assert quote(request, BOOK).capped_minutes == 0  # the flat rate never counts (R-SUP-9)


@SETTINGS
@given(requests(Service.INFANT_FULLDAY), st.integers(0, 260), st.integers(1, 40))
def test_fullday_month_adds_up_and_grows_with_hours(request, hours, more):
    """R-SUP-10: the full-day month adds up and grows with its hours."""
    month = request.start.date()
    args = (request.children, request.tier, request.groups)
    try:
        result = quote_fullday_month(BOOK, month, hours, *args)
    except ValidationFailed:  # not 3 months old on the 1st of the month, when ages are judged
        reject()
    assert result.government + result.parent == result.total and result.parent >= 0
    assert result.billed_hours >= 80 and result.supported_hours <= 200
    longer = quote_fullday_month(BOOK, month, hours + more, *args)
    assert longer.total >= result.total and longer.parent >= result.parent
