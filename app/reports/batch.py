"""The berita acara of an approved batch: who proposed, who approved, whom, at what cost."""

from __future__ import annotations

from collections import Counter

from app.models import BatchStatus, EnrollmentBatch
from app.reports.pdf import render_pdf


def record_context(batch: EnrollmentBatch) -> dict:
    """The approval record's figures: enrolled workers, their villages, the monthly cost."""
    enrolled = [row for row in batch.rows if row.valid and row.worker is not None]
    enrollments = {
        e.worker_id: e
        for row in enrolled
        for e in row.worker.enrollments
        if e.sponsor_id == batch.sponsor_id and e.start_date == batch.period_start
    }
    monthly = sum(e.monthly_contribution for e in enrollments.values())
    return {
        "batch": batch,
        "rows": enrolled,
        "by_village": Counter(r.village_code for r in enrolled),
        "monthly_cost": monthly,
        "approved": batch.status == BatchStatus.ENROLLED,
    }


def record_pdf(batch: EnrollmentBatch) -> bytes:
    """Render the berita acara as A4 PDF."""
    return render_pdf("reports/batch_record.html", None, **record_context(batch))
