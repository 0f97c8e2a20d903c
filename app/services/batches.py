"""The batch lifecycle: draft -> submitted -> enrolled | rejected, or returned for revision.

The maker never decides their own batch; a decision is one conditional UPDATE, so two supervisors
pressing at the same moment decide once; approval enrolls every valid row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from app.models import (
    BatchRow,
    BatchStatus,
    Enrollment,
    EnrollmentBatch,
    EnrollmentStatus,
    JobStatus,
    LetterKind,
    Opd,
    Village,
    Worker,
)
from app.services import Conflict, ServiceError, audit, letters
from app.services.batch_import import (
    CHUNK,
    RowChecker,
)
from app.services.contributions import RateBook, calculate
from app.services.sponsors import Budget, batch_budget

log = logging.getLogger(__name__)
BUSY = (JobStatus.QUEUED, JobStatus.RUNNING)

PAYER_FOR_SPONSOR = {
    "apbd": "apbd",
    "apbdes": "apbdes",
    "csr_company": "csr",
    "csr_person": "csr",
    "province": "province",
}
EDITABLE = (BatchStatus.DRAFT, BatchStatus.RETURNED)


def prepare_new(session, batch: EnrollmentBatch, scope, maker_id: int, now: dt.datetime) -> None:
    """Check a new batch and fill what the maker does not choose: area, maker, date, status.

    A village or OPD operator's batch belongs to their village or OPD; a branch's to the
    sponsor's regency.
    """
    if batch.sponsor is None:
        raise ServiceError(_("Choose the sponsor that pays."), field="sponsor")
    if not (batch.jkk and batch.jkm):
        raise ServiceError(_("Every enrollment includes JKK and JKM."), field="jkk")
    if batch.period_start and batch.period_end and batch.period_end < batch.period_start:
        raise ServiceError(_("The end date cannot be before the start date."), field="period_end")
    if scope.village_id:
        batch.village = session.get(Village, scope.village_id)
    if scope.opd_id:
        batch.opd = session.get(Opd, scope.opd_id)
    batch.regency_id = (
        batch.village.regency_id if batch.village is not None else batch.sponsor.regency_id
    )
    batch.maker_id, batch.created_at, batch.status = maker_id, now, BatchStatus.DRAFT


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

    The caller commits; on approval every valid row becomes an active enrollment first and the
    berita acara gets its letter number.
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
        shortfalls = budget(session, batch, pending=True).shortfalls
        if shortfalls:
            raise Conflict(
                _(
                    "The sponsor's commitment does not cover this batch: %(why)s Return it for "
                    "revision or reject it.",
                    why=" ".join(shortfalls),
                )
            )
        enroll_rows(session, batch)
        letters.issue_for(session, LetterKind.BATCH_RECORD, batch, batch.regency, now, user_id)
    return batch


def record_letter(session, batch: EnrollmentBatch):
    """The letter of an approved batch's berita acara; a batch approved before numbers were kept
    gets its number now, dated by the approval (commits then)."""
    return letters.kept_letter(
        session,
        LetterKind.BATCH_RECORD,
        batch,
        batch.regency,
        batch.decided_at,
        batch.decided_by_id,
    )


def enroll_rows(session, batch: EnrollmentBatch) -> int:
    """Turn every valid row into a worker (new or known by NIK) with an active enrollment.

    Ten thousand rows are written as a handful of multi-row statements (workers, enrollments,
    their audit rows, the rows' links), not one statement per record.
    """
    rows = session.execute(
        select(
            BatchRow.id,
            BatchRow.line,
            BatchRow.nik,
            BatchRow.name,
            BatchRow.birth_date,
            BatchRow.sex,
            BatchRow.village_code,
            BatchRow.segment,
            BatchRow.dtsen_decile,
            BatchRow.declared_income,
        )
        .where(BatchRow.batch_id == batch.id, BatchRow.errors.is_(None))
        .order_by(BatchRow.line)
    ).all()
    niks = [row.nik for row in rows]
    funded = RowChecker(session, batch, {}).funded_niks(niks)
    clashes = [row.line for row in rows if row.nik in funded]
    if clashes:
        raise Conflict(
            _(
                "Lines %(lines)s were enrolled elsewhere since the check; return the "
                "batch for revision.",
                lines=", ".join(map(str, clashes[:20])),
            )
        )
    villages = dict(
        session.execute(
            select(Village.code, Village.id).where(Village.regency_id == batch.regency_id)
        ).all()
    )
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    known = _worker_ids(session, niks)
    new_workers = [
        {
            "nik": row.nik,
            "name": row.name,
            "birth_date": row.birth_date,
            "sex": row.sex,
            "village_id": villages[row.village_code],
            "regency_id": batch.regency_id,
            "segment": row.segment,
            "dtsen_decile": row.dtsen_decile,
            "created_on": now,
            "changed_on": now,
        }
        for row in rows
        if row.nik not in known
    ]
    if new_workers:
        session.execute(insert(Worker.__table__), new_workers)
    worker_ids = known | _worker_ids(session, [w["nik"] for w in new_workers])
    book = RateBook.load(session)
    payer = PAYER_FOR_SPONSOR[batch.sponsor.kind]
    costs: dict[int, tuple[int, int]] = {}
    enrollments = []
    for row in rows:
        if row.declared_income not in costs:
            probe = Enrollment(
                worker=None,
                declared_wage=row.declared_income,
                jkk=batch.jkk,
                jkm=batch.jkm,
                jht=batch.jht,
                jp=False,
                jkp=False,
            )
            breakdown = calculate(book, probe, batch.period_start)
            costs[row.declared_income] = (breakdown.total, breakdown.worker_share)
        total, worker_share = costs[row.declared_income]
        enrollments.append(
            {
                "worker_id": worker_ids[row.nik],
                "regency_id": batch.regency_id,
                "start_date": batch.period_start,
                "end_date": batch.period_end,
                "status": EnrollmentStatus.ACTIVE.value,
                "payer_type": payer,
                "sponsor_id": batch.sponsor_id,
                "declared_wage": row.declared_income,
                "jkk": batch.jkk,
                "jkm": batch.jkm,
                "jht": batch.jht,
                "jp": False,
                "jkp": False,
                "monthly_contribution": total,
                "worker_share": worker_share,
                "created_on": now,
                "changed_on": now,
            }
        )
    if enrollments:
        session.execute(insert(Enrollment.__table__), enrollments)
        # one set-based statement links every row to its worker
        session.execute(
            update(BatchRow.__table__)
            .where(BatchRow.batch_id == batch.id, BatchRow.errors.is_(None))
            .values(
                worker_id=select(Worker.id)
                .where(Worker.nik == BatchRow.__table__.c.nik)
                .scalar_subquery()
            )
        )
    created = {w["nik"] for w in new_workers}
    audit.record_created(
        session,
        "Worker",
        [(worker_ids[w["nik"]], batch.regency_id, w) for w in new_workers],
    )
    enrollment_ids = _enrollment_ids(session, batch, list(worker_ids.values()))
    audit.record_created(
        session,
        "Enrollment",
        [
            (enrollment_ids.get(e["worker_id"]), batch.regency_id, e | {"batch_id": batch.id})
            for e in enrollments
        ],
    )
    session.expire(batch, ["rows"])
    log.info("batch %s enrolled %d rows (%d new workers)", batch.id, len(rows), len(created))
    return len(rows)


def _worker_ids(session, niks: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(niks), CHUNK):
        found.update(
            session.execute(
                select(Worker.nik, Worker.id).where(Worker.nik.in_(niks[start : start + CHUNK]))
            ).all()
        )
    return found


def _enrollment_ids(session, batch: EnrollmentBatch, worker_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(worker_ids), CHUNK):
        found.update(
            session.execute(
                select(Enrollment.worker_id, Enrollment.id).where(
                    Enrollment.worker_id.in_(worker_ids[start : start + CHUNK]),
                    Enrollment.sponsor_id == batch.sponsor_id,
                    Enrollment.start_date == batch.period_start,
                )
            ).all()
        )
    return found


def budget(session, batch: EnrollmentBatch, pending: bool | None = None) -> Budget:
    """The valid rows' cost against the sponsor's commitment, with any shortfall."""
    incomes = valid_incomes(session, batch)
    return batch_budget(
        session,
        batch,
        monthly_cost(session, batch, incomes),
        sum(n for _i, n in incomes),
        pending=pending,
    )


def valid_incomes(session, batch: EnrollmentBatch) -> list[tuple[int | None, int]]:
    """The valid rows counted by declared income (one aggregate query)."""
    return session.execute(
        select(BatchRow.declared_income, func.count())
        .where(BatchRow.batch_id == batch.id, BatchRow.errors.is_(None))
        .group_by(BatchRow.declared_income)
    ).all()


def monthly_cost(session, batch: EnrollmentBatch, incomes=None) -> int:
    """What the valid rows cost the sponsor each month at the rates of the period's start."""
    book = RateBook.load(session)
    total = 0
    for income, count in valid_incomes(session, batch) if incomes is None else incomes:
        if income:
            probe = Enrollment(
                worker=None,
                declared_wage=income,
                jkk=batch.jkk,
                jkm=batch.jkm,
                jht=batch.jht,
                jp=False,
                jkp=False,
            )
            total += calculate(book, probe, batch.period_start).total * count
    return total


def valid_rows(batch: EnrollmentBatch) -> list[BatchRow]:
    return [row for row in batch.rows if row.valid]


def enrolled(session, batch: EnrollmentBatch):
    """The approved rows with their worker, village and enrollment, in line order (one query)."""
    return session.execute(
        select(BatchRow, Worker, Village, Enrollment)
        .join(Worker, Worker.id == BatchRow.worker_id)
        .outerjoin(Village, Village.id == Worker.village_id)
        .join(
            Enrollment,
            (Enrollment.worker_id == Worker.id)
            & (Enrollment.sponsor_id == batch.sponsor_id)
            & (Enrollment.start_date == batch.period_start),
        )
        .where(BatchRow.batch_id == batch.id)
        .order_by(BatchRow.line)
    ).all()
