"""The cost split (R-SVC, R-FEE, R-SUP): official figures, the arithmetic in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.clock import SEOUL
from core.errors import ValidationFailed
from vouchers import cost_split
from vouchers.cost_split import (
    Attendance,
    ChildFacts,
    FeeBand,
    Group,
    Quote,
    QuoteRequest,
    Service,
    SickRate,
    Tier,
    check_services,
    quote,
    quote_fullday_month,
)
from vouchers.tariffs import default_tariff_book

BOOK = default_tariff_book()
AGE_4_IN_2026 = ChildFacts(date(2021, 5, 1))  # band A in 2024-2026
AGE_8_IN_2024 = ChildFacts(date(2015, 6, 1))  # band B: 8 on 1 January 2024


def seoul(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SEOUL)


def price(
    start: datetime,
    hours: float = 2,
    *,
    service: Service = Service.BASIC,
    children: tuple[ChildFacts, ...] = (AGE_4_IN_2026,),
    tier: Tier = Tier.GA,
    **options,
) -> Quote:
    end = start + timedelta(hours=hours)
    result = quote(QuoteRequest(service, start, end, children, tier, **options), BOOK)
    assert result.government + result.parent == result.total
    return result


def messages(result) -> set[str]:
    return {note.message for note in result.explanation}


def test_r_sup_6_the_issue_example():
    """2026 basic, tier ga, child born 2021-05-01, 2026-03-03 09:00-11:00."""
    result = price(seoul(2026, 3, 3, 9))
    # 4 units × 6,395 = 25,580; government ceil(6,395 × 85%) = ceil(5,435.75) = 5,436 × 4 = 21,744
    assert (result.total, result.government, result.parent) == (25580, 21744, 3836)
    assert result.tariff_year == 2026
    assert result.supported_minutes == 120 and result.unsupported_minutes == 0
    assert result.capped_minutes == 120
    (line,) = result.lines
    assert (line.child, line.band, line.units, line.supported) == (0, FeeBand.DAY, 4, True)
    assert (line.start, line.end) == (seoul(2026, 3, 3, 9), seoul(2026, 3, 3, 11))
    notes = [str(note) for note in result.explanation]
    assert notes[0] == "Fees of 2026: 12790 won an hour for basic."
    assert "Child 1, tier ga, age band A: the government pays 85% of the fee." in notes


def test_the_same_instant_given_in_utc_costs_the_same():
    """R-FEE-2, R-SVC-1: instants are judged in Seoul time, whatever their zone."""
    utc = price(datetime(2026, 3, 3, 0, tzinfo=UTC))  # 09:00 in Seoul
    assert (utc.total, utc.government) == (25580, 21744)


@pytest.mark.parametrize(
    ("children", "fee30", "government30"),
    [
        (1, 5815, 873),  # ceil(5,815 × 15%) = ceil(872.25) = 873
        (2, 4361, 655),  # floor(5,815 × 1.5 / 2) = 4,361; ceil(4,361 × 15%) = ceil(654.15) = 655
        (3, 3876, 582),  # floor(5,815 × 2 / 3) = 3,876; ceil(3,876 × 15%) = ceil(581.4) = 582
    ],
)
def test_r_sup_6_rounding_2024_tier_da_band_b(children, fee30, government30):
    result = price(seoul(2024, 3, 5, 10), children=(AGE_8_IN_2024,) * children, tier=Tier.DA)
    units = 4 * children
    assert result.total == fee30 * units
    assert result.government == government30 * units
    assert len(result.lines) == children
    assert all(line.fee == fee30 * 4 for line in result.lines)


def test_r_fee_3_siblings_are_explained():
    result = price(seoul(2024, 3, 5, 10), children=(AGE_8_IN_2024,) * 2, tier=Tier.NONE)
    assert cost_split._Say.SIBLINGS in messages(result)
    assert result.government == 0 and result.total == 8 * 4361


@pytest.mark.parametrize(
    ("start", "fee30", "why"),
    [
        (seoul(2026, 3, 8, 10), 9590, "a Sunday: 6,395 × 1.5 = 9,592.5 → 9,590"),
        (seoul(2026, 3, 2, 10), 9590, "substitute holiday for Samiljeol"),
        (seoul(2026, 3, 3, 10), 6395, "an ordinary Tuesday"),
        (seoul(2026, 3, 7, 10), 6395, "a Saturday"),
        (seoul(2025, 10, 6, 10), 9130, "Chuseok 2025: 6,090 × 1.5 = 9,135 → 9,130"),
        (seoul(2025, 10, 8, 10), 9130, "substitute holiday for Chuseok 2025"),
        (seoul(2024, 5, 1, 10), 8720, "1 May 2024: 5,815 × 1.5 = 8,722.5 → 8,720"),
        (seoul(2024, 5, 2, 10), 5815, "2 May 2024"),
    ],
)
def test_r_fee_2_surcharged_days(start, fee30, why):
    result = price(start, tier=Tier.NONE)
    assert result.total == 4 * fee30, why
    assert result.government == 0


def test_r_fee_2_booking_crossing_22_00():
    result = price(seoul(2026, 3, 3, 20), 3, tier=Tier.NONE)
    day, night = result.lines
    assert (day.band, day.units, day.fee, day.end) == (
        FeeBand.DAY,
        4,
        4 * 6395,
        seoul(2026, 3, 3, 22),
    )
    assert (night.band, night.units, night.fee) == (FeeBand.SURCHARGED, 2, 2 * 9590)
    assert result.total == 25580 + 19180  # 4 × 6,395 + 2 × 9,590
    note = next(n for n in result.explanation if n.message == cost_split._Say.SURCHARGE)
    assert note.params == {"units": 2, "percent": 50}


def test_r_fee_2_booking_crossing_midnight_into_a_sunday():
    """Saturday 20:00 to Sunday 08:00: 22:00-06:00 is night and 06:00-08:00 is Sunday; the
    surcharges never stack, so a Sunday night unit costs 9,590 like any other."""
    result = price(seoul(2026, 3, 7, 20), 12, tier=Tier.NONE)
    assert [(line.band, line.units) for line in result.lines] == [
        (FeeBand.DAY, 4),
        (FeeBand.SURCHARGED, 20),
    ]
    assert result.total == 4 * 6395 + 20 * 9590  # 217,380


def test_r_fee_2_booking_crossing_midnight_out_of_a_sunday():
    result = price(seoul(2026, 3, 8, 20), 12, tier=Tier.NONE)
    assert [(line.band, line.units) for line in result.lines] == [
        (FeeBand.SURCHARGED, 20),
        (FeeBand.DAY, 4),
    ]


def test_r_sup_6_government_share_of_a_surcharged_unit():
    result = price(seoul(2026, 3, 8, 10))  # Sunday, tier ga, band A
    # ceil(9,590 × 85%) = ceil(8,151.5) = 8,152 a unit
    assert (result.total, result.government) == (4 * 9590, 4 * 8152)


@pytest.mark.parametrize(
    ("birth_date", "band", "government30"),
    [
        (date(2019, 1, 1), "B", 5116),  # 7 on 1 January 2026: ceil(6,395 × 80%) = 5,116
        (date(2019, 1, 2), "A", 5436),  # still 6 on 1 January: ceil(6,395 × 85%) = 5,436
    ],
)
def test_r_sup_4_age_band_on_1_january(birth_date, band, government30):
    result = price(seoul(2026, 3, 3, 9), children=(ChildFacts(birth_date),))
    assert result.government == 4 * government30
    assert any(n.params.get("band") == band for n in result.explanation)


def test_r_svc_infant_fullday_until_the_end_of_the_month_of_36_months():
    infant = (ChildFacts(date(2023, 3, 15)),)  # 36 months on 2026-03-15
    result = price(seoul(2026, 3, 31, 9), 3, service=Service.INFANT_FULLDAY, children=infant)
    assert (result.total, result.government) == (6 * 6395, 6 * 5436)
    with pytest.raises(ValidationFailed) as error:
        price(seoul(2026, 4, 1, 9), 3, service=Service.INFANT_FULLDAY, children=infant)
    assert error.value.code == "child_age_out_of_range"
    assert error.value.fields.keys() == {"children.0.birth_date"}


def test_r_sup_10_cap_split_at_the_exact_unit():
    """959.5 hours used: one half hour of support left."""
    result = price(seoul(2024, 3, 5, 9), minutes_used=959 * 60 + 30)
    supported, beyond = result.lines
    assert (supported.units, supported.supported, supported.end) == (
        1,
        True,
        seoul(2024, 3, 5, 9, 30),
    )
    assert (beyond.units, beyond.supported, beyond.government) == (3, False, 0)
    # ceil(5,815 × 85%) = ceil(4,942.75) = 4,943; the other 3 units are the parent's: 3 × 5,815
    assert (result.total, result.government, result.parent) == (23260, 4943, 872 + 17445)
    assert (result.supported_minutes, result.unsupported_minutes, result.capped_minutes) == (
        30,
        90,
        30,
    )
    note = next(n for n in result.explanation if n.message == cost_split._Say.BEYOND_ANNUAL_CAP)
    assert note.params == {"units": 3, "cap": 960}


def test_r_sup_10_cap_used_up():
    result = price(seoul(2024, 3, 5, 9), minutes_used=960 * 60)
    assert result.government == 0 and result.capped_minutes == 0
    assert result.unsupported_minutes == 120


def test_r_sup_10_extended_cap_from_2026():
    used = 960 * 60
    plain = price(seoul(2026, 3, 3, 9), minutes_used=used)
    assert plain.government == 0
    single = price(seoul(2026, 3, 3, 9), minutes_used=used, groups=frozenset({Group.SINGLE_PARENT}))
    # ga + 5 points for a single parent: ceil(6,395 × 90%) = ceil(5,755.5) = 5,756
    assert single.government == 4 * 5756 and single.capped_minutes == 120
    old = price(seoul(2025, 3, 4, 9), minutes_used=used, groups=frozenset({Group.SINGLE_PARENT}))
    assert old.government == 0  # 1,080 h only from 2026


def test_r_sup_10_siblings_use_the_cap_once():
    both = price(seoul(2024, 3, 5, 9), children=(AGE_4_IN_2026,) * 2, minutes_used=959 * 60 + 30)
    assert both.capped_minutes == 30
    assert [line.units for line in both.lines if line.supported] == [1, 1]


@pytest.mark.parametrize(
    ("tier", "children"),
    [(Tier.NONE, (AGE_4_IN_2026,)), (Tier.MA, (AGE_4_IN_2026,)),
     (Tier.GA, (ChildFacts(date(2021, 5, 1), supported=False),))],
)  # fmt: skip
def test_r_sup_10_unsupported_care_does_not_use_the_cap(tier, children):
    result = price(seoul(2026, 3, 3, 9), tier=tier, children=children, minutes_used=900 * 60)
    assert result.capped_minutes == 0 and result.government == 0
    assert result.unsupported_minutes == 120


def test_r_svc_3_three_children_unless_one_is_36_months_or_younger():
    older = (ChildFacts(date(2018, 1, 1)), ChildFacts(date(2019, 1, 1)))
    three = price(
        seoul(2024, 3, 5, 10), tier=Tier.NONE, children=(*older, ChildFacts(date(2021, 2, 5)))
    )
    assert three.total == 12 * 3876  # 37 months old: three children allowed
    with pytest.raises(ValidationFailed) as error:  # exactly 36 months old
        price(
            seoul(2024, 3, 5, 10), tier=Tier.NONE, children=(*older, ChildFacts(date(2021, 3, 5)))
        )
    assert (error.value.code, error.value.params) == ("too_many_children", {"limit": 2})


def test_r_sup_7_comprehensive_gets_the_basic_amount():
    result = price(seoul(2024, 3, 5, 10), service=Service.COMPREHENSIVE)
    # fee 15,110 / 2 = 7,555; government ceil(5,815 × 85%) = 4,943; parent 2,612
    assert (result.total, result.government, result.parent) == (4 * 7555, 4 * 4943, 4 * 2612)
    sunday = price(seoul(2024, 3, 10, 10), service=Service.COMPREHENSIVE)
    # 7,555 × 1.5 = 11,332.5 → 11,330; government ceil(8,720 × 85%) = 7,412
    assert (sunday.total, sunday.government) == (4 * 11330, 4 * 7412)
    assert cost_split._Say.COMPREHENSIVE in messages(result)


@pytest.mark.parametrize("tier", [Tier.NONE, Tier.GA, Tier.DA])
def test_r_sup_9_sick_flat_rate_for_every_family(tier):
    result = price(seoul(2024, 3, 5, 10), service=Service.SICK, tier=tier, minutes_used=960 * 60)
    # 13,950 / 2 = 6,975; government ceil(6,975 × 50%) = ceil(3,487.5) = 3,488
    assert (result.total, result.government) == (4 * 6975, 4 * 3488)
    assert result.capped_minutes == 0  # not counted against the cap, even when it is used up


def test_r_sup_9_sick_normal_rate_counts_against_the_cap():
    result = price(seoul(2024, 3, 5, 10), service=Service.SICK, sick_rate=SickRate.NORMAL)
    # ceil(6,975 × 85%) = ceil(5,928.75) = 5,929
    assert result.government == 4 * 5929 and result.capped_minutes == 120
    ga_b = price(
        seoul(2024, 3, 5, 10),
        service=Service.SICK,
        sick_rate=SickRate.NORMAL,
        children=(AGE_8_IN_2024,),
    )
    assert ga_b.government == 4 * 5232  # ceil(6,975 × 75%) = ceil(5,231.25)


@pytest.mark.parametrize(
    ("tier", "child"),
    [(Tier.NA, AGE_8_IN_2024), (Tier.DA, AGE_4_IN_2026), (Tier.NONE, AGE_4_IN_2026)],
)
def test_r_sup_9_normal_rate_not_allowed(tier, child):
    with pytest.raises(ValidationFailed) as error:
        price(
            seoul(2024, 3, 5, 10),
            service=Service.SICK,
            sick_rate=SickRate.NORMAL,
            tier=tier,
            children=(child,),
        )
    assert error.value.code == "sick_normal_rate_not_allowed"
    assert error.value.fields.keys() == {"sick_rate"}


def test_r_sup_11_no_support_in_daycare_hours():
    child = (ChildFacts(date(2021, 5, 1), attendance=Attendance.DAYCARE),)
    result = price(seoul(2024, 3, 5, 15), 3, children=child)  # Tuesday 15:00-18:00
    at_centre, home = result.lines
    assert (at_centre.units, at_centre.supported, home.units, home.supported) == (2, False, 4, True)
    assert (result.total, result.government) == (6 * 5815, 4 * 4943)
    assert (result.capped_minutes, result.unsupported_minutes) == (120, 60)
    note = next(n for n in result.explanation if n.message == cost_split._Say.ATTENDANCE_HOURS)
    assert note.params == {"units": 2, "child": 1, "hours": "09:00–16:00"}


def test_r_sup_11_closure_and_weekends():
    closed = (ChildFacts(date(2021, 5, 1), attendance=Attendance.DAYCARE, closure=True),)
    assert price(seoul(2024, 3, 5, 15), 3, children=closed).government == 6 * 4943
    daycare = (ChildFacts(date(2021, 5, 1), attendance=Attendance.DAYCARE),)
    assert price(seoul(2024, 3, 9, 10), children=daycare).government == 4 * 4943  # Saturday


def test_r_sup_11_kindergarten_hours():
    child = (ChildFacts(date(2019, 5, 1), attendance=Attendance.KINDERGARTEN),)
    result = price(seoul(2024, 3, 5, 12), children=child)  # 12:00-14:00; 12:00, 12:30 at school
    assert result.government == 2 * 4943 and result.capped_minutes == 60


def test_r_svc_2_a_child_without_support_pays_full_price():
    children = (AGE_4_IN_2026, ChildFacts(date(2021, 5, 1), supported=False))
    result = price(seoul(2024, 3, 5, 10), children=children)
    # each child 4,361; the first gets ceil(4,361 × 85%) = ceil(3,706.85) = 3,707
    assert (result.total, result.government) == (8 * 4361, 4 * 3707)
    assert [line.government for line in result.lines] == [4 * 3707, 0]
    assert any(
        n.message == cost_split._Say.NOT_ELIGIBLE and n.params == {"child": 2}
        for n in result.explanation
    )


@pytest.mark.parametrize(
    ("tier", "groups", "child", "government30"),
    [
        # ga + 5 points: A ceil(5,815 × 90%) = ceil(5,233.5) = 5,234; B ceil(5,815 × 80%) = 4,652
        (Tier.GA, {Group.SINGLE_PARENT}, AGE_4_IN_2026, 5234),
        (Tier.GA, {Group.GRANDPARENT}, AGE_8_IN_2024, 4652),
        (Tier.NA, {Group.SINGLE_PARENT}, AGE_4_IN_2026, 3489),  # no bonus in na: 5,815 × 60%
        # teen parents, child aged 1: 90%; aged 2: the normal 60%
        (Tier.NA, {Group.TEEN_PARENT}, ChildFacts(date(2022, 6, 1)), 5234),
        (Tier.NA, {Group.TEEN_PARENT}, ChildFacts(date(2021, 6, 1)), 3489),
        (Tier.RA, {Group.TEEN_PARENT}, ChildFacts(date(2022, 6, 1)), 0),  # not in 2024's ga-da
        # multi-child: parent 5,815 - 3,489 = 2,326 → floor(2,326 × 90%) = 2,093; 5,815 - 2,093
        (Tier.NA, {Group.MULTI_CHILD}, AGE_4_IN_2026, 3722),
        (Tier.MA, {Group.MULTI_CHILD}, AGE_4_IN_2026, 0),
        (Tier.NA, {Group.DEPOPULATING_REGION}, AGE_4_IN_2026, 3489),  # only from 2026
    ],
)
def test_r_sup_8_special_groups_2024(tier, groups, child, government30):
    result = price(seoul(2024, 3, 5, 10), tier=tier, groups=frozenset(groups), children=(child,))
    assert result.government == 4 * government30


def test_r_sup_8_multi_child_then_depopulating_region_2026():
    groups = frozenset({Group.MULTI_CHILD, Group.DEPOPULATING_REGION})
    result = price(seoul(2026, 3, 3, 10), tier=Tier.NA, groups=groups)
    # ceil(6,395 × 60%) = 3,837; parent 2,558 → floor(2,558 × 90%) = 2,302
    # → floor(2,302 × 95%) = floor(2,186.9) = 2,186; government 6,395 - 2,186 = 4,209
    assert (result.government, result.parent) == (4 * 4209, 4 * 2186)
    teen_ra = price(
        seoul(2026, 3, 3, 10),
        tier=Tier.RA,
        groups=frozenset({Group.TEEN_PARENT}),
        children=(ChildFacts(date(2025, 1, 1)),),
    )
    assert teen_ra.government == 4 * 5756  # ga-ra in 2026: ceil(6,395 × 90%)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"start": datetime(2026, 3, 3, 9)}, "naive_datetime", "start"),
        ({"end": datetime(2026, 3, 3, 11)}, "naive_datetime", "end"),
        ({"end": seoul(2026, 3, 3, 9)}, "end_before_start", "end"),
        ({"end": seoul(2026, 3, 3, 8)}, "end_before_start", "end"),
        ({"start": seoul(2026, 3, 3, 8, 45)}, "not_on_half_hour", "start"),
        ({"end": seoul(2026, 3, 3, 11, 10)}, "not_on_half_hour", "end"),
        ({"end": seoul(2026, 3, 3, 10, 30)}, "below_minimum", "end"),
        ({"service": Service.INFANT_FULLDAY, "end": seoul(2026, 3, 3, 11, 30)}, "below_minimum",
         "end"),
        ({"children": ()}, "no_children", "children"),
        ({"children": (ChildFacts(date(2026, 1, 1)),)}, "child_age_out_of_range",
         "children.0.birth_date"),
        ({"children": (AGE_4_IN_2026, ChildFacts(date(2013, 3, 3)))}, "child_age_out_of_range",
         "children.1.birth_date"),
        ({"children": (AGE_4_IN_2026,) * 4}, "too_many_children", "children"),
        ({"start": seoul(2027, 3, 2, 9), "end": seoul(2027, 3, 2, 11)}, "no_tariff_year", "start"),
        ({"service": Service.SICK, "sick_rate": SickRate.NORMAL, "tier": Tier.DA},
         "sick_normal_rate_not_allowed", "sick_rate"),
        ({"minutes_used": -30}, "invalid_hours_used", "hours_used"),
    ],
)  # fmt: skip
def test_invalid_requests(change, code, field):
    """R-SVC-1, R-SVC-3, R-SUP-9, R-SUP-10: stable codes, fields in API terms."""
    request = {
        "service": Service.BASIC,
        "start": seoul(2026, 3, 3, 9),
        "end": seoul(2026, 3, 3, 11),
        "children": (AGE_4_IN_2026,),
        "tier": Tier.GA,
    } | change
    with pytest.raises(ValidationFailed) as error:
        quote(QuoteRequest(**request), BOOK)
    assert error.value.code == code
    assert error.value.fields.keys() == {field}


def test_r_svc_3_comprehensive_with_sick():
    check_services([Service.BASIC, Service.SICK])
    check_services([Service.COMPREHENSIVE])
    with pytest.raises(ValidationFailed) as error:
        check_services({Service.COMPREHENSIVE, Service.SICK})
    assert error.value.code == "comprehensive_with_sick"
    assert error.value.fields.keys() == {"service"}


def test_explanations_are_few_plain_and_formattable():
    """DESIGN i18n: a modest set of N_ sentences with plain int/str params."""
    sentences = [v for k, v in vars(cost_split._Say).items() if k.isupper() and isinstance(v, str)]
    sentences += list(cost_split._Say.REDUCTION.values())
    assert len(set(sentences)) <= 20
    result = price(
        seoul(2026, 3, 8, 20),
        12,
        children=(AGE_4_IN_2026,) * 2,
        groups=frozenset({Group.MULTI_CHILD}),
        minutes_used=1000 * 60,
    )
    for note in result.explanation:
        assert note.message in sentences
        assert all(type(value) in (int, str) for value in note.params.values())
        str(note)  # every placeholder has its value


@pytest.mark.parametrize(
    ("hours", "billed", "supported", "total", "government"),
    [
        (60, 80, 80, 80 * 11630, 160 * 4943),  # billed at least 80 h; 4,943 = ceil(5,815 × 85%)
        (120, 120, 120, 120 * 11630, 240 * 4943),
        (220, 220, 200, 220 * 11630, 400 * 4943),  # 20 h over 200 are the parent's
    ],
)
def test_r_sup_10_fullday_month(hours, billed, supported, total, government):
    infant = (ChildFacts(date(2023, 1, 10)),)
    result = quote_fullday_month(BOOK, date(2024, 3, 17), hours, infant, Tier.GA)
    assert (result.month, result.billed_hours, result.supported_hours) == (
        date(2024, 3, 1),
        billed,
        supported,
    )
    assert result.unsupported_hours == billed - supported
    assert (result.total, result.government, result.parent) == (
        total,
        government,
        total - government,
    )


def test_r_sup_10_fullday_month_without_support_and_errors():
    infant = (ChildFacts(date(2023, 1, 10)),)
    none = quote_fullday_month(BOOK, date(2024, 3, 1), 100, infant, Tier.NONE)
    assert (none.government, none.supported_hours, none.unsupported_hours) == (0, 0, 100)
    with pytest.raises(ValidationFailed) as error:  # 36 months in January 2024
        quote_fullday_month(BOOK, date(2024, 3, 1), 100, (ChildFacts(date(2021, 1, 10)),), Tier.GA)
    assert error.value.code == "child_age_out_of_range"
    with pytest.raises(ValidationFailed) as error:
        quote_fullday_month(BOOK, date(2024, 3, 1), -1, infant, Tier.GA)
    assert error.value.code == "invalid_hours"


def test_r_sup_9_plain_strings_from_the_edge_price_like_the_enums():
    start, end = seoul(2024, 3, 5, 10), seoul(2024, 3, 5, 12)
    request = QuoteRequest("sick", start, end, (AGE_4_IN_2026,), "none")  # type: ignore[arg-type]
    plain = quote(request, BOOK)
    typed = quote(QuoteRequest(Service.SICK, start, end, (AGE_4_IN_2026,), Tier.NONE), BOOK)
    assert (plain.total, plain.government, plain.capped_minutes) == (27900, 13952, 0)
    assert plain == typed
