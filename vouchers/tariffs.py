"""Tariff tables by year: every figure of the programme rules as data (RULES.md, DESIGN rule 7).

One TOML file per tariff in ``vouchers/data/tariffs`` (``2024.toml`` …); adding a year is adding a
file. A tariff applies from its ``effective_from`` date to the end of its year, or until a later
tariff of the same year takes over. The dataclasses below mirror the files table by table; loading
checks every key and value and names the file and the key of any mistake.
"""

from __future__ import annotations

import functools
import itertools
import tomllib
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from booking.attendance import Attendance
from core.clock import SEOUL
from core.errors import ValidationFailed
from core.i18n import N_

DEFAULT_DIRECTORY = Path(__file__).parent / "data" / "tariffs"


class Service(StrEnum):
    BASIC = "basic"
    COMPREHENSIVE = "comprehensive"
    INFANT_FULLDAY = "infant_fullday"
    SICK = "sick"


class Tier(StrEnum):
    """R-SUP-1 income tiers; ``none``: no tier decision or no care gap (R-SUP-3), full price."""

    GA = "ga"
    NA = "na"
    DA = "da"
    RA = "ra"
    MA = "ma"
    NONE = "none"


class Group(StrEnum):  # R-SUP-8, R-SUP-10: special groups a family may belong to.
    SINGLE_PARENT = "single_parent"
    GRANDPARENT = "grandparent"
    DISABLED_PARENT = "disabled_parent"
    DISABLED_CHILD = "disabled_child"
    TEEN_PARENT = "teen_parent"
    MULTI_CHILD = "multi_child"
    DEPOPULATING_REGION = "depopulating_region"


class AgeBand(StrEnum):
    """R-SUP-4: A if the child is under 7 on 1 January of the service year, else B."""

    A = "A"
    B = "B"


class TariffFileError(ValueError):
    """A tariff file is missing a figure or holds a wrong one (an operator's mistake)."""


def _at_most(high: int) -> Any:
    return field(metadata={"high": high})


def _complete() -> Any:
    """A mapping that must name every member of its key enum (but ``none``)."""
    return field(metadata={"complete": True})


@dataclass(frozen=True)
class ServiceTerms:  # The R-SVC table: minimum booking and ages, in months.
    minimum_hours: int
    min_age_months: int
    max_age_months: int  # eligible until the day before the child reaches it …
    through_end_of_month: bool  # … or until the end of the month in which it does


@dataclass(frozen=True)
class SurchargeTerms:  # R-FEE-2.
    percent: int
    round_down_to: int
    night_from: time
    night_until: time
    sundays: bool
    public_holidays: bool
    extra_days: frozenset[str]  # "MM-DD", e.g. "05-01"


@dataclass(frozen=True)
class SiblingTerms:  # R-FEE-3, R-SVC-3.
    further_child_percent: int = _at_most(100)
    max_children: int = _at_most(10)
    max_children_with_infant: int = _at_most(10)
    infant_max_months: int = _at_most(240)


@dataclass(frozen=True)
class IncomeTerms:  # R-SUP-1, R-SUP-2: tiers without a threshold are unsupported.
    tier_order: tuple[Tier, ...]
    threshold_percent: Mapping[Tier, int]
    median: Mapping[int, int]
    smallest_median_household: int
    dual_earner_percent: int = _at_most(100)
    threshold_round_up_to: int  # won


@dataclass(frozen=True)
class SupportTerms:  # R-SUP-4, R-SUP-5.
    band_a_under_years: int
    rates: Mapping[Tier, Mapping[AgeBand, int]] = _complete()


@dataclass(frozen=True)
class GroupBonus:  # R-SUP-8: extra percentage points for special groups in some tiers.
    points: int = _at_most(100)
    tiers: frozenset[Tier]
    groups: frozenset[Group]


@dataclass(frozen=True)
class TeenParentTerms:  # R-SUP-8: teen parents with a young child get a fixed rate.
    percent: int = _at_most(100)
    tiers: frozenset[Tier]
    child_max_age_years: int
    parent_max_age_years: int


@dataclass(frozen=True)
class ParentShareReduction:
    """R-SUP-8: a group's parent share is reduced by ``percent`` in some tiers."""

    group: Group
    percent: int = _at_most(100)
    tiers: frozenset[Tier]
    min_children: int | None = None  # who counts as a multi-child family (for the tier decision)
    child_max_age_years: int | None = None


