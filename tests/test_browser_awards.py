"""Real Chromium: Vina, supervisor of the Kapuas branch, goes from the coverage dashboard to the
award period, marks Kapuas's interview, computes the scores and downloads the ranking report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import pdf_text
from tests.test_awards_views import YEAR, drop_period, make_period
from tests.test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]


def test_supervisor_from_dashboard_to_ranking_report(app, server, browser, tmp_path):  # noqa: F811
    drop_period(app)
    make_period(app, dt.date.today())
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
        page.click("button:has-text('Simpan nilai tim penilai')")
        assert "Nilai tim penilai tersimpan" in page.inner_text("body")
        page.click(f".panel-body a:has-text('Penghargaan Paritrana {YEAR}')")
        page.click("button:has-text('Hitung nilai')")
        assert "peserta diperingkat" in page.inner_text("body")

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
        drop_period(app)
