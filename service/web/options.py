"""Choice lists for forms, in the current language."""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import select

from booking.agencies import agency_districts
from booking.geography import District, Province

from ..extensions import db


def district_label(district: District, province: Province | None = None) -> str:
    korean = str(get_locale()) == "ko"
    name = district.name_ko if korean else district.name_en
    if province is None:
        return name
    return f"{province.name_ko if korean else province.name_en} · {name}"


def district_options(agency_id: int | None = None) -> list[tuple[str, str]]:
    query = select(District, Province).join(Province).order_by(District.code)
    if agency_id is not None:
        query = query.join(
            agency_districts, agency_districts.c.district_code == District.code
        ).where(agency_districts.c.agency_id == agency_id)
    return [
        (district.code, district_label(district, province))
        for district, province in db.session.execute(query)
    ]
