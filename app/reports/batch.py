"""The berita acara of an approved batch (who proposed, who approved, whom, at what cost) and its
approved list for the BPJS branch."""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from app import formatting
from app.models import BatchStatus, EnrollmentBatch, IssuedLetter, PayerType, Segment
from app.reports.letter import letter_context
from app.reports.pdf import render_pdf
from app.services.batches import enrolled

# WeasyPrint lays out about 100-150 table rows a second: longer lists go in the XLSX/CSV export,
# which the record names as its attachment.
LISTED_MAX = 500


def record_context(batch: EnrollmentBatch, letter: IssuedLetter) -> dict:
    """The approval record's figures: enrolled workers by village and segment, the monthly cost;
    on the issuing office's letterhead with the number kept for the approval."""
    lines = enrolled(object_session(batch), batch)
    by_village = Counter((v.code, v.name) if v else ("", "") for _r, _w, v, _e in lines)
    by_segment = Counter(w.segment for _r, w, _v, _e in lines)
    return {
        "batch": batch,
        "rows": [(row, village) for row, _w, village, _e in lines[:LISTED_MAX]],
        "count": len(lines),
        "listed_all": len(lines) <= LISTED_MAX,
        "by_village": by_village.most_common(),
        "by_segment": by_segment.most_common(),
        "monthly_cost": sum(e.monthly_contribution for _r, _w, _v, e in lines),
        "approved": batch.status == BatchStatus.ENROLLED,
        **letter_context(letter, batch.regency),
    }


def record_pdf(batch: EnrollmentBatch, letter: IssuedLetter) -> bytes:
    """Render the berita acara as A4 PDF."""
    return render_pdf("reports/batch_record.html", None, **record_context(batch, letter))


def approved_list(session, batch: EnrollmentBatch) -> tuple[list[str], list[list]]:
    """The approved list in the BPJS branch's layout; personal data masked by role."""
    labels = [
        _("No."),
        _("NIK"),
        _("Full name"),
        _("Birth date"),
        _("Sex (L/P)"),
        _("Village code"),
        _("Village"),
        _("Segment"),
        _("Programs"),
        _("Declared wage or income"),
        _("Monthly contribution"),
        _("Start date"),
        _("End date"),
        _("Payer"),
        _("Paid by (sponsor)"),
        _("Batch"),
    ]
    full = formatting.personal_data_visible()
    rows = []
    for number, (_row, worker, village, enrollment) in enumerate(enrolled(session, batch), start=1):
        rows.append(
            [
                number,
                worker.nik if full else formatting.nik(worker.nik),
                worker.name,
                worker.birth_date.isoformat() if full else formatting.birth_date(worker.birth_date),
                {"M": "L", "F": "P"}.get(worker.sex, ""),
                village.code if village else "",
                village.name if village else "",
                Segment.label_of(worker.segment),
                "+".join(p.upper() for p in ("jkk", "jkm", "jht") if getattr(enrollment, p)),
                enrollment.declared_wage if full else formatting.wage(enrollment.declared_wage),
                enrollment.monthly_contribution,
                enrollment.start_date.isoformat(),
                enrollment.end_date.isoformat() if enrollment.end_date else "",
                PayerType.label_of(enrollment.payer_type),
                batch.sponsor.name,
                batch.id,
            ]
        )
    return labels, rows
