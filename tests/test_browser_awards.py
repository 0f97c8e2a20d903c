"""Real Chromium: Vina, supervisor of the Kapuas branch, goes from the coverage dashboard to the
award period, marks Kapuas's interview with the minutes attached as a PDF, computes the scores and
downloads the ranking report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.award_world import drop_period, make_period
from tests.helpers import pdf_text
from tests.test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]
YEAR = 2033
MINUTES = b"%PDF-1.4\n% Notulen wawancara tim penilai\n%%EOF\n"


def test_supervisor_from_dashboard_to_ranking_report(app, server, browser, tmp_path):  # noqa: F811
    drop_period(app, YEAR)
    make_period(app, dt.date.today(), YEAR)
    try:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        log_in(page, server, "vina")
        page.click("a.dropdown-toggle:has-text('Cakupan')")
        page.click("a:has-text('Dasbor cakupan')")
        assert "Kabupaten Kapuas" in page.inner_text(".lindungi-coverage")
        assert page.locator("svg.chart").count() >= 4  # drawn on the server, no CDN

        page.click(f"a:has-text('Penghargaan Paritrana {YEAR}')")
        assert "Kabupaten Kapuas" in page.inner_text(".lindungi-ranking")
        page.click(".lindungi-ranking a:has-text('Kabupaten Kapuas')")
        page.fill("input[aria-label='Nilai Wawancara dengan tim penilai']", "95")
        page.fill("input[aria-label='Bukti Wawancara dengan tim penilai']", "Notulen 2 Mei")
        page.set_input_files(
            "input[aria-label='Berkas bukti Wawancara dengan tim penilai']",
            files=[{"name": "notulen.pdf", "mimeType": "application/pdf", "buffer": MINUTES}],
        )
        page.click("button:has-text('Simpan nilai tim penilai')")
        assert "Nilai tim penilai tersimpan" in page.inner_text("body")
        with page.expect_download() as evidence:
            page.click(".lindungi-evidence a:has-text('notulen.pdf')")
        evidence_path = tmp_path / "notulen.pdf"
        evidence.value.save_as(evidence_path)
        assert evidence_path.read_bytes() == MINUTES
        page.click(f".panel-body a:has-text('Penghargaan Paritrana {YEAR}')")
        # Computing belongs to the admin who runs the award: the supervisor has no such button.
        assert page.locator("button:has-text('Hitung nilai')").count() == 0

        with page.expect_download() as download:
            page.click("a:has-text('Laporan peringkat (PDF)')")
        path = tmp_path / "peringkat.pdf"
        download.value.save_as(path)
        text = pdf_text(Path(path).read_bytes())
        assert f"Periode {YEAR}" in text or f"PERIODE {YEAR}" in text.upper()
        assert "Kabupaten Kapuas" in text
        assert "Barito Utara" not in text  # outside Vina's branch
        assert "Bobot bersifat ilustratif" in text
        context.close()
    finally:
        drop_period(app, YEAR)
