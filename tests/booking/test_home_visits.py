"""e-Child Happiness home visits (R-ECH-1..2), on both databases: the CSV import and its report,
district scoping, the steps of a visit, referrals to the support queue, the October round, the
dashboard and the ministry's export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from booking import home_visit_steps as steps
from booking import home_visits as visits
from booking.home_visit_lists import (
    RowsRejected,
    add_october_round,
    import_flagged_children,
    october_round,
)
from booking.home_visit_reports import ministry_export, quarter_dashboard
from booking.home_visits import CaseStatus, LinkedServiceKind, Need, VisitCase, VisitOutcome
from core.actors import Actor, Role
from core.audit import AuditEvent
from core.clock import SEOUL
from core.errors import Conflict, NotFound, ValidationFailed
from tests.factories import AdminFactory, ChildFactory, HouseholdFactory, OfficerFactory
from vouchers import support_referrals as referrals
from vouchers.support_referrals import SupportReferral

HEADER = (
    "child_ref,child_name,birth_date,guardian_name,guardian_phone,district_code,address,indicators"
)
GOOD_ROWS = [
    "SSIS-001,김하늘,2019-04-02,김민수,010-1234-5678,11680,역삼로 1,3;17;40",
    'SSIS-002,이나무,2023-10-15,이서연,02-555-1234,11680,"테헤란로 2, 101호",5',
]
TODAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=SEOUL)  # the test clock: Monday, Q1 2026


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def officer(session):
    return OfficerFactory(district_code="11680").actor


@pytest.fixture
def busan_officer(session):
    return OfficerFactory(district_code="26110").actor


@pytest.fixture
def admin(session):
    return AdminFactory().actor


def imported(session, officer, clock, data=None, **options) -> list[VisitCase]:
    report = import_flagged_children(
        session,
        officer,
        csv_file(*GOOD_ROWS) if data is None else data,
        year=2026,
        quarter=1,
        clock=clock,
        **options,
    )
    return list(report.cases)


def count_cases(session) -> int:
    return session.scalar(select(func.count()).select_from(VisitCase))


# --- the import (R-ECH-1) --------------------------------------------------------------------


def test_the_quarter_list_is_imported_row_by_row(session, officer, clock):
    report = import_flagged_children(
        session, officer, csv_file(*GOOD_ROWS), year=2026, quarter=1, clock=clock
    )
    assert (report.rows, report.imported, report.rejected) == (2, 2, ())
    first = visits.get_case(session, officer, report.cases[0].id)
    assert (first.child_ref, first.child_name, first.child_birth_date) == (
        "SSIS-001",
        "김하늘",
        date(2019, 4, 2),
    )
    assert first.indicators == [3, 17, 40] and first.status == CaseStatus.TO_CONTACT
    assert report.cases[1].address == "테헤란로 2, 101호"
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "home_visit.imported")
    ).details == {"year": 2026, "quarter": 1, "imported": 2, "rejected": 0}


def test_a_byte_order_mark_any_column_order_and_extra_columns_are_accepted(session, officer, clock):
    data = (
        "\ufeffindicators,district_code,child_ref,child_name,birth_date,guardian_name,"
        "guardian_phone,address,remark\n"
        "1;2,11680,SSIS-9,박하람,2015-07-07,박지은,+82 10 1111 2222,,x\n"
    ).encode()
    (case,) = imported(session, officer, clock, data)
    assert (case.child_ref, case.indicators, case.address) == ("SSIS-9", [1, 2], "")


def test_bad_rows_are_reported_and_nothing_is_imported(session, officer, clock):
    data = csv_file(
        GOOD_ROWS[0],
        "SSIS-003,,2031-01-01,최지아,010-1234-5678,11680,,3",  # line 3: no name, future birth
        "SSIS-004,정우진,2007-01-01,정민,12,11680,,3",  # line 4: 18 years old, short phone
        "SSIS-005,한별,2020-02-02,한솔,010-2222-3333,26110,,45",  # line 5: Busan, indicator 45
        GOOD_ROWS[0],  # line 6: twice in the file
        "bad ref!,강이,2020-02-30,강수,010-2222-3333,11680,,3;3",  # line 7
    )
    with pytest.raises(RowsRejected) as raised:
        import_flagged_children(session, officer, data, year=2026, quarter=1, clock=clock)
    report = raised.value.report
    assert (report.rows, report.imported) == (6, 0)
    rejected = {row.line: set(row.errors) for row in report.rejected}
    assert rejected == {
        3: {"child_name", "birth_date"},
        4: {"birth_date", "guardian_phone"},
        5: {"district_code", "indicators"},
        6: {"child_ref"},
        7: {"child_ref", "birth_date", "indicators"},
    }
    assert raised.value.status == 422 and raised.value.params == {"count": 5}
    assert "rows.5.district_code" in raised.value.fields
    assert count_cases(session) == 0


def test_the_valid_rows_only_when_the_officer_accepts_a_partial_import(session, officer, clock):
    data = csv_file(GOOD_ROWS[0], "SSIS-003,,2019-01-01,최지아,010-1234-5678,11680,,3")
    report = import_flagged_children(
        session, officer, data, year=2026, quarter=1, clock=clock, accept_partial=True
    )
    assert (report.imported, [r.line for r in report.rejected]) == (1, [3])
    assert count_cases(session) == 1


def test_a_child_already_on_the_quarter_list_is_rejected(session, officer, clock):
    imported(session, officer, clock)
    with pytest.raises(RowsRejected) as raised:
        imported(session, officer, clock)
    assert [r.errors["child_ref"] for r in raised.value.report.rejected] == [
        "This child is already on this quarter's list."
    ] * 2
    # next quarter, the same children may be listed again
    report = import_flagged_children(
        session, officer, csv_file(*GOOD_ROWS), year=2026, quarter=2, clock=clock
    )
    assert report.imported == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"child_ref,child_name\nA,B\n", "The file lacks the columns: %(columns)s."),
        (HEADER.encode() + b"\n", "The file lists no children."),
        ("child_ref\n".encode("utf-16"), "Save the file as CSV in UTF-8."),
    ],
)
def test_a_file_that_is_not_a_list_is_refused_as_a_whole(session, officer, clock, data, message):
    with pytest.raises(ValidationFailed) as raised:
        imported(session, officer, clock, data)
    assert raised.value.message == message and "file" in raised.value.fields


def test_only_officers_import_and_the_quarter_is_checked(session, officer, admin, clock):
    with pytest.raises(NotFound):
        imported(session, admin, clock)
    with pytest.raises(ValidationFailed) as raised:
        import_flagged_children(
            session, officer, csv_file(*GOOD_ROWS), year=2026, quarter=5, clock=clock
        )
    assert set(raised.value.fields) == {"quarter"}


# --- who sees what ---------------------------------------------------------------------------


def test_each_district_sees_only_its_own_children(session, officer, busan_officer, admin, clock):
    case = imported(session, officer, clock)[0]
    assert visits.quarter_cases(session, busan_officer, 2026, 1) == []
    with pytest.raises(NotFound):
        visits.get_case(session, busan_officer, case.id)
    with pytest.raises(NotFound):
        steps.schedule(
            session, busan_officer, case.id, steps.Schedule(call_at=TODAY_10), clock=clock
        )
    parent = Actor(user_id=1, role=Role.PARENT)
    with pytest.raises(NotFound):
        visits.get_case(session, parent, case.id)
    assert len(visits.quarter_cases(session, admin, 2026, 1)) == 2  # admins read every district
    with pytest.raises(NotFound):  # … but take no step
        steps.schedule(session, admin, case.id, steps.Schedule(call_at=TODAY_10), clock=clock)


def test_counselling_notes_are_for_the_district_officers_only(
    session, officer, busan_officer, admin, clock
):
    case = imported(session, officer, clock)[0]
    assert visits.may_read_notes(officer, case)
    assert not visits.may_read_notes(busan_officer, case)
    assert not visits.may_read_notes(admin, case)
    assert not visits.may_read_notes(Actor(user_id=1, role=Role.PARENT), case)


# --- the steps of a visit (R-ECH-2) ----------------------------------------------------------


def visit(**changes) -> steps.VisitRecord:
    base = {
        "visited_at": TODAY_10 - timedelta(hours=1),
        "visitor_name": "박주무관",
        "place": "the family's home",
        "outcome": VisitOutcome.FACE_TO_FACE,
        "counselling_notes": "Speech is late for the age; the grandmother cares alone.",
        "needs": frozenset({Need.DEVELOPMENT, Need.CARE}),
    }
    return steps.VisitRecord(**{**base, **changes})


def test_call_then_visit_then_link_services_then_close(session, officer, clock):
    case = imported(session, officer, clock)[0]
    planned = TODAY_10 + timedelta(days=1)
    steps.schedule(session, officer, case.id, steps.Schedule(call_at=planned), clock=clock)
    assert case.status == CaseStatus.CALL_SCHEDULED and case.call_planned_at == planned
    steps.record_call(session, officer, case.id, steps.CallRecord(TODAY_10, True), clock=clock)
    assert case.status == CaseStatus.REACHED
    steps.schedule(
        session, officer, case.id, steps.Schedule(visit_at=planned + timedelta(days=2)), clock=clock
    )
    assert case.status == CaseStatus.VISIT_SCHEDULED and case.reached
    with pytest.raises(Conflict) as early:
        steps.link_service(
            session, officer, case.id, steps.ServiceLink(LinkedServiceKind.THERAPY), clock=clock
        )
    assert early.value.code == "visit_first"

    row = steps.record_visit(session, officer, case.id, visit(), clock=clock)
    assert case.status == CaseStatus.VISITED and case.visited
    assert row.needs == ["care", "development"]
    steps.link_service(
        session,
        officer,
        case.id,
        steps.ServiceLink(LinkedServiceKind.THERAPY, "speech"),
        clock=clock,
    )
    with pytest.raises(Conflict):
        steps.link_service(
            session, officer, case.id, steps.ServiceLink(LinkedServiceKind.THERAPY), clock=clock
        )
    with pytest.raises(ValidationFailed) as unnamed:
        steps.link_service(
            session, officer, case.id, steps.ServiceLink(LinkedServiceKind.OTHER), clock=clock
        )
    assert set(unnamed.value.fields) == {"note"}
    steps.plan_follow_up(
        session,
        officer,
        case.id,
        steps.FollowUp(date(2026, 4, 1), "check the therapy"),
        clock=clock,
    )
    steps.close_case(session, officer, case.id, clock=clock)
    assert case.status == CaseStatus.CLOSED
    with pytest.raises(Conflict):
        steps.record_visit(session, officer, case.id, visit(), clock=clock)
    audit = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "visit_case", AuditEvent.subject_id == case.id
        )
    ).all()
    assert "Speech" not in str([event.details for event in audit])  # never the counselling


def test_a_family_not_reached_stays_on_the_list_for_another_try(session, officer, clock):
    case = imported(session, officer, clock)[0]
    steps.record_call(session, officer, case.id, steps.CallRecord(TODAY_10, False), clock=clock)
    assert case.status == CaseStatus.NOT_REACHED and not case.reached
    no_one_home = visit(outcome=VisitOutcome.NOT_REACHED, counselling_notes="", needs=frozenset())
    steps.record_visit(session, officer, case.id, no_one_home, clock=clock)
    assert case.status == CaseStatus.NOT_REACHED
    steps.record_visit(session, officer, case.id, visit(), clock=clock)
    assert case.status == CaseStatus.VISITED and len(case.visits) == 2


def test_visits_are_checked(session, officer, clock):
    case = imported(session, officer, clock)[0]
    bad = visit(
        visited_at=TODAY_10 + timedelta(hours=2),
        visitor_name=" ",
        place="",
    )
    with pytest.raises(ValidationFailed) as raised:
        steps.record_visit(session, officer, case.id, bad, clock=clock)
    assert set(raised.value.fields) == {"visited_at", "visitor_name", "place"}
    with pytest.raises(ValidationFailed) as notes:
        steps.record_visit(
            session, officer, case.id, visit(outcome=VisitOutcome.NOT_REACHED), clock=clock
        )
    assert set(notes.value.fields) == {"outcome"}
    with pytest.raises(ValidationFailed) as naive:
        steps.schedule(
            session, officer, case.id, steps.Schedule(call_at=datetime(2026, 3, 3, 9)), clock=clock
        )
    assert set(naive.value.fields) == {"call_at"}
    with pytest.raises(ValidationFailed):
        steps.plan_follow_up(
            session, officer, case.id, steps.FollowUp(date(2026, 3, 1)), clock=clock
        )


# --- referrals to the support queue ----------------------------------------------------------


def test_linking_the_care_service_puts_the_family_in_the_officers_queue(
    session, officer, busan_officer, clock
):
    case = imported(session, officer, clock)[0]
    steps.record_visit(session, officer, case.id, visit(), clock=clock)
    link = steps.ServiceLink(LinkedServiceKind.CARE_SERVICE, "both parents work nights")
    referrals.link_service(session, officer, case.id, link, clock=clock)
    (referral,) = referrals.open_referrals(session, officer)
    assert (referral.child_name, referral.guardian_name, referral.guardian_contact) == (
        "김하늘",
        "김민수",
        "010-1234-5678",
    )
    assert (referral.district_code, referral.note, referral.status) == (
        "11680",
        "both parents work nights",
        "open",
    )
    assert referral.created_by_user_id == officer.user_id and referral.created_at == clock.now()
    assert referrals.open_referrals(session, busan_officer) == []
    with pytest.raises(NotFound):
        referrals.close_referral(session, busan_officer, referral.id, "", clock=clock)
    referrals.close_referral(session, officer, referral.id, "application recorded", clock=clock)
    assert referrals.open_referrals(session, officer) == []
    with pytest.raises(Conflict):
        referrals.close_referral(session, officer, referral.id, "", clock=clock)
    assert session.scalar(select(func.count()).select_from(SupportReferral)) == 1


def test_other_services_make_no_referral(session, officer, clock):
    case = imported(session, officer, clock)[0]
    steps.record_visit(session, officer, case.id, visit(), clock=clock)
    referrals.link_service(
        session, officer, case.id, steps.ServiceLink(LinkedServiceKind.DREAM_START), clock=clock
    )
    assert referrals.open_referrals(session, officer) == []


# --- the October round (R-ECH-1) -------------------------------------------------------------


def test_the_october_round_lists_the_districts_3_year_olds_cared_for_at_home(
    session, officer, clock
):
    home = HouseholdFactory(district_code="11680", address="역삼로 9")
    four = ChildFactory(household=home, birth_date=date(2022, 10, 1))  # 4 on 1 October 2026
    just_three = ChildFactory(household=home, birth_date=date(2023, 10, 1))  # 3 on 1 Oct 2026
    ChildFactory(household=home, birth_date=date(2023, 10, 2))  # 2 on 1 Oct 2026
    ChildFactory(household=home, birth_date=date(2023, 5, 1), attendance="daycare")
    elsewhere = HouseholdFactory(district_code="26110")
    ChildFactory(household=elsewhere, birth_date=date(2023, 5, 1))
    found = october_round(session, officer, 2026)
    assert [c.id for c in found] == [just_three.id]
    assert four not in found
    assert add_october_round(session, officer, 2026, clock=clock) == 1
    assert add_october_round(session, officer, 2026, clock=clock) == 0  # once
    (case,) = visits.quarter_cases(session, officer, 2026, 4)
    assert (case.source, case.child_id, case.child_ref, case.address) == (
        "october_round",
        just_three.id,
        f"DOLBOM-{just_three.id}",
        "역삼로 9",
    )
    assert case.guardian_name == "김민지"


# --- the dashboard and the export ------------------------------------------------------------


def test_the_quarter_dashboard_and_the_ministry_export(session, officer, admin, clock):
    first, second = imported(session, officer, clock)
    steps.record_call(session, officer, first.id, steps.CallRecord(TODAY_10, True), clock=clock)
    steps.record_visit(session, officer, first.id, visit(), clock=clock)
    referrals.link_service(
        session, officer, first.id, steps.ServiceLink(LinkedServiceKind.CARE_SERVICE), clock=clock
    )
    steps.plan_follow_up(session, officer, first.id, steps.FollowUp(date(2026, 3, 2)), clock=clock)
    steps.record_call(session, officer, second.id, steps.CallRecord(TODAY_10, False), clock=clock)
    summary = quarter_dashboard(session, officer, 2026, 1, clock=clock)
    assert (summary.flagged, summary.reached, summary.visited, summary.linked) == (2, 1, 1, 1)
    assert (summary.not_reached, summary.closed, summary.follow_ups_due) == (1, 0, 1)

    rows = list(csv.reader(io.StringIO(ministry_export(session, officer, 2026, 1))))
    assert rows[0][:3] == ["child_ref", "district_code", "year"]
    by_ref = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_ref["SSIS-001"]["visited_on"] == "2026-03-02"
    assert by_ref["SSIS-001"]["services"] == "care_service"
    assert by_ref["SSIS-001"]["needs"] == "care;development"
    assert by_ref["SSIS-002"]["reached"] == "no" and by_ref["SSIS-002"]["status"] == "not_reached"
    text = ministry_export(session, officer, 2026, 1)
    assert "김하늘" not in text and "Speech" not in text and "010-" not in text
    assert ministry_export(session, admin, 2026, 1) == text  # admins export every district
