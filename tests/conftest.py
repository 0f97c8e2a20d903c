"""Fixtures: one migrated database per backend (SQLite, PostgreSQL), personas in two regencies.

The personas (who they are):
- admin: the system administrator; sees everything.
- sari: branch staff at the Kapuas branch; works on Kapuas (62.03) only.
- budi: branch staff at the Muara Teweh branch; works on Barito Utara (62.05) only.
- vina: supervisor at the Kapuas branch; reads everything in Kapuas, edits nothing.
- putri: permit officer (DPMPTSP) of Kapuas; reads companies, never edits workers.
- oki: operator of one Kapuas village; sees only that village's workers.
- ani: auditor for Kapuas; reads, exports and audits, changes nothing.
- dodi: operator of Dinas Sosial Kapuas (an OPD); sees only that OPD's workers, never those of
  Dinas PMD Kapuas in the same regency.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

PASSWORD = "correct-horse-battery-staple"
PG_URL = os.environ.get(
    "LINDUNGI_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_available() -> bool:
    try:
        engine = create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def _backends():
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("LINDUNGI_TEST_SQLITE_ONLY"):
        return params
    if _postgres_available():
        params.append(pytest.param("postgresql", id="postgresql"))
    elif os.environ.get("CI"):
        raise RuntimeError(f"PostgreSQL is required in CI but {PG_URL} is not reachable")
    else:
        params.append(
            pytest.param(
                "postgresql",
                id="postgresql",
                marks=pytest.mark.skip(reason=f"PostgreSQL not reachable at {PG_URL}"),
            )
        )
    return params


@pytest.fixture(scope="session", params=_backends())
def database_url(request, tmp_path_factory):
    """A fresh, empty database for the session on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    name = f"lindungi_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


TEST_CONFIG = {
    "TESTING": True,
    "AUTO_UPGRADE_DB": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "LINDUNGI_TEST": True,
    "QUEUE_IMMEDIATE": True,  # tasks run at once, in memory (one test runs a real worker)
    "JWT_USER_CACHE_SECONDS": 0,  # personas change roles and scopes between calls
}


# The SQLite application and a copy of its freshly built world, kept for a later pytest session
# in the same process: mutmut runs pytest once per mutant in a process forked from the one that
# ran the suite, and building the app and the world each time would cost seconds per mutant.
_BUILT: dict[str, tuple] = {}


def _remove_in_creator(folder: str, pid: int) -> None:
    if os.getpid() == pid:  # not in a forked child, which may exit while others still copy
        shutil.rmtree(folder, ignore_errors=True)


def _sqlite_path(url: str) -> str:
    return make_url(url).database


def _sqlite_copy(source: str, target: str) -> None:
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _reuse_built_app(database_url: str):
    """The app built by an earlier session of this process, on a fresh copy of its world."""
    from app import _configure_engine

    application, template = _BUILT["sqlite"]
    _sqlite_copy(template, _sqlite_path(database_url))
    with application.app_context():
        db.session.remove()
        engines = db._app_engines[application]
        engines[None].dispose()
        engine = create_engine(database_url, **application.config["SQLALCHEMY_ENGINE_OPTIONS"])
        _configure_engine(engine)
        engines[None] = engine
    return application


@pytest.fixture(scope="session")
def app(database_url):
    """The application on a migrated database holding the personas' world."""
    if database_url.startswith("sqlite") and "sqlite" in _BUILT:
        application = _reuse_built_app(database_url)
    else:
        application = create_app(TEST_CONFIG | {"SQLALCHEMY_DATABASE_URI": database_url})
        with application.app_context():
            from tests import world

            world.build(db.session, application.appbuilder.sm, PASSWORD)
            db.session.remove()
        if database_url.startswith("sqlite"):
            import tempfile

            folder = tempfile.mkdtemp(prefix="lindungi-world-")
            atexit.register(_remove_in_creator, folder, os.getpid())
            template = os.path.join(folder, "world.db")
            _sqlite_copy(_sqlite_path(database_url), template)
            _BUILT["sqlite"] = (application, template)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session
        db.session.rollback()


class Auth:
    """Log a test client in and out as a persona."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        response = self.client.post("/login/", data={"username": username, "password": password})
        assert response.status_code == 302, f"login as {username} failed"
        return response

    def logout(self):
        return self.client.get("/logout/")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def as_user(app):
    """Return a logged-in test client for a persona."""

    def _client(username: str):
        c = app.test_client()
        Auth(c).login(username)
        return c

    return _client


@pytest.fixture
def today():
    return dt.date.today()
