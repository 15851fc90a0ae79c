"""Support applications and tier decisions (R-SUP-1..3, R-SUP-12, R-BK-2), on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.errors import Conflict, NotFound, ValidationFailed
from core.outbox import Notification
from service.documents import FileDocumentStore
from tests.factories import ChildFactory, HouseholdFactory, OfficerFactory, parent_of
from vouchers import support_applications as apps
from vouchers import tier_decisions as decisions
from vouchers.support_applications import ApplicationForm, CareGap, Earner, Insurance, Upload
from vouchers.tariffs import Tier, default_tariff_book

PDF = b"%PDF-1.7\n% a payslip\n"
TARIFFS = default_tariff_book()


@pytest.fixture
def store(tmp_path):
    return FileDocumentStore(tmp_path)


@pytest.fixture
def family(session):
    household = HouseholdFactory(district_code="11680", household_size=4)
    ChildFactory(household=household, birth_date=date(2021, 5, 1))
    ChildFactory(household=household, birth_date=date(2024, 9, 1))
    return household


def couple(incomes=(3_300_000, 700_000), **changes) -> ApplicationForm:
    base = {
        "household_size": 4,
        "earners": tuple(
            Earner(f"Earner {i}", income, Insurance.WORKPLACE) for i, income in enumerate(incomes)
        ),
        "care_gaps": frozenset({CareGap.DUAL_EARNER}),
        "groups": frozenset(),
        "child_ids": (),
        "documents": (Upload("payslip.pdf", PDF),),
    }
    return ApplicationForm(**{**base, **changes})


def apply(session, household, store, clock, **changes):
    form = couple(**{"child_ids": tuple(c.id for c in household.children), **changes})
    return apps.submit_application(session, parent_of(household), form, store=store, clock=clock)


def test_a_couple_applies_online_and_the_officer_sees_it_with_days_left(
    session, family, store, clock
):
    application = apply(session, family, store, clock)
    assert application.channel == "online" and application.status == "submitted"
    assert application.deadline == date(2026, 3, 16)  # 14 days after 2 March
    document = application.documents[0]
    assert document.content_type == "application/pdf" and store.load(document.storage_key) == PDF
    officer = OfficerFactory(district_code="11680").actor
    queue = apps.open_applications(session, officer)
    assert queue == [application]
    assert application.days_left(date(2026, 3, 2)) == 14
    assert apps.open_applications(session, OfficerFactory(district_code="26110").actor) == []
    notes = session.scalars(
        select(Notification.kind).where(Notification.user_id == family.applicant_user_id)
    ).all()
    assert notes == ["application_received"]


def test_the_suggestion_shows_the_working_2024_dual_earner_example(session, family, store, clock):
    # R-SUP-2: 3,300,000 + 700,000 → reduction min(25% × 4,000,000, 700,000) = 700,000
    # income 3,300,000 for 4 persons; 2024 thresholds: ga 4,298,000 → tier ga
    application = apply(session, family, store, clock)
    suggestion = decisions.suggest(application, TARIFFS, date(2024, 6, 1))
    assert suggestion.reduction == 700_000
    assert suggestion.income == 3_300_000
    assert suggestion.median == 5_729_913
    assert suggestion.thresholds == {
        "ga": 4_298_000,
        "na": 6_876_000,
        "da": 8_595_000,
        "ra": None,
        "ma": None,
    }
    assert suggestion.percent_of_median_x10 == 575  # 3,300,000 / 5,729,913 = 57.5%
    assert (suggestion.income_tier, suggestion.care_gap, suggestion.tier) == ("ga", True, "ga")


def test_no_care_gap_suggests_full_price(session, family, store, clock):
    application = apply(
        session,
        family,
        store,
        clock,
        care_gaps=frozenset({CareGap.MULTICULTURAL}),
        earners=(Earner("A", 2_000_000, Insurance.WORKPLACE), Earner("B", 0, Insurance.WORKPLACE)),
    )
    suggestion = decisions.suggest(application, TARIFFS, date(2026, 3, 2))
    assert suggestion.care_gap is True  # two children aged 12 or under: the ground holds
    single_child = HouseholdFactory(district_code="11680")
    ChildFactory(household=single_child)
    other = apply(session, single_child, store, clock, care_gaps=frozenset({CareGap.MULTI_CHILD}))
    verdict = decisions.suggest(other, TARIFFS, date(2026, 3, 2))
    assert verdict.care_gap is False and verdict.tier == "none"
    assert verdict.care_gap_notes


def test_online_is_only_for_workplace_insured_couples_and_single_parents(
    session, family, store, clock
):
    regional = (
        Earner("A", 3_000_000, Insurance.WORKPLACE),
        Earner("B", 1_000_000, Insurance.REGIONAL),
    )
    with pytest.raises(ValidationFailed) as caught:
        apply(session, family, store, clock, earners=regional)
    assert caught.value.code == "apply_in_person"
    single = apply(
        session,
        family,
        store,
        clock,
        earners=(Earner("A", 2_500_000, Insurance.WORKPLACE),),
        care_gaps=frozenset({CareGap.SINGLE_PARENT}),
    )
    assert single.channel == "online"


def test_an_officer_records_an_in_person_application_for_their_district_only(
    session, family, store, clock
):
    form = couple(
        child_ids=tuple(c.id for c in family.children),
        earners=(Earner("A", 3_000_000, Insurance.REGIONAL), Earner("B", 0, Insurance.NONE)),
    )
    officer = OfficerFactory(district_code="11680").actor
    application = apps.submit_application(
        session, officer, form, store=store, clock=clock, household_id=family.id
    )
    assert application.channel == "in_person"
    with pytest.raises(NotFound):
        apps.submit_application(
            session,
            OfficerFactory(district_code="26110").actor,
            form,
            store=store,
            clock=clock,
            household_id=family.id,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "earners": (
                    Earner("A", -1, Insurance.WORKPLACE),
                    Earner("B", 0, Insurance.WORKPLACE),
                )
            },
            "earners.0.monthly_income",
        ),
        ({"household_size": 2}, "household_size"),
        ({"child_ids": (999_999,)}, "child_ids"),
        ({"child_ids": ()}, "child_ids"),
        ({"documents": (Upload("cv.exe", b"MZ\x90\x00"),)}, "documents.0"),
        ({"documents": (Upload("big.pdf", PDF + b"0" * (5 * 1024 * 1024)),)}, "documents.0"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_stored(
    session, family, store, clock, tmp_path, changes, field
):
    with pytest.raises(ValidationFailed) as caught:
        apply(session, family, store, clock, **changes)
    assert field in caught.value.fields
    assert session.scalar(select(func.count()).select_from(apps.SupportApplication)) == 0
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_one_open_application_per_household(session, family, store, clock):
    apply(session, family, store, clock)
    with pytest.raises(Conflict) as caught:
        apply(session, family, store, clock)
    assert caught.value.code == "application_open"


def test_deciding_makes_a_full_member_and_notifies_in_the_audit_trail(
    session, family, store, clock
):
    family.member_state = "web_member"
    application = apply(session, family, store, clock)
    officer = OfficerFactory(district_code="11680").actor
    decision = decisions.decide(
        session, officer, application.id, tier=None, reason="", tariffs=TARIFFS, clock=clock
    )
    assert (decision.tier, decision.valid_from, decision.valid_until) == (
        "ga",
        date(2026, 3, 2),
        date(2026, 12, 31),
    )
    assert decision.inputs["reduction"] == 700_000 and decision.inputs["median"] == 6_494_738
    assert family.member_state == "full_member"  # R-BK-2
    assert application.status == "decided"
    assert decisions.support_standing(session, family, date(2026, 3, 2)).tier is Tier.GA
    assert (
        decisions.support_standing(session, family, date(2026, 3, 1)).tier is Tier.NONE
    )  # R-SUP-12: not retroactive
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["application.submitted", "decision.made"]
    with pytest.raises(Conflict) as caught:  # deciding twice
        decisions.decide(
            session, officer, application.id, tier=None, reason="", tariffs=TARIFFS, clock=clock
        )
    assert caught.value.code == "already_decided"


def test_another_tier_needs_a_reason_and_other_districts_cannot_decide(
    session, family, store, clock
):
    application = apply(session, family, store, clock)
    officer = OfficerFactory(district_code="11680").actor
    with pytest.raises(ValidationFailed) as caught:
        decisions.decide(
            session, officer, application.id, tier=Tier.NA, reason=" ", tariffs=TARIFFS, clock=clock
        )
    assert caught.value.code == "reason_required"
    with pytest.raises(NotFound):
        decisions.decide(
            session,
            OfficerFactory(district_code="26110").actor,
            application.id,
            tier=None,
            reason="",
            tariffs=TARIFFS,
            clock=clock,
        )
    with pytest.raises(NotFound):
        decisions.decide(
            session,
            parent_of(family),
            application.id,
            tier=None,
            reason="",
            tariffs=TARIFFS,
            clock=clock,
        )
    decision = decisions.decide(
        session,
        officer,
        application.id,
        tier=Tier.NA,
        reason="Income rose in March",
        tariffs=TARIFFS,
        clock=clock,
    )
    assert (decision.tier, decision.suggested_tier, decision.reason) == (
        "na",
        "ga",
        "Income rose in March",
    )


def test_a_new_decision_supersedes_without_editing_the_old(session, family, store, clock):
    officer = OfficerFactory(district_code="11680").actor
    first = decisions.decide(
        session,
        officer,
        apply(session, family, store, clock).id,
        tier=None,
        reason="",
        tariffs=TARIFFS,
        clock=clock,
    )
    before = (first.tier, first.valid_from, first.valid_until, dict(first.inputs), first.reason)
    clock.advance(timedelta(days=30))
    higher = (
        Earner("A", 6_000_000, Insurance.WORKPLACE),
        Earner("B", 3_000_000, Insurance.WORKPLACE),
    )
    second = decisions.decide(
        session,
        officer,
        apply(session, family, store, clock, earners=higher).id,
        tier=None,
        reason="",
        tariffs=TARIFFS,
        clock=clock,
    )
    assert (
        first.tier,
        first.valid_from,
        first.valid_until,
        dict(first.inputs),
        first.reason,
    ) == before
    assert first.effective_until == date(2026, 3, 31) and first.superseded_by_id == second.id
    assert decisions.effective_decision(session, family.id, date(2026, 3, 31)) is first
    assert decisions.effective_decision(session, family.id, date(2026, 4, 1)) is second
    history = decisions.decision_history(session, parent_of(family), family.id)
    assert history == [second, first]


def test_requesting_documents_and_rejecting(session, family, store, clock):
    application = apply(session, family, store, clock)
    officer = OfficerFactory(district_code="11680").actor
    decisions.request_documents(
        session, officer, application.id, "Last month's payslip of earner B", clock=clock
    )
    assert application.status == "documents_requested"
    assert apps.open_applications(session, officer) == [application]
    apps.add_documents(
        session,
        parent_of(family),
        application.id,
        [Upload("slip.png", b"\x89PNG\r\n\x1a\nrest")],
        store=store,
        clock=clock,
    )
    assert application.status == "submitted" and len(application.documents) == 2
    with pytest.raises(ValidationFailed):
        decisions.reject(session, officer, application.id, "", clock=clock)
    decisions.reject(session, officer, application.id, "No care gap", clock=clock)
    assert application.status == "rejected"
    with pytest.raises(Conflict):
        apps.add_documents(
            session,
            parent_of(family),
            application.id,
            [Upload("x.pdf", PDF)],
            store=store,
            clock=clock,
        )
    kinds = session.scalars(
        select(Notification.kind)
        .where(Notification.user_id == family.applicant_user_id)
        .order_by(Notification.id)
    ).all()
    assert kinds == ["application_received", "documents_requested", "application_rejected"]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_database_refuses_overlapping_effective_decisions(session, family, store, clock):
    officer = OfficerFactory(district_code="11680").actor
    first = decisions.decide(
        session,
        officer,
        apply(session, family, store, clock).id,
        tier=None,
        reason="",
        tariffs=TARIFFS,
        clock=clock,
    )
    overlapping = decisions.TierDecision(
        household_id=family.id,
        tier="na",
        suggested_tier="na",
        groups=[],
        valid_from=date(2026, 6, 1),
        valid_until=date(2026, 12, 31),
        effective_until=date(2026, 12, 31),
        inputs={},
        reason="",
        decided_by_user_id=first.decided_by_user_id,
        decided_at=first.decided_at,
    )
    session.add(overlapping)
    with pytest.raises(sa.exc.IntegrityError, match="ex_tier_decisions_effect"):
        session.flush()
    session.rollback()
