"""Real Chromium: branch staff open the arrears worklist, issue a first warning letter and
download it; the permit officer then sees the open recommendation for sanction (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.arrears_world import KAPUAS, KAPUAS_VILLAGE, make_company, remove
from tests.helpers import pdf_text
from tests.test_browser import browser, log_in, server  # noqa: F401 (fixtures)
from tests.test_letters import offices  # noqa: F401 (the Kapuas branch letterhead)

pytestmark = [pytest.mark.browser]
NAME = "PT Uji Peramban Tunggakan"


@pytest.fixture
def company(app, offices):  # noqa: F811
    from app.extensions import db  # noqa: F401

    with app.app_context():
        ids = [
            make_company(
                NAME, KAPUAS, KAPUAS_VILLAGE, 2, [4, 3, 2, 1, 0], dt.date.today(), npp="KP900002"
            )
        ]
    yield ids[0]
    with app.app_context():
        remove(ids)


def _escalate(app, company_id: int) -> str:
    """The second warning and the recommendation, each after the previous deadline."""
    from app.extensions import db
    from app.models import Company, LetterKind
    from app.services import arrears

    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        company = db.session.get(Company, company_id)
        arrears.issue(
            db.session, company, LetterKind.ARREARS_WARNING_2, now + dt.timedelta(days=11)
        )
        letter = arrears.issue(
            db.session, company, LetterKind.SANCTION_RECOMMENDATION, now + dt.timedelta(days=22)
        )
        db.session.commit()
        return letter.issued_letter.number


def test_a_warning_letter_reaches_the_permit_verdict(app, server, browser, company, tmp_path):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    log_in(page, server, "sari")
    page.click("text=Kepesertaan")
    page.click("text=Tunggakan iuran")
    page.select_option("#bucket", "4-6")
    page.click(".lindungi-find button[type=submit]")
    row = page.locator(f"tr[data-payer='company:{company}']")
    shown = row.inner_text().replace("\xa0", " ")
    assert "4–6 bulan" in shown and "Rp 4.620.000" in shown and "Rp 139.800" in shown
    page.screenshot(path=str(tmp_path / "arrears-1366.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button[data-issue=arrears_warning_1]").click()
    page.wait_for_load_state()
    assert "Surat telah diterbitkan." in page.inner_text("body")
    page.select_option("#bucket", "4-6")
    page.click(".lindungi-find button[type=submit]")
    row = page.locator(f"tr[data-payer='company:{company}']")
    link = row.locator("a[href*='/arrears/letter/']")
    number = link.inner_text().strip()
    response = page.request.get(f"{server}{link.get_attribute('href')}")
    assert response.headers["content-type"] == "application/pdf"
    (tmp_path / "letter.pdf").write_bytes(response.body())
    text = pdf_text(response.body())
    assert f"Nomor: {number}" in text
    assert "Rp 924.000" in text and "Rp 4.620.000" in text
    mobile = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    phone = mobile.new_page()
    log_in(phone, server, "sari")
    phone.goto(f"{server}/arrears/?bucket=4-6")
    phone.screenshot(path=str(tmp_path / "arrears-390.png"), full_page=True)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.goto(f"{server}/companyview/show/{company}")
    phone.screenshot(path=str(tmp_path / "company-390.png"), full_page=True)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    mobile.close()
    context.close()

    recommendation = _escalate(app, company)
    officer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = officer.new_page()
    log_in(page, server, "putri")
    page.goto(f"{server}/permitdesk/?company={company}")
    checks = page.inner_text(".lindungi-checks")
    assert "Tidak ada rekomendasi sanksi yang terbuka" in checks
    assert recommendation in checks and "Tidak memenuhi" in page.inner_text(".lindungi-verdict")
    page.screenshot(path=str(tmp_path / "verdict-1366.png"), full_page=True)
    officer.close()
