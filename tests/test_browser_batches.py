"""Real Chromium: Oki, operator of Pulau Telo (Kapuas), makes a batch, uploads a spreadsheet with
bad rows, watches the background check, corrects a row on screen and submits; Vina, supervisor of
the Kapuas branch, sees the cost against the village fund's commitment, approves, and prints the
berita acara."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from app.services.batch_import import TEMPLATE_HEADERS
from app.services.identifiers import make_nik
from tests.queue_helpers import real_queue
from tests.test_batches import VILLAGE
from tests.test_browser import CHROMIUM, browser, log_in, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]


def spreadsheet(tmp_path) -> tuple[str, list[list]]:
    """An XLSX as a village office would fill it: three good rows, one without sex, one bad NIK."""
    rows = []
    for n in range(5):
        born = dt.date(1980, 2, 1) + dt.timedelta(days=97 * n)
        nik = make_nik("62.03.01", born, "F", 8100 + n)
        rows.append(
            [nik, f"Ibu Browser {n}", born.isoformat(), "P", VILLAGE, "vulnerable", 2, None]
        )
    rows[3][3] = ""  # sex missing: corrected on screen
    rows[4][0] = "62030112345"  # a NIK too short: stays out of the submission
    book = Workbook()
    sheet = book.active
    sheet.append(TEMPLATE_HEADERS)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "pekerja-rentan-pulau-telo.xlsx"
    book.save(path)
    return str(path), rows


def test_batch_from_upload_to_berita_acara(app, server, browser, tmp_path):  # noqa: F811
    path, rows = spreadsheet(tmp_path)
    with real_queue(app, tmp_path / "queue.db"):  # the real check with its progress bar
        page = browser.new_page()
        log_in(page, server, "oki")
        page.goto(f"{server}/batchview/add")
        page.fill("#title", "Pekerja rentan Pulau Telo (peramban)")
        page.click("#sponsor + .select2 .select2-selection")
        page.fill(".select2-container--open .select2-search__field", "Dana")
        page.click(".select2-results li:has-text('Dana Desa Pulau Telo')")
        # FAB's date picker widget: set the fields as the picker does
        page.eval_on_selector("#period_start", "e => e.value = '2026-01-01'")
        page.eval_on_selector("#period_end", "e => e.value = '2026-12-31'")
        with page.expect_navigation():
            page.click("button:has-text('Simpan')")
        assert "/batchview/show/" in page.url  # a new batch opens on its own page
        batch_url = page.url.split("?")[0]

        page.set_input_files("#file", path)
        page.click("button:has-text('Unggah dan periksa')")
        # the page follows the check and shows the rows when it is done
        page.wait_for_selector("text=perlu diperbaiki: 2", timeout=30_000)
        body = page.inner_text(".lindungi-batch").replace("\xa0", " ")
        assert "Tulis L atau P" in body
        assert "NIK harus terdiri dari tepat 16 digit" in body
        assert "Rp 50.400" in body  # three valid workers x Rp 16.800 a month

        page.click("a:has-text('Hanya baris yang perlu diperbaiki')")
        page.click("tr:has-text('Ibu Browser 3') a:has-text('Perbaiki')")
        page.select_option("#row-sex", "P")
        page.click("button:has-text('Simpan baris')")
        assert "Baris 5 sudah diperbaiki" in page.inner_text("body")
        page.goto(batch_url)
        assert "perlu diperbaiki: 1" in page.inner_text(".lindungi-batch")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button:has-text('Ajukan 4 baris valid')")
        assert "Batch sudah diajukan" in page.inner_text("body")
        page.close()

        page = browser.new_page()
        log_in(page, server, "vina")
        page.goto(batch_url)
        body = page.inner_text(".lindungi-batch").replace("\xa0", " ")
        assert "APBDes Pulau Telo 2026" in body
        assert "Rp 67.200" in body  # four workers a month
        page.once("dialog", lambda dialog: dialog.accept())
        with page.expect_navigation():
            page.click("button:has-text('Setujui dan daftarkan')")
        assert "Keputusan sudah dicatat" in page.inner_text("body")
        link = page.get_attribute("a[href*='/batchview/record/']", "href")
        response = page.request.get(f"{server}{link}")
        assert response.headers["content-type"] == "application/pdf"
        text = " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages
        ).replace("\xa0", " ")
        assert "Berita acara persetujuan" in text
        assert "Ibu Browser 3" in text
        assert "Ibu Browser 4" not in text
        page.close()
