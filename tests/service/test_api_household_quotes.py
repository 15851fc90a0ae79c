"""POST /api/v1/household/quotes: children by id, tier and groups from the household's decision."""

from __future__ import annotations

from datetime import date

from service.accounts.models import User
from tests.factories import ChildFactory, HouseholdFactory, OfficerFactory, parent_of
from tests.helpers import bearer, error_code
from vouchers.tier_decisions import TierDecision


def test_the_households_decision_sets_the_tier(client, session):
    household = HouseholdFactory()
    child = ChildFactory(household=household, birth_date=date(2021, 5, 1))
    foreign = ChildFactory(household=household, birth_date=date(2019, 1, 1), korean_national=False)
    user = session.get(User, parent_of(household).user_id)
    headers = bearer(client, user)
    payload = {
        "service": "basic",
        "start": "2026-03-03T09:00:00+09:00",
        "end": "2026-03-03T11:00:00+09:00",
        "child_ids": [child.id],
    }

    without = client.post("/api/v1/household/quotes", json=payload, headers=headers).json
    assert (without["total"], without["government"]) == (25580, 0)  # no decision: full price

    session.add(
        TierDecision(
            household_id=household.id,
            tier="ga",
            suggested_tier="ga",
            groups=[],
            valid_from=date(2026, 3, 2),
            valid_until=date(2026, 12, 31),
            effective_until=date(2026, 12, 31),
            inputs={},
            reason="",
            decided_by_user_id=OfficerFactory().id,
            decided_at=user.created_at,
        )
    )
    session.commit()
    supported = client.post("/api/v1/household/quotes", json=payload, headers=headers).json
    assert (supported["total"], supported["government"], supported["parent"]) == (
        25580,
        21744,
        3836,
    )

    # R-SVC-2: a child without Korean nationality is charged in full, even with a tier
    both = client.post(
        "/api/v1/household/quotes",
        json={**payload, "child_ids": [child.id, foreign.id]},
        headers=headers,
    ).json
    foreign_lines = [line for line in both["lines"] if line["child"] == 1]
    assert foreign_lines and all(line["government"] == 0 for line in foreign_lines)


def test_children_of_other_households_and_other_roles_are_refused(client, session):
    mine, theirs = HouseholdFactory(), HouseholdFactory()
    ChildFactory(household=mine)
    their_child = ChildFactory(household=theirs)
    headers = bearer(client, session.get(User, parent_of(mine).user_id))
    payload = {
        "service": "basic",
        "start": "2026-03-03T09:00:00+09:00",
        "end": "2026-03-03T11:00:00+09:00",
        "child_ids": [their_child.id],
    }
    refused = client.post("/api/v1/household/quotes", json=payload, headers=headers)
    assert refused.status_code == 422 and error_code(refused) == "unknown_child"
    officer = bearer(client, OfficerFactory())
    assert client.post("/api/v1/household/quotes", json=payload, headers=officer).status_code == 404
    assert client.post("/api/v1/household/quotes", json=payload).status_code == 401
