"""Income tiers (R-SUP-1) and the dual-earner reduction (R-SUP-2)."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import ValidationFailed
from vouchers.income import (
    dual_earner_reduction,
    household_income,
    median_income,
    suggest_tier,
    tier_thresholds,
)
from vouchers.tariffs import Tier, default_tariff_book

BOOK = default_tariff_book()
T2024, T2025, T2026 = (BOOK.for_date(date(year, 1, 1)) for year in (2024, 2025, 2026))


@pytest.mark.parametrize(
    ("tier", "threshold"),
    [
        (Tier.GA, 4298000),  # 5,729,913 × 75% = 4,297,434.75 → ceil to 1,000 won
        (Tier.NA, 6876000),  # 5,729,913 × 120% = 6,875,895.6
        (Tier.DA, 8595000),  # 5,729,913 × 150% = 8,594,869.5
        (Tier.RA, None),  # unsupported in 2024
        (Tier.MA, None),
    ],
)
def test_r_sup_1_thresholds_2024_four_persons(tier, threshold):
    assert tier_thresholds(T2024, 4)[tier] == threshold


def test_r_sup_1_thresholds_2026():
    thresholds = tier_thresholds(T2026, 4)
    assert thresholds[Tier.GA] == 4872000  # 6,494,738 × 75% = 4,871,053.5
    assert thresholds[Tier.RA] == 16237000  # 6,494,738 × 250% = 16,236,845
    assert thresholds[Tier.MA] is None
    assert tier_thresholds(T2025, 4)[Tier.RA] == 12196000  # 6,097,773 × 200% = 12,195,546


@pytest.mark.parametrize("size", [1, 2, 3])
def test_r_sup_1_small_households_use_the_3_person_median(size):
    assert median_income(T2024, size) == 4714657
    assert tier_thresholds(T2024, size)[Tier.GA] == 3536000  # 4,714,657 × 75% = 3,535,992.75


def test_r_sup_1_larger_households_extend_the_notice():
    assert median_income(T2024, 7) == 8514994
    assert median_income(T2024, 8) == 8514994 + (8514994 - 7618369)  # the notice's rule


@pytest.mark.parametrize(
    ("incomes", "reduction"),
    [
        ((3300000, 700000), 700000),  # 25% of 4,000,000 = 1,000,000, at most the lower earner
        ((3000000, 2000000), 1250000),  # 25% of 5,000,000
        ((4000000, 0), 0),
    ],
)
def test_r_sup_2_dual_earner_reduction(incomes, reduction):
    assert dual_earner_reduction(T2024, incomes) == reduction


def test_r_sup_2_household_income():
    assert household_income(T2024, (3300000, 700000), True) == 3300000
    assert household_income(T2024, (3300000, 700000), False) == 4000000


@pytest.mark.parametrize(
    ("tariff", "size", "incomes", "dual", "tier"),
    [
        (T2024, 4, (3300000, 700000), True, Tier.GA),  # 3,300,000 ≤ 4,298,000
        (T2024, 4, (4298000,), False, Tier.GA),  # exactly the threshold
        (T2024, 4, (4298001,), False, Tier.NA),
        (T2024, 4, (8595000,), False, Tier.DA),
        (T2024, 4, (9000000,), False, Tier.RA),  # above 150%: unsupported ra in 2024
        (T2025, 4, (9147000,), False, Tier.DA),  # 6,097,773 × 150% = 9,146,659.5 → 9,147,000 is da
        (T2025, 4, (9147001,), False, Tier.RA),  # above 150%, ≤ 200% in 2025
        (T2025, 4, (13000000,), False, Tier.MA),
        (T2026, 4, (13000000,), False, Tier.RA),  # ≤ 250% in 2026
    ],
)
def test_r_sup_1_suggest_tier(tariff, size, incomes, dual, tier):
    assert suggest_tier(tariff, size, incomes, dual) == tier


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        (lambda: median_income(T2024, 0), "invalid_household_size", "household_size"),
        (lambda: dual_earner_reduction(T2024, (1000000,)), "invalid_incomes", "incomes"),
        (lambda: household_income(T2024, (-1, 5), False), "invalid_incomes", "incomes"),
    ],
)
def test_invalid_income_input(call, code, field):
    """R-SUP-1, R-SUP-2: stable codes, fields in API terms."""
    with pytest.raises(ValidationFailed) as error:
        call()
    assert (error.value.code, set(error.value.fields)) == (code, {field})
