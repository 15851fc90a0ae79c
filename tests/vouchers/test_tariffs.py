"""The tariff files: every figure of RULES.md as data, checked when loaded."""

from __future__ import annotations

import re
import shutil
from datetime import date, time
from pathlib import Path

import pytest

from core.errors import ValidationFailed
from vouchers.tariffs import (
    DEFAULT_DIRECTORY,
    AgeBand,
    Attendance,
    Group,
    Service,
    TariffBook,
    TariffFileError,
    Tier,
    default_tariff_book,
)

BOOK = default_tariff_book()


def tariff(year: int):
    return BOOK.for_date(date(year, 6, 1))


def test_shipped_years_and_cache():
    """RULES.md: the figures of each year are data with an effective date."""
    assert BOOK.years == (2024, 2025, 2026)
    assert default_tariff_book() is BOOK
    for year in BOOK.years:
        assert tariff(year).effective_from == date(year, 1, 1)
        assert tariff(year).source_file == f"{year}.toml"
        assert tariff(year).sources


@pytest.mark.parametrize(
    ("year", "service", "hourly"),
    [
        (2024, Service.BASIC, 11630),
        (2024, Service.INFANT_FULLDAY, 11630),
        (2024, Service.COMPREHENSIVE, 15110),
        (2024, Service.SICK, 13950),
        (2025, Service.BASIC, 12180),
        (2025, Service.INFANT_FULLDAY, 12180),
        (2025, Service.COMPREHENSIVE, 15830),
        (2025, Service.SICK, 14610),
        (2026, Service.BASIC, 12790),
        (2026, Service.INFANT_FULLDAY, 12790),
        (2026, Service.COMPREHENSIVE, 16620),
        (2026, Service.SICK, 15340),
    ],
)
def test_r_fee_1_hourly_fees(year, service, hourly):
    assert tariff(year).fees[service] == hourly


@pytest.mark.parametrize(
    ("year", "children", "fee30"),
    [
        (2024, 1, 5815),  # 11,630 / 2
        (2024, 2, 4361),  # floor(5,815 × 1.5 / 2) = floor(4,361.25)
        (2024, 3, 3876),  # floor(5,815 × 2 / 3) = floor(3,876.67)
        (2026, 1, 6395),  # 12,790 / 2
        (2026, 2, 4796),  # floor(6,395 × 1.5 / 2) = floor(4,796.25)
    ],
)
def test_r_fee_3_sibling_fee_per_child(year, children, fee30):
    assert tariff(year).fee30(Service.BASIC, surcharged=False, children=children) == fee30


@pytest.mark.parametrize(
    ("year", "service", "children", "fee30"),
    [
        (2026, Service.BASIC, 1, 9590),  # 6,395 × 1.5 = 9,592.5 → floor to 10 won: 9,590
        (2024, Service.BASIC, 1, 8720),  # 5,815 × 1.5 = 8,722.5 → 8,720
        (2025, Service.BASIC, 1, 9130),  # 6,090 × 1.5 = 9,135 → 9,130
        (2026, Service.BASIC, 2, 7192),  # surcharge first: floor(9,590 × 1.5 / 2) = 7,192
        (2024, Service.COMPREHENSIVE, 1, 11330),  # 7,555 × 1.5 = 11,332.5 → 11,330
    ],
)
def test_r_fee_2_surcharged_fee_rounds_down_to_10_won_before_the_sibling_split(
    year, service, children, fee30
):
    assert tariff(year).fee30(service, surcharged=True, children=children) == fee30


def test_r_fee_2_surcharge_figures():
    terms = tariff(2024).surcharge
    assert (terms.percent, terms.round_down_to) == (150, 10)
    assert (terms.night_from, terms.night_until) == (time(22), time(6))
    assert terms.sundays and terms.public_holidays and terms.extra_days == {"05-01"}
    assert tariff(2024).siblings.further_child_percent == 50


@pytest.mark.parametrize(
    ("year", "rates"),
    [
        (2024, {"ga": (85, 75), "na": (60, 30), "da": (20, 15), "ra": (0, 0), "ma": (0, 0)}),
        (2025, {"ga": (85, 75), "na": (60, 40), "da": (30, 20), "ra": (15, 10), "ma": (0, 0)}),
        (2026, {"ga": (85, 80), "na": (60, 50), "da": (30, 25), "ra": (15, 10), "ma": (0, 0)}),
    ],
)
def test_r_sup_5_support_rates(year, rates):
    for tier, (band_a, band_b) in rates.items():
        assert tariff(year).support_rate(Tier(tier), AgeBand.A) == band_a
        assert tariff(year).support_rate(Tier(tier), AgeBand.B) == band_b
    assert tariff(year).support_rate(Tier.NONE, AgeBand.A) == 0


