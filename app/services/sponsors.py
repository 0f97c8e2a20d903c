"""Sponsor commitments: what a batch costs, what a commitment has left, who a sponsor covered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import distinct, func, or_, select

from app.formatting import long_date, rupiah
from app.models import (
    BatchStatus,
    Enrollment,
    EnrollmentBatch,
    SponsorCommitment,
)
from app.services.batch_import import FUNDED


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months touched from start to end, both included (Jan 15 – Mar 1 is 3)."""
    return max((end.year - start.year) * 12 + end.month - start.month + 1, 0)


def commitment_for(session, sponsor_id: int, start: dt.date, end: dt.date):
    """The sponsor's commitment that covers the whole period, the most recent first."""
    return session.scalars(
        select(SponsorCommitment)
        .where(
            SponsorCommitment.sponsor_id == sponsor_id,
            SponsorCommitment.start_date <= start,
            SponsorCommitment.end_date >= end,
        )
        .order_by(SponsorCommitment.start_date.desc(), SponsorCommitment.id.desc())
        .limit(1)
    ).first()


def unfunded_programs(commitment: SponsorCommitment, programs) -> list[str]:
    """The programs (jkk, jht, ...) a commitment does not fund, in capitals for a message."""
    promised = {p.strip().lower() for p in (commitment.programs or "").split(",") if p.strip()}
    return [p.upper() for p in programs if p not in promised]


def funded_by(sponsor_id: int, start: dt.date, end: dt.date) -> list:
    return [
        Enrollment.sponsor_id == sponsor_id,
        Enrollment.status.in_(FUNDED),
        Enrollment.start_date <= end,
        or_(Enrollment.end_date.is_(None), Enrollment.end_date >= start),
    ]


def usage(session, commitment: SponsorCommitment) -> tuple[int, int]:
    """Rupiah and workers already funded under a commitment, from the enrollments it pays.

    Enrollments are grouped by their dates (a batch enrolls everyone on the same dates), so this
    is two aggregate queries whatever the number of workers.
    """
    where = funded_by(commitment.sponsor_id, commitment.start_date, commitment.end_date)
    amount = 0
    for start, end, monthly in session.execute(
        select(
            Enrollment.start_date, Enrollment.end_date, func.sum(Enrollment.monthly_contribution)
        )
        .where(*where)
        .group_by(Enrollment.start_date, Enrollment.end_date)
    ):
        months = months_between(
            max(start, commitment.start_date), min(end or commitment.end_date, commitment.end_date)
        )
        amount += int(monthly or 0) * months
    workers = session.scalar(select(func.count(distinct(Enrollment.worker_id))).where(*where))
    return amount, int(workers or 0)


@dataclass
class Budget:
    """A batch's cost against its sponsor's commitment, and what falls short."""

    commitment: SponsorCommitment | None
    workers: int
    months: int
    monthly_cost: int
    used_amount: int = 0
    used_workers: int = 0
    shortfalls: list[str] = field(default_factory=list)

    @property
    def period_cost(self) -> int:
        return self.monthly_cost * self.months

    @property
    def remaining_amount(self) -> int | None:
        if self.commitment is None:
            return None
        return self.commitment.ceiling_amount - self.used_amount

    @property
    def remaining_quota(self) -> int | None:
        if self.commitment is None:
            return None
        return self.commitment.workers_quota - self.used_workers


def batch_budget(
    session, batch: EnrollmentBatch, monthly_cost: int, workers: int, pending: bool | None = None
) -> Budget:
    """Check the valid rows' cost and number against the commitment that covers the period.

    A batch still `pending` (not yet enrolled; by default read from its status) is checked for
    shortfalls; an enrolled one is already part of the commitment's usage.
    """
    budget = Budget(
        commitment=commitment_for(session, batch.sponsor_id, batch.period_start, batch.period_end),
        workers=workers,
        months=months_between(batch.period_start, batch.period_end),
        monthly_cost=monthly_cost,
    )
    commitment = budget.commitment
    if pending is None:
        pending = batch.status != BatchStatus.ENROLLED
    if commitment is None:
        if pending:
            budget.shortfalls.append(
                _(
                    "No commitment of %(sponsor)s covers %(start)s to %(end)s.",
                    sponsor=batch.sponsor.name,
                    start=long_date(batch.period_start),
                    end=long_date(batch.period_end),
                )
            )
        return budget
    budget.used_amount, budget.used_workers = usage(session, commitment)
    if not pending:
        return budget  # its own enrollments are already counted in the usage
    missing = unfunded_programs(commitment, batch.programs)
    if missing:
        budget.shortfalls.append(
            _("The commitment does not fund %(programs)s.", programs=", ".join(missing))
        )
    if budget.period_cost > budget.remaining_amount:
        budget.shortfalls.append(
            _(
                "The period costs %(cost)s but the commitment has %(left)s left "
                "(short by %(short)s).",
                cost=rupiah(budget.period_cost),
                left=rupiah(budget.remaining_amount),
                short=rupiah(budget.period_cost - budget.remaining_amount),
            )
        )
    if workers > budget.remaining_quota:
        budget.shortfalls.append(
            _(
                "%(workers)d workers proposed but the quota has %(left)d places left.",
                workers=workers,
                left=budget.remaining_quota,
            )
        )
    return budget


def statement_rows(session, sponsor_id: int, start: dt.date, end: dt.date):
    """Who the sponsor covered in a period: one row per enrollment, in name order (a query)."""
    from app.models import Village, Worker

    return session.execute(
        select(
            Worker.name,
            Worker.nik,
            Village.name,
            Worker.segment,
            Enrollment.jkk,
            Enrollment.jkm,
            Enrollment.jht,
            Enrollment.start_date,
            Enrollment.end_date,
            Enrollment.monthly_contribution,
        )
        .join(Worker, Worker.id == Enrollment.worker_id)
        .outerjoin(Village, Village.id == Worker.village_id)
        .where(*funded_by(sponsor_id, start, end))
        .order_by(Worker.name, Enrollment.start_date)
    )


@dataclass
class StatementLine:
    name: str
    nik: str
    village: str
    segment: str
    programs: str
    first: dt.date
    last: dt.date
    months: int
    monthly: int

    @property
    def amount(self) -> int:
        return self.months * self.monthly


def statement_lines(session, sponsor_id: int, start: dt.date, end: dt.date):
    """Yield the statement's lines: the months each worker was covered inside the period."""
    from app.privacy import mask_nik

    for row in statement_rows(session, sponsor_id, start, end):
        name, nik, village, segment, jkk, jkm, jht, first, last, monthly = row
        first, last = max(first, start), min(last or end, end)
        programs = [p for p, on in (("JKK", jkk), ("JKM", jkm), ("JHT", jht)) if on]
        yield StatementLine(
            name=name,
            nik=mask_nik(nik),
            village=village or "",
            segment=segment,
            programs=", ".join(programs),
            first=first,
            last=last,
            months=months_between(first, last),
            monthly=int(monthly or 0),
        )
