"""Sign-in for a whole office and sessions that really end (issue 13, points 1 and 2).

Each test makes its own users, so that ending sessions or changing passwords never touches
the personas the other tests sign in as.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import update

from app import create_app
from app.extensions import db
from app.models import AuditEvent, AuthSession, BranchOffice, UserScope
from app.roles import AUDITOR, BRANCH_STAFF
from tests.conftest import PASSWORD, TEST_CONFIG

STAFF_ROLE = BRANCH_STAFF
WORKERS = "/workerview/list/"


def new_user(app, role: str = STAFF_ROLE, branch: str = "KPS") -> str:
    """A fresh branch user of Kapuas with the test password; returns the username."""
    name = f"u{uuid.uuid4().hex[:10]}"
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(
            name, "Uji", "Pengguna", f"{name}@example.go.id", sm.find_role(role), PASSWORD
        )
        office = db.session.query(BranchOffice).filter_by(code=branch).one()
        db.session.add(UserScope(user_id=user.id, branch_office_id=office.id))
        db.session.commit()
    return name


def sign_in(app, username: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    client = app.test_client()
    response = client.post(
        "/login/",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return client, response


def token_for(app, username: str, refresh: bool = False) -> dict:
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db", "refresh": refresh},
    )
    assert response.status_code == 200, response.json
    return response.json


def api_get(app, token: str):
    return app.test_client().get("/api/v1/worker/", headers={"Authorization": f"Bearer {token}"})


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A new browser presenting a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get(WORKERS)


def is_refused(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def throttled(app):
    """The session app with sign-in throttling on and an empty failure store."""
    app.config["RATELIMIT_ENABLED"] = True
    app.extensions.pop("lindungi_signin", None)
    yield app
    app.config["RATELIMIT_ENABLED"] = False
    app.extensions.pop("lindungi_signin", None)


def user_id(app, username: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


# --- an office behind one address ---------------------------------------------------------------


def test_thirty_people_of_one_office_sign_in_within_a_minute(throttled):
    names = [new_user(throttled) for _ in range(30)]
    sign_in(throttled, names[0], "a wrong password")  # a typo in the office costs nobody
    for name in names:
        client, response = sign_in(throttled, name)
        assert response.status_code == 302 and "/login" not in response.headers["Location"]
        assert client.get(WORKERS).status_code == 200


def test_ten_wrong_passwords_lock_that_account_only(throttled):
    victim, colleague = new_user(throttled), new_user(throttled)
    for _ in range(10):
        _client, response = sign_in(throttled, victim, "tebakan yang salah")
        assert response.status_code == 302  # back to the form with the usual message
    _client, locked = sign_in(throttled, victim)  # even the right password waits now
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Terlalu banyak" in locked.get_data(as_text=True)
    _client, other = sign_in(throttled, colleague)  # same address, other account
    assert other.status_code == 302 and "/login" not in other.headers["Location"]


def test_the_api_sign_in_shares_the_account_lock(throttled):
    victim = new_user(throttled)
    client = throttled.test_client()
    body = {"username": victim, "password": "salah sekali", "provider": "db"}
    codes = [client.post("/api/v1/security/login", json=body).status_code for _ in range(10)]
    assert codes == [401] * 10
    body["password"] = PASSWORD
    response = client.post("/api/v1/security/login", json=body)
    assert response.status_code == 429
    assert "Terlalu banyak" in response.json["message"]


def test_many_failures_from_one_address_are_slowed(throttled):
    throttled.config["LOGIN_ADDRESS_LIMIT"] = "5 per 10 minutes"
    throttled.extensions.pop("lindungi_signin", None)
    try:
        name = new_user(throttled)
        for n in range(5):  # five different names guessed from one address
            sign_in(throttled, f"tebak{n}", "salah", address="10.9.9.9")
        assert sign_in(throttled, name, address="10.9.9.9")[1].status_code == 429
        assert sign_in(throttled, name, address="10.9.9.8")[1].status_code == 302
    finally:
        throttled.config["LOGIN_ADDRESS_LIMIT"] = "100 per 10 minutes"


def test_a_correct_password_clears_the_accounts_failures(throttled):
    name = new_user(throttled)
    for _ in range(9):
        sign_in(throttled, name, "salah")
    assert sign_in(throttled, name)[1].status_code == 302
    for _ in range(9):
        sign_in(throttled, name, "salah")
    _client, response = sign_in(throttled, name)
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def test_behind_a_trusted_proxy_the_clients_address_counts(tmp_path):
    proxied = create_app(
        TEST_CONFIG
        | {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.db'}",
            "RATELIMIT_ENABLED": True,
            "TRUSTED_PROXIES": 1,
            "LOGIN_ADDRESS_LIMIT": "3 per 10 minutes",
        }
    )
    client = proxied.test_client()

    def attempt(forwarded: str):
        return client.post(
            "/login/",
            data={"username": "nobody", "password": "salah"},
            headers={"X-Forwarded-For": forwarded},
        )

    assert [attempt("203.0.113.7").status_code for _ in range(4)] == [302, 302, 302, 429]
    assert attempt("203.0.113.8").status_code == 302  # another client behind the same proxy
    with proxied.app_context():
        addresses = {
            row.ip for row in db.session.query(AuditEvent).filter_by(action="login_failed")
        }
        assert addresses == {"203.0.113.7", "203.0.113.8"}
        db.engine.dispose()


# --- sessions that end --------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(app):
    name = new_user(app)
    client, _ = sign_in(app, name)
    copied = cookie_of(client)
    assert replay(app, copied).status_code == 200
    client.get("/logout/")
    assert is_refused(replay(app, copied))


def test_logout_ends_the_users_tokens_too(app):
    name = new_user(app)
    tokens = token_for(app, name, refresh=True)
    client, _ = sign_in(app, name)
    assert api_get(app, tokens["access_token"]).status_code == 200
    client.get("/logout/")
    assert api_get(app, tokens["access_token"]).status_code == 401
    refreshed = app.test_client().post(
        "/api/v1/security/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refreshed.status_code == 401


def test_a_refreshed_token_belongs_to_the_same_session(app):
    name = new_user(app)
    tokens = token_for(app, name, refresh=True)
    refreshed = app.test_client().post(
        "/api/v1/security/refresh", headers={"Authorization": f"Bearer {tokens['refresh_token']}"}
    )
    assert refreshed.status_code == 200
    assert api_get(app, refreshed.json["access_token"]).status_code == 200
    with app.app_context():
        assert db.session.query(AuthSession).filter_by(user_id=user_id(app, name)).count() == 1


def test_a_password_change_ends_the_other_sessions_and_tokens(app):
    name = new_user(app)
    changer, _ = sign_in(app, name)
    elsewhere, _ = sign_in(app, name)
    token = token_for(app, name)["access_token"]
    copied = cookie_of(elsewhere)
    response = changer.post(
        "/resetmypassword/form",
        data={
            "password": "sungai kapuas di pagi hari",
            "conf_password": "sungai kapuas di pagi hari",
        },
    )
    assert response.status_code == 302
    assert changer.get(WORKERS).status_code == 200  # who changed it goes on
    assert is_refused(replay(app, copied))
    assert api_get(app, token).status_code == 401


def test_a_role_change_ends_every_session(app):
    name = new_user(app)
    client, _ = sign_in(app, name)
    token = token_for(app, name)["access_token"]
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=name)
        user.roles = [sm.find_role(AUDITOR)]
        db.session.commit()
    assert is_refused(client.get(WORKERS))
    assert api_get(app, token).status_code == 401


def test_a_scope_change_ends_every_session(app):
    name = new_user(app)
    client, _ = sign_in(app, name)
    token = token_for(app, name)["access_token"]
    with app.app_context():
        scope = db.session.query(UserScope).filter_by(user_id=user_id(app, name)).one()
        scope.branch_office_id = db.session.query(BranchOffice).filter_by(code="MTW").one().id
        db.session.commit()
    assert is_refused(client.get(WORKERS))
    assert api_get(app, token).status_code == 401


def test_deactivation_ends_every_session(app):
    name = new_user(app)
    client, _ = sign_in(app, name)
    copied = cookie_of(client)
    token = token_for(app, name)["access_token"]
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=name)
        user.active = False
        db.session.commit()
    assert is_refused(replay(app, copied))
    assert api_get(app, token).status_code == 401
    with app.app_context():  # switched on again, the old session stays ended
        user = app.appbuilder.sm.find_user(username=name)
        user.active = True
        db.session.commit()
    assert is_refused(replay(app, copied))


def test_an_unrelated_edit_of_the_user_keeps_the_session(app):
    name = new_user(app)
    client, _ = sign_in(app, name)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=name)
        user.first_name = "Baru"
        db.session.commit()
    assert client.get(WORKERS).status_code == 200


def _age_sessions(app, name: str, **delta) -> None:
    """Move the user's sessions back in time, as if that long had passed."""
    earlier = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(**delta)
    with app.app_context():
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user_id(app, name))
            .values(seen_at=earlier, created_at=earlier)
        )
        db.session.commit()


def test_a_session_idle_for_thirty_minutes_has_ended(app):
    name = new_user(app)
    client, _ = sign_in(app, name)
    token = token_for(app, name)["access_token"]
    _age_sessions(app, name, minutes=29)
    assert client.get(WORKERS).status_code == 200  # still inside the idle limit
    _age_sessions(app, name, minutes=31)
    assert is_refused(client.get(WORKERS))
    assert api_get(app, token).status_code == 401


def test_a_session_in_use_ends_after_twelve_hours(app):
    name = new_user(app)
    client, _ = sign_in(app, name)
    with app.app_context():
        moment = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user_id(app, name))
            .values(created_at=moment - dt.timedelta(hours=12, minutes=1), seen_at=moment)
        )
        db.session.commit()
    assert is_refused(client.get(WORKERS))
    with app.app_context():
        ended = db.session.query(AuthSession).filter_by(user_id=user_id(app, name)).one()
        assert ended.end_reason == "expired"


def test_a_token_without_a_session_is_refused(app):
    from flask_jwt_extended import create_access_token

    name = new_user(app)
    with app.test_request_context():
        forged = create_access_token(identity=str(user_id(app, name)), fresh=True)
    assert api_get(app, forged).status_code == 401
