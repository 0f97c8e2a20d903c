"""Real Chromium: from each home tile to its filtered list, from a KPJ to the worker's page in
two clicks, and a supervisor from the home page to the batch waiting for a decision (issue 15)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.test_browser import browser, log_in, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]
KPJ = "20555123456"


@pytest.fixture
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    yield context.new_page()
    context.close()


@pytest.fixture
def kapuas_worker_with_kpj(app):
    """A Kapuas worker with a KPJ number and an active enrollment; removed afterwards."""
    from app.extensions import db
    from app.models import Enrollment, EnrollmentStatus, Village, Worker
    from tests.helpers import unique_nik

    with app.app_context():
        village = db.session.scalar(db.select(Village).where(Village.code == "62.03.01.2011"))
        nik, born = unique_nik("62.03.01", "F")
        worker = Worker(
            nik=nik,
            name="Rahmawati Uji KPJ",
            birth_date=born,
            sex="F",
            village=village,
            regency_id=village.regency_id,
            segment="bpu",
            kpj=KPJ,
        )
        db.session.add(worker)
        db.session.flush()
        enrollment = Enrollment(
            worker_id=worker.id,
            regency_id=worker.regency_id,
            start_date=dt.date.today() - dt.timedelta(days=10),
            status=EnrollmentStatus.ACTIVE,
            payer_type="worker",
            declared_wage=1_000_000,
            monthly_contribution=16_800,
        )
        db.session.add(enrollment)
        db.session.commit()
        ids = (worker.id, enrollment.id)
    yield ids[0]
    with app.app_context():
        db.session.execute(db.delete(Enrollment).where(Enrollment.id == ids[1]))
        db.session.execute(db.delete(Worker).where(Worker.id == ids[0]))
        db.session.commit()


def _record_count(page) -> int:
    text = page.inner_text("body")
    found = re.search(r"Jumlah Data:\s*([\d.]+)", text)
    return int(found.group(1).replace(".", "")) if found else 0


def test_each_tile_of_branch_staff_opens_its_filtered_list(server, page):  # noqa: F811
    log_in(page, server, "sari")
    page.goto(f"{server}/")
    tiles = page.locator("a.lindungi-task")
    count = tiles.count()
    assert count >= 5
    for i in range(count):
        page.goto(f"{server}/")
        tile = page.locator("a.lindungi-task").nth(i)
        title = tile.locator(".lindungi-task-title").inner_text()
        number = int(tile.locator(".lindungi-task-count").inner_text().replace(".", ""))
        tile.click()
        page.wait_for_load_state()
        if "_flt_" not in page.url:  # a worklist page of its own says what it counts
            marked = page.locator("[data-count]")
            shown = int(marked.first.get_attribute("data-count")) if marked.count() else 0
            assert shown == number, f"{title}: {page.url}"
            continue
        if "/auditeventview/" not in page.url:
            assert _record_count(page) == number, f"{title}: {page.url}"


def test_a_kpj_leads_to_the_workers_page_in_two_clicks(server, page, kapuas_worker_with_kpj):  # noqa: F811
    log_in(page, server, "sari")
    page.goto(f"{server}/")
    page.click("text=Pekerja tanpa perlindungan aktif")  # click 1: a list of workers
    page.fill("#find-worker", KPJ)
    page.click(".lindungi-find button[type=submit]")  # click 2: find
    page.wait_for_load_state()
    assert page.url.endswith(f"/workerview/show/{kapuas_worker_with_kpj}")
    band = page.locator("[data-cover]").inner_text()
    assert "Terlindungi" in band and "JKK, JKM" in band


def test_a_supervisor_finds_the_waiting_batch_from_the_home_page(app, server, page, as_user):  # noqa: F811
    from tests.test_batches import csv_file, new_batch, person, upload

    app.config["WTF_CSRF_ENABLED"] = False  # the operator's part through the test client
    try:
        oki = as_user("oki")
        batch_id = new_batch(app, oki)
        upload(oki, batch_id, csv_file([person()]))
        oki.post(f"/batchview/submit/{batch_id}")
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    log_in(page, server, "vina")
    page.goto(f"{server}/")
    page.click("text=Batch menunggu keputusan Anda")
    page.wait_for_load_state()
    assert "_flt_3_status=submitted" in page.url
    page.click(f'a[href="/batchview/show/{batch_id}"]')
    page.wait_for_load_state()
    assert page.url.endswith(f"/batchview/show/{batch_id}")
