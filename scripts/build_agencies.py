"""Build ``booking/data/agencies.csv`` from ``booking/data/regions.csv``.

The service works with 231 provider agencies (아이돌봄 서비스제공기관), spread over the
country in proportion to resident population. The file is generated, not hand-written,
so that it stays consistent with the region table and can be rebuilt after that table
changes. The method, step by step:

1. **Agencies per province.** Each province's exact share is ``231 * population / total``.
   Every province first gets the whole part of its share, but at least one agency; the
   agencies still left go one each to the provinces with the largest fractional remainders
   (largest-remainder / Hamilton method; ties go to the lower province code). Every count
   is thus within one of its exact share.
2. **Agencies per district, within a province.** Agencies go to the most populous districts
   first: while agencies remain, each district in descending order of population gets one.
   If a province has more agencies than districts, the extra ones go one at a time to the
   district with the largest ``population / (agencies + 1)`` (highest averages, D'Hondt),
   so large districts get a second or third agency.
3. **Districts served.** Every agency serves its home district. A district without an
   agency of its own is served by the nearest agency of the same province, measured by
   great-circle distance between district centre points; among agencies in the same
   district the one with the lowest code is taken.
4. **Names and contact details.** Names follow the style of the real operators
   ("종로구가족센터", "수원시 장안구 가족센터"); a district with several agencies gets
   differently named ones. Phone numbers use the province's area code and addresses a
   plausible road in the home district; both are derived from a hash of the agency code,
   so the output is the same on every run. They are illustrative, not real contacts.

Run from the repository root (standard library only)::

    python scripts/build_agencies.py [--regions PATH] [--output PATH]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

AGENCY_TOTAL = 231
REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "booking" / "data"

FIELDNAMES = [
    "code",
    "name_ko",
    "name_en",
    "home_district",
    "served_districts",
    "phone",
    "address_ko",
]

# Telephone area codes (지역번호) by province code.
AREA_CODES = {
    "11": "02",
    "26": "051",
    "27": "053",
    "28": "032",
    "29": "062",
    "30": "042",
    "31": "052",
    "36": "044",
    "41": "031",
    "43": "043",
    "44": "041",
    "46": "061",
    "47": "054",
    "48": "055",
    "50": "064",
    "51": "033",
    "52": "063",
}

# Name styles for the 1st, 2nd, ... agency of one district: (Korean suffix, English suffix).
NAME_STYLES = [
    ("가족센터", "Family Center"),
    ("아이돌봄지원센터", "Child Care Support Center"),
    ("YWCA 아이돌봄센터", "YWCA Child Care Center"),
    ("종합사회복지관 아이돌봄센터", "Community Welfare Center Child Care"),
    ("가족센터 분소", "Family Center Branch Office"),
]

# Roads for districts whose name stem is a single syllable (중구, 동구, ...).
SHORT_STEM_ROADS = {"중": "중앙로", "동": "동부로", "서": "서부로", "남": "남부로", "북": "북부로"}


@dataclass(frozen=True)
class Province:
    code: str
    name_ko: str
    population: int


@dataclass(frozen=True)
class District:
    code: str
    province_code: str
    name_ko: str
    name_en: str
    lat: float
    lon: float
    population: int


@dataclass
class Agency:
    code: str
    district: District
    ordinal: int  # 1 for the first agency in its home district, 2 for the second, ...
    served: list[str] = field(default_factory=list)


def read_regions(path: Path) -> tuple[list[Province], list[District]]:
    provinces: list[Province] = []
    districts: list[District] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "province":
                provinces.append(Province(row["code"], row["name_ko"], int(row["population"])))
            elif row["level"] == "district":
                districts.append(
                    District(
                        code=row["code"],
                        province_code=row["parent_code"],
                        name_ko=row["name_ko"],
                        name_en=row["name_en"],
                        lat=float(row["lat"]),
                        lon=float(row["lon"]),
                        population=int(row["population"]),
                    )
                )
            else:
                raise ValueError(f"unknown level {row['level']!r} in {path}")
    return provinces, districts


def largest_remainder(populations: dict[str, int], total: int) -> dict[str, int]:
    """Split ``total`` seats in proportion to ``populations``, at least one seat each."""
    whole = sum(populations.values())
    quotas = {key: total * pop / whole for key, pop in populations.items()}
    seats = {key: max(1, math.floor(q)) for key, q in quotas.items()}
    left = total - sum(seats.values())
    if left < 0:
        raise ValueError("more provinces than agencies")
    by_remainder = sorted(quotas, key=lambda key: (-(quotas[key] - math.floor(quotas[key])), key))
    for key in by_remainder[:left]:
        seats[key] += 1
    return seats


def agencies_per_district(districts: list[District], count: int) -> dict[str, int]:
    """Give ``count`` agencies to the districts of one province, most populous first."""
    ranked = sorted(districts, key=lambda d: (-d.population, d.code))
    seats = {d.code: 0 for d in districts}
    for district in ranked[:count]:
        seats[district.code] = 1
    for _ in range(count - len(ranked)):
        best = max(ranked, key=lambda d: (d.population / (seats[d.code] + 1), -int(d.code)))
        seats[best.code] += 1
    return seats


def distance_km(a: District, b: District) -> float:
    """Great-circle distance between two district centre points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def build_agencies(provinces: list[Province], districts: list[District]) -> list[Agency]:
    by_province: dict[str, list[District]] = {p.code: [] for p in provinces}
    for district in districts:
        by_province[district.province_code].append(district)
    shares = largest_remainder(
        {p.code: sum(d.population for d in by_province[p.code]) for p in provinces},
        AGENCY_TOTAL,
    )

    agencies: list[Agency] = []
    for province in sorted(provinces, key=lambda p: p.code):
        members = sorted(by_province[province.code], key=lambda d: d.code)
        seats = agencies_per_district(members, shares[province.code])
        first_agency: dict[str, Agency] = {}
        for district in members:
            for ordinal in range(1, seats[district.code] + 1):
                agency = Agency(f"AG{len(agencies) + 1:03d}", district, ordinal, [district.code])
                agencies.append(agency)
                first_agency.setdefault(district.code, agency)
        hosts = [d for d in members if seats[d.code]]
        for district in members:
            if seats[district.code]:
                continue
            nearest = min(hosts, key=lambda h, d=district: (distance_km(d, h), h.code))
            first_agency[nearest.code].served.append(district.code)
    for agency in agencies:
        agency.served.sort()
    return agencies