@pytest.mark.parametrize(
    ("year", "thresholds", "order"),
    [
        (2024, {"ga": 75, "na": 120, "da": 150}, ("ga", "na", "da", "ra")),
        (2025, {"ga": 75, "na": 120, "da": 150, "ra": 200}, ("ga", "na", "da", "ra", "ma")),
        (2026, {"ga": 75, "na": 120, "da": 150, "ra": 250}, ("ga", "na", "da", "ra", "ma")),
    ],
)
def test_r_sup_1_tier_percents(year, thresholds, order):
    assert dict(tariff(year).income.threshold_percent) == thresholds
    assert tariff(year).income.tier_order == order
    assert tariff(year).income.smallest_median_household == 3
    assert tariff(year).income.dual_earner_percent == 25  # R-SUP-2
    assert tariff(year).income.threshold_round_up_to == 1000


MEDIANS = {
    2024: (2228445, 3682609, 4714657, 5729913, 6695735, 7618369, 8514994),
    2025: (2392013, 3932658, 5025353, 6097773, 7108192, 8064805, 8988428),
    2026: (2564238, 4199292, 5359036, 6494738, 7556719, 8555952, 9515150),
}


@pytest.mark.parametrize("year", sorted(MEDIANS))
def test_r_sup_1_median_income_and_what_is_still_to_check(year):
    medians = tariff(year).income.median
    assert tuple(medians[size] for size in range(1, 8)) == MEDIANS[year]
    confirmed = {2024: {4}, 2025: set(), 2026: {4}}[year]  # RULES.md gives the 4-person median
    assert tariff(year).to_check == {f"income.median.{s}" for s in range(1, 8)} - {
        f"income.median.{s}" for s in confirmed
    }


def test_unconfirmed_figures_are_marked():
    """RULES.md: unconfirmed figures (R-FEE-1 sick 2025/26, R-BK-1 urgent surcharge, R-SUP-8
    stacking) are flagged in data."""
    assert tariff(2024).unconfirmed == {"booking.urgent_surcharge"}
    assert {"fees.sick", "booking.urgent_surcharge", "caregiver_pay"} <= tariff(2025).unconfirmed
    assert "special.parent_share_reductions" in tariff(2026).unconfirmed
    assert tariff(2026).booking.urgent_surcharge == 0  # a placeholder, in data


def test_r_sup_8_special_groups():
    t24, t26 = tariff(2024), tariff(2026)
    assert t24.special.bonus.points == 5 and t24.special.bonus.tiers == {Tier.GA}
    assert Group.TEEN_PARENT in t24.special.bonus.groups
    assert Group.MULTI_CHILD not in t24.special.bonus.groups
    assert t24.special.teen_parent.percent == 90
    assert t24.special.teen_parent.tiers == {Tier.GA, Tier.NA, Tier.DA}
    assert t26.special.teen_parent.tiers == {Tier.GA, Tier.NA, Tier.DA, Tier.RA}
    assert [(r.group, r.percent) for r in t24.special.parent_share_reductions] == [
        (Group.MULTI_CHILD, 10)
    ]
    # 2026: multi-child first, then depopulating region (order unconfirmed, kept in data)
    assert [(r.group, r.percent) for r in t26.special.parent_share_reductions] == [
        (Group.MULTI_CHILD, 10),
        (Group.DEPOPULATING_REGION, 5),
    ]


def test_r_sup_9_and_r_sup_10_figures():
    for year in BOOK.years:
        assert tariff(year).sick.flat_percent == 50
        assert tariff(year).sick.normal_rate_allowed == {
            Tier.GA: {AgeBand.A, AgeBand.B},
            Tier.NA: {AgeBand.A},
        }
        assert tariff(year).infant_fullday.max_monthly_hours == 200
        assert tariff(year).infant_fullday.billed_minimum_hours == 80
    assert tariff(2025).caps.hours_for({Group.SINGLE_PARENT}) == 960
    assert tariff(2026).caps.hours_for({Group.SINGLE_PARENT}) == 1080
    assert tariff(2026).caps.hours_for({Group.DISABLED_CHILD, Group.MULTI_CHILD}) == 1080
    assert tariff(2026).caps.hours_for({Group.MULTI_CHILD}) == 960


def test_r_svc_minimums_ages_and_attendance_hours():
    services = tariff(2024).services
    assert [services[s].minimum_hours for s in Service] == [2, 2, 3, 2]
    assert services[Service.BASIC].max_age_months == 156  # 13th birthday
    assert services[Service.INFANT_FULLDAY].max_age_months == 36
    assert services[Service.INFANT_FULLDAY].through_end_of_month
    hours = tariff(2024).attendance
    assert (hours[Attendance.DAYCARE].start, hours[Attendance.DAYCARE].end) == (time(9), time(16))
    assert hours[Attendance.KINDERGARTEN].end == time(13)


def test_r_can_and_r_cg_2_figures():
    terms = tariff(2024).cancellation
    assert (terms.free_beyond_hours, terms.late_within_hours, terms.late_percent) == (24, 1, 50)
    pay = tariff(2024).caregiver_pay
    assert (pay.base_hourly, pay.comprehensive_hourly, pay.sick_hourly) == (10110, 3480, 3040)
    assert (pay.second_child_hourly, pay.third_child_hourly) == (5055, 10110)


