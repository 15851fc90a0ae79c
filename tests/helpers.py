"""Small helpers shared by edge tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select
from sqlalchemy.orm import Session

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


@contextmanager
def statements_sent(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session's database receives inside the block, in order."""
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