@dataclass(frozen=True)
class SpecialTerms:
    bonus: GroupBonus
    teen_parent: TeenParentTerms
    parent_share_reductions: tuple[ParentShareReduction, ...] = ()  # applied in this order


@dataclass(frozen=True)
class SickTerms:  # R-SUP-9.
    flat_percent: int = _at_most(100)
    normal_rate_allowed: Mapping[Tier, frozenset[AgeBand]]


@dataclass(frozen=True)
class CapTerms:  # R-SUP-10: supported hours a calendar year.
    annual_hours: int
    extended_hours: int | None = None
    extended_groups: frozenset[Group] = frozenset()

    def hours_for(self, groups: Iterable[Group]) -> int:
        if self.extended_hours is not None and self.extended_groups.intersection(groups):
            return self.extended_hours
        return self.annual_hours


@dataclass(frozen=True)
class FulldayTerms:  # R-SUP-10: the full-day infant-care monthly contract.
    min_monthly_hours: int
    max_monthly_hours: int
    billed_minimum_hours: int
    half_day_hours_per_month: int


@dataclass(frozen=True)
class AttendanceHours:
    """R-SUP-11: weekday hours at daycare or kindergarten, ``start`` ≤ t < ``end``."""

    start: time
    end: time


@dataclass(frozen=True)
class CancellationTerms:  # R-CAN-1..3.
    free_beyond_hours: int
    late_within_hours: int
    notice_fee_hours: int
    late_percent: int = _at_most(100)
    late_minimum_hours: int
    waived_caregiver_pay_hours: int
    strike_count: int
    strike_window_hours: int
    bar_months: int


@dataclass(frozen=True)
class BookingTerms:  # R-BK-1: when ad-hoc requests are accepted.
    adhoc_earliest_days: int
    adhoc_latest_hours: int
    urgent_latest_hours: int
    urgent_surcharge: int
    request_blackout_from: time
    request_blackout_until: time


@dataclass(frozen=True)
class CaregiverPay:  # R-CG-2: hourly pay.
    base_hourly: int
    comprehensive_hourly: int
    sick_hourly: int
    second_child_hourly: int
    third_child_hourly: int
    initial_training_hours: int  # R-CG-1: below this a caregiver's visits are not claimable


@dataclass(frozen=True)
class PaymentTerms:  # R-PAY-1..3: holds, virtual-account due times, arrears.
    arrears_limit: int  # won owed above which booking is suspended
    arrears_days: int  # days an unpaid amount may be owed before booking is suspended
    hold_days_ahead: int  # card holds expire: authorise at most this many days before the care
    deposit_days_before: int  # a virtual account is due this many days before the care


@dataclass(frozen=True)
class CaregiverLimitTerms:  # R-BK-5 and R-BK-4: a caregiver's working limits, in hours.
    daily_hours: int
    weekly_hours: int
    weekly_overtime_hours: int
    light_load_hours: int  # under this a week, preferred for ad-hoc work (R-BK-4)


@dataclass(frozen=True)
class Tariff:
    year: int
    effective_from: date
    unconfirmed: frozenset[str]  # keys of figures without an official source yet
    to_check: frozenset[str]  # keys of figures to check against the annual notice
    sources: Mapping[str, str]
    fees: Mapping[Service, int] = _complete()  # R-FEE-1, hourly
    services: Mapping[Service, ServiceTerms] = _complete()
    surcharge: SurchargeTerms
    siblings: SiblingTerms
    income: IncomeTerms
    support: SupportTerms
    special: SpecialTerms
    sick: SickTerms
    caps: CapTerms
    infant_fullday: FulldayTerms
    attendance: Mapping[Attendance, AttendanceHours] = _complete()
    cancellation: CancellationTerms
    booking: BookingTerms
    caregiver_pay: CaregiverPay
    caregiver_limits: CaregiverLimitTerms
    payment: PaymentTerms
    source_file: str = field(default="", metadata={"internal": True})

    def fee30(self, service: Service, *, surcharged: bool, children: int) -> int:
        """One child's 30-minute fee when ``children`` siblings share the caregiver."""
        hourly = self.fees[service]
        weight = 100 + self.siblings.further_child_percent * (children - 1)
        if surcharged:
            # R-FEE-2: floor to 10 won of (hourly / 2 × 150 / 100), before the sibling split
            step = self.surcharge.round_down_to
            unit = hourly * self.surcharge.percent // (2 * 100 * step) * step
            return unit * weight // (100 * children)  # R-FEE-3
        # R-FEE-1, R-FEE-3: floor(hourly / 2 × (100 + 50·(n−1)) / (100·n))
        return hourly * weight // (2 * 100 * children)

    def support_rate(self, tier: Tier, band: AgeBand) -> int:
        """R-SUP-5: the percent of the fee the government pays; 0 for unsupported tiers."""
        return self.support.rates.get(tier, {}).get(band, 0)


