"""The batch lifecycle: draft -> submitted -> enrolled | rejected, or returned for revision.

The maker never decides their own batch; a decision is one conditional UPDATE, so two supervisors
pressing at the same moment decide once; approval enrolls every valid row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.models import (
    BatchRow,
    BatchStatus,
    Enrollment,
    EnrollmentBatch,
    EnrollmentStatus,
    Village,
    Worker,
)
from app.services import Conflict, ServiceError
from app.services.batch_import import check_rows, read_table
from app.services.contributions import RateBook, calculate

PAYER_FOR_SPONSOR = {
    "apbd": "apbd",
    "apbdes": "apbdes",
    "csr_company": "csr",
    "csr_person": "csr",
    "province": "province",
}
EDITABLE = (BatchStatus.DRAFT, BatchStatus.RETURNED)


def stage_file(session, batch: EnrollmentBatch, filename: str, data: bytes, rules: dict) -> dict:
    """Replace a draft batch's rows with a checked file; tell whether the file was seen before."""
    if batch.status not in EDITABLE:
        raise Conflict(_("Only a draft or returned batch can take a new file."))
    records = read_table(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    seen_in = session.scalars(
        select(EnrollmentBatch.id).where(
            EnrollmentBatch.file_sha256 == digest, EnrollmentBatch.id != batch.id
        )
    ).all()
    rows = check_rows(session, batch, records, rules)
    batch.rows.clear()
    session.flush()  # the old rows go before the new ones take their line numbers
    batch.rows = rows
    batch.file_name, batch.file_sha256 = (filename or "")[:200], digest
    valid = sum(row.valid for row in batch.rows)
    return {
        "rows": len(batch.rows),
        "valid": valid,
        "invalid": len(batch.rows) - valid,
        "seen_in": list(seen_in),
    }


def submit(session, batch: EnrollmentBatch, user_id: int, now: dt.datetime) -> None:
    """Send a batch with at least one valid row to the supervisor; rows with errors stay out."""
    if batch.status not in EDITABLE:
        raise Conflict(_("Only a draft or returned batch can be submitted."))
    if batch.maker_id != user_id:
        raise Conflict(_("Only the maker of a batch submits it."))
    if not any(row.valid for row in batch.rows):
        raise ServiceError(_("The batch has no valid row to submit."))
    batch.status, batch.submitted_at = BatchStatus.SUBMITTED, now


def decide(
    session, batch_id: int, user_id: int, decision: str, note: str | None, now: dt.datetime
) -> EnrollmentBatch:
    """Approve (and enroll), reject or return a submitted batch, once, never by its maker.

    The caller commits; on approval every valid row becomes an active enrollment first.
    """
    outcome = {
        "approve": BatchStatus.ENROLLED,
        "reject": BatchStatus.REJECTED,
        "return": BatchStatus.RETURNED,
    }.get(decision)
    if outcome is None:
        raise ServiceError(_("Choose to approve, reject or return the batch."))
    note = (note or "").strip()[:500] or None
    if outcome != BatchStatus.ENROLLED and not note:
        raise ServiceError(_("Give the reason for the maker."), field="note")
    taken = session.execute(
        update(EnrollmentBatch)
        .where(
            EnrollmentBatch.id == batch_id,
            EnrollmentBatch.status == BatchStatus.SUBMITTED,
            EnrollmentBatch.maker_id != user_id,
        )
        .values(status=outcome, decided_by_id=user_id, decided_at=now, decision_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    batch = session.get(EnrollmentBatch, batch_id)
    session.refresh(batch)
    if not taken:
        if batch.maker_id == user_id:
            raise Conflict(_("You made this batch; another supervisor must decide it."))
        raise Conflict(_("This batch has already been decided."))
    if outcome == BatchStatus.ENROLLED:
        enroll_rows(session, batch)
    return batch


def enroll_rows(session, batch: EnrollmentBatch) -> int:
    """Turn every valid row into a worker (new or known by NIK) with an active enrollment."""
    rows = [row for row in batch.rows if row.valid]
    niks = [row.nik for row in rows]
    workers = {w.nik: w for w in session.scalars(select(Worker).where(Worker.nik.in_(niks)))}
    active = set(
        session.scalars(
            select(Enrollment.worker_id).where(
                Enrollment.worker_id.in_([w.id for w in workers.values()]),
                Enrollment.status == EnrollmentStatus.ACTIVE,
            )
        )
    )
    clashes = [row.line for row in rows if row.nik in workers and workers[row.nik].id in active]
    if clashes:
        raise Conflict(
            _(
                "Lines %(lines)s were enrolled elsewhere since the check; return the "
                "batch for revision.",
                lines=", ".join(map(str, clashes)),
            )
        )
    villages = dict(
        session.execute(
            select(Village.code, Village.id).where(Village.regency_id == batch.regency_id)
        ).all()
    )
    book = RateBook.load(session)
    payer = PAYER_FOR_SPONSOR[batch.sponsor.kind]
    for row in rows:
        worker = workers.get(row.nik)
        if worker is None:
            worker = Worker(
                nik=row.nik,
                name=row.name,
                birth_date=row.birth_date,
                sex=row.sex,
                village_id=villages[row.village_code],
                regency_id=batch.regency_id,
                segment=row.segment,
                dtsen_decile=row.dtsen_decile,
            )
            session.add(worker)
        enrollment = Enrollment(
            worker=worker,
            regency_id=batch.regency_id,
            start_date=batch.period_start,
            end_date=batch.period_end,
            status=EnrollmentStatus.ACTIVE,
            payer_type=payer,
            sponsor=batch.sponsor,
            declared_wage=row.declared_income,
            jkk=batch.jkk,
            jkm=batch.jkm,
            jht=batch.jht,
            jp=False,
            jkp=False,
        )
        breakdown = calculate(book, enrollment, batch.period_start)
        enrollment.monthly_contribution = breakdown.total
        enrollment.worker_share = breakdown.worker_share
        session.add(enrollment)
        row.worker = worker
    session.flush()
    return len(rows)


def monthly_cost(session, batch: EnrollmentBatch) -> int:
    """What the valid rows cost the sponsor each month at the rates of the period's start."""
    book = RateBook.load(session)
    total = 0
    for row in batch.rows:
        if row.valid and row.declared_income:
            probe = Enrollment(
                worker=None,
                declared_wage=row.declared_income,
                jkk=batch.jkk,
                jkm=batch.jkm,
                jht=batch.jht,
                jp=False,
                jkp=False,
            )
            total += calculate(book, probe, batch.period_start).total
    return total


def valid_rows(batch: EnrollmentBatch) -> list[BatchRow]:
    return [row for row in batch.rows if row.valid]
