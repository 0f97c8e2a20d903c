"""API callers are kept a few seconds per process with roles and scope (JWT_USER_CACHE_SECONDS).

Putri, permit officer of Kapuas, calls the compliance API; the cache spares the user and scope
queries on her next calls, never widens her scope, and lets go of her once it expires.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.helpers import count_queries
from tests.test_permits import api_token as compliance_token
from tests.world import BARUT_NIB, KAPUAS_NIB


@pytest.fixture
def cached(app):
    """Turn the cache on for one test, empty, and off again afterwards."""
    sm = app.appbuilder.sm
    app.config["JWT_USER_CACHE_SECONDS"] = 10
    sm.__dict__.pop("_jwt_users", None)
    yield sm
    app.config["JWT_USER_CACHE_SECONDS"] = 0
    sm.__dict__.pop("_jwt_users", None)


def test_a_cached_caller_costs_fewer_statements(app, client, cached):
    headers = compliance_token(client, "putri")
    url = f"/api/v1/compliance/{KAPUAS_NIB}"
    with count_queries(app) as first:
        assert client.get(url, headers=headers).status_code == 200
    with count_queries(app) as second:
        assert client.get(url, headers=headers).status_code == 200
    assert len(second) <= len(first) - 2  # the user with roles, the scope


def test_the_cached_scope_still_hides_another_regency(app, client, cached):
    headers = compliance_token(client, "putri")
    assert client.get(f"/api/v1/compliance/{KAPUAS_NIB}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/compliance/{BARUT_NIB}", headers=headers).status_code == 404


def test_a_deactivated_caller_is_refused_once_the_entry_expires(app, client, cached, monkeypatch):
    import app.security as security

    headers = compliance_token(client, "putri")
    url = f"/api/v1/compliance/{KAPUAS_NIB}"
    assert client.get(url, headers=headers).status_code == 200
    with app.app_context():
        user = cached.find_user(username="putri")
        user.active = False
        db.session.commit()
    try:
        later = security.time.monotonic() + 11
        monkeypatch.setattr(security.time, "monotonic", lambda: later)
        assert client.get(url, headers=headers).status_code == 401
    finally:
        with app.app_context():
            user = cached.find_user(username="putri")
            user.active = True
            db.session.commit()
