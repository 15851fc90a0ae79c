"""Small helpers shared by edge tests."""

from __future__ import annotations

from sqlalchemy import select

from booking.agencies import Agency
from service.extensions import db

from .factories import PASSWORD


def bearer(client, user) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def web_login(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.data


def agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def error_code(response) -> str:
    return response.json["error"]["code"]
