"""Allowance tables by year: the figures of R-ALW-1..5 as data (RULES.md §7, DESIGN rule 7).

One TOML file per year in ``vouchers/data/allowances`` (``2024.toml`` …), loaded and checked the
way the tariffs are (``vouchers.tariffs``): every key typed, unknown keys refused, and mistakes
named by file and key. A table applies from its ``effective_from`` date to the end of its year,
or until a later table of the same year takes over; a month uses the table in force on its 1st.

Ages are months of life counted by calendar month: the month of birth is month 0 (see
``vouchers.allowances.month_of_life``); an ``AgeBand`` covers ``from_month`` to ``to_month``
inclusive.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from booking.allowance_facts import KindergartenKind
from core.errors import ValidationFailed
from core.i18n import N_

# the tariffs' loader: the same typing, checks and messages for another kind of table
from .tariffs import TariffFileError, _paths, load_directory, load_document

DEFAULT_DIRECTORY = Path(__file__).parent / "data" / "allowances"


@dataclass(frozen=True)
class AgeBand:
    from_month: int
    to_month: int  # inclusive
    amount: int  # won a month


@dataclass(frozen=True)
class SchoolEntry:
    """Support for preschool children ends in ``last_month`` of birth year + ``years``."""

    years_after_birth: int
    last_month: int


@dataclass(frozen=True)
class ChildcareFeeTerms:  # R-ALW-1.
    nationals_only: bool
    bands: tuple[AgeBand, ...]
    disabled_amount: int
    disabled_max_age_years: int


@dataclass(frozen=True)
class PreschoolTerms:  # R-ALW-2.
    nationals_only: bool
    from_month: int
    tuition: Mapping[KindergartenKind, int]
    after_school: Mapping[KindergartenKind, int]


@dataclass(frozen=True)
class ParentAllowanceTerms:  # R-ALW-3.
    nationals_only: bool
    bands: tuple[AgeBand, ...]
    infant_fullday_voucher: tuple[AgeBand, ...]


@dataclass(frozen=True)
class HomeCareTerms:  # R-ALW-4.
    nationals_only: bool
    payday: int
    new_district_until_day: int
    general: tuple[AgeBand, ...]
    farming_fishing: tuple[AgeBand, ...]
    disabled: tuple[AgeBand, ...]


@dataclass(frozen=True)
class ChildAllowanceTerms:  # R-ALW-5.
    nationals_only: bool
    bands: tuple[AgeBand, ...]
    abroad_limit_days: int
    backpay_within_days: int


@dataclass(frozen=True)
class AllowanceTable:
    year: int
    effective_from: date
    unconfirmed: frozenset[str]  # keys of figures without an official source yet
    sources: Mapping[str, str]
    school_entry: SchoolEntry
    childcare_fee: ChildcareFeeTerms
    preschool: PreschoolTerms
    parent_allowance: ParentAllowanceTerms
    home_care: HomeCareTerms
    child_allowance: ChildAllowanceTerms
    source_file: str = field(default="", metadata={"internal": True})


@dataclass(frozen=True)
class AllowanceBook:  # All known tables, ordered by the date they take effect.
    tables: tuple[AllowanceTable, ...]

    def for_month(self, month: date) -> AllowanceTable:
        first = month.replace(day=1)
        found = [t for t in self.tables if t.year == first.year and t.effective_from <= first]
        if not found:
            raise ValidationFailed(
                N_("There are no allowance figures for %(year)s yet."),
                code="no_allowance_year",
                fields={"month": N_("There are no allowance figures for this month yet.")},
                year=first.year,
            )
        return found[-1]

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({t.year for t in self.tables}))

    @classmethod
    def from_directory(cls, path: str | Path) -> AllowanceBook:
        return cls(load_directory(AllowanceTable, path, "allowance", _check))


@functools.cache
def default_allowance_book() -> AllowanceBook:
    """The tables shipped in ``vouchers/data/allowances``, loaded once."""
    return AllowanceBook.from_directory(DEFAULT_DIRECTORY)


def load_allowance_table(path: str | Path) -> AllowanceTable:
    return load_document(AllowanceTable, path, _check)


def _check(table: AllowanceTable, document: Mapping, file: str) -> None:
    def fail(key: str, problem: str) -> TariffFileError:
        return TariffFileError(f"{file}: {key}: {problem}")

    if table.effective_from.year != table.year:
        raise fail("effective_from", f"must fall in {table.year}, got {table.effective_from}")
    for name in sorted(table.unconfirmed - _paths(document)):
        raise fail("unconfirmed", f"{name!r} names no figure of this file")
    if not table.sources:
        raise fail("sources", "name at least one source")
    if not 1 <= table.school_entry.last_month <= 12:
        raise fail("school_entry.last_month", "must be a month, 1 to 12")
    if not 1 <= table.home_care.payday <= 28:
        raise fail("home_care.payday", "must be a day that every month has, 1 to 28")
    if not 1 <= table.home_care.new_district_until_day <= 28:
        raise fail("home_care.new_district_until_day", "must be a day of the month, 1 to 28")
    banded = {
        "childcare_fee.bands": table.childcare_fee.bands,
        "parent_allowance.bands": table.parent_allowance.bands,
        "parent_allowance.infant_fullday_voucher": table.parent_allowance.infant_fullday_voucher,
        "home_care.general": table.home_care.general,
        "home_care.farming_fishing": table.home_care.farming_fishing,
        "home_care.disabled": table.home_care.disabled,
        "child_allowance.bands": table.child_allowance.bands,
    }
    for key, bands in banded.items():
        if not bands:
            raise fail(key, "give at least one age band")
        for band in bands:
            if band.from_month > band.to_month:
                raise fail(key, f"from_month {band.from_month} comes after {band.to_month}")
        for earlier, later in itertools.pairwise(bands):
            if later.from_month <= earlier.to_month:
                raise fail(key, "age bands must be in order and must not overlap")
    for key in ("tuition", "after_school"):
        if set(getattr(table.preschool, key)) != set(KindergartenKind):
            raise fail(f"preschool.{key}", "give public and private")
