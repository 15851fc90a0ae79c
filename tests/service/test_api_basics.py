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
