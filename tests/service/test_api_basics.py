"""The OpenAPI document, health check, reference endpoints and the error body for HTTP errors."""

from __future__ import annotations

from tests.helpers import error_code


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Dolbom API"
    for path in (
        "/api/v1/auth/token",
        "/api/v1/household",
        "/api/v1/household/children",
        "/api/v1/caregivers",
        "/api/v1/districts",
    ):
        assert path in spec["paths"], path
    assert "HouseholdIn" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_healthz_checks_the_database(client):
    assert client.get("/healthz").json == {"status": "ok", "database": "ok"}


def test_reference_endpoints(client):
    provinces = client.get("/api/v1/provinces").json
    assert len(provinces) == 17 and provinces[0] == {
        "code": "11",
        "name_ko": "서울특별시",
        "name_en": "Seoul",
    }
    seoul = client.get("/api/v1/districts?province=11").json
    assert len(seoul) == 25 and seoul[0]["code"] == "11110"
    gangnam = client.get("/api/v1/agencies?district=11680").json
    assert [a["code"] for a in gangnam] == ["AG035", "AG036", "AG037"]
    assert len(client.get("/api/v1/agencies").json) == 231


def test_http_errors_use_the_error_body(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    wrong_method = client.delete("/api/v1/provinces")
    assert wrong_method.status_code == 405 and error_code(wrong_method) == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]
    page = client.get("/no-such-page")
    assert page.status_code == 404 and b"<html" in page.data


def test_json_is_written_as_flask_writes_it_but_as_utf8(app):
    """The orjson provider: dates as HTTP dates, decimals as text, int keys, Korean unescaped."""
    from datetime import date
    from decimal import Decimal

    with app.test_request_context():
        response = app.json.response({"on": date(2026, 3, 3), "hours": Decimal("1.5"), 7: "돌봄"})
    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == (
        '{"on":"Tue, 03 Mar 2026 00:00:00 GMT","hours":"1.5","7":"돌봄"}\n'
    )
    assert app.json.loads(b'{"a": [1, 2]}') == {"a": [1, 2]}


def test_broken_or_empty_json_bodies_get_a_clean_error(client):
    """The API's own body parser (orjson inside webargs): 4xx with the error body, never 500."""
    broken = client.post("/api/v1/quotes", data="{", content_type="application/json")
    assert broken.status_code == 400 and error_code(broken)
    empty = client.post("/api/v1/quotes", data="", content_type="application/json")
    assert empty.status_code == 422 and "service" in empty.json["error"]["fields"]
    not_utf8 = client.post("/api/v1/quotes", data=b"\xff\xfe", content_type="application/json")
    assert not_utf8.status_code in (400, 422) and error_code(not_utf8)
