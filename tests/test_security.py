"""Security baseline: CSRF, login throttling, password policy, headers, cookies, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Worker
from tests.helpers import record_id


@pytest.fixture
def sari_with_csrf(app, as_user):
    """Sari logged in, then CSRF protection switched on as in production."""
    client = as_user("sari")
    app.config["WTF_CSRF_ENABLED"] = True
    yield client
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(
    "path",
    [
        "/workerview/list/",
        "/companyview/list/",
        "/enrollmentview/list/",
        "/contributionview/list/",
        "/auditeventview/list/",
        "/workerview/export/csv",
    ],
)
def test_every_screen_needs_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_delete_without_a_csrf_token_is_refused(app, sari_with_csrf):
    worker = record_id(app, Worker, name="Siti Lestari")
    response = sari_with_csrf.post(f"/workerview/delete/{worker}")
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Worker, worker) is not None


def test_a_delete_by_get_is_refused(app, sari_with_csrf):
    worker = record_id(app, Worker, name="Siti Lestari")
    # FAB refuses a delete by GET when CSRF is on: it logs a warning and sends the user back.
    assert sari_with_csrf.get(f"/workerview/delete/{worker}").status_code == 302
    with app.app_context():
        assert db.session.get(Worker, worker) is not None


@pytest.mark.parametrize(
    "password, ok",
    [
        ("short", False),
        ("123456789012", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("kapuas river at dawn", True),
        ("x" * 129, False),
    ],
)
def test_the_password_policy_is_about_length_not_composition(app, password, ok):
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    from app.security import password_policy

    with app.test_request_context():
        if ok:
            password_policy(password)
        else:
            with pytest.raises(PasswordComplexityValidationError):
                password_policy(password)


def test_pages_carry_security_headers_and_are_not_cached(as_user):
    response = as_user("sari").get("/workerview/list/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_and_samesite(client):
    from tests.conftest import PASSWORD

    response = client.post("/login/", data={"username": "sari", "password": PASSWORD})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_can_be_switched_on_for_https(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("LINDUNGI_SECURE_COOKIES", "true")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SESSION_COOKIE_SECURE is True
    finally:
        monkeypatch.delenv("LINDUNGI_SECURE_COOKIES")
        importlib.reload(config)


def test_a_bad_boolean_setting_is_refused(monkeypatch):
    from config import env_bool

    monkeypatch.setenv("LINDUNGI_X", "maybe")
    with pytest.raises(ValueError):
        env_bool("LINDUNGI_X", False)


def test_redirect_hosts_are_an_allowlist(app):
    assert app.config["FAB_SAFE_REDIRECT_HOSTS"] == ["127.0.0.1", "localhost"]


def test_reading_a_worker_is_audited(app, as_user):
    worker = record_id(app, Worker, name="Yohanes Ngabut")
    with app.app_context():
        before = (
            db.session.query(AuditEvent).filter_by(action="read", entity_id=str(worker)).count()
        )
    assert as_user("sari").get(f"/workerview/show/{worker}").status_code == 200
    with app.app_context():
        after = db.session.query(AuditEvent).filter_by(action="read", entity_id=str(worker)).count()
    assert after == before + 1


def test_changes_are_audited_with_before_and_after(app, as_user):
    worker = record_id(app, Worker, name="Siti Lestari")
    with app.app_context():
        w = db.session.get(Worker, worker)
        data = {
            "nik": w.nik,
            "name": "Siti Lestari",
            "birth_date": w.birth_date.isoformat(),
            "sex": w.sex,
            "village": str(w.village_id),
            "segment": w.segment,
            "phone": "081234567890",
            "welfare_source": "",
            "version_token": str(w.version),
        }
    response = as_user("sari").post(f"/workerview/edit/{worker}", data=data)
    assert response.status_code == 302
    with app.app_context():
        event = (
            db.session.query(AuditEvent)
            .filter_by(action="update", entity="Worker", entity_id=str(worker))
            .order_by(AuditEvent.id.desc())
            .first()
        )
        assert event is not None and event.username == "sari"
        assert "081234567890" in event.changes


def test_a_created_record_is_audited_under_its_own_id(app):
    from app.models import Regency, Sponsor

    kapuas = record_id(app, Regency, code="62.03")
    with app.app_context():
        sponsor = Sponsor(name="CSR Audit Kapuas", kind="csr_company", regency_id=kapuas)
        db.session.add(sponsor)
        db.session.commit()
        created = db.session.scalars(
            select(AuditEvent.entity_id)
            .where(AuditEvent.action == "create", AuditEvent.entity == "Sponsor")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert created == str(sponsor.id)
        db.session.delete(sponsor)
        db.session.commit()


def test_exports_are_audited(app, as_user):
    as_user("sari").get("/companyview/export/xlsx")
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="export", username="sari").count()


def test_every_declared_role_pattern_fits_fabs_250_character_column():
    from app.roles import fab_roles

    for role, entries in fab_roles().items():
        for view_pattern, permission_pattern in entries:
            assert len(view_pattern) <= 250 and len(permission_pattern) <= 100, role


def test_the_demo_server_names_no_software_or_version(tmp_path):
    """The demo's server (app/serving.py, waitress) in a process of its own, as run.py runs it."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    program = (
        "import sys; from app import create_app; from app.serving import make_server; "
        "make_server(create_app({'AUTO_UPGRADE_DB': True}), '127.0.0.1', int(sys.argv[1])).run()"
    )
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'banner.db'}",
        "SECRET_KEY": "b" * 48,
        "PYTHONPATH": str(root),
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", program, str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline, headers = time.monotonic() + 120, None
        while headers is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as response:  # noqa: S310
                    headers = dict(response.headers)
            except OSError:
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert headers is not None, "the demo server did not answer"
    assert "Server" not in headers
    assert not any("Werkzeug" in v or "Python" in v for v in headers.values())
