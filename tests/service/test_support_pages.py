"""The support pages (issue 4): a family applies and reads its tier; an officer works the queue,
reads the working (R-SUP-1..3), decides (R-SUP-12); letters; denials; bad input."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.accounts.models import User
from tests.factories import (
    AdminFactory,
    ChildFactory,
    HouseholdFactory,
    OfficerFactory,
    ParentFactory,
    StaffFactory,
    parent_of,
)
from tests.helpers import web_login
from vouchers.support_applications import SupportApplication
from vouchers.tier_decisions import TierDecision

PDF = b"%PDF-1.7\n"


@pytest.fixture
def family(session):
    household = HouseholdFactory(district_code="11680", household_size=4, member_state="web_member")
    ChildFactory(household=household, name="김서준", birth_date=date(2021, 5, 1))
    session.commit()
    return household


@pytest.fixture
def people(session, family):
    people = {
        "parent": session.get(User, parent_of(family).user_id),
        "officer": OfficerFactory(district_code="11680"),
        "busan": OfficerFactory(district_code="26110"),
        "stranger": ParentFactory(),
        "staff": StaffFactory(),
        "admin": AdminFactory(),
    }
    session.commit()
    return people


def form(household, **changes):
    """The application form as a browser posts it (dual earners insured at work)."""
    data = {
        "household_size": "4",
        "earners.0.name": "김민지",
        "earners.0.monthly_income": "3,300,000",
        "earners.0.insurance": "workplace",
        "earners.1.name": "윤호도",
        "earners.1.monthly_income": "700000",
        "earners.1.insurance": "workplace",
        "care_gaps-present": "1",
        "care_gaps": ["dual_earner"],
        "groups-present": "1",
        "child_ids-present": "1",
        "child_ids": [str(c.id) for c in household.children],
        "documents": [(PDF, "payslip.pdf")],
    }
    data.update(changes)
    data["documents"] = [(io.BytesIO(content), name) for content, name in data["documents"]]
    return data


def as_user(client, user):
    client.post("/logout")
    web_login(client, user)


def post_form(client, url, data):
    return client.post(url, data=data, content_type="multipart/form-data")


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def applications_of(session, household):
    return session.scalars(
        select(SupportApplication).where(SupportApplication.household_id == household.id)
    ).all()


def apply_online(client, session, family, people):
    as_user(client, people["parent"])
    response = post_form(client, "/support/apply", form(family))
    assert response.status_code == 302, text(response)
    return applications_of(session, family)[0]


def stored_files(app) -> int:
    return sum(1 for p in Path(app.config["UPLOAD_DIRECTORY"]).rglob("*") if p.is_file())


def test_a_family_applies_and_an_officer_decides_from_the_working(client, session, family, people):
    as_user(client, people["parent"])
    status = client.get("/support")
    assert status.status_code == 200 and "You have not applied for support yet." in text(status)
    assert "no tier (full price)" in text(status)
    assert client.get("/support/apply").status_code == 200

    created = post_form(client, "/support/apply", form(family))
    assert created.status_code == 302 and created.headers["Location"].endswith("/support")
    page = text(client.get("/support"))
    assert "Submitted: waiting for the community centre" in page
    assert "Decision due by Mar 16, 2026" in page and "payslip.pdf" in page
    application = applications_of(session, family)[0]
    assert application.channel == "online" and application.incomes == [3_300_000, 700_000]

    as_user(client, people["officer"])
    queue = text(client.get("/officer/applications"))
    assert "김민지" in queue and "14 days (by Mar 16, 2026)" in queue
    detail = client.get(f"/officer/applications/{application.id}")
    working = text(detail)
    # R-SUP-1, R-SUP-2: 2026, 4 persons; 3,300,000 + 700,000 → reduction 700,000
    assert "6,494,738 won for 4 persons in 2026" in working
    assert "3,300,000 + 700,000 = 4,000,000 won" in working
    assert "− 700,000 won (25% of the couple's income" in working
    assert "3,300,000 won, 50.8% of the median" in working
    assert "up to 75% 4,872,000 won" in working  # ceil to 1,000 won of 75% × 6,494,738
    assert "Suggested tier: Ga (가형)" in working
    document = application.documents[0]
    download = client.get(f"/officer/applications/{application.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")

    decided = client.post(f"/officer/applications/{application.id}/decision", data={"tier": "ga"})
    assert decided.status_code == 302
    after = text(client.get(decided.headers["Location"]))
    assert "The tier has been decided." in after and "Decided" in after
    decision = session.scalar(select(TierDecision).where(TierDecision.household_id == family.id))
    assert decision.tier == "ga" and decision.valid_from == date(2026, 3, 2)
    dashboard = text(client.get("/officer/dashboard"))
    assert "Open applications 0" in dashboard and "Decided this month 1" in dashboard
    assert "Average days to decide (this month) 0.0" in dashboard
    officer_letter = client.get(f"/officer/decisions/{decision.id}/letter")
    assert officer_letter.status_code == 200 and "Ga (가형)" in text(officer_letter)

    as_user(client, people["parent"])
    status = text(client.get("/support"))
    assert "Tier Ga (가형)" in status and "Decided" in status
    # 2 hours of basic care on Tue 3 March 2026 for a child in age band A, tier ga: 85%
    # (R-SUP-5); each half hour 6,395 won, of which ceil(6,395 × 85%) = 5,436 (R-SUP-6)
    assert "Total 25,580 won" in status
    assert "Government voucher 21,744 won" in status and "You pay 3,836 won" in status
    assert "Tuesday, March 3, 2026, 09:00–11:00, for 김서준" in status
    letter = client.get(f"/support/decisions/{decision.id}/letter")
    body = text(letter)
    assert letter.status_code == 200
    assert "Notice of your child-care support tier" in body and "Gangnam-gu" in body
    assert "Support tier Ga (가형)" in body and "Valid until December 31, 2026" in body
    assert "To: 김민지" in body and "50.8% of the median" in body
    assert 'id="print-letter"' in letter.get_data(as_text=True)


def test_another_tier_needs_a_reason_and_the_letter_gives_it(client, session, family, people):
    application = apply_online(client, session, family, people)
    as_user(client, people["officer"])
    url = f"/officer/applications/{application.id}/decision"
    refused = client.post(url, data={"tier": "na", "reason": ""})
    assert refused.status_code == 422
    assert "Give the reason for a tier other than the suggested one." in text(refused)
    assert 'id="decision-reason-error"' in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(TierDecision)) == 0
    assert (
        client.post(url, data={"tier": "na", "reason": "Income proof pending"}).status_code == 302
    )
    decision = session.scalar(select(TierDecision).where(TierDecision.household_id == family.id))
    letter = text(client.get(f"/officer/decisions/{decision.id}/letter"))
    assert "Support tier Na (나형)" in letter and "Reason Income proof pending" in letter
    assert "Tier suggested by the income Ga (가형)" in letter
    again = client.post(url, data={"tier": "ga"})
    assert again.status_code == 409 and "already been decided" in text(again)


def test_documents_requested_then_sent_then_rejected(client, session, family, people):
    application = apply_online(client, session, family, people)
    as_user(client, people["officer"])
    base = f"/officer/applications/{application.id}"
    assert client.post(f"{base}/rejection", data={"reason": ""}).status_code == 422
    asked = client.post(f"{base}/documents-request", data={"note": "Payslip of 윤호도"})
    assert asked.status_code == 302

    as_user(client, people["parent"])
    status = text(client.get("/support"))
    assert "More documents needed" in status and "Payslip of 윤호도" in status
    bad = post_form(
        client,
        f"/support/applications/{application.id}/documents",
        {"documents": [(io.BytesIO(b"MZ\x90\x00"), "setup.exe")]},
    )
    assert bad.status_code == 422 and "Upload a PDF, JPEG or PNG file." in text(bad)
    sent = post_form(
        client,
        f"/support/applications/{application.id}/documents",
        {"documents": [(io.BytesIO(PDF), "payslip-2.pdf")]},
    )
    assert sent.status_code == 302
    status = text(client.get("/support"))
    assert "Submitted: waiting for the community centre" in status and "payslip-2.pdf" in status

    as_user(client, people["officer"])
    assert client.post(f"{base}/rejection", data={"reason": "No care gap"}).status_code == 302
    assert "No open applications." in text(client.get("/officer/applications"))
    dashboard = text(client.get("/officer/dashboard"))
    assert "Rejected this month 1" in dashboard
    as_user(client, people["parent"])
    status = text(client.get("/support"))
    assert "Not approved" in status and "Reason No care gap" in status
    assert "Apply for support" in status


def test_overdue_applications_are_highlighted(client, session, family, people, clock):
    application = apply_online(client, session, family, people)
    clock.advance(timedelta(days=15))
    as_user(client, people["officer"])
    queue = client.get("/officer/applications")
    assert 'class="overdue"' in queue.get_data(as_text=True)
    assert "Overdue by 1 days" in text(queue)
    assert "Overdue by 1 days" in text(client.get(f"/officer/applications/{application.id}"))
    assert "Overdue (past the 14-day deadline) 1" in text(client.get("/officer/dashboard"))


def test_other_districts_other_families_and_other_roles_get_404(client, session, family, people):
    application = apply_online(client, session, family, people)
    document = application.documents[0]
    as_user(client, people["officer"])
    client.post(f"/officer/applications/{application.id}/decision", data={"tier": "ga"})
    decision = session.scalar(select(TierDecision).where(TierDecision.household_id == family.id))
    paths = {
        "detail": f"/officer/applications/{application.id}",
        "document": f"/officer/applications/{application.id}/documents/{document.id}",
        "letter": f"/officer/decisions/{decision.id}/letter",
        "family document": f"/support/applications/{application.id}/documents/{document.id}",
        "family letter": f"/support/decisions/{decision.id}/letter",
    }

    as_user(client, people["busan"])
    for name in ("detail", "document", "letter"):
        assert client.get(paths[name]).status_code == 404, name
    assert client.get(f"/officer/households/{family.id}/apply").status_code == 404
    for action in ("decision", "documents-request", "rejection"):
        response = client.post(f"{paths['detail']}/{action}", data={"tier": "ga", "note": "x"})
        assert response.status_code == 404, action
    assert "No open applications." in text(client.get("/officer/applications"))

    as_user(client, people["stranger"])
    for name in ("family document", "family letter"):
        assert client.get(paths[name]).status_code == 404, name
    for path in ("/officer/applications", "/officer/dashboard", paths["detail"], paths["letter"]):
        assert client.get(path).status_code == 404, path

    as_user(client, people["parent"])
    assert client.get(paths["family document"]).data == PDF
    for path in ("/officer/applications", "/officer/dashboard", paths["detail"], paths["letter"]):
        assert client.get(path).status_code == 404, path

    as_user(client, people["staff"])
    for path in ("/support", "/support/apply", "/officer/applications", paths["family letter"]):
        assert client.get(path).status_code == 404, path

    as_user(client, people["admin"])  # administrators read, officers decide
    assert client.get(paths["detail"]).status_code == 200
    assert client.get("/officer/dashboard").status_code == 200
    assert client.post(f"{paths['detail']}/rejection", data={"reason": "x"}).status_code == 404
    assert client.get(f"/officer/households/{family.id}/apply").status_code == 404

    client.post("/logout")
    for path in ("/support", paths["detail"], paths["family letter"]):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"earners.0.monthly_income": "-5"},
            "earners-0-monthly_income",
            "This number is out of range.",
        ),
        (
            {"household_size": "2"},
            "household_size",
            "The household size is smaller than the number of people listed.",
        ),
        (
            {"documents": [(b"MZ\x90\x00\x03", "setup.exe")]},
            "documents",
            "Upload a PDF, JPEG or PNG file.",
        ),
        ({"child_ids": []}, "child_ids", "Choose the children the application is for."),
        (
            {"earners.1.monthly_income": "lots"},
            "earners-1-monthly_income",
            "Not a valid integer.",
        ),
    ],
)
def test_bad_input_shows_field_errors_and_stores_nothing(
    app, client, session, family, people, changes, field, message
):
    as_user(client, people["parent"])
    before = stored_files(app)
    response = post_form(client, "/support/apply", form(family, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert "Please correct the marked fields." in html
    assert 'value="김민지"' in html  # what was typed is kept
    assert applications_of(session, family) == []
    assert stored_files(app) == before


def test_families_who_must_apply_in_person_are_sent_to_the_community_centre(
    client, session, family, people
):
    regional = form(
        family,
        **{"earners.0.insurance": "regional", "earners.1.insurance": "none"},
    )
    as_user(client, people["parent"])
    response = post_form(client, "/support/apply", regional)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(
        r'<p class="flash error" role="alert">Online applications are open to couples who are '
        r"both insured at work and to single parents insured at work\. Please apply at your "
        r"community centre\.</p>",
        html,
    )
    assert applications_of(session, family) == []

    as_user(client, people["officer"])
    assert client.get(f"/officer/households/{family.id}/apply").status_code == 200
    picked = client.get(f"/officer/applications/new?household_id={family.id}")
    assert picked.headers["Location"].endswith(f"/officer/households/{family.id}/apply")
    recorded = post_form(client, f"/officer/households/{family.id}/apply", form(family, **{
        "earners.0.insurance": "regional", "earners.1.insurance": "none"
    }))  # fmt: skip
    assert recorded.status_code == 302
    detail = text(client.get(recorded.headers["Location"]))
    assert "The application has been recorded." in detail and "In person" in detail
    assert applications_of(session, family)[0].channel == "in_person"


@pytest.mark.parametrize("locale", ["ko", "en", "kk"])
def test_the_support_pages_render_in_every_language(client, session, family, people, locale):
    application = apply_online(client, session, family, people)
    as_user(client, people["officer"])
    client.post(f"/officer/applications/{application.id}/decision", data={"tier": "ga"})
    decision = session.scalar(select(TierDecision).where(TierDecision.household_id == family.id))
    ChildFactory(household=family, birth_date=date(2025, 6, 1))
    session.commit()
    pages = {
        "parent": ["/support", "/support/apply", f"/support/decisions/{decision.id}/letter"],
        "officer": [
            "/officer/applications",
            f"/officer/applications/{application.id}",
            f"/officer/households/{family.id}/apply",
            "/officer/dashboard",
            f"/officer/decisions/{decision.id}/letter",
        ],
    }
    for who, paths in pages.items():
        as_user(client, people[who])
        client.post("/language", data={"locale": locale})
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path)
            assert f'<html lang="{locale}">' in response.get_data(as_text=True), (who, path)


def test_no_example_quote_without_an_eligible_child(client, session, people):
    household = HouseholdFactory(district_code="11680")
    ChildFactory(household=household, korean_national=False)  # R-SVC-2: full price
    ChildFactory(household=household, birth_date=date(2026, 1, 10))  # under 3 months
    session.commit()
    as_user(client, session.get(User, parent_of(household).user_id))
    status = text(client.get("/support"))
    assert "Tier no tier (full price)" in status
    assert "What this means in money" not in status
