"""Checks on the shipped reference data: booking/data/regions.csv and agencies.csv."""

from __future__ import annotations

import csv
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parents[2] / "booking" / "data"
AGENCY_TOTAL = 231
REGION_COLUMNS = ["level", "code", "parent_code", "name_ko", "name_en", "lat", "lon", "population"]
AGENCY_COLUMNS = [
    "code",
    "name_ko",
    "name_en",
    "home_district",
    "served_districts",
    "phone",
    "address_ko",
]

PROVINCE_CODES = {
    "11", "26", "27", "28", "29", "30", "31", "36",
    "41", "43", "44", "46", "47", "48", "50", "51", "52",
}  # fmt: skip


@cache
def _read(name: str) -> tuple[dict[str, str], ...]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def provinces() -> list[dict[str, str]]:
    return [row for row in _read("regions.csv") if row["level"] == "province"]


def districts() -> list[dict[str, str]]:
    return [row for row in _read("regions.csv") if row["level"] == "district"]


def agencies() -> tuple[dict[str, str], ...]:
    return _read("agencies.csv")


def test_region_columns() -> None:
    with (DATA_DIR / "regions.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == REGION_COLUMNS
    assert {row["level"] for row in _read("regions.csv")} == {"province", "district"}


def test_seventeen_provinces_with_standard_codes() -> None:
    rows = provinces()
    assert len(rows) == 17
    assert {row["code"] for row in rows} == PROVINCE_CODES
    assert all(row["parent_code"] == "" for row in rows)


def test_district_count() -> None:
    assert 229 <= len(districts()) <= 260


def test_codes_unique_and_well_formed() -> None:
    codes = [row["code"] for row in _read("regions.csv")]
    assert len(codes) == len(set(codes))
    for row in districts():
        assert len(row["code"]) == 5 and row["code"].isdigit(), row
        assert row["code"][:2] == row["parent_code"], row
        assert row["parent_code"] in PROVINCE_CODES, row


def test_every_province_has_districts() -> None:
    assert {row["parent_code"] for row in districts()} == PROVINCE_CODES


@pytest.mark.parametrize(
    ("code", "name_ko"),
    [
        ("11110", "종로구"),
        ("26110", "중구"),
        ("41111", "수원시 장안구"),
        ("36110", "세종특별자치시"),
        ("50110", "제주시"),
        ("50130", "서귀포시"),
        ("51110", "춘천시"),
        ("52111", "전주시 완산구"),
        ("27720", "군위군"),
    ],
)
def test_known_district_codes(code: str, name_ko: str) -> None:
    by_code = {row["code"]: row for row in districts()}
    assert by_code[code]["name_ko"] == name_ko


def test_known_province_names() -> None:
    by_code = {row["code"]: row["name_ko"] for row in provinces()}
    assert by_code["11"] == "서울특별시"
    assert by_code["51"] == "강원특별자치도"
    assert by_code["52"] == "전북특별자치도"


def test_names_present_and_unambiguous_in_english() -> None:
    rows = districts()
    assert all(row["name_ko"] and row["name_en"] for row in rows)
    english = [row["name_en"] for row in rows]
    assert len(english) == len(set(english)), Counter(english).most_common(3)


def test_centre_points_inside_korea() -> None:
    for row in _read("regions.csv"):
        assert 33.0 <= float(row["lat"]) <= 39.0, row
        assert 124.0 <= float(row["lon"]) <= 132.0, row


def test_province_population_is_sum_of_districts() -> None:
    totals = Counter()
    for row in districts():
        assert int(row["population"]) > 0, row
        totals[row["parent_code"]] += int(row["population"])
    for row in provinces():
        assert int(row["population"]) == totals[row["code"]], row


def test_agency_columns_and_codes() -> None:
    with (DATA_DIR / "agencies.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == AGENCY_COLUMNS
    rows = agencies()
    assert len(rows) == AGENCY_TOTAL
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == AGENCY_TOTAL
    assert set(codes) == {f"AG{n:03d}" for n in range(1, AGENCY_TOTAL + 1)}
    assert all(row["name_ko"] and row["name_en"] and row["address_ko"] for row in rows)
    assert all(row["phone"].startswith("0") for row in rows)


def test_agency_districts_exist_and_include_home() -> None:
    known = {row["code"]: row["parent_code"] for row in districts()}
    for row in agencies():
        served = row["served_districts"].split(";")
        assert row["home_district"] in known, row
        assert row["home_district"] in served, row
        for code in served:
            assert code in known, row
            assert known[code] == known[row["home_district"]], row


def test_every_district_is_served() -> None:
    served = {code for row in agencies() for code in row["served_districts"].split(";")}
    missing = {row["code"] for row in districts()} - served
    assert not missing


def test_agencies_per_province_proportional_to_population() -> None:
    population = {row["code"]: int(row["population"]) for row in provinces()}
    total = sum(population.values())
    counts = Counter(row["home_district"][:2] for row in agencies())
    for code, pop in population.items():
        exact = AGENCY_TOTAL * pop / total
        assert counts[code] >= 1, code
        assert abs(counts[code] - exact) <= 1, (code, counts[code], exact)
