"""The demo country: deterministic for a seed, every role can log in, agencies all staffed."""

from __future__ import annotations

from sqlalchemy import func, select

from booking.caregivers import Caregiver
from booking.households import Child, Household
from service.accounts.models import User
from service.demo_data import DEMO_LOGINS, DEMO_PASSWORD, SCALES, apportion, build_demo_data


def snapshot(session):
    return (
        session.scalar(select(func.count()).select_from(Household)),
        session.scalar(select(func.count()).select_from(Caregiver)),
        session.execute(select(Child.name, Child.birth_date).order_by(Child.id).limit(50)).all(),
        session.execute(
            select(Caregiver.name, Caregiver.agency_id).order_by(Caregiver.id).limit(50)
        ).all(),
    )


def test_demo_data_is_deterministic_and_complete(session, clock):
    counts = build_demo_data(session, scale=SCALES["tiny"], seed=7, clock=clock)
    assert counts == {"caregivers": 462, "households": 500, "accounts": len(DEMO_LOGINS)}
    first = snapshot(session)
    staffed = session.scalar(select(func.count(func.distinct(Caregiver.agency_id))))
    assert staffed == 231
    ages = {child.birth_date.year for child in session.scalars(select(Child))}
    assert min(ages) <= 2014 and max(ages) >= 2025  # babies to twelve-year-olds
    session.rollback()
    build_demo_data(session, scale=SCALES["tiny"], seed=7, clock=clock)
    assert snapshot(session) == first


def test_demo_logins_work_for_every_role(client, session, clock):
    build_demo_data(session, scale=SCALES["tiny"], seed=1, clock=clock)
    session.commit()
    for login in DEMO_LOGINS:
        response = client.post(
            "/api/v1/auth/token", json={"email": login.email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 201
        assert response.json["user"]["role"] == login.role.value
    assert session.scalar(select(User.locale).where(User.email == "parent.kk@dolbom.kr")) == "kk"


def test_apportion_keeps_the_total():
    assert apportion(231, [9362, 3267, 13600]) == [82, 29, 120]
    assert sum(apportion(30_000, [1, 2, 3, 4, 5])) == 30_000