@dataclass(frozen=True)
class TariffBook:  # All known tariffs, ordered by the date they take effect.
    tariffs: tuple[Tariff, ...]

    def for_date(self, day: date) -> Tariff:
        """The tariff in force on ``day`` (a Seoul calendar date)."""
        if isinstance(day, datetime):  # an instant: its date in Seoul
            day = day.astimezone(SEOUL).date()
        for tariff in reversed(self.tariffs):  # the latest that has taken effect
            if tariff.year == day.year and tariff.effective_from <= day:
                return tariff
        raise ValidationFailed(
            N_("There are no fees for %(date)s yet."),
            code="no_tariff_year",
            fields={"start": N_("There are no fees for this date yet.")},
            date=day.isoformat(),
        )

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({t.year for t in self.tariffs}))

    @classmethod
    def from_directory(cls, path: str | Path) -> TariffBook:
        return cls(load_directory(Tariff, path, "tariff", _check))


@functools.cache
def default_tariff_book() -> TariffBook:
    """The tariffs shipped in ``vouchers/data/tariffs``, loaded once."""
    return TariffBook.from_directory(DEFAULT_DIRECTORY)


def load_tariff(path: str | Path) -> Tariff:
    return load_document(Tariff, path, _check)


def load_document(cls: type, path: str | Path, check: Callable[[Any, Any, str], None]) -> Any:
    """One dated figures file (a tariff, an allowance table): parsed, converted and checked."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise TariffFileError(f"{path.name}: not valid TOML: {error}") from error
    built = _build(cls, document, path.name, "")
    check(built, document, path.name)
    return replace(built, source_file=path.name)


def load_directory(
    cls: type, path: str | Path, what: str, check: Callable[[Any, Any, str], None]
) -> tuple[Any, ...]:
    """Every figures file of a directory, by the date each takes effect; no two on one date."""
    files = sorted(Path(path).glob("*.toml"))
    if not files:
        raise TariffFileError(f"{path}: no {what} files (*.toml)")
    documents = sorted(
        (load_document(cls, f, check) for f in files), key=lambda t: t.effective_from
    )
    for earlier, later in itertools.pairwise(documents):
        if earlier.effective_from == later.effective_from:
            raise TariffFileError(
                f"{later.source_file}: effective_from: {later.effective_from} is also the "
                f"date of {earlier.source_file}"
            )
    return tuple(documents)


def _build(cls: type, data: Any, file: str, path: str) -> Any:
    """Make a ``cls`` dataclass from a TOML table, converting each key by its field type."""
    if not isinstance(data, dict):
        raise TariffFileError(f"{file}: {path or 'file'}: expected a table, got {data!r}")
    hints = get_type_hints(cls)
    values = {}
    for item in fields(cls):
        if item.metadata.get("internal"):
            continue
        key = f"{path}.{item.name}" if path else item.name
        if item.name in data:
            values[item.name] = _convert(
                data[item.name], hints[item.name], item.metadata, file, key
            )
        elif item.default is MISSING and item.default_factory is MISSING:
            raise TariffFileError(f"{file}: {key}: missing")
    for name in data:
        if name not in values:
            raise TariffFileError(f"{file}: {path + '.' if path else ''}{name}: unknown key")
    return cls(**values)


def _convert(value: Any, hint: Any, meta: Mapping[str, Any], file: str, key: str) -> Any:
    def fail(problem: str) -> TariffFileError:
        return TariffFileError(f"{file}: {key}: {problem}")

    origin, args = get_origin(hint), get_args(hint)
    if origin is types.UnionType:  # ``int | None``: the key may be left out
        return _convert(value, args[0], meta, file, key)
    if is_dataclass(hint):
        return _build(hint, value, file, key)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        if value not in {member.value for member in hint}:
            raise fail(f"{value!r} is not one of {', '.join(hint)}")
        return hint(value)
    if origin in (frozenset, tuple):
        if not isinstance(value, list):
            raise fail(f"expected a list, got {value!r}")
        items = [_convert(v, args[0], {}, file, key) for v in value]
        if len(set(items)) != len(items):
            raise fail("names an item twice")
        return origin(items)
    if origin is Mapping:
        if not isinstance(value, dict):
            raise fail(f"expected a table, got {value!r}")
        key_type, value_type = args
        if meta.get("complete"):
            missing = [m for m in key_type if m.value != "none" and m.value not in value]
            if missing:
                raise fail(f"missing {', '.join(missing)}")
        result = {}
        for name, item in value.items():
            if key_type is int and not name.isdigit():
                raise fail(f"{name!r} is not a whole number")
            mapped = int(name) if key_type is int else _convert(name, key_type, {}, file, key)
            result[mapped] = _convert(item, value_type, {}, file, f"{key}.{name}")
        return types.MappingProxyType(result)
    kinds = {
        int: "a whole number",
        bool: "true or false",
        str: "a text",
        time: "a local time such as 09:00:00",
        date: "a date such as 2026-01-01",
    }
    wrong_int = hint is int and isinstance(value, bool)
    wrong_date = hint is date and isinstance(value, datetime)
    if not isinstance(value, hint) or wrong_int or wrong_date:
        raise fail(f"expected {kinds.get(hint, hint)}, got {value!r}")
    if hint is int and not 0 <= value <= meta.get("high", value):
        raise fail(f"expected 0 to {meta.get('high', '…')}, got {value}")
    return value


def _check(tariff: Tariff, document: Mapping[str, Any], file: str) -> None:
    """Checks across keys that the field types cannot express."""

    def fail(key: str, problem: str) -> TariffFileError:
        return TariffFileError(f"{file}: {key}: {problem}")

    if tariff.effective_from.year != tariff.year:
        raise fail("effective_from", f"must fall in {tariff.year}, got {tariff.effective_from}")
    known = _paths(document)
    for key in ("unconfirmed", "to_check"):
        for name in sorted(getattr(tariff, key) - known):
            raise fail(key, f"{name!r} names no figure of this file")
    if not tariff.sources:
        raise fail("sources", "name at least one source")
    for text in tariff.surcharge.extra_days:
        try:
            date.fromisoformat(f"2024-{text}")
        except ValueError:
            raise fail("surcharge.extra_days", f"expected MM-DD, got {text!r}") from None
    if tariff.surcharge.percent < 100 or tariff.surcharge.round_down_to < 1:
        raise fail("surcharge", "percent must be at least 100 and round_down_to at least 1")
    sizes = sorted(tariff.income.median)
    if not sizes or sizes != list(range(1, len(sizes) + 1)):
        raise fail("income.median", "household sizes must run 1, 2, 3, … without gaps")
    if tariff.income.threshold_round_up_to < 1:
        raise fail("income.threshold_round_up_to", "must be at least 1 won")
    if not 1 <= tariff.income.smallest_median_household <= len(sizes):
        raise fail("income.smallest_median_household", "must be one of the median's sizes")
    order = tariff.income.tier_order
    if any(t not in order for t in tariff.income.threshold_percent) or (
        not order or order[-1] in tariff.income.threshold_percent
    ):
        raise fail("income.tier_order", "must hold the tiers with a threshold, then one without")
    for tier, rates in tariff.support.rates.items():
        if set(rates) != set(AgeBand) or any(r > 100 for r in rates.values()):
            raise fail(f"support.rates.{tier}", "give A and B, each at most 100")
    for name, hours in tariff.attendance.items():
        if hours.start >= hours.end:
            raise fail(f"attendance.{name}", "start must come before end")
    if any(fee < 1 for fee in tariff.fees.values()):
        raise fail("fees", "every fee must be at least 1 won")


def _paths(data: Mapping[str, Any], prefix: str = "") -> set[str]:
    found = set()
    for key, value in data.items():
        found.add(prefix + key)
        if isinstance(value, dict):
            found |= _paths(value, f"{prefix}{key}.")
    return found
