"""What the maker does to a draft batch: a file kept and checked in the background, a check cut
off by a restart failed, rows corrected or removed one by one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from app import jobstate
from app.models import (
    BatchRow,
    EnrollmentBatch,
    JobStatus,
)
from app.scope import UNRESTRICTED, read_clause
from app.services import Conflict, ServiceError
from app.services.batch_import import (
    MAX_BYTES,
    RowChecker,
    check_rows,
    check_upload,
    count_lines,
    iter_table,
)
from app.services.batches import BUSY, EDITABLE, budget

log = logging.getLogger(__name__)


def queue_file(session, batch: EnrollmentBatch, filename: str, data: bytes, now) -> None:
    """Keep an uploaded file for the background check; refuse what cannot be a batch file.

    Only cheap checks run here, in the request: an XLSX is opened in the background.
    """
    if batch.status not in EDITABLE:
        raise Conflict(_("Only a draft or returned batch can take a new file."))
    if batch.check_status in BUSY:
        raise Conflict(_("The previous file of this batch is still being checked."))
    if not data:
        raise ServiceError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    check_upload(filename, data)
    batch.pending_file, batch.pending_name = data, (filename or "")[:200]
    batch.check_status, batch.check_error = JobStatus.QUEUED, None
    batch.check_done, batch.check_total = 0, 0
    batch.check_started_at = now


def check_pending(session, batch_id: int, rules: dict) -> None:
    """Check a queued file and stage its rows, committing progress; record a refusal as failed."""
    batch = session.get(EnrollmentBatch, batch_id)
    if batch is None or batch.check_status != JobStatus.QUEUED:
        return
    data, filename = batch.pending_file, batch.pending_name
    batch.check_status = JobStatus.RUNNING
    batch.check_heartbeat_at = dt.datetime.now(dt.UTC)
    session.commit()

    def progress(done: int) -> None:
        batch.check_done, batch.check_total = done, max(batch.check_total, done)
        batch.check_heartbeat_at = dt.datetime.now(dt.UTC)
        session.commit()

    try:
        batch.check_total = count_lines(filename, data)
        session.commit()
        stage_file(session, batch, filename, data, rules, progress)
        batch.check_status = JobStatus.DONE
    except ServiceError as exc:
        session.rollback()
        batch = session.get(EnrollmentBatch, batch_id)
        batch.check_status, batch.check_error = JobStatus.FAILED, str(exc.message)[:500]
    except Exception:  # the operator must see that it failed, never a check that runs forever
        log.exception("checking the file of batch %s failed", batch_id)  # no row data in logs
        session.rollback()
        batch = session.get(EnrollmentBatch, batch_id)
        batch.check_status = JobStatus.FAILED
        batch.check_error = _("The file could not be checked; upload it again.")
    batch.pending_file = None
    session.commit()


def check_is_stale(batch: EnrollmentBatch, now: dt.datetime) -> bool:
    """Tell whether a batch's check stopped (its worker died): it reads as failed; nothing is
    written here."""
    return jobstate.is_stale(
        batch.check_status, batch.check_started_at, batch.check_heartbeat_at, now
    )


INTERRUPTED = _l("The check was interrupted; upload the file again.")


def fail_stale_checks(session, now: dt.datetime, batch_id: int | None = None) -> int:
    """Record checks cut off by a restart as failed: all (the periodic clean-up) or one batch's
    (before its maker uploads again)."""
    query = select(EnrollmentBatch).where(
        jobstate.stale_clause(
            EnrollmentBatch.check_status,
            EnrollmentBatch.check_started_at,
            EnrollmentBatch.check_heartbeat_at,
            now,
        )
    )
    if batch_id is not None:
        query = query.where(EnrollmentBatch.id == batch_id)
    stale = session.scalars(query).all()
    for batch in stale:
        batch.check_status, batch.pending_file = JobStatus.FAILED, None
        batch.check_error = str(INTERRUPTED)
    if stale:
        session.commit()
    return len(stale)


def stage_file(
    session, batch: EnrollmentBatch, filename: str, data: bytes, rules: dict, progress=None
) -> dict:
    """Replace a draft batch's rows with a checked file; tell whether the file was seen before.

    The old rows are replaced in one transaction after every row is checked; a refused file
    (formula, too many rows) leaves them as they were.
    """
    if batch.status not in EDITABLE:
        raise Conflict(_("Only a draft or returned batch can take a new file."))
    rows = check_rows(
        session, batch, iter_table(filename, data), rules, progress or (lambda done: None)
    )
    digest = hashlib.sha256(data).hexdigest()
    session.execute(
        delete(BatchRow)
        .where(BatchRow.batch_id == batch.id)
        .execution_options(synchronize_session=False)
    )
    session.expire(batch, ["rows"])
    if rows:
        session.execute(insert(BatchRow.__table__), [row | {"batch_id": batch.id} for row in rows])
    batch.file_name, batch.file_sha256 = (filename or "")[:200], digest
    session.flush()
    valid = sum(not row["errors"] for row in rows)
    return {
        "rows": len(rows),
        "valid": valid,
        "invalid": len(rows) - valid,
    }


def seen_in(session, batch: EnrollmentBatch, scope=None) -> dict:
    """Other batches given the very same file: the ids a scope may open, and how many others."""
    if not batch.file_sha256:
        return {"ids": [], "others": 0}
    rows = session.execute(
        select(EnrollmentBatch.id, read_clause(EnrollmentBatch, scope or UNRESTRICTED))
        .where(EnrollmentBatch.file_sha256 == batch.file_sha256, EnrollmentBatch.id != batch.id)
        .order_by(EnrollmentBatch.id)
    ).all()
    ids = [pk for pk, visible in rows if visible]
    return {"ids": ids, "others": len(rows) - len(ids)}


ROW_FIELDS = (
    "nik",
    "name",
    "birth_date",
    "sex",
    "village_code",
    "segment",
    "dtsen_decile",
    "declared_income",
)


def fix_row(session, batch: EnrollmentBatch, row: BatchRow, values: dict, rules: dict) -> dict:
    """Check corrected values of one row; save them only when the row becomes valid.

    Returns the errors by field (nothing is saved then). Rows that were flagged as repeating
    the row's old NIK are checked again, since the repetition may be gone.
    """
    if batch.status not in EDITABLE or batch.check_status in BUSY:
        raise Conflict(_("Only a draft or returned batch can be corrected."))
    if not (values.get("segment") or "").strip():  # never a default: PU or vulnerable decide
        return {"segment": _("Choose the segment.")}  # who pays and at what rate
    others = {}
    for other in sorted(batch.rows, key=lambda r: r.line):
        if other.id != row.id and other.nik:
            others.setdefault(other.nik, other.line)
    checker = RowChecker(session, batch, rules, seen=others)
    checked = checker.check_chunk([{"line": row.line, **values}])[0]
    if checked["errors"]:
        return json.loads(checked["errors"])
    old_nik = row.nik
    for name in ROW_FIELDS:
        setattr(row, name, checked[name])
    row.errors = None
    if old_nik and old_nik != row.nik:
        _recheck_repeats(session, batch, old_nik, rules)
    session.flush()
    return {}


def _recheck_repeats(session, batch: EnrollmentBatch, nik: str, rules: dict) -> None:
    repeats = [r for r in batch.rows if r.nik == nik and r.errors]
    if not repeats:
        return
    seen = {}
    for other in sorted(batch.rows, key=lambda r: r.line):
        if other.nik and other not in repeats:
            seen.setdefault(other.nik, other.line)
    checker = RowChecker(session, batch, rules, seen=seen)
    for row in sorted(repeats, key=lambda r: r.line):
        row.errors = checker.check_chunk([row_record(row)])[0]["errors"]


def row_record(row: BatchRow) -> dict:
    """A stored row as the record it was read from (for checking it again)."""
    return {
        "line": row.line,
        "nik": row.nik,
        "name": row.name,
        "birth_date": row.birth_date,
        "sex": {"M": "L", "F": "P"}.get(row.sex or "", ""),
        "village_code": row.village_code,
        "segment": row.segment,
        "dtsen_decile": row.dtsen_decile,
        "declared_income": row.declared_income,
    }


def remove_row(session, batch: EnrollmentBatch, row: BatchRow, rules: dict) -> None:
    """Take a row out of a draft batch."""
    if batch.status not in EDITABLE or batch.check_status in BUSY:
        raise Conflict(_("Only a draft or returned batch can be corrected."))
    nik = row.nik
    batch.rows.remove(row)
    session.flush()
    if nik:
        _recheck_repeats(session, batch, nik, rules)


def overview(
    session, batch: EnrollmentBatch, scope, now, *, page: int, only_problems: bool, per_page: int
) -> dict:
    """A batch's page of rows with their errors, counts, budget and check state (reads only)."""
    stale = check_is_stale(batch, now)  # shown as failed; reading writes nothing
    counts = dict(
        session.execute(
            select(BatchRow.errors.is_(None), func.count())
            .where(BatchRow.batch_id == batch.id)
            .group_by(BatchRow.errors.is_(None))
        ).all()
    )
    valid_count, invalid_count = counts.get(True, 0), counts.get(False, 0)
    only_problems = only_problems and invalid_count > 0
    shown = invalid_count if only_problems else valid_count + invalid_count
    pages = max(1, -(-shown // per_page))
    page = min(max(page, 1), pages)
    query = select(BatchRow).where(BatchRow.batch_id == batch.id)
    if only_problems:
        query = query.where(BatchRow.errors.is_not(None))
    rows = session.scalars(
        query.order_by(BatchRow.line).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return {
        "batch": batch,
        "rows": [
            {"row": row, "errors": json.loads(row.errors) if row.errors else {}} for row in rows
        ],
        "valid_count": valid_count,
        "invalid_count": invalid_count,
        "only_problems": only_problems,
        "page": page,
        "pages": pages,
        "budget": budget(session, batch),
        "seen_in": seen_in(session, batch, scope),
        "checking": batch.check_status in BUSY and not stale,
        "check_failed": batch.check_status == JobStatus.FAILED or stale,
        "check_error": str(INTERRUPTED) if stale else batch.check_error,
    }
