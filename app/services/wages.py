"""Minimum-wage compliance: wage earners declared below the UMK/UMP and the contributions it costs.

Basis (domain.md 4.5): wages reported must not be below the regional minimum wage, the regency's
UMK where one is set, else the province's UMP. Micro and small enterprises are exempt: UU 6/2023
(Cipta Kerja) Pasal 81 angka 31, inserting Pasal 90B ayat 1 into UU 13/2003 [V]. The check itself
is a common BPJS "PDS upah" compliance item, marked [?] in domain.md: the screen says so.

The contribution gap is what the payer would be billed at the minimum wage less what it is billed
at the declared wage, with the rates in force (app.services.contributions), so the JP part uses
min(wage, JP wage cap) exactly as the monthly bills do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.models import Company, Enrollment, EnrollmentStatus, MinimumWage, PayerType, Worker
from app.models.areas import Regency
from app.models.workers import WAGE_SEGMENTS
from app.services import ServiceError
from app.services.contributions import RateBook, wage_breakdown

EXEMPT_SIZES = ("micro", "small")


@dataclass(frozen=True)
class WorkerFinding:
    """One wage earner declared below the minimum wage in force for their regency."""

    enrollment_id: int
    worker_id: int
    worker_name: str
    company_id: int
    declared: int
    minimum: int
    minimum_basis: str | None
    shortfall: int
    gap: int
    jp_gap: int
    jp_capped: bool


@dataclass
class CompanyFinding:
    """A company's workers below the minimum wage, with the monthly sums."""

    company_id: int
    company_name: str
    regency: str
    workers: list[WorkerFinding] = field(default_factory=list)

    @property
    def below(self) -> int:
        return len(self.workers)

    @property
    def shortfall(self) -> int:
        return sum(w.shortfall for w in self.workers)

    @property
    def gap(self) -> int:
        return sum(w.gap for w in self.workers)


class MinimumWages:
    """The minimum-wage rows of one year held in memory: a regency's UMK, else its UMP."""

    def __init__(self, session, on: dt.date):
        rows = session.scalars(select(MinimumWage).where(MinimumWage.year == on.year)).all()
        self.umk = {row.regency_id: row for row in rows if row.regency_id is not None}
        self.ump = {row.province_code: row for row in rows if row.regency_id is None}

    def for_regency(self, regency: Regency) -> MinimumWage | None:
        # A row covers its calendar year (the decree's year); the UMK overrides the UMP.
        return self.umk.get(regency.id) or self.ump.get(regency.code[:2])


def jp_cap(session, on: dt.date) -> int | None:
    """The JP wage cap in force on a date (from the JP wage-earner rate), or None."""
    try:
        return RateBook.load(session).wage_rate("jp", on).wage_cap
    except ServiceError:
        return None


def wage_findings(session, scope, on_date: dt.date) -> list[WorkerFinding]:
    """Each active employer-paid wage earner of a non-exempt company declared below the minimum."""
    book = RateBook.load(session)
    minimums = MinimumWages(session, on_date)
    enrollments = session.scalars(
        select(Enrollment)
        .join(Company, Enrollment.company_id == Company.id)
        .join(Worker, Enrollment.worker_id == Worker.id)
        .options(
            selectinload(Enrollment.worker).selectinload(Worker.regency),
            selectinload(Enrollment.company),
        )
        .where(
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.payer_type == PayerType.EMPLOYER,
            Enrollment.start_date <= on_date,
            or_(Enrollment.end_date.is_(None), Enrollment.end_date >= on_date),
            Worker.segment.in_(sorted(WAGE_SEGMENTS)),
            Company.size_class.not_in(EXEMPT_SIZES),
            Company.scope_clause(scope),
        )
        .order_by(Enrollment.id)
    ).all()
    findings = []
    for enrollment in enrollments:
        worker = enrollment.worker
        row = minimums.for_regency(worker.regency)
        declared = int(enrollment.declared_wage or 0)
        if row is None or declared >= row.amount:
            continue
        risk_group = enrollment.company.risk_group or 1
        programs = enrollment.programs
        at_minimum = wage_breakdown(book, programs, row.amount, risk_group, on_date)
        at_declared = wage_breakdown(book, programs, declared, risk_group, on_date)
        jp = {item.program: item.billed for item in at_minimum.items}.get("jp", 0) - {
            item.program: item.billed for item in at_declared.items
        }.get("jp", 0)
        cap = book.wage_rate("jp", on_date).wage_cap if "jp" in programs else None
        findings.append(
            WorkerFinding(
                enrollment_id=enrollment.id,
                worker_id=worker.id,
                worker_name=worker.name,
                company_id=enrollment.company_id,
                declared=declared,
                minimum=row.amount,
                minimum_basis=row.legal_basis,
                shortfall=row.amount - declared,
                gap=at_minimum.total - at_declared.total,
                jp_gap=jp,
                jp_capped=bool(cap) and row.amount > cap,
            )
        )
    return findings


def company_findings(session, scope, on_date: dt.date) -> list[CompanyFinding]:
    """The findings grouped per company, the largest contribution gap first."""
    findings = wage_findings(session, scope, on_date)
    grouped: dict[int, list[WorkerFinding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.company_id].append(finding)
    companies = {
        c.id: c
        for c in session.scalars(
            select(Company)
            .options(selectinload(Company.regency))
            .where(Company.id.in_(list(grouped)))
        )
    }
    result = [
        CompanyFinding(
            company_id=cid,
            company_name=companies[cid].name,
            regency=companies[cid].regency.name if companies[cid].regency else "",
            workers=sorted(workers, key=lambda w: (-w.gap, w.worker_name)),
        )
        for cid, workers in grouped.items()
    ]
    return sorted(result, key=lambda c: (-c.gap, c.company_name, c.company_id))
