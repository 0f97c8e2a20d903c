"""Real Chromium: Oki, operator of a Kapuas village, reports the death of a covered vulnerable
worker with the widow and two children, sees the Rp 42 juta JKM benefits and downloads the claim
guide; Sari, Kapuas branch staff, moves the claim on."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from app.extensions import db
from tests.claim_helpers import months, remove, sponsored_worker
from tests.test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (fixtures)
from tests.world import KAPUAS_VILLAGE

pytestmark = [pytest.mark.browser]


@pytest.fixture
def worker(app):
    with app.app_context():
        start = dt.date(2024, 1, 1)
        made = sponsored_worker(
            db.session, KAPUAS_VILLAGE, start, months(start, 12), name="Simon Peramban"
        )
        found = (made.id, made.nik)
        db.session.commit()
    yield found
    with app.app_context():
        remove(db.session, found[0])


def test_reporting_a_death_and_downloading_the_claim_guide(server, browser, worker):  # noqa: F811
    _worker_id, nik = worker
    page = browser.new_page()
    log_in(page, server, "oki")
    page.goto(f"{server}/claims/")
    page.click("a:has-text('Laporkan kematian')")
    page.fill("#nik", nik)
    page.select_option("#event_type", "death")
    page.fill("#event_date", "2024-10-20")
    page.fill("input[name='heir-0-name']", "Marta Peramban")
    page.select_option("select[name='heir-0-relation']", "spouse")
    page.fill("input[name='heir-1-name']", "Yohana Peramban")
    page.select_option("select[name='heir-1-relation']", "child")
    page.fill("input[name='heir-1-birth_date']", "2016-02-03")
    page.select_option("select[name='heir-1-school_level']", "sd")
    with page.expect_navigation():
        page.click("button:has-text('Periksa perlindungan dan catat')")
    assert "/claims/" in page.url
    body = page.inner_text("body").replace("\xa0", " ")
    assert "Peristiwa telah dicatat" in body
    assert "Rp 42.000.000" in body
    assert "Tanpa beasiswa" in body  # ten paid months: no JKM scholarship
    link = page.get_attribute("a.lindungi-guide", "href")
    response = page.request.get(f"{server}{link}")
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    text = " ".join(text.replace("\xa0", " ").split())
    assert "Panduan klaim bagi ahli waris" in text
    assert "Rp 42.000.000" in text and "Marta Peramban" in text
    assert "Follow" not in body and "Ikuti klaim" not in body  # the operator does not decide
    claim_url = page.url
    page.close()

    page = browser.new_page()
    log_in(page, server, "sari")
    page.goto(claim_url)
    page.select_option("#status", "documents")
    with page.expect_navigation():
        page.click("form.lindungi-move button[type=submit]")
    assert "Status klaim telah diubah" in page.inner_text("body")
    assert "Dokumen lengkap" in page.inner_text(".lindungi-claim")
    page.close()
