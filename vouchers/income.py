"""Income tiers (R-SUP-1, R-SUP-2): thresholds in won and the tier a household's income suggests.

The suggestion helps an officer; the tier itself is a dated decision made elsewhere (R-SUP-12).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.errors import ValidationFailed
from core.i18n import N_

from .tariffs import Tariff, Tier


def median_income(tariff: Tariff, household_size: int) -> int:
    """The standard median income (기준 중위소득) that applies to a household of this size.

    R-SUP-1: households of 1–3 persons use the 3-person median. Beyond the largest size of the
    annual notice, each further person adds the difference between its two largest sizes (the
    notice's own rule for 8 persons and more).
    """
    if household_size < 1:
        message = N_("A household has at least one person.")
        raise invalid(message, "invalid_household_size", "household_size")
    medians = tariff.income.median
    size = max(household_size, tariff.income.smallest_median_household)
    largest = max(medians)
    if size <= largest:
        return medians[size]
    step = medians[largest] - medians[largest - 1] if largest > 1 else medians[largest]
    return medians[largest] + step * (size - largest)


def tier_thresholds(tariff: Tariff, household_size: int) -> dict[Tier, int | None]:
    """R-SUP-1: the highest monthly income of each tier; ``None`` for unsupported tiers.

    Threshold = ceil to 1,000 won of (percent × median): 2024, 4 persons, ga 75% of 5,729,913 =
    4,297,434.75 → 4,298,000.
    """
    median = median_income(tariff, household_size)
    percents, step = tariff.income.threshold_percent, tariff.income.threshold_round_up_to
    return {
        tier: -(-median * percents[tier] // (100 * step)) * step if tier in percents else None
        for tier in Tier
        if tier is not Tier.NONE
    }


def dual_earner_reduction(tariff: Tariff, incomes: Sequence[int]) -> int:
    """R-SUP-2: 25% of the couple's combined income, at most the lower earner's income.

    3,300,000 + 700,000: 25% of 4,000,000 = 1,000,000, capped at 700,000.
    """
    _check_incomes(incomes)
    if len(incomes) != 2:
        message = N_("Give the incomes of both earners of the couple.")
        raise invalid(message, "invalid_incomes", "incomes")
    combined = sum(incomes) * tariff.income.dual_earner_percent // 100
    return min(combined, min(incomes))


def household_income(tariff: Tariff, incomes: Sequence[int], dual_earner: bool) -> int:
    """The monthly income compared with the thresholds (R-SUP-1, R-SUP-2)."""
    _check_incomes(incomes)
    reduction = dual_earner_reduction(tariff, incomes) if dual_earner else 0
    return sum(incomes) - reduction


def suggest_tier(
    tariff: Tariff, household_size: int, incomes: Sequence[int], dual_earner: bool
) -> Tier:
    """The first tier whose threshold the income does not pass; above them all, the tariff's
    last tier (unsupported: ``ra`` in 2024, ``ma`` from 2025)."""
    income = household_income(tariff, incomes, dual_earner)
    thresholds = tier_thresholds(tariff, household_size)
    for tier in tariff.income.tier_order:
        limit = thresholds[tier]
        if limit is None or income <= limit:
            return tier
    return tariff.income.tier_order[-1]


def _check_incomes(incomes: Sequence[int]) -> None:
    if any(income < 0 for income in incomes):
        raise invalid(N_("Incomes cannot be negative."), "invalid_incomes", "incomes")


def invalid(message: str, code: str, field_name: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field_name: message})
