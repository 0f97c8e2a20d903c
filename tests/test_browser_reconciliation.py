"""Real Chromium: Sari, Kapuas branch staff, imports a branch extract on the real queue, watches
it finish, filters the worklist and resolves a discrepancy with a note; the pages fit a phone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Discrepancy
from tests.queue_helpers import real_queue
from tests.test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (fixtures)
from tests.test_reconciliation import _csv, case  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


def test_import_an_extract_and_resolve_a_discrepancy(app, server, browser, case, tmp_path):  # noqa: F811
    path = tmp_path / "ekstrak-cabang.csv"
    path.write_bytes(_csv(case["rows"]))
    with real_queue(app, tmp_path / "queue.db"):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, server, "sari")
        page.goto(f"{server}/reconciliation/")
        page.set_input_files("#file", str(path))
        with page.expect_navigation():
            page.click("button:has-text('Impor')")
        assert "/reconciliation/run/" in page.url
        page.wait_for_selector("th:has-text('Cocok dengan pekerja di sini')")
        page.wait_for_function("() => !document.querySelector('#batch-check')", timeout=30_000)
        page.screenshot(path=str(tmp_path / "run-1366.png"), full_page=True)
        body = page.inner_text("body")
        assert "Siap" in body and "Di luar wilayah kerja Anda" in body
        page.goto(f"{server}/reconciliation/worklist?kind=unpaid")
        page.screenshot(path=str(tmp_path / "worklist-1366.png"), full_page=True)
        page.click(f"a[href$='/resolve/{_unpaid_id(app, case)}']")
        page.fill("#note", "Iuran Januari sudah dibayar, bukti setor diterima")
        with page.expect_navigation():
            page.click("button:has-text('Selesaikan')")
        assert "Selisih telah diselesaikan" in page.inner_text("body")
        phone = browser.new_page(viewport=PHONE)
        log_in(phone, server, "sari")
        for url in ("/reconciliation/", "/reconciliation/worklist?status=all"):
            phone.goto(f"{server}{url}")
            phone.wait_for_load_state("networkidle")
            phone.screenshot(path=str(tmp_path / f"phone{len(url)}.png"), full_page=True)
            assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.close()
        phone.close()


def _unpaid_id(app, found) -> int:
    with app.app_context():
        return db.session.scalars(
            select(Discrepancy.id).where(Discrepancy.worker_id == found["ids"]["unpaid"])
        ).one()
