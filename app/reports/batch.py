"""The berita acara of an approved batch: who proposed, who approved, whom, at what cost."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import object_session

from app.models import BatchStatus, EnrollmentBatch
from app.reports.pdf import render_pdf
from app.services.batches import enrolled

# WeasyPrint lays out about 100-150 table rows a second: longer lists go in the XLSX/CSV export,
# which the record names as its attachment.
LISTED_MAX = 500


def record_context(batch: EnrollmentBatch) -> dict:
    """The approval record's figures: enrolled workers by village and segment, the monthly cost."""
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
    }


def record_pdf(batch: EnrollmentBatch) -> bytes:
    """Render the berita acara as A4 PDF."""
    return render_pdf("reports/batch_record.html", None, **record_context(batch))
