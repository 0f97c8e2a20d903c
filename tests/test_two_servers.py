"""Servers that hold no state: two app processes and a worker on one PostgreSQL and one Redis.

A report requested through one server is built by the worker and downloaded through the other
with the same session; failed sign-ins count across both; a production start without a secret
key refuses to run.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("LINDUNGI_TEST_REDIS", "redis://127.0.0.1:6379/11")
SERVE = (
    "import os, sys; from app import create_app; from app.serving import make_server; "
    "make_server(create_app(), '127.0.0.1', int(sys.argv[1]), threads=4).run()"
)


def _redis_up() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS)
        client.ping()
        client.flushdb()  # this test's own database number
        return True
    except Exception:
        return False


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A cookie-keeping client of one server (redirects followed, CSRF tokens read off pages)."""

    def __init__(self, base: str, jar=None):
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str):
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 (http only)

    def post(self, path: str, data: dict, csrf_from: str):
        page = self.get(csrf_from)[1].decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'<meta name="csrf-token" content="([^"]+)"', page
        )
        body = urllib.parse.urlencode(data | {"csrf_token": token.group(1)}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body))  # noqa: S310

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read(), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.read(), request.full_url


def _wait_until_serving(base: str, process) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server at {base} stopped")
        try:
            urllib.request.urlopen(base + "/login/", timeout=2).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the server at {base} did not start")


@pytest.fixture
def installation(app, tmp_path):
    """Two app servers and a worker, as production runs them, on the session's PostgreSQL."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("several servers share PostgreSQL, not an SQLite file")
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("CI needs Redis at " + REDIS)
        pytest.skip("no Redis at " + REDIS)
    env = os.environ | {
        "DATABASE_URL": url,
        "SECRET_KEY": "s" * 48,
        "RATELIMIT_STORAGE_URI": REDIS,
        "LINDUNGI_QUEUE_URL": REDIS,
        "LINDUNGI_RATELIMIT": "true",
        "LINDUNGI_LOG_FORMAT": "text",
        "PYTHONPATH": str(ROOT),
    }
    processes, bases = [], []
    with contextlib.ExitStack() as stack:
        for n in range(2):
            port = _port()
            log = stack.enter_context((tmp_path / f"server-{n}.log").open("w"))
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-c", SERVE, str(port)],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
        log = stack.enter_context((tmp_path / "worker.log").open("w"))
        processes.append(
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "flask", "--app", "run", "worker", "--workers", "1"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        try:
            for base, process in zip(bases, processes, strict=False):
                _wait_until_serving(base, process)
            yield bases
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
            from tests.test_queue import forget_kept_figures

            forget_kept_figures(app)


def test_a_report_requested_on_one_server_downloads_from_the_other(installation, app):
    one, two = installation
    first = Browser(one)
    status, _body, _url = first.post(
        "/login/", {"username": "putri", "password": PASSWORD}, csrf_from="/login/"
    )
    assert status == 200
    from tests.test_queue import kapuas

    status, _body, _url = first.post(
        "/reports/regency",
        {"regency": kapuas(app), "start": "2026-01-01", "end": "2026-12-01"},
        csrf_from="/reports/",
    )
    assert status == 200
    from tests.test_reports import latest_job

    deadline = time.monotonic() + 180
    while (job := latest_job(app)).status not in ("done", "failed"):
        assert time.monotonic() < deadline, "the worker did not build the report"
        time.sleep(0.3)
    assert job.status == "done"
    second = Browser(two, jar=first.jar)  # the same browser, sent to the other server
    status, body, _url = second.get(f"/reports/{job.id}/pdf")
    assert status == 200 and body.startswith(b"%PDF")


def test_failed_sign_ins_count_across_both_servers(installation):
    one, two = installation
    codes = []
    for n in range(10):  # five wrong passwords on each server
        browser = Browser(installation[n % 2])
        codes.append(
            browser.post(
                "/login/", {"username": "ani", "password": "salah sekali"}, csrf_from="/login/"
            )[0]
        )
    assert codes == [200] * 10  # back to the form each time
    for base in (one, two):  # now the account waits, whichever server is asked
        status, body, _url = Browser(base).post(
            "/login/", {"username": "ani", "password": PASSWORD}, csrf_from="/login/"
        )
        assert status == 429 and "Terlalu banyak" in body.decode()


def test_a_production_start_without_a_secret_key_refuses_to_run(app):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env |= {"DATABASE_URL": "postgresql://lindungi@db/lindungi", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import config"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
