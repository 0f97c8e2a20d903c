"""A page that is only read writes nothing; the periodic clean-up records what time changed.

A batch check or a report cut off by a restart reads as failed at once, but it is recorded as
failed by `flask jobs clean-up` (or by the next upload or report request, where the cause is
acted on). A certificate of a company that fell into arrears reads as withdrawn on /verify; the
withdrawal is recorded by the clean-up.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, EnrollmentBatch, Regency, Sponsor
from tests.helpers import text_of
from tests.world import KAPUAS


def _audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action != "read")
        )


def _stale_batch(app) -> int:
    with app.app_context():
        kapuas = db.session.scalar(select(Regency).where(Regency.code == KAPUAS))
        sponsor = db.session.scalar(select(Sponsor).where(Sponsor.name == "APBD Kabupaten Kapuas"))
        maker = app.appbuilder.sm.find_user("sari")
        batch = EnrollmentBatch(
            title=f"Terputus {uuid.uuid4().hex[:6]}",
            regency_id=kapuas.id,
            sponsor_id=sponsor.id,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            maker_id=maker.id,
            created_at=dt.datetime.now(dt.UTC),
            check_status="running",
            check_started_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
        )
        db.session.add(batch)
        db.session.commit()
        return batch.id


def test_a_batch_check_cut_off_by_a_restart_reads_as_failed_and_the_page_writes_nothing(
    app, as_user
):
    pk = _stale_batch(app)
    page = text_of(as_user("sari").get(f"/batchview/show/{pk}"))
    assert "Pemeriksaan terputus; unggah kembali berkasnya." in page
    with app.app_context():
        assert db.session.get(EnrollmentBatch, pk).check_status == "running"


def test_the_clean_up_command_records_cut_off_checks_as_failed(app):
    pk = _stale_batch(app)
    result = app.test_cli_runner().invoke(args=["jobs", "clean-up"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(EnrollmentBatch, pk).check_status == "failed"


def test_reading_the_worker_list_changes_no_record(app, as_user):
    sari = as_user("sari")
    before = _audit_rows(app)
    with app.app_context():
        changed = db.session.scalar(select(func.max(EnrollmentBatch.id)))
    assert sari.get("/workerview/list/").status_code == 200
    assert sari.get("/batchview/list/").status_code == 200
    assert _audit_rows(app) - before == 1  # the read of the workers' list, nothing else
    with app.app_context():
        assert db.session.scalar(select(func.max(EnrollmentBatch.id))) == changed
