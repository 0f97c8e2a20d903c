"""Jobs on a real queue: a separate worker process (`flask --app run worker`) builds what the
web app queued, the result is served from the database, and a worker killed in the middle of a
job leaves nothing "running"."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from app import background, housekeeping, jobstate
from app.extensions import db
from app.models import EnrollmentBatch, Regency, ReportJob
from app.services.identifiers import make_nik
from tests.test_batches import VILLAGE, csv_file, new_batch, upload
from tests.test_reports import latest_job, request_report

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def queue_file(app, path: Path):
    """The web app queues into an SQLite file instead of running tasks at once."""
    app.config.update(QUEUE_IMMEDIATE=False, QUEUE_URL=f"sqlite:///{path}")
    background.configure(app)
    try:
        yield
    finally:
        app.config["QUEUE_IMMEDIATE"] = True
        background.configure(app)


@contextlib.contextmanager
def worker_process(app, queue: Path, log: Path):
    """`flask --app run worker` on the test database and the same queue file."""
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "LINDUNGI_QUEUE_URL": f"sqlite:///{queue}",
        "LINDUNGI_LOG_FORMAT": "text",
        "SECRET_KEY": "w" * 48,
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "run", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        forget_kept_figures(app)


def forget_kept_figures(app) -> None:
    """A worker process may have run its five-minute figures task on the test database: the
    other tests read live counts."""
    from sqlalchemy import delete

    from app.models import CoverageFigure

    with app.app_context():
        db.session.execute(delete(CoverageFigure))
        db.session.commit()


def wait_for(condition, seconds: float = 180, what: str = "the worker"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} did not finish in {seconds} s")


def kapuas(app) -> int:
    with app.app_context():
        return db.session.query(Regency).filter_by(code="62.03").one().id


def test_a_report_queued_by_the_web_is_built_by_the_worker_and_served_from_the_database(
    app, as_user, tmp_path
):
    putri = as_user("putri")
    with queue_file(app, tmp_path / "queue.db"):
        assert request_report(putri, kapuas(app)).status_code == 302
        job = latest_job(app)
        assert job.status == "queued"  # nothing ran inside the request
        with worker_process(app, tmp_path / "queue.db", tmp_path / "worker.log"):
            done = wait_for(
                lambda: (j := latest_job(app)).status in ("done", "failed") and j,
                what="the report",
            )
    assert done.status == "done", (tmp_path / "worker.log").read_text()[-3000:]
    pdf = putri.get(f"/reports/{done.id}/pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "PT Sawit Kapuas Lestari" in text


def big_file(rows: int) -> bytes:
    """A batch file long enough to be caught in the middle of its check."""
    lines = []
    for n in range(rows):
        born = dt.date(1975, 1, 1) + dt.timedelta(days=n)
        nik = make_nik("62.03.02", born, "M", 1 + n % 9000)
        lines.append(
            [nik, f"Warga Antre {n}", born.isoformat(), "L", VILLAGE, "vulnerable", "2", ""]
        )
    return csv_file(lines)


def test_a_check_whose_worker_is_killed_reads_and_is_recorded_as_failed(
    app, as_user, tmp_path, monkeypatch
):
    oki = as_user("oki")
    batch_id = new_batch(app, oki)
    log = tmp_path / "worker.log"
    with queue_file(app, tmp_path / "queue.db"):
        upload(oki, batch_id, big_file(6000), name="antre.csv")
        with worker_process(app, tmp_path / "queue.db", log) as worker:

            def running():
                with app.app_context():
                    batch = db.session.get(EnrollmentBatch, batch_id)
                    return batch.check_status == "running" and batch.check_done > 0

            wait_for(running, what="the check's start")
            worker.send_signal(signal.SIGKILL)  # the machine dies mid-check
            worker.wait(timeout=20)
    with app.app_context():
        batch = db.session.get(EnrollmentBatch, batch_id)
        # killed while the job was running (on a fast machine it may have read every row and
        # been writing its result): it is left "running" until the clean-up notices
        assert batch.check_status == "running"
    monkeypatch.setattr(jobstate, "SILENT_AFTER", dt.timedelta(seconds=1))
    time.sleep(1.5)  # the heartbeat has stopped
    assert oki.get(f"/batchview/progress/{batch_id}").get_json()["status"] == "failed"
    with app.app_context():
        counts = housekeeping.clean_up_now(db.session, dt.datetime.now(dt.UTC))
        assert counts["checks"] >= 1
        assert db.session.get(EnrollmentBatch, batch_id).check_status == "failed"


def test_a_report_whose_worker_went_silent_is_failed_by_the_periodic_clean_up(app, monkeypatch):
    with app.app_context():
        now = dt.datetime.now(dt.UTC)
        job = ReportJob(
            kind="regency_compliance",
            regency_id=kapuas(app),
            period_from=now.date(),
            period_to=now.date(),
            status="running",
            requested_at=now - dt.timedelta(minutes=5),
            heartbeat_at=now - jobstate.SILENT_AFTER - dt.timedelta(seconds=5),
        )
        fresh = ReportJob(
            kind="regency_compliance",
            regency_id=kapuas(app),
            period_from=now.date(),
            period_to=now.date(),
            status="running",
            requested_at=now - dt.timedelta(minutes=5),
            heartbeat_at=now,
        )
        db.session.add_all([job, fresh])
        db.session.commit()
        ids = job.id, fresh.id
    monkeypatch.setattr(background, "_worker_app", app)  # as `flask --app run worker` sets it
    housekeeping.clean_up.call_local()  # the periodic task itself, as the worker runs it
    with app.app_context():
        assert db.session.get(ReportJob, ids[0]).status == "failed"
        assert db.session.get(ReportJob, ids[1]).status == "running"  # still beating
        db.session.get(ReportJob, ids[1]).status = "failed"  # tidy: no other test waits on it
        db.session.commit()


def test_the_queue_is_the_configured_storage(app, tmp_path):
    from huey.storage import SqliteStorage

    with queue_file(app, tmp_path / "q.db"):
        assert isinstance(background.huey.storage, SqliteStorage)
        assert background.huey.immediate is False
    assert background.huey.immediate is True


def test_a_queue_url_of_another_kind_is_refused(app):
    app.config.update(QUEUE_IMMEDIATE=False, QUEUE_URL="amqp://elsewhere")
    try:
        with pytest.raises(ValueError, match="LINDUNGI_QUEUE_URL"):
            background.configure(app)
    finally:
        app.config["QUEUE_IMMEDIATE"] = True
        background.configure(app)
