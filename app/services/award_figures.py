"""The award's figures: what the records say about each participant, and the 0-100 values of the
computed indicators. Grouped queries only (a fixed number whatever the number of workers,
villages, companies or bills); app.services.awards turns them into scores and ranks.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, distinct, func, select

from app.models import (
    AwardCategory,
    AwardPeriod,
    Company,
    CompanySize,
    CompanyStatus,
    ConstructionProject,
    Contribution,
    Enrollment,
    Province,
    Regency,
    RegencyWorkforce,
    Segment,
    Village,
    Worker,
)
from app.models.workers import SPONSORED_PAYERS
from app.services.contributions import last_due_month
from app.services.coverage import compliant_companies
from app.services.enrollments import covered_on
from app.services.villages import TARGET

COMPANY_CLASSES = {
    AwardCategory.LARGE: (CompanySize.LARGE,),
    AwardCategory.MEDIUM: (CompanySize.MEDIUM,),
    AwardCategory.SMALL: (CompanySize.SMALL, CompanySize.MICRO),
}
FULL = 10_000  # 100 points in hundredths


def _ratio(part: int, whole: int) -> int:
    """part / whole as hundredths of a percent, capped at 100 %, rounded half up."""
    if not whole:
        return 0
    return min(FULL, (2 * part * FULL + whole) // (2 * whole))


def billed_months(period: AwardPeriod, on: dt.date) -> tuple[dt.date, dt.date]:
    """The bills that count: the year's months whose contribution was due by the reading date."""
    return dt.date(period.year, 1, 1), min(dt.date(period.year, 12, 1), last_due_month(on))


def _paid_capped():
    """What was paid against a bill, never more than the bill (an overpayment earns nothing)."""
    return case(
        (Contribution.amount_paid > Contribution.amount_due, Contribution.amount_due),
        else_=Contribution.amount_paid,
    )


def regency_figures(session, period: AwardPeriod, on: dt.date) -> dict[int, dict]:
    """The raw figures of every regency with a potential workforce for the year.

    Seven grouped queries, whatever the number of workers, villages, companies or bills.
    """
    workforce = {
        row.regency_id: row
        for row in session.execute(
            select(
                RegencyWorkforce.regency_id,
                RegencyWorkforce.wage_earners,
                RegencyWorkforce.informal_workers,
                Regency.name,
                Regency.province_id,
            )
            .join(Regency, Regency.id == RegencyWorkforce.regency_id)
            .where(RegencyWorkforce.year == period.year)
        )
    }
    figures = {
        regency_id: {
            "name": row.name,
            "province_id": row.province_id,
            "wage_covered": 0,
            "wage_potential": row.wage_earners,
            "informal_covered": 0,
            "informal_potential": row.informal_workers,
            "vulnerable_funded": 0,
            "villages": 0,
            "villages_at_100": 0,
            "non_asn": 0,
            "non_asn_covered": 0,
            "companies": 0,
            "companies_compliant": 0,
            "projects": 0,
            "projects_registered": 0,
            "contributions_due": 0,
            "contributions_paid": 0,
        }
        for regency_id, row in workforce.items()
    }
    in_year = Worker.regency_id.in_(workforce)
    for regency_id, segment, payer, n in session.execute(
        select(
            Worker.regency_id,
            Worker.segment,
            Enrollment.payer_type,
            func.count(distinct(Worker.id)),
        )
        .join(Enrollment, Enrollment.worker_id == Worker.id)
        .where(in_year, *covered_on(on))
        .group_by(Worker.regency_id, Worker.segment, Enrollment.payer_type)
    ):
        f = figures[regency_id]
        f["wage_covered" if segment == Segment.WAGE_EARNER else "informal_covered"] += n
        if segment == Segment.VULNERABLE and payer in SPONSORED_PAYERS:
            f["vulnerable_funded"] += n
        if segment == Segment.NON_ASN:
            f["non_asn_covered"] += n
    for regency_id, n in session.execute(
        select(Worker.regency_id, func.count(Worker.id))
        .where(in_year, Worker.segment == Segment.NON_ASN)
        .group_by(Worker.regency_id)
    ):
        figures[regency_id]["non_asn"] = n
    per_village = (
        select(Worker.village_id.label("village_id"), func.count(distinct(Worker.id)).label("n"))
        .join(Enrollment, Enrollment.worker_id == Worker.id)
        .where(Worker.segment == Segment.VULNERABLE, *covered_on(on))
        .group_by(Worker.village_id)
        .subquery()
    )
    for regency_id, total, reached in session.execute(
        select(
            Village.regency_id,
            func.count(Village.id),
            func.sum(case((func.coalesce(per_village.c.n, 0) >= TARGET, 1), else_=0)),
        )
        .outerjoin(per_village, per_village.c.village_id == Village.id)
        .where(Village.regency_id.in_(workforce))
        .group_by(Village.regency_id)
    ):
        figures[regency_id].update(villages=total, villages_at_100=int(reached or 0))
    for regency_id, (total, compliant) in compliant_companies(session, list(workforce), on).items():
        figures[regency_id].update(companies=total, companies_compliant=compliant)
    registered = and_(
        ConstructionProject.registered_on.is_not(None), ConstructionProject.registered_on <= on
    )
    for regency_id, total, done in session.execute(
        select(
            ConstructionProject.regency_id,
            func.count(ConstructionProject.id),
            func.sum(case((registered, 1), else_=0)),
        )
        .where(
            ConstructionProject.regency_id.in_(workforce),
            ConstructionProject.spk_date >= dt.date(period.year, 1, 1),
            ConstructionProject.spk_date <= on,
        )
        .group_by(ConstructionProject.regency_id)
    ):
        figures[regency_id].update(projects=total, projects_registered=int(done or 0))
    first, last = billed_months(period, on)
    for regency_id, due, paid in session.execute(
        select(
            Contribution.regency_id,
            func.sum(Contribution.amount_due),
            func.sum(_paid_capped()),
        )
        .where(
            Contribution.regency_id.in_(workforce),
            Contribution.period >= first,
            Contribution.period <= last,
        )
        .group_by(Contribution.regency_id)
    ):
        figures[regency_id].update(
            contributions_due=int(due or 0), contributions_paid=int(paid or 0)
        )
    return figures


