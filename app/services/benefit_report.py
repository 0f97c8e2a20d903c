"""The regency's benefit report: contributions paid by budgets and sponsors against benefits.

Per payer (APBD, APBDes, CSR, provincial budget) and period: contributions paid (the payer's bills
for the months of the period), the workers it funded, and for the deaths of workers it was paying
for on the date of the event: families paid, amounts paid, scholarship years paid and children
whose scholarship runs in the period. Uncovered deaths in the period are counted apart. Every
figure is limited to the scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, distinct, func, or_, select

from app.models import (
    Claim,
    ClaimStatus,
    Contribution,
    Enrollment,
    EnrollmentStatus,
    PayerType,
    Regency,
    ScholarshipYear,
    Sponsor,
    SponsorKind,
    YearStatus,
)
from app.scope import Scope, read_clause

PAYERS = (PayerType.APBD, PayerType.APBDES, PayerType.CSR, PayerType.PROVINCE)
PAYER_OF_KIND = {
    SponsorKind.APBD: PayerType.APBD,
    SponsorKind.APBDES: PayerType.APBDES,
    SponsorKind.CSR_COMPANY: PayerType.CSR,
    SponsorKind.CSR_PERSON: PayerType.CSR,
    SponsorKind.PROVINCE: PayerType.PROVINCE,
}


@dataclass
class PayerLine:
    payer: str
    contributions: int = 0
    workers: int = 0
    families: int = 0
    benefits: int = 0
    scholarship_paid: int = 0
    scholarships_running: int = 0

    @property
    def reached_families(self) -> int:
        return self.benefits + self.scholarship_paid


@dataclass
class BenefitReport:
    start: dt.date
    end: dt.date
    regency: Regency | None
    lines: list[PayerLine] = field(default_factory=list)
    uncovered: int = 0

    def total(self, name: str) -> int:
        return sum(getattr(line, name) for line in self.lines)


def year_period(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def benefit_report(
    session, scope: Scope, start: dt.date, end: dt.date, regency: Regency | None = None
) -> BenefitReport:
    """The report for a period (and one regency of the scope, or all of it): six grouped queries."""
    report = BenefitReport(start, end, regency)
    by_payer = {payer: PayerLine(payer.value) for payer in PAYERS}
    report.lines = list(by_payer.values())

    def where(model, column):
        parts = [read_clause(model, scope)]
        if regency is not None:
            parts.append(column == regency.id)
        return and_(*parts)

    for kind, amount in session.execute(
        select(Sponsor.kind, func.sum(Contribution.amount_paid))
        .join(Sponsor, Sponsor.id == Contribution.sponsor_id)
        .where(
            where(Contribution, Contribution.regency_id),
            Contribution.period >= start.replace(day=1),
            Contribution.period <= end,
        )
        .group_by(Sponsor.kind)
    ):
        by_payer[PAYER_OF_KIND[SponsorKind(kind)]].contributions += int(amount or 0)
    for payer, workers in session.execute(
        select(Enrollment.payer_type, func.count(distinct(Enrollment.worker_id)))
        .where(
            where(Enrollment, Enrollment.regency_id),
            Enrollment.payer_type.in_(PAYERS),
            Enrollment.status.in_(
                [EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED, EnrollmentStatus.LAPSED]
            ),
            Enrollment.start_date <= end,
            or_(Enrollment.end_date.is_(None), Enrollment.end_date >= start),
        )
        .group_by(Enrollment.payer_type)
    ):
        by_payer[PayerType(payer)].workers = workers
    claims = where(Claim, Claim.regency_id)
    for payer, families, amount in session.execute(
        select(Claim.payer_type, func.count(Claim.id), func.sum(Claim.amount_paid))
        .where(
            claims,
            Claim.payer_type.in_(PAYERS),
            Claim.status == ClaimStatus.PAID,
            Claim.paid_on.between(start, end),
        )
        .group_by(Claim.payer_type)
    ):
        by_payer[PayerType(payer)].families = families
        by_payer[PayerType(payer)].benefits = int(amount or 0)
    years = select(Claim.payer_type).join(ScholarshipYear, ScholarshipYear.claim_id == Claim.id)
    for payer, amount in session.execute(
        years.add_columns(func.sum(ScholarshipYear.amount))
        .where(
            claims,
            Claim.payer_type.in_(PAYERS),
            ScholarshipYear.status == YearStatus.PAID,
            ScholarshipYear.paid_on.between(start, end),
        )
        .group_by(Claim.payer_type)
    ):
        by_payer[PayerType(payer)].scholarship_paid = int(amount or 0)
    for payer, children in session.execute(
        years.add_columns(func.count(distinct(ScholarshipYear.heir_id)))
        .where(
            claims,
            Claim.payer_type.in_(PAYERS),
            Claim.status.not_in([ClaimStatus.REJECTED, ClaimStatus.NOT_COVERED]),
            ScholarshipYear.status != YearStatus.STOPPED,
            ScholarshipYear.due_on.between(start, end),
        )
        .group_by(Claim.payer_type)
    ):
        by_payer[PayerType(payer)].scholarships_running = children
    report.uncovered = (
        session.scalar(
            select(func.count(Claim.id)).where(
                claims,
                Claim.status == ClaimStatus.NOT_COVERED,
                Claim.event_date.between(start, end),
            )
        )
        or 0
    )
    return report


def regencies_in(session, scope: Scope) -> list[Regency]:
    """The regencies the report can be narrowed to: those of the scope that hold sponsors."""
    query = select(Regency).where(Regency.id.in_(select(Sponsor.regency_id))).order_by(Regency.code)
    if not scope.unrestricted:
        query = query.where(Regency.id.in_(sorted(scope.regency_ids)))
    return list(session.scalars(query))
