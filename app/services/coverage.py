"""Coverage figures for the dashboards and the regency coverage profile, from grouped queries.

A worker is covered on a date when they hold an ACTIVE enrollment that has started and not ended
on that date (the same rule as the award's indicators and "1 Desa 100", so the dashboard, the
profile and the ranking report show the same numbers). Universal Coverage Jamsostek (UCJ) is the
covered workers against the potential workforce of the regency's latest year on record. Every
figure is limited to the user's scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, distinct, func, or_, select

from app.models import (
    Company,
    CompanyStatus,
    Contribution,
    Enrollment,
    EnrollmentStatus,
    Regency,
    RegencyWorkforce,
    Segment,
    Village,
    Worker,
)
from app.models.workers import SPONSORED_PAYERS
from app.scope import Scope
from app.services.contributions import last_due_month
from app.services.enrollments import covered_on
from app.services.villages import TARGET, village_totals

PROGRAMS = ("jkk", "jkm", "jht", "jp", "jkp")
TREND_MONTHS = 12


def _ratio(part: int, whole: int) -> int | None:
    """part / whole in hundredths of a percent, rounded half up (None without a whole)."""
    if not whole:
        return None
    return (2 * part * 10_000 + whole) // (2 * whole)


@dataclass
class RegencyCoverage:
    id: int
    code: str
    name: str
    wage_covered: int = 0
    informal_covered: int = 0
    sponsored_vulnerable: int = 0
    wage_potential: int = 0
    informal_potential: int = 0
    workforce_year: int | None = None
    workforce_scale: int = 1  # the recorded workforce is the source's divided by this
    villages: int = 0
    villages_at_100: int = 0
    companies: int = 0
    companies_compliant: int = 0
    companies_in_arrears: int = 0
    arrears: int = 0

    @property
    def covered(self) -> int:
        return self.wage_covered + self.informal_covered

    @property
    def potential(self) -> int:
        return self.wage_potential + self.informal_potential

    @property
    def ucj(self) -> int | None:
        return _ratio(self.covered, self.potential)

    @property
    def wage_ucj(self) -> int | None:
        return _ratio(self.wage_covered, self.wage_potential)

    @property
    def informal_ucj(self) -> int | None:
        return _ratio(self.informal_covered, self.informal_potential)


@dataclass
class Coverage:
    """Everything a dashboard or a profile shows, for the regencies of a scope."""

    on: dt.date
    regencies: list[RegencyCoverage]
    by_segment: dict[str, int] = field(default_factory=dict)
    by_payer: dict[str, int] = field(default_factory=dict)
    by_program: dict[str, int] = field(default_factory=dict)
    trend: list[tuple[dt.date, int]] = field(default_factory=list)
    narrowed: bool = False  # an OPD or village operator: no regency-wide ratios

    def total(self, name: str) -> int:
        return sum(getattr(r, name) for r in self.regencies)

    @property
    def ucj(self) -> int | None:
        return _ratio(self.total("covered"), self.total("potential"))

    @property
    def scale(self) -> int:
        """The largest scale of the workforce figures shown (1: as recorded; the demo's 1:50)."""
        return max((r.workforce_scale for r in self.regencies), default=1)


def compliant_companies(session, regency_ids, on: dt.date) -> dict[int, tuple[int, int]]:
    """Active companies per regency, and those with every declared worker covered on the date
    (one grouped query)."""
    enrolled = (
        select(Enrollment.company_id.label("company_id"), func.count(Enrollment.id).label("n"))
        .where(Enrollment.company_id.is_not(None), *covered_on(on))
        .group_by(Enrollment.company_id)
        .subquery()
    )
    return {
        regency_id: (total, int(compliant or 0))
        for regency_id, total, compliant in session.execute(
            select(
                Company.regency_id,
                func.count(Company.id),
                func.sum(
                    case(
                        (func.coalesce(enrolled.c.n, 0) >= Company.declared_workforce, 1),
                        else_=0,
                    )
                ),
            )
            .outerjoin(enrolled, enrolled.c.company_id == Company.id)
            .where(Company.status == CompanyStatus.ACTIVE, Company.regency_id.in_(regency_ids))
            .group_by(Company.regency_id)
        )
    }


def month_ends(on: dt.date, months: int = TREND_MONTHS) -> list[dt.date]:
    """The last day of each of the `months` months up to `on`'s (the current one ends at `on`)."""
    ends, year, month = [], on.year, on.month
    for _ in range(months):
        first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
        ends.append(min(on, first_next - dt.timedelta(days=1)))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return ends[::-1]


def _regencies(session, scope: Scope, regency_id: int | None) -> list[RegencyCoverage]:
    query = select(Regency.id, Regency.code, Regency.name).order_by(Regency.code)
    if regency_id is not None:
        query = query.where(Regency.id == regency_id)
    if not scope.unrestricted:
        query = query.where(Regency.id.in_(sorted(scope.regency_ids)))
    elif regency_id is None:
        # Everything: the regencies Lindungi holds records or a workforce figure for.
        query = query.where(
            or_(
                Regency.id.in_(select(RegencyWorkforce.regency_id)),
                Regency.id.in_(select(Worker.regency_id).distinct()),
            )
        )
    return [
        RegencyCoverage(id=pk, code=code, name=name) for pk, code, name in session.execute(query)
    ]


def coverage(session, scope: Scope, on: dt.date, regency_id: int | None = None) -> Coverage:
    """The coverage picture of the scope (or of one regency in it) on a date.

    A fixed number of grouped queries (nine), whatever the number of workers.
    """
    regencies = _regencies(session, scope, regency_id)
    by_id = {r.id: r for r in regencies}
    result = Coverage(on=on, regencies=regencies)
    result.narrowed = scope.village_id is not None or scope.opd_id is not None
    if not regencies:
        return result
    ids = sorted(by_id)
    workers = and_(Worker.regency_id.in_(ids), Worker.scope_clause(scope))
    for rid, segment, payer, n in session.execute(
        select(
            Worker.regency_id,
            Worker.segment,
            Enrollment.payer_type,
            func.count(distinct(Worker.id)),
        )
        .join(Enrollment, Enrollment.worker_id == Worker.id)
        .where(workers, *covered_on(on))
        .group_by(Worker.regency_id, Worker.segment, Enrollment.payer_type)
    ):
        row = by_id[rid]
        if segment == Segment.WAGE_EARNER:
            row.wage_covered += n
        else:
            row.informal_covered += n
        if segment == Segment.VULNERABLE and payer in SPONSORED_PAYERS:
            row.sponsored_vulnerable += n
        result.by_segment[segment] = result.by_segment.get(segment, 0) + n
        result.by_payer[payer] = result.by_payer.get(payer, 0) + n
    programs = session.execute(
        select(*(func.count(case((getattr(Enrollment, p), 1))) for p in PROGRAMS))
        .join(Worker, Worker.id == Enrollment.worker_id)
        .where(workers, *covered_on(on))
    ).one()
    result.by_program = dict(zip(PROGRAMS, (int(n or 0) for n in programs), strict=True))
    ends = month_ends(on)
    counted = Enrollment.status.in_([EnrollmentStatus.ACTIVE, EnrollmentStatus.ENDED])
    # A worker holds one enrollment at a time (a new one needs the old one ended), so counting
    # enrollments covering a day counts workers, without a costly DISTINCT per month.
    trend = session.execute(
        select(
            *(
                func.count(
                    case(
                        (
                            and_(
                                Enrollment.start_date <= end,
                                or_(Enrollment.end_date.is_(None), Enrollment.end_date >= end),
                            ),
                            1,
                        )
                    )
                )
                for end in ends
            )
        )
        .join(Worker, Worker.id == Enrollment.worker_id)
        .where(workers, counted)
    ).one()
    result.trend = list(zip(ends, (int(n or 0) for n in trend), strict=True))
    if result.narrowed:
        return result
    for rid, year, wage, informal, scale in session.execute(
        select(
            RegencyWorkforce.regency_id,
            RegencyWorkforce.year,
            RegencyWorkforce.wage_earners,
            RegencyWorkforce.informal_workers,
            RegencyWorkforce.scale,
        )
        .where(RegencyWorkforce.regency_id.in_(ids), RegencyWorkforce.year <= on.year)
        .order_by(RegencyWorkforce.year)
    ):
        by_id[rid].wage_potential, by_id[rid].informal_potential = wage, informal
        by_id[rid].workforce_year = year  # the latest year wins
        by_id[rid].workforce_scale = scale or 1
    totals = village_totals(session, Village.regency_id.in_(ids), on)
    for rid, village_id in session.execute(
        select(Village.regency_id, Village.id).where(Village.regency_id.in_(ids))
    ):
        by_id[rid].villages += 1
        by_id[rid].villages_at_100 += totals.get(village_id, 0) >= TARGET
    for rid, (total, compliant) in compliant_companies(session, ids, on).items():
        by_id[rid].companies, by_id[rid].companies_compliant = total, compliant
    outstanding = Contribution.amount_due - Contribution.amount_paid
    for rid, amount, companies in session.execute(
        select(
            Contribution.regency_id,
            func.sum(outstanding),
            func.count(distinct(Contribution.company_id)),
        )
        .where(
            Contribution.regency_id.in_(ids),
            Contribution.company_id.is_not(None),
            Contribution.period <= last_due_month(on),
            outstanding > 0,
        )
        .group_by(Contribution.regency_id)
    ):
        by_id[rid].arrears, by_id[rid].companies_in_arrears = int(amount or 0), companies
    return result


def ucj_trend(result: Coverage) -> list[tuple[dt.date, int]]:
    """The monthly covered counts as UCJ (hundredths of a percent) against the potential."""
    potential = result.total("potential")
    return [(end, _ratio(n, potential) or 0) for end, n in result.trend]