def province_figures(session, regencies: dict[int, dict]) -> dict[int, dict]:
    """Add up the regencies' figures per province (one query for the provinces' names)."""
    provinces: dict[int, dict] = {}
    for f in regencies.values():
        total = provinces.setdefault(f["province_id"], {"regencies": 0})
        total["regencies"] += 1
        for key, value in f.items():
            if key not in ("name", "province_id"):
                total[key] = total.get(key, 0) + value
    names = dict(
        session.execute(select(Province.id, Province.name).where(Province.id.in_(provinces))).all()
    )
    for province_id, total in provinces.items():
        total["name"] = names[province_id]
    return provinces


def region_values(figures: dict[int, dict], group: str | None = None) -> dict[int, dict[str, int]]:
    """Turn a region's raw figures into 0-100 values (hundredths) per computed indicator.

    The relative figure (vulnerable workers funded) is scaled so the best subject of its group
    has 100: `group` names the figure that groups them (a regency's `province_id`, as regencies
    compete within their province), or None for one group of all.
    """
    best: dict = {}
    for f in figures.values():
        key = f.get(group) if group else None
        best[key] = max(best.get(key, 0), f["vulnerable_funded"])
    return {
        subject: {
            "wage_coverage": _ratio(f["wage_covered"], f["wage_potential"]),
            "informal_coverage": _ratio(f["informal_covered"], f["informal_potential"]),
            "vulnerable_funded": _ratio(
                f["vulnerable_funded"], best[f.get(group) if group else None]
            ),
            "villages_at_100": _ratio(f["villages_at_100"], f["villages"]),
            "non_asn_coverage": _ratio(f["non_asn_covered"], f["non_asn"]),
            "companies_compliant": _ratio(f["companies_compliant"], f["companies"]),
            "construction_registered": _ratio(f["projects_registered"], f["projects"]),
            "contributions_paid": _ratio(f["contributions_paid"], f["contributions_due"]),
        }
        for subject, f in figures.items()
    }


def company_figures(session, period: AwardPeriod, category: str, on: dt.date) -> dict[int, dict]:
    """The raw figures of every active company of a size category (three grouped queries)."""
    figures = {
        row.id: {
            "name": row.name,
            "regency_id": row.regency_id,
            "declared": row.declared_workforce,
            "enrolled": 0,
            "full_programs": 0,
            "contributions_due": 0,
            "contributions_paid": 0,
        }
        for row in session.execute(
            select(Company.id, Company.name, Company.regency_id, Company.declared_workforce).where(
                Company.status == CompanyStatus.ACTIVE,
                Company.size_class.in_(COMPANY_CLASSES[category]),
            )
        )
    }
    in_category = Company.size_class.in_(COMPANY_CLASSES[category])
    full = and_(Enrollment.jkk, Enrollment.jkm, Enrollment.jht)
    for company_id, n, complete in session.execute(
        select(
            Enrollment.company_id,
            func.count(distinct(Enrollment.worker_id)),
            func.count(distinct(case((full, Enrollment.worker_id)))),
        )
        .join(Company, Company.id == Enrollment.company_id)
        .where(in_category, Company.status == CompanyStatus.ACTIVE, *covered_on(on))
        .group_by(Enrollment.company_id)
    ):
        figures[company_id].update(enrolled=n, full_programs=complete)
    first, last = billed_months(period, on)
    for company_id, due, paid in session.execute(
        select(Contribution.company_id, func.sum(Contribution.amount_due), func.sum(_paid_capped()))
        .join(Company, Company.id == Contribution.company_id)
        .where(
            in_category,
            Company.status == CompanyStatus.ACTIVE,
            Contribution.period >= first,
            Contribution.period <= last,
        )
        .group_by(Contribution.company_id)
    ):
        figures[company_id].update(
            contributions_due=int(due or 0), contributions_paid=int(paid or 0)
        )
    return figures


def company_values(figures: dict[int, dict]) -> dict[int, dict[str, int]]:
    return {
        subject: {
            "workers_registered": _ratio(f["enrolled"], f["declared"]),
            "programs_complete": _ratio(f["full_programs"], f["enrolled"]),
            "contributions_paid": _ratio(f["contributions_paid"], f["contributions_due"]),
        }
        for subject, f in figures.items()
    }


def figures_and_values(session, period: AwardPeriod, category: str, on: dt.date):
    """The raw figures and the computed indicator values of a category's subjects."""
    if category in COMPANY_CLASSES:
        figures = company_figures(session, period, category, on)
        return figures, company_values(figures)
    figures = regency_figures(session, period, on)
    if category == AwardCategory.PROVINCE:
        figures = province_figures(session, figures)
        return figures, region_values(figures)
    return figures, region_values(figures, group="province_id")
