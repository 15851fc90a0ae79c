"""Sign-up, log-in, passwords, tokens, rate limits and CSRF."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.actors import Actor, Role
from service.accounts.models import ApiToken, User
from service.accounts.passwords import verify_password
from service.accounts.service import token_holder
from tests.conftest import build_app, dispose
from tests.factories import PASSWORD, ParentFactory, StaffFactory
from tests.helpers import bearer, error_code, web_login


def test_a_parent_signs_up_and_is_logged_in(client, session):
    response = client.post(
        "/signup",
        data={"display_name": "김민지", "email": "MinJi@Example.kr", "password": "a long password"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/household/edit")
    user = session.scalar(select(User).where(User.email == "minji@example.kr"))
    assert user.role == "parent"
    assert user.password_hash.startswith("$argon2id$")
    assert client.get("/household/edit").status_code == 200


def test_sign_up_refuses_short_passwords_and_taken_addresses(client, session):
    ParentFactory(email="taken@example.kr")
    session.commit()  # only a savepoint: a failed request's rollback keeps the arrangement
    short = client.post(
        "/signup", data={"display_name": "A", "email": "new@example.kr", "password": "short"}
    )
    assert short.status_code == 422
    assert b"10" in short.data
    taken = client.post(
        "/signup",
        data={"display_name": "A", "email": "Taken@example.kr", "password": "long enough pw"},
    )
    assert taken.status_code == 422
    assert session.scalar(select(User).where(User.email == "new@example.kr")) is None


def test_log_in_and_out(client):
    user = ParentFactory()
    web_login(client, user)
    assert client.get("/account").status_code == 200
    client.post("/logout")
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    user = ParentFactory()
    wrong = client.post("/login", data={"email": user.email, "password": "not it at all"})
    unknown = client.post(
        "/login", data={"email": "nobody@example.kr", "password": "not it at all"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert b"password is not correct" in wrong.data and b"password is not correct" in unknown.data


def test_login_redirects_only_to_local_paths(client):
    user = ParentFactory()
    response = client.post(
        "/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited(client):
    user = ParentFactory()
    statuses = [
        client.post("/login", data={"email": user.email, "password": "wrong password"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429


def test_token_endpoint_is_rate_limited_with_a_json_error(client):
    for _ in range(10):
        client.post(
            "/api/v1/auth/token", json={"email": "x@example.kr", "password": "wrong password"}
        )
    response = client.post(
        "/api/v1/auth/token", json={"email": "x@example.kr", "password": "wrong password"}
    )
    assert response.status_code == 429
    assert error_code(response) == "too_many_requests"


def test_change_password(client, session):
    user = ParentFactory()
    web_login(client, user)
    wrong = client.post(
        "/account/password",
        data={"current_password": "nope nope nope", "new_password": "brand new secret"},
    )
    assert wrong.status_code == 422
    ok = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "brand new secret"}
    )
    assert ok.status_code == 302
    assert verify_password(user.password_hash, "brand new secret")


def test_language_choice_is_saved_for_a_logged_in_user(client, session):
    user = ParentFactory()
    web_login(client, user)
    client.post("/language", data={"locale": "kk", "next": "/account"})
    assert user.locale == "kk"
    client.post("/language", data={"locale": "xx"})
    assert user.locale == "kk"


def test_language_redirect_stays_on_site(client):
    response = client.post("/language", data={"locale": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_tokens_authenticate_api_calls_and_expire(client, session, clock):
    user = ParentFactory()
    headers = bearer(client, user)
    assert client.get("/api/v1/me", headers=headers).json["email"] == user.email
    assert (
        session.scalar(select(ApiToken.digest).where(ApiToken.user_id == user.id))
        != headers["Authorization"][7:]
    )
    clock.advance(timedelta(hours=13))
    expired = client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and error_code(expired) == "not_authenticated"


def test_a_token_holder_is_read_as_the_actor_the_api_needs(client, session, clock):
    staff = StaffFactory(locale="kk", display_name="Айгүл")
    token = bearer(client, staff)["Authorization"][7:]
    holder = token_holder(session, token, clock=clock)
    assert holder is not None
    assert holder.actor == Actor(staff.id, Role.AGENCY_STAFF, agency_id=1)
    assert holder.locale == "kk"
    assert token_holder(session, token + "x", clock=clock) is None
    # /me answers with the whole account, read by its id
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert (me["display_name"], me["role"], me["agency_id"]) == ("Айгүл", "agency_staff", 1)


def test_a_deactivated_users_token_is_refused(client, session):
    user = ParentFactory()
    headers = bearer(client, user)
    user.active = False
    session.flush()
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and error_code(refused) == "not_authenticated"


def test_api_refuses_missing_or_bad_credentials(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    bad = client.post("/api/v1/auth/token", json={"email": "nobody@example.kr", "password": "x"})
    assert bad.status_code == 401 and error_code(bad) == "invalid_credentials"
    malformed = client.post("/api/v1/auth/token", json={"email": "a@b.kr"})
    assert malformed.status_code == 422 and "password" in malformed.json["error"]["fields"]


def test_the_api_ignores_session_cookies(client):
    web_login(client, ParentFactory())
    assert client.get("/api/v1/me").status_code == 401


def test_forms_need_a_csrf_token(_session_app, clock):
    app = build_app(_session_app.config["SQLALCHEMY_DATABASE_URI"], clock, WTF_CSRF_ENABLED=True)
    try:
        response = app.test_client().post(
            "/login",
            data={"email": "a@b.kr", "password": "whatever pass"},
            headers={"Accept-Language": "en"},
        )
        assert response.status_code == 400
        assert b"form expired" in response.data
    finally:
        dispose(app)
