"""The allowances overview (R-ALW-1..5), pure: every figure of the rules, and the edge cases.

Ages are months of life by calendar month (the month of birth is month 0): see
``vouchers.allowances``. Every figure below is the seed documents' (RULES.md §7).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from booking.allowance_facts import CareArrangement
from core.errors import ValidationFailed
from vouchers.allowance_tables import AllowanceBook, load_allowance_table
from vouchers.allowances import (
    AbroadStay,
    Allowance,
    ChildCircumstances,
    DistrictMove,
    Payer,
    default_allowance_book,
    overview,
    payday,
)
from vouchers.tariffs import TariffFileError

BOOK = default_allowance_book()
DATA = Path(__file__).resolve().parents[2] / "vouchers" / "data" / "allowances"
HOME = CareArrangement.HOME
DAYCARE = CareArrangement.DAYCARE
PUBLIC = CareArrangement.KINDERGARTEN_PUBLIC
PRIVATE = CareArrangement.KINDERGARTEN_PRIVATE
FULLDAY = CareArrangement.INFANT_FULLDAY


def month_after(birth: date, months: int) -> date:
    index = birth.year * 12 + birth.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def line(child: ChildCircumstances, month: date, allowance: Allowance):
    found = overview(child, month, BOOK).line(allowance)
    assert found is not None, allowance
    return found


def at(birth: date, months: int, allowance: Allowance, **facts):
    """The ``allowance`` line of the child born on ``birth`` in its month ``months`` of life."""
    return line(ChildCircumstances(birth, **facts), month_after(birth, months), allowance)


def sentences(found) -> str:
    return " ".join(str(e) for e in found.explanation)


# --- the tables ------------------------------------------------------------------------------


def test_the_tables_cover_2024_to_2026_with_the_same_figures():
    assert BOOK.years == (2024, 2025, 2026)
    tables = [BOOK.for_month(date(year, 6, 1)) for year in BOOK.years]
    for table in tables[1:]:
        assert table.childcare_fee == tables[0].childcare_fee
        assert table.parent_allowance == tables[0].parent_allowance
        assert table.home_care == tables[0].home_care
        assert table.child_allowance == tables[0].child_allowance
        assert dict(table.preschool.tuition) == dict(tables[0].preschool.tuition)
        assert dict(table.preschool.after_school) == dict(tables[0].preschool.after_school)
    # 2025 and 2026 carry the seed's figures until they are confirmed
    assert "home_care.general" not in tables[0].unconfirmed
    assert {"home_care.general", "child_allowance.bands"} <= tables[2].unconfirmed
    assert "parent_allowance.infant_fullday_voucher" in tables[0].unconfirmed


def test_a_month_without_a_table_is_a_field_error():
    with pytest.raises(ValidationFailed) as raised:
        overview(ChildCircumstances(date(2020, 1, 1)), date(2031, 1, 1), BOOK)
    assert raised.value.code == "no_allowance_year" and "month" in raised.value.fields


def test_a_child_not_born_yet_in_the_month_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        overview(ChildCircumstances(date(2026, 4, 1)), date(2026, 3, 1), BOOK)
    assert raised.value.code == "not_born_yet"


def test_a_broken_table_names_file_and_key(tmp_path: Path):
    text = (DATA / "2024.toml").read_text()
    overlapping = text.replace(
        "{ from_month = 12, to_month = 23, amount = 475000 }",
        "{ from_month = 11, to_month = 23, amount = 475000 }",
    )
    (tmp_path / "2024.toml").write_text(overlapping)
    with pytest.raises(TariffFileError, match=r"2024.toml: childcare_fee.bands: .*overlap"):
        AllowanceBook.from_directory(tmp_path)
    (tmp_path / "2024.toml").write_text(text.replace("payday = 25", "pay_day = 25"))
    with pytest.raises(TariffFileError, match=r"2024.toml: home_care.payday: missing"):
        load_allowance_table(tmp_path / "2024.toml")


# --- R-ALW-1: childcare fee support at a daycare centre --------------------------------------

BORN = date(2023, 1, 10)  # month 24 = January 2025, month 36 = January 2026


@pytest.mark.parametrize(
    ("months", "amount"),
    [
        (24, 394_000),  # age 2
        (35, 394_000),
        (36, 280_000),  # ages 3-5, from the 36th month
        (37, 280_000),
    ],
)
def test_r_alw_1_the_daycare_fee_by_age(months, amount):
    found = at(BORN, months, Allowance.CHILDCARE_FEE, care=DAYCARE)
    assert (found.voucher, found.cash) == (amount, 0)


def test_r_alw_1_ages_3_to_5_until_school_entry():
    born = date(2020, 6, 1)  # school in March 2027: still 280,000 in 2026
    assert at(born, 69, Allowance.CHILDCARE_FEE, care=DAYCARE).voucher == 280_000


@pytest.mark.parametrize(("months", "fee"), [(0, 540_000), (11, 540_000), (12, 475_000)])
def test_r_alw_1_ages_0_and_1_are_paid_through_the_parent_allowance_voucher(months, fee):
    born = date(2025, 2, 5)  # month 0 = Feb 2025, 11 = Jan 2026, 12 = Feb 2026
    month = month_after(born, months)
    found = overview(ChildCircumstances(born, care=DAYCARE), month, BOOK)
    assert found.line(Allowance.CHILDCARE_FEE).amount == 0  # counted once, in the voucher
    assert f"{fee}" in sentences(found.line(Allowance.CHILDCARE_FEE))
    assert found.line(Allowance.PARENT_ALLOWANCE).voucher == fee


@pytest.mark.parametrize(
    ("born", "months"),
    [
        (date(2024, 1, 1), 12),
        (date(2024, 1, 1), 30),
        (date(2014, 1, 1), 144),
        (date(2014, 1, 1), 155),
    ],
)
def test_r_alw_1_a_disabled_child_up_to_12_at_daycare(born, months):
    found = at(born, months, Allowance.CHILDCARE_FEE, care=DAYCARE, disabled=True)
    if months < 24:  # ages 0 and 1: inside the parent allowance's voucher
        assert found.amount == 0
        assert at(
            born, months, Allowance.PARENT_ALLOWANCE, care=DAYCARE, disabled=True
        ).voucher == (500_000)
    else:
        assert found.voucher == 587_000


def test_r_alw_1_a_disabled_child_of_13_gets_no_daycare_fee():
    found = at(date(2013, 1, 1), 156, Allowance.CHILDCARE_FEE, care=DAYCARE, disabled=True)
    assert found.amount == 0


def test_r_alw_1_only_at_a_daycare_centre():
    assert at(BORN, 30, Allowance.CHILDCARE_FEE, care=HOME).amount == 0


# --- R-ALW-2: preschool tuition and after-school ---------------------------------------------


@pytest.mark.parametrize(
    ("care", "tuition", "after_school"),
    [(PUBLIC, 100_000, 50_000), (PRIVATE, 280_000, 70_000)],
)
def test_r_alw_2_tuition_and_after_school_by_kind(care, tuition, after_school):
    month = month_after(BORN, 36)
    child = ChildCircumstances(BORN, care=care, after_school=True)
    found = overview(child, month, BOOK)
    assert found.line(Allowance.PRESCHOOL_TUITION).voucher == tuition
    assert found.line(Allowance.AFTER_SCHOOL).voucher == after_school
    assert found.total == tuition + after_school + 100_000  # and the child allowance


def test_r_alw_2_from_the_36th_month():
    assert at(BORN, 35, Allowance.PRESCHOOL_TUITION, care=PUBLIC).amount == 0
    assert at(BORN, 36, Allowance.PRESCHOOL_TUITION, care=PUBLIC).amount == 100_000


def test_r_alw_2_after_school_only_when_taken_and_only_shown_at_kindergarten():
    assert at(BORN, 40, Allowance.AFTER_SCHOOL, care=PRIVATE).amount == 0
    home = overview(ChildCircumstances(BORN), month_after(BORN, 40), BOOK)
    assert home.line(Allowance.AFTER_SCHOOL) is None


def test_r_alw_2_not_for_foreign_children_except_refugees():
    foreign = at(BORN, 40, Allowance.PRESCHOOL_TUITION, care=PUBLIC, korean_national=False)
    assert foreign.amount == 0 and "refugees excepted" in sentences(foreign)
    refugee = at(
        BORN, 40, Allowance.PRESCHOOL_TUITION, care=PUBLIC, korean_national=False, refugee=True
    )
    assert refugee.amount == 100_000


# --- R-ALW-3: parent allowance ---------------------------------------------------------------

INFANT = date(2023, 12, 5)  # month 1 = January 2024 (age 0), month 12 = December 2024 (age 1)


@pytest.mark.parametrize(
    ("months", "amount"), [(0, 1_000_000), (11, 1_000_000), (12, 500_000), (23, 500_000)]
)
def test_r_alw_3_in_cash_at_home(months, amount):
    born = date(2024, 3, 5)
    found = at(born, months, Allowance.PARENT_ALLOWANCE)
    assert (found.cash, found.voucher) == (amount, 0)


def test_r_alw_3_ends_at_the_24th_month_where_the_home_care_allowance_begins():
    assert at(BORN, 23, Allowance.PARENT_ALLOWANCE).amount == 500_000
    assert at(BORN, 23, Allowance.HOME_CARE).amount == 0
    assert at(BORN, 24, Allowance.PARENT_ALLOWANCE).amount == 0
    assert at(BORN, 24, Allowance.HOME_CARE).amount == 100_000


@pytest.mark.parametrize(
    ("care", "months", "voucher", "cash"),
    [
        (DAYCARE, 1, 540_000, 460_000),  # the age-0 daycare fee, the difference in cash
        (DAYCARE, 12, 475_000, 25_000),
        (FULLDAY, 1, 540_000, 460_000),  # unconfirmed: the daycare fee of the age
        (FULLDAY, 12, 475_000, 25_000),
    ],
)
def test_r_alw_3_a_voucher_at_daycare_or_in_full_day_care_and_the_difference_in_cash(
    care, months, voucher, cash
):
    found = at(INFANT, months, Allowance.PARENT_ALLOWANCE, care=care)
    assert (found.voucher, found.cash, found.amount) == (voucher, cash, voucher + cash)
    assert found.unconfirmed == (care is FULLDAY)


# --- R-ALW-4: home-care allowance ------------------------------------------------------------

SCHOOL_2026 = date(2019, 1, 10)  # month 84 = Jan 2026, 85 = Feb 2026 (school entry: March 2026)


@pytest.mark.parametrize(
    ("months", "general", "farming", "disabled"),
    [
        (24, 100_000, 156_000, 200_000),
        (35, 100_000, 156_000, 200_000),
        (36, 100_000, 129_000, 100_000),
        (47, 100_000, 129_000, 100_000),
        (48, 100_000, 100_000, 100_000),
    ],
)
def test_r_alw_4_amounts_by_age(months, general, farming, disabled):
    born = date(2022, 1, 10) if months >= 48 else BORN
    assert at(born, months, Allowance.HOME_CARE).cash == general
    assert at(born, months, Allowance.HOME_CARE, farming_fishing_area=True).cash == farming
    assert at(born, months, Allowance.HOME_CARE, disabled=True).cash == disabled
    both = at(born, months, Allowance.HOME_CARE, disabled=True, farming_fishing_area=True)
    assert both.cash == max(farming, disabled)  # the highest that applies


@pytest.mark.parametrize(("months", "amount"), [(84, 100_000), (85, 100_000), (86, 0)])
def test_r_alw_4_to_the_85th_month_and_february_of_the_school_year(months, amount):
    found = at(SCHOOL_2026, months, Allowance.HOME_CARE)
    assert found.cash == amount
    if not amount:
        assert "February of the year the child starts school" in sentences(found)


def test_r_alw_4_school_entry_can_come_before_the_85th_month():
    born = date(2018, 12, 1)  # school in March 2025: February 2025 is month 74
    assert at(born, 74, Allowance.HOME_CARE).cash == 100_000
    assert at(born, 75, Allowance.HOME_CARE).cash == 0


@pytest.mark.parametrize("care", [DAYCARE, PUBLIC, PRIVATE, FULLDAY])
def test_r_alw_4_not_at_daycare_kindergarten_or_full_day_care(care):
    assert at(BORN, 30, Allowance.HOME_CARE, care=care).amount == 0


def test_r_alw_4_not_for_foreign_children_except_refugees():
    assert at(BORN, 30, Allowance.HOME_CARE, korean_national=False).amount == 0
    assert at(BORN, 30, Allowance.HOME_CARE, korean_national=False, refugee=True).cash == 100_000


def test_r_alw_4_from_the_month_of_the_application():
    applied = date(2025, 3, 20)
    assert at(BORN, 25, Allowance.HOME_CARE, home_care_applied_on=applied).cash == 0  # Feb
    assert at(BORN, 26, Allowance.HOME_CARE, home_care_applied_on=applied).cash == 100_000


@pytest.mark.parametrize(
    ("month", "paid"),
    [
        (date(2026, 3, 1), date(2026, 3, 25)),  # a Wednesday
        (date(2025, 1, 1), date(2025, 1, 24)),  # the 25th a Saturday: Friday
        (date(2026, 1, 1), date(2026, 1, 23)),  # the 25th a Sunday: Friday
        (date(2025, 12, 1), date(2025, 12, 24)),  # Christmas (Thursday): the Wednesday
        (date(2026, 9, 1), date(2026, 9, 23)),  # Chuseok on the 24th and 25th: the 23rd
    ],
)
def test_r_alw_4_paid_on_the_25th_or_the_working_day_before(month, paid):
    assert payday(month, 25) == paid
    born = date(month.year - 3, 1, 1)
    found = line(ChildCircumstances(born), month, Allowance.HOME_CARE)
    assert found.payday == paid


@pytest.mark.parametrize(
    ("moved_on", "payer", "district"),
    [(date(2026, 3, 15), Payer.NEW, "26110"), (date(2026, 3, 16), Payer.PREVIOUS, "11680")],
)
def test_r_alw_4_moving_by_the_15th_the_new_district_pays_from_the_16th_the_old(
    moved_on, payer, district
):
    child = ChildCircumstances(
        date(2023, 1, 1), moves=(DistrictMove(moved_on, "11680", "26110"),), district="26110"
    )
    found = line(child, date(2026, 3, 1), Allowance.HOME_CARE)
    assert (found.payer, found.paying_district) == (payer, district)
    before = line(child, date(2026, 2, 1), Allowance.HOME_CARE)
    after = line(child, date(2026, 4, 1), Allowance.HOME_CARE)
    assert (before.paying_district, before.payer) == ("11680", None)
    assert (after.paying_district, after.payer) == ("26110", None)


# --- R-ALW-5: child allowance ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "months", "amount"),
    [(date(2026, 2, 1), 0, 100_000), (SCHOOL_2026, 83, 100_000), (SCHOOL_2026, 84, 0)],
)
def test_r_alw_5_from_birth_to_the_83rd_month(born, months, amount):
    assert at(born, months, Allowance.CHILD_ALLOWANCE).cash == amount


@pytest.mark.parametrize(
    ("applied_on", "january", "march"),
    [
        (date(2026, 3, 11), 100_000, 100_000),  # day 60 after birth: from the month of birth
        (date(2026, 3, 12), 0, 100_000),  # day 61: from the month of the application
    ],
)
def test_r_alw_5_applied_within_60_days_it_is_paid_from_the_month_of_birth(
    applied_on, january, march
):
    child = ChildCircumstances(date(2026, 1, 10), child_allowance_applied_on=applied_on)
    assert line(child, date(2026, 1, 1), Allowance.CHILD_ALLOWANCE).cash == january
    assert line(child, date(2026, 2, 1), Allowance.CHILD_ALLOWANCE).cash == january
    assert line(child, date(2026, 3, 1), Allowance.CHILD_ALLOWANCE).cash == march


def test_r_alw_5_stops_after_90_days_abroad_until_the_month_of_return():
    left = date(2026, 1, 10)  # the 90th day abroad: 10 April
    child = ChildCircumstances(date(2024, 5, 1))

    def paid(stay: AbroadStay, month: date) -> int:
        return line(replace(child, stays_abroad=(stay,)), month, Allowance.CHILD_ALLOWANCE).cash

    back_on_day_90 = AbroadStay(left, date(2026, 4, 10))
    assert [paid(back_on_day_90, date(2026, m, 1)) for m in (3, 4, 5)] == [100_000] * 3
    still_abroad = AbroadStay(left)
    assert [paid(still_abroad, date(2026, m, 1)) for m in (4, 5, 6)] == [100_000, 0, 0]
    back_in_june = AbroadStay(left, date(2026, 6, 20))
    assert [paid(back_in_june, date(2026, m, 1)) for m in (4, 5, 6)] == [100_000, 0, 100_000]


# --- the overview as a whole -----------------------------------------------------------------


def test_a_two_year_old_at_home_in_a_farming_area_gets_home_care_and_child_allowance():
    found = overview(
        ChildCircumstances(BORN, farming_fishing_area=True), month_after(BORN, 26), BOOK
    )
    assert [(line.allowance, line.amount) for line in found.lines] == [
        (Allowance.CHILDCARE_FEE, 0),
        (Allowance.PRESCHOOL_TUITION, 0),
        (Allowance.PARENT_ALLOWANCE, 0),
        (Allowance.HOME_CARE, 156_000),
        (Allowance.CHILD_ALLOWANCE, 100_000),
    ]
    assert (found.total, found.cash, found.voucher, found.months_old) == (256_000, 256_000, 0, 26)
    assert all(line.cash + line.voucher == line.amount for line in found.lines)