def _digits(agency_code: str, salt: str) -> int:
    digest = hashlib.sha256(f"{agency_code}:{salt}".encode()).hexdigest()
    return int(digest[:12], 16)


def agency_name(agency: Agency) -> tuple[str, str]:
    district = agency.district
    suffix_ko, suffix_en = NAME_STYLES[(agency.ordinal - 1) % len(NAME_STYLES)]
    if agency.ordinal > len(NAME_STYLES):
        suffix_ko = f"제{agency.ordinal} {suffix_ko}"
        suffix_en = f"{suffix_en} No. {agency.ordinal}"
    # "종로구가족센터", but "수원시 장안구 가족센터" for a two-part name
    joiner = " " if (" " in district.name_ko or suffix_ko[0].isascii()) else ""
    name_ko = f"{district.name_ko}{joiner}{suffix_ko}"
    # "Jung-gu, Busan" reads better as "Busan Jung-gu" inside a name
    base_en, _, city = district.name_en.partition(", ")
    name_en = f"{city} {base_en}" if city else base_en
    return name_ko, f"{name_en} {suffix_en}"


def phone_number(agency: Agency) -> str:
    area = AREA_CODES[agency.district.province_code]
    n = _digits(agency.code, "phone")
    exchange = 200 + n % 800  # local exchanges start at 2
    line = (n // 1000) % 10000
    if area == "02":
        return f"{area}-{2000 + n % 8000}-{line:04d}"
    return f"{area}-{exchange}-{line:04d}"


def road_name(district: District) -> str:
    last = district.name_ko.split()[-1]
    if district.code == "36110":  # 세종특별자치시: the city's main boulevard
        return "한누리대로"
    stem = last[:-1]
    if len(stem) == 1:
        return SHORT_STEM_ROADS.get(stem, f"{stem}로")
    return stem if stem.endswith("로") else f"{stem}로"


def address(agency: Agency, province_names: dict[str, str]) -> str:
    district = agency.district
    n = _digits(agency.code, "address")
    number = 10 + n % 290
    floor = 2 + (n // 290) % 4
    province = province_names[district.province_code]
    place = district.name_ko if district.code == "36110" else f"{province} {district.name_ko}"
    return f"{place} {road_name(district)} {number}, {floor}층"


def write_agencies(agencies: list[Agency], provinces: list[Province], path: Path) -> None:
    province_names = {p.code: p.name_ko for p in provinces}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FIELDNAMES)
        for agency in agencies:
            name_ko, name_en = agency_name(agency)
            writer.writerow(
                [
                    agency.code,
                    name_ko,
                    name_en,
                    agency.district.code,
                    ";".join(agency.served),
                    phone_number(agency),
                    address(agency, province_names),
                ]
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=Path, default=DATA_DIR / "regions.csv")
    parser.add_argument("--output", type=Path, default=DATA_DIR / "agencies.csv")
    args = parser.parse_args(argv)

    provinces, districts = read_regions(args.regions)
    agencies = build_agencies(provinces, districts)
    if len(agencies) != AGENCY_TOTAL:
        raise SystemExit(f"built {len(agencies)} agencies, expected {AGENCY_TOTAL}")
    write_agencies(agencies, provinces, args.output)
    served = {code for agency in agencies for code in agency.served}
    print(
        f"wrote {len(agencies)} agencies to {args.output} "
        f"({len(served)} of {len(districts)} districts served)"
    )


if __name__ == "__main__":
    main()
