"""The regency compliance report: queued, built in the background, kept as PDF, XLSX and HTML,
limited to the requester's area."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from app.extensions import db
from app.models import Regency, ReportJob
from tests.helpers import text_of

TODAY = dt.date.today()


def regency_id(app, code: str) -> int:
    with app.app_context():
        return db.session.query(Regency).filter_by(code=code).one().id


def request_report(client, regency: int):
    return client.post(
        "/reports/regency",
        data={
            "regency": regency,
            "start": TODAY.replace(month=1, day=1).isoformat(),
            "end": TODAY.isoformat(),
        },
    )


def latest_job(app) -> ReportJob | None:
    with app.app_context():
        job = db.session.query(ReportJob).order_by(ReportJob.id.desc()).first()
        if job is not None:
            db.session.expunge(job)
        return job


def test_the_officer_gets_the_kapuas_report_as_pdf_xlsx_and_on_screen(app, as_user):
    client = as_user("putri")
    assert request_report(client, regency_id(app, "62.03")).status_code == 302
    job = latest_job(app)
    assert job.status == "done" and job.rows_done == job.rows_total > 0
    pdf = client.get(f"/reports/{job.id}/pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).replace(
        "\xa0", " "
    )
    assert "Laporan kepatuhan kabupaten/kota" in text
    assert "PT Sawit Kapuas Lestari" in text
    assert "Rp " in text and str(TODAY.year) in text
    assert "CV Barito Jaya" not in text
    book = load_workbook(io.BytesIO(client.get(f"/reports/{job.id}/xlsx").data), read_only=True)
    names = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "PT Sawit Kapuas Lestari" in names
    assert "Ringkasan" in text_of(client.get(f"/reports/{job.id}/html"))


def test_the_report_page_lists_finished_reports_with_downloads(app, as_user):
    client = as_user("putri")
    request_report(client, regency_id(app, "62.03"))
    page = text_of(client.get("/reports/"))
    assert "Siap" in page and "/pdf" in page


def test_a_report_for_another_regency_is_refused(app, as_user):
    before = latest_job(app).id if latest_job(app) else 0
    response = request_report(as_user("putri"), regency_id(app, "62.05"))
    assert response.status_code == 404
    assert (latest_job(app).id if latest_job(app) else 0) == before


def test_another_regencys_report_cannot_be_downloaded(app, as_user):
    request_report(as_user("budi"), regency_id(app, "62.05"))
    job = latest_job(app)
    assert job.regency_id == regency_id(app, "62.05")
    assert as_user("putri").get(f"/reports/{job.id}/pdf").status_code == 404


def test_a_period_that_ends_before_it_starts_is_refused(app, as_user):
    client = as_user("putri")
    response = client.post(
        "/reports/regency",
        data={"regency": regency_id(app, "62.03"), "start": "2026-05-01", "end": "2026-01-01"},
        follow_redirects=True,
    )
    assert "tidak setelah akhirnya" in text_of(response)


def test_a_failing_report_says_so_instead_of_running_forever(app, as_user, monkeypatch):
    import app.reports.regency as regency

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(regency, "regency_context", broken)
    request_report(as_user("putri"), regency_id(app, "62.03"))
    job = latest_job(app)
    assert job.status == "failed" and "disk full" in job.error


def test_a_report_cut_off_by_a_restart_is_shown_as_failed(app, as_user):
    with app.app_context():
        kapuas = db.session.query(Regency).filter_by(code="62.03").one()
        job = ReportJob(
            kind="regency_compliance",
            regency=kapuas,
            period_from=TODAY,
            period_to=TODAY,
            status="running",
            requested_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    page = text_of(as_user("putri").get("/reports/"))
    assert 'http-equiv="refresh"' not in page
    assert "Gagal" in page
    with app.app_context():  # a GET writes nothing: the periodic clean-up records it
        assert db.session.get(ReportJob, job_id).status == "running"
        from app.reports.regency import fail_stale_jobs

        assert fail_stale_jobs(db.session, dt.datetime.now(dt.UTC)) >= 1
        assert db.session.get(ReportJob, job_id).status == "failed"