@pytest.mark.parametrize(
    ("day", "year"),
    [(date(2024, 1, 1), 2024), (date(2024, 12, 31), 2024), (date(2026, 1, 1), 2026)],
)
def test_for_date_picks_the_year(day, year):
    """RULES.md: each year has its tariff."""
    assert BOOK.for_date(day).year == year


@pytest.mark.parametrize("day", [date(2023, 12, 31), date(2027, 1, 1)])
def test_for_date_without_a_tariff(day):
    """RULES.md: no figures for a year, no quote."""
    with pytest.raises(ValidationFailed) as error:
        BOOK.for_date(day)
    assert error.value.code == "no_tariff_year"
    assert "start" in error.value.fields


def copy_tariffs(tmp_path: Path) -> Path:
    for file in DEFAULT_DIRECTORY.glob("*.toml"):
        shutil.copy(file, tmp_path / file.name)
    return tmp_path


def test_a_new_year_is_only_a_new_file(tmp_path):
    """RULES.md: adding a year is adding a data file."""
    directory = copy_tariffs(tmp_path)
    text = (directory / "2026.toml").read_text(encoding="utf-8")
    text = text.replace(
        "year = 2026\neffective_from = 2026-01-01", "year = 2027\neffective_from = 2027-01-01"
    )
    text = text.replace("basic = 12790", "basic = 13000")
    (directory / "2027.toml").write_text(text, encoding="utf-8")
    book = TariffBook.from_directory(directory)
    assert book.years == (2024, 2025, 2026, 2027)
    assert book.for_date(date(2027, 3, 1)).fees[Service.BASIC] == 13000


def test_a_mid_year_revision_takes_over_from_its_date(tmp_path):
    """RULES.md: figures are versioned by effective date."""
    directory = copy_tariffs(tmp_path)
    text = (directory / "2026.toml").read_text(encoding="utf-8")
    text = text.replace("effective_from = 2026-01-01", "effective_from = 2026-07-01")
    text = text.replace("basic = 12790", "basic = 13000")
    (directory / "2026-07.toml").write_text(text, encoding="utf-8")
    book = TariffBook.from_directory(directory)
    assert book.for_date(date(2026, 6, 30)).fees[Service.BASIC] == 12790
    assert book.for_date(date(2026, 7, 1)).fees[Service.BASIC] == 13000


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("basic = 11630", "basic = 11630.5", "2024.toml: fees.basic: expected a whole number"),
        ("basic = 11630\n", "", "2024.toml: fees: missing basic"),
        ("percent = 150", "percent = 150\nextra = 1", "2024.toml: surcharge.extra: unknown key"),
        ("ga = { A = 85, B = 75 }", "ga = { A = 85 }", "2024.toml: support.rates.ga: give A and B"),
        ("ga = { A = 85, B = 75 }", "ga = { A = 185, B = 75 }", "2024.toml: support.rates.ga"),
        ('tiers = ["ga"]', 'tiers = ["gaa"]', "2024.toml: special.bonus.tiers: 'gaa' is not one"),
        ("night_from = 22:00:00", 'night_from = "22:00"', "2024.toml: surcharge.night_from"),
        ('"booking.urgent_surcharge",', '"booking.x",', "2024.toml: unconfirmed: 'booking.x'"),
        ("effective_from = 2024-01-01", "effective_from = 2023-01-01", "2024.toml: effective_from"),
        ("sundays = true", "sundays = 1", "2024.toml: surcharge.sundays: expected true or false"),
        ("threshold_round_up_to = 1000", "threshold_round_up_to = 0", "2024.toml: income.thr"),
        ('extra_days = ["05-01"]', 'extra_days = ["05-32"]', "2024.toml: surcharge.extra_days"),
        ("late_percent = 50", "late_percent = 500", "2024.toml: cancellation.late_percent"),
        ("4 = 5729913\n", "8 = 5729913\n", "2024.toml: income.median: household sizes"),
        ("year = 2024", "year = 2024\nyear = 2025", "2024.toml: not valid TOML"),
    ],
)  # fmt: skip
def test_a_wrong_file_names_the_file_and_the_key(tmp_path, old, new, error):
    """RULES.md: an operator's mistake in a tariff file is reported with file and key."""
    directory = copy_tariffs(tmp_path)
    path = directory / "2024.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(TariffFileError, match=re.escape(error)):
        TariffBook.from_directory(directory)


def test_two_tariffs_on_one_date_are_refused(tmp_path):
    """RULES.md: one tariff per effective date."""
    directory = copy_tariffs(tmp_path)
    shutil.copy(directory / "2024.toml", directory / "2024-copy.toml")
    with pytest.raises(TariffFileError, match="effective_from"):
        TariffBook.from_directory(directory)


def test_an_empty_directory_is_refused(tmp_path):
    """RULES.md: the tariffs are data; no data, no start."""
    with pytest.raises(TariffFileError, match="no tariff files"):
        TariffBook.from_directory(tmp_path)
