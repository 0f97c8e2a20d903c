"""Real Chromium: each demo role logs in and sees the Indonesian menu."""

from __future__ import annotations

import os
import shutil
import socket
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("LINDUNGI_CHROMIUM", "/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM),
        reason="Debian's chromium is not installed",
    ),
]

MENUS = {
    "admin": ["Kepesertaan", "Organisasi", "Wilayah", "Referensi", "Keamanan"],
    "sari": ["Kepesertaan", "Organisasi", "Wilayah"],
    "vina": ["Kepesertaan", "Organisasi"],
    "putri": ["Organisasi", "Wilayah"],
    "oki": ["Kepesertaan", "Wilayah"],
    "ani": ["Kepesertaan", "Referensi"],
}


@pytest.fixture(scope="module")
def server(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the browser journey runs once, on SQLite")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app.config["WTF_CSRF_ENABLED"] = True  # the browser journey runs with production CSRF
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    app.config["WTF_CSRF_ENABLED"] = False


def log_in(page, server: str, username: str) -> None:
    """Sign in through the real login form."""
    page.goto(f"{server}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.mark.parametrize("username", list(MENUS))
def test_each_role_logs_in_and_sees_the_indonesian_menu(server, browser, username):
    page = browser.new_page()
    log_in(page, server, username)
    page.wait_for_load_state("networkidle")
    navbar = page.inner_text(".navbar")
    for label in MENUS[username]:
        assert label in navbar, f"{username} misses {label} in {navbar!r}"
    assert "Keluar" in navbar or "Keluar" in page.content()
    page.close()


def test_staff_sees_the_worker_list_in_indonesian(server, browser):
    page = browser.new_page()
    log_in(page, server, "sari")
    # Other tests add Kapuas workers: search by name, as staff would, so the row is on page 1.
    page.goto(f"{server}/workerview/list/?_flt_2_name=Yohanes")
    body = page.inner_text("body")
    assert "Pekerja" in body
    assert "Yohanes Ngabut" in body
    page.goto(f"{server}/workerview/list/?_flt_2_name=Rahmat")
    assert "Rahmat Hidayat" not in page.inner_text("body")
    out = os.environ.get("LINDUNGI_SCREENSHOTS")
    if out:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.screenshot(path=os.path.join(out, "worker-list.png"), full_page=True)
    page.close()


def test_the_village_picker_searches_as_staff_type(server, browser):
    page = browser.new_page()
    log_in(page, server, "sari")
    page.goto(f"{server}/workerview/add")
    page.click("#village + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "Pulau Telo")
    option = page.wait_for_selector(".select2-results li:has-text('Pulau Telo')")
    assert "Selat" in option.inner_text()  # the district is shown beside the village
    options = page.inner_text(".select2-results")
    assert "Barito" not in options
    page.close()


def test_the_permit_officer_checks_a_company_and_records_a_refusal(server, browser):
    from tests.world import KAPUAS_NIB

    page = browser.new_page()
    log_in(page, server, "putri")
    page.click("text=Perizinan")
    page.click("text=Meja perizinan")
    page.fill("#desk-q", KAPUAS_NIB)
    page.click("button:has-text('Periksa')")
    assert "Tidak memenuhi semua syarat" in page.inner_text(".lindungi-verdict")
    assert page.locator("button[value=issued]").count() == 0
    page.fill("#application_number", "OSS-BROWSER-1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=refused]")
    page.wait_for_url("**/permitcheckview/show/**")
    assert "Keputusan sudah dicatat" in page.inner_text("body")
    link = page.get_attribute("a[href*='/permitdesk/document/']", "href")
    response = page.request.get(f"{server}{link}")
    assert response.headers["content-type"] == "application/pdf"
    page.close()


CSP_PAGES = [
    "/workerview/list/",
    "/workerview/add",
    "/companyview/list/",
    "/dashboard/",
    "/enrollmentbatchview/list/",
    "/permitdesk/",
    "/swagger/v1",
]


def test_no_page_needs_an_inline_script_the_policy_refuses(server, browser):
    page = browser.new_page()
    refused = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    log_in(page, server, "admin")
    for path in CSP_PAGES:
        page.goto(f"{server}{path}")
        page.wait_for_load_state("networkidle")
    assert refused == []
    page.goto(f"{server}/workerview/add")
    # the scripts that carry a nonce ran: select2 and the pickers are alive
    assert page.locator(".select2-container").count() > 0
    page.close()


def test_an_injected_inline_script_does_not_run(server, browser):
    page = browser.new_page()
    log_in(page, server, "admin")
    page.goto(f"{server}/workerview/list/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.__injected === true") is False
    page.close()
