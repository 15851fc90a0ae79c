"""Loading the shipped reference data: regions (시·도, 시·군·구) and the 231 provider agencies."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .agencies import Agency, agency_districts
from .geography import CommunityCentre, District, Province

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LoadReport:
    provinces: int
    districts: int
    agencies: int
    community_centres: int


def load_reference_data(session: Session, data_dir: Path = DATA_DIR) -> LoadReport:
    """Insert or update regions and agencies from the CSV files; safe to run again."""
    provinces, districts = _load_regions(session, data_dir / "regions.csv")
    centres = _ensure_community_centres(session)
    agencies = _load_agencies(session, data_dir / "agencies.csv")
    session.flush()
    return LoadReport(provinces, districts, agencies, centres)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _micro_degrees(value: str) -> int:
    return int(Decimal(value) * 1_000_000)


def _load_regions(session: Session, path: Path) -> tuple[int, int]:
    rows = list(_rows(path))
    provinces = {p.code: p for p in session.scalars(select(Province))}
    districts = {d.code: d for d in session.scalars(select(District))}
    for row in rows:
        if row["level"] != "province":
            continue
        province = provinces.get(row["code"]) or Province(code=row["code"])
        province.name_ko, province.name_en = row["name_ko"], row["name_en"]
        session.add(province)
    session.flush()
    count = 0
    for row in rows:
        if row["level"] != "district":
            continue
        district = districts.get(row["code"]) or District(code=row["code"])
        district.province_code = row["parent_code"]
        district.name_ko, district.name_en = row["name_ko"], row["name_en"]
        district.lat_e6, district.lon_e6 = _micro_degrees(row["lat"]), _micro_degrees(row["lon"])
        district.population = int(row["population"])
        session.add(district)
        count += 1
    session.flush()
    return sum(1 for r in rows if r["level"] == "province"), count


def _ensure_community_centres(session: Session) -> int:
    """One community centre per district, named after it, where none was recorded yet."""
    with_centre = set(session.scalars(select(CommunityCentre.district_code)))
    for district in session.scalars(select(District).order_by(District.code)):
        if district.code not in with_centre:
            session.add(
                CommunityCentre(
                    district_code=district.code,
                    name_ko=f"{district.name_ko} 행정복지센터",
                    name_en=f"{district.name_en} Community Centre",
                )
            )
    session.flush()
    return len(list(session.scalars(select(CommunityCentre.id))))


def _load_agencies(session: Session, path: Path) -> int:
    existing = {a.code: a for a in session.scalars(select(Agency))}
    rows = list(_rows(path))
    for row in rows:
        agency = existing.get(row["code"]) or Agency(code=row["code"])
        agency.name_ko, agency.name_en = row["name_ko"], row["name_en"]
        agency.home_district_code = row["home_district"]
        agency.phone, agency.address_ko = row["phone"], row["address_ko"]
        session.add(agency)
        existing[row["code"]] = agency
    session.flush()
    session.execute(delete(agency_districts))
    links = [
        {"agency_id": existing[row["code"]].id, "district_code": code}
        for row in rows
        for code in dict.fromkeys(row["served_districts"].split(";"))
        if code
    ]
    if links:
        session.execute(insert(agency_districts), links)
    return len(rows)
