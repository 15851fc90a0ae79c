"""The shipped regions and agencies load into the database, and loading again changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from booking.agencies import Agency, agencies_serving, agency_districts
from booking.geography import CommunityCentre, District, Province
from booking.reference_data import load_reference_data


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_reference_data_is_loaded_once_and_reloads_idempotently(session):
    before = (
        count(session, Province),
        count(session, District),
        count(session, Agency),
        count(session, agency_districts),
    )
    assert before[0] == 17
    assert 229 <= before[1] <= 260
    assert before[2] == 231
    report = load_reference_data(session)
    after = (
        count(session, Province),
        count(session, District),
        count(session, Agency),
        count(session, agency_districts),
    )
    assert after == before
    assert report.agencies == 231
    assert count(session, CommunityCentre) == before[1]  # one centre per district


def test_every_district_is_served_by_an_agency(session):
    unserved = session.scalars(
        select(District.code).where(~District.code.in_(select(agency_districts.c.district_code)))
    ).all()
    assert unserved == []
    assert [a.code for a in agencies_serving(session, "11680")] == ["AG035", "AG036", "AG037"]


def test_district_distances_are_plausible(session):
    seoul_jongno = session.get(District, "11110")
    busan_jung = session.get(District, "26110")
    assert (
        300 < seoul_jongno.distance_km(busan_jung) < 350
    )  # Seoul–Busan is about 325 km as the crow flies
