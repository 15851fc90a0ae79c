"""POST /api/v1/quotes: the fixed contract of issue 3, its errors, and the calculator page."""

from __future__ import annotations

import pytest

from tests.helpers import error_code

REQUEST = {
    "service": "basic",
    "start": "2026-03-03T09:00:00+09:00",
    "end": "2026-03-03T11:00:00+09:00",
    "children": [{"birth_date": "2021-05-01"}],
    "tier": "ga",
    "groups": [],
    "sick_rate": "flat",
    "hours_used": 0,
}


def test_the_issue_example_to_the_won(client):
    # R-FEE-1 2026 basic 12,790/h → 6,395 a half hour; 4 units = 25,580.
    # R-SUP-5/6 tier ga band A 85%: ceil(6,395 × 0.85) = 5,436 a unit → 21,744; parent 3,836.
    response = client.post("/api/v1/quotes", json=REQUEST, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["government"], body["parent"]) == (25580, 21744, 3836)
    assert body["currency"] == "KRW" and body["tariff_year"] == 2026
    assert (body["supported_minutes"], body["unsupported_minutes"]) == (120, 0)
    assert body["lines"] == [
        {
            "child": 0,
            "start": "2026-03-03T09:00:00+09:00",
            "end": "2026-03-03T11:00:00+09:00",
            "band": "day",
            "units": 4,
            "fee": 25580,
            "government": 21744,
            "parent": 3836,
            "supported": True,
        }
    ]
    assert body["explanation"][0] == "Fees of 2026: 12,790 won an hour for half-day basic care."


def test_the_explanation_is_in_the_requests_language(client):
    sentences = {
        locale: client.post(
            "/api/v1/quotes", json=REQUEST, headers={"Accept-Language": locale}
        ).json["explanation"]
        for locale in ("ko", "en", "kk")
    }
    assert len({tuple(s) for s in sentences.values()}) == 3
    assert all(len(s) == len(sentences["en"]) for s in sentences.values())


def test_a_booking_crossing_the_cap_is_split_at_the_exact_unit(client):
    # R-SUP-10: 959.5 h used of 960 → one supported half hour, three at full price
    body = client.post("/api/v1/quotes", json={**REQUEST, "hours_used": 959.5}).json
    assert (body["supported_minutes"], body["unsupported_minutes"]) == (30, 90)
    assert body["government"] == 5436 and body["parent"] == 25580 - 5436


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"end": "2026-03-03T08:00:00+09:00"}, "end_before_start", "end"),
        ({"start": "2026-03-03T09:15:00+09:00"}, "not_on_half_hour", "start"),
        ({"end": "2026-03-03T10:30:00+09:00"}, "below_minimum", "end"),
        (
            {"children": [{"birth_date": "2013-01-01"}]},
            "child_age_out_of_range",
            "children.0.birth_date",
        ),
        (
            {"children": [{"birth_date": "2026-02-01"}]},
            "child_age_out_of_range",
            "children.0.birth_date",
        ),
        (
            {"service": "infant_fullday", "end": "2026-03-03T12:00:00+09:00"},
            "child_age_out_of_range",
            "children.0.birth_date",
        ),
        ({"children": [{"birth_date": "2018-01-01"}] * 4}, "too_many_children", "children"),
        ({"children": []}, "no_children", "children"),
        ({"service": "comprehensive+sick"}, "comprehensive_with_sick", "service"),
        ({"service": "cleaning"}, "validation_failed", "service"),
        ({"tier": "platinum"}, "validation_failed", "tier"),
        ({"groups": ["vip"]}, "validation_failed", "groups.0"),
        (
            {"start": "2031-03-03T09:00:00+09:00", "end": "2031-03-03T11:00:00+09:00"},
            "no_tariff_year",
            "start",
        ),
        ({"start": "2026-03-03T09:00:00"}, "validation_failed", "start"),
        ({"start": "yesterday"}, "validation_failed", "start"),
        ({"hours_used": -1}, "validation_failed", "hours_used"),
        ({"hours_used": 1.25}, "validation_failed", "hours_used"),
        (
            {"sick_rate": "normal", "service": "sick", "tier": "da"},
            "sick_normal_rate_not_allowed",
            "sick_rate",
        ),
        ({"extra": 1}, "validation_failed", "extra"),
    ],
)
def test_bad_quotes_get_422_naming_the_field(client, change, code, field):
    response = client.post("/api/v1/quotes", json={**REQUEST, **change})
    assert response.status_code == 422, response.json
    assert error_code(response) == code
    assert field in response.json["error"]["fields"], response.json
    assert "%(" not in str(response.json)


def test_non_json_bodies_are_refused_cleanly(client):
    assert client.post("/api/v1/quotes", data="{", content_type="application/json").status_code in (
        400,
        422,
    )
    assert client.post("/api/v1/quotes", json=[1, 2]).status_code == 422
    assert client.post("/api/v1/quotes", json={**REQUEST, "children": "many"}).status_code == 422
    assert (
        client.post(
            "/api/v1/quotes", json={**REQUEST, "children": [{"birth_date": None}]}
        ).status_code
        == 422
    )


def test_the_fee_calculator_shows_the_split_line_by_line(client):
    page = client.get(
        "/fees?service=basic&date=2026-03-03&start_time=09:00&end_time=11:00&child0=2021-05-01&tier=ga",
        headers={"Accept-Language": "en"},
    )
    assert page.status_code == 200
    html = page.data.decode()
    assert 'data-testid="total">25,580 won' in html
    assert 'data-testid="government">21,744 won' in html
    assert 'data-testid="parent">3,836 won' in html
    assert "How this was worked out" in html


def test_the_fee_calculator_shows_field_errors(client):
    page = client.get(
        "/fees?service=basic&date=2026-03-03&start_time=09:15&end_time=11:00&child0=2021-05-01&tier=ga",
        headers={"Accept-Language": "en"},
    )
    assert page.status_code == 422
    assert "on the hour or the half hour" in page.data.decode()
    assert client.get("/fees").status_code == 200


def test_a_new_tariff_year_is_only_a_data_file(_session_app, clock, tmp_path):
    """Adding 2027 is a new TOML file in the tariff directory, no code change (issue 3)."""
    from tests.conftest import build_app, dispose
    from vouchers.tariffs import DEFAULT_DIRECTORY

    for source in DEFAULT_DIRECTORY.glob("*.toml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    text = (DEFAULT_DIRECTORY / "2026.toml").read_text(encoding="utf-8")
    text = text.replace("year = 2026", "year = 2027").replace("2026-01-01", "2027-01-01")
    text = text.replace("basic = 12790", "basic = 13400")
    (tmp_path / "2027.toml").write_text(text, encoding="utf-8")
    app = build_app(
        _session_app.config["SQLALCHEMY_DATABASE_URI"], clock, TARIFF_DIRECTORY=str(tmp_path)
    )
    try:
        payload = {
            **REQUEST,
            "start": "2027-03-03T09:00:00+09:00",
            "end": "2027-03-03T11:00:00+09:00",
        }
        body = app.test_client().post("/api/v1/quotes", json=payload).json
        assert body["tariff_year"] == 2027
        assert body["total"] == 13400 * 2  # 4 half hours at 6,700
    finally:
        dispose(app)


def test_an_unknown_code_is_refused_with_the_translated_list_message(client):
    response = client.post(
        "/api/v1/quotes",
        json={**REQUEST, "tier": "platinum", "groups": ["vip"]},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert fields["tier"] == "Choose a value from the list."
    assert fields["groups.0"] == "Choose a value from the list."
