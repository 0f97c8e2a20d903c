"""Award assessment of regencies: indicators from the records and the panel, scores and ranks.

How a score is made (also printed with the ranking):
- every indicator is a value from 0 to 100, kept in hundredths: a coverage ratio capped at 100,
  a share of villages or companies, a panel's mark, or (for `relative` indicators such as the
  number of vulnerable workers funded) the subject's figure scaled so the best subject has 100;
- the desk score is the weighted mean of the computed indicators, the panel score that of the
  panel's, and the final score the weighted mean of all (so the stages count by their weights);
  a panel mark not entered counts as 0;
- ties are broken by the higher panel score, then the higher desk score, then the name.
The default weights are illustrative: no official Paritrana weights are published. Admins edit
them while the period is open; a locked period can be neither recomputed nor edited.
"""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import gettext as _
from sqlalchemy import case, delete, distinct, func, or_, select

from app.models import (
    AwardCategory,
    AwardIndicator,
    AwardInput,
    AwardPeriod,
    AwardScore,
    Company,
    CompanyStatus,
    Enrollment,
    EnrollmentStatus,
    IndicatorSource,
    PeriodStatus,
    Regency,
    RegencyWorkforce,
    Segment,
    Village,
    Worker,
)
from app.models.workers import SPONSORED_PAYERS
from app.services import Conflict, ServiceError
from app.services.villages import TARGET

# (code, aspect, name, source, weight, relative) of the regency category; weights add up to 100.
# Aspects and names are data in Indonesian (the assessment's language); admins may rename them.
REGENCY_INDICATORS = [
    ("wage_coverage", "Cakupan", "Pekerja penerima upah terlindungi / potensi", "computed", 15, False),  # noqa: E501
    ("informal_coverage", "Cakupan", "Pekerja bukan penerima upah terlindungi / potensi", "computed", 15, False),  # noqa: E501
    ("vulnerable_funded", "Perlindungan", "Pekerja rentan dibiayai APBD, APBDes, CSR", "computed", 10, True),  # noqa: E501
    ("villages_at_100", "Perlindungan", "Desa dengan 100 pekerja rentan terlindungi", "computed", 10, False),  # noqa: E501
    ("companies_compliant", "Kepatuhan", "Perusahaan yang mendaftarkan semua pekerjanya", "computed", 10, False),  # noqa: E501
    ("regulation", "Komitmen", "Peraturan daerah yang berlaku", "panel", 10, False),
    ("budget", "Komitmen", "Anggaran yang dialokasikan", "panel", 10, False),
    ("innovation", "Inovasi", "Inovasi", "panel", 10, False),
    ("interview", "Wawancara", "Wawancara dengan tim penilai", "panel", 10, False),
]  # fmt: skip
FULL = 10_000  # 100 points in hundredths


def as_of(period: AwardPeriod, today: dt.date) -> dt.date:
    """The date the records are read at: the end of the year, or today while it runs."""
    return min(dt.date(period.year, 12, 31), today)


def open_period(session, year: int) -> AwardPeriod:
    """Create a period with the default (illustrative) regency indicators, once per year."""
    period = session.scalars(select(AwardPeriod).where(AwardPeriod.year == year)).first()
    if period is not None:
        return period
    period = AwardPeriod(year=year, status=PeriodStatus.OPEN)
    session.add(period)
    for position, (code, aspect, name, source, weight, relative) in enumerate(REGENCY_INDICATORS):
        session.add(
            AwardIndicator(
                period=period,
                category=AwardCategory.REGENCY,
                aspect=aspect,
                code=code,
                name=name,
                source=source,
                weight=weight,
                position=position,
                relative=relative,
            )
        )
    session.flush()
    return period


def _refuse_if_locked(period: AwardPeriod) -> None:
    if period.locked:
        raise Conflict(
            _("The period %(year)d is locked; nothing in it can change.", year=period.year)
        )


def set_weight(session, indicator: AwardIndicator, weight: int) -> None:
    """Change an indicator's weight while its period is open."""
    _refuse_if_locked(indicator.period)
    if not 0 <= weight <= 100:
        raise ServiceError(_("A weight is a whole number from 0 to 100."), field="weight")
    indicator.weight = weight


def set_input(session, indicator: AwardIndicator, subject_id: int, value, evidence, user_id, now):
    """Record the panel's mark (0-100, two decimals) of a subject on a panel indicator."""
    _refuse_if_locked(indicator.period)
    if indicator.source != IndicatorSource.PANEL:
        raise ServiceError(_("This indicator is computed from the records."))
    try:
        hundredths = round(float(value) * 100)
    except (TypeError, ValueError):
        hundredths = -1
    if not 0 <= hundredths <= FULL:
        raise ServiceError(_("A mark is a number from 0 to 100."), field="value")
    row = session.scalars(
        select(AwardInput).where(
            AwardInput.indicator_id == indicator.id, AwardInput.subject_id == subject_id
        )
    ).first() or AwardInput(indicator_id=indicator.id, subject_id=subject_id)
    row.value, row.evidence = hundredths, (evidence or "").strip()[:300] or None
    row.entered_by_id, row.entered_at = user_id, now
    session.add(row)


def _ratio(part: int, whole: int) -> int:
    """part / whole as hundredths of a percent, capped at 100 %, rounded half up."""
    if not whole:
        return 0
    return min(FULL, (2 * part * FULL + whole) // (2 * whole))


def regency_figures(session, period: AwardPeriod, on: dt.date) -> dict[int, dict]:
    """The raw figures of every regency with a potential workforce for the year.

    Four grouped queries, whatever the number of workers, villages or companies.
    """
    workforce = {
        regency_id: (wage, informal, name)
        for regency_id, wage, informal, name in session.execute(
            select(
                RegencyWorkforce.regency_id,
                RegencyWorkforce.wage_earners,
                RegencyWorkforce.informal_workers,
                Regency.name,
            )
            .join(Regency, Regency.id == RegencyWorkforce.regency_id)
            .where(RegencyWorkforce.year == period.year)
        )
    }
    covered_now = [
        Enrollment.status == EnrollmentStatus.ACTIVE,
        Enrollment.start_date <= on,
        or_(Enrollment.end_date.is_(None), Enrollment.end_date >= on),
    ]
    covered: dict[int, dict[str, int]] = {}
    for regency_id, segment, payer, n in session.execute(
        select(
            Worker.regency_id,
            Worker.segment,
            Enrollment.payer_type,
            func.count(distinct(Worker.id)),
        )
        .join(Enrollment, Enrollment.worker_id == Worker.id)
        .where(*covered_now)
        .group_by(Worker.regency_id, Worker.segment, Enrollment.payer_type)
    ):
        counts = covered.setdefault(regency_id, {"wage": 0, "informal": 0, "sponsored": 0})
        counts["wage" if segment == Segment.WAGE_EARNER else "informal"] += n
        if segment == Segment.VULNERABLE and payer in SPONSORED_PAYERS:
            counts["sponsored"] += n
    per_village = (
        select(Worker.village_id.label("village_id"), func.count(distinct(Worker.id)).label("n"))
        .join(Enrollment, Enrollment.worker_id == Worker.id)
        .where(Worker.segment == Segment.VULNERABLE, *covered_now)
        .group_by(Worker.village_id)
        .subquery()
    )
    villages = {
        regency_id: (total, int(reached or 0))
        for regency_id, total, reached in session.execute(
            select(
                Village.regency_id,
                func.count(Village.id),
                func.sum(case((func.coalesce(per_village.c.n, 0) >= TARGET, 1), else_=0)),
            )
            .outerjoin(per_village, per_village.c.village_id == Village.id)
            .where(Village.regency_id.in_(workforce))
            .group_by(Village.regency_id)
        )
    }
    enrolled = (
        select(Enrollment.company_id.label("company_id"), func.count(Enrollment.id).label("n"))
        .where(Enrollment.company_id.is_not(None), *covered_now)
        .group_by(Enrollment.company_id)
        .subquery()
    )
    companies = {
        regency_id: (total, int(compliant or 0))
        for regency_id, total, compliant in session.execute(
            select(
                Company.regency_id,
                func.count(Company.id),
                func.sum(
                    case((func.coalesce(enrolled.c.n, 0) >= Company.declared_workforce, 1), else_=0)
                ),
            )
            .outerjoin(enrolled, enrolled.c.company_id == Company.id)
            .where(Company.status == CompanyStatus.ACTIVE, Company.regency_id.in_(workforce))
            .group_by(Company.regency_id)
        )
    }
    figures = {}
    for regency_id, (wage, informal, name) in workforce.items():
        counts = covered.get(regency_id, {"wage": 0, "informal": 0, "sponsored": 0})
        village_total, reached = villages.get(regency_id, (0, 0))
        company_total, compliant = companies.get(regency_id, (0, 0))
        figures[regency_id] = {
            "name": name,
            "wage_covered": counts["wage"],
            "wage_potential": wage,
            "informal_covered": counts["informal"],
            "informal_potential": informal,
            "vulnerable_funded": counts["sponsored"],
            "villages": village_total,
            "villages_at_100": reached,
            "companies": company_total,
            "companies_compliant": compliant,
        }
    return figures


def indicator_values(figures: dict[int, dict]) -> dict[int, dict[str, int]]:
    """Turn the raw figures into 0-100 values (hundredths) per computed indicator."""
    best = max((f["vulnerable_funded"] for f in figures.values()), default=0)
    return {
        regency_id: {
            "wage_coverage": _ratio(f["wage_covered"], f["wage_potential"]),
            "informal_coverage": _ratio(f["informal_covered"], f["informal_potential"]),
            "vulnerable_funded": _ratio(f["vulnerable_funded"], best),
            "villages_at_100": _ratio(f["villages_at_100"], f["villages"]),
            "companies_compliant": _ratio(f["companies_compliant"], f["companies"]),
        }
        for regency_id, f in figures.items()
    }


def _mean(pairs) -> int:
    """Weighted mean of (weight, value) pairs in hundredths, rounded half up."""
    pairs = list(pairs)
    weights = sum(w for w, _v in pairs)
    if not weights:
        return 0
    total = sum(w * v for w, v in pairs)
    return (2 * total + weights) // (2 * weights)


def score(inputs: dict) -> tuple[int, int, int]:
    """Desk, panel and final score from a snapshot {indicator code: {weight, source, value}}."""
    items = list(inputs.values())
    desk = _mean((i["weight"], i["value"]) for i in items if i["source"] == "computed")
    panel = _mean((i["weight"], i["value"]) for i in items if i["source"] == "panel")
    final = _mean((i["weight"], i["value"]) for i in items)
    return desk, panel, final


def rank(rows: list[dict]) -> list[dict]:
    """Order by final score; ties by panel score, then desk score, then name; number 1, 2, ..."""
    ordered = sorted(rows, key=lambda r: (-r["final"], -r["panel"], -r["desk"], r["name"]))
    for position, row in enumerate(ordered, start=1):
        row["rank"] = position
    return ordered


def compute_regency_scores(session, period: AwardPeriod, today: dt.date, now) -> list[AwardScore]:
    """Compute, rank and store the regency category's scores; refused once the period is locked."""
    _refuse_if_locked(period)
    indicators = [i for i in period.indicators if i.category == AwardCategory.REGENCY]
    figures = regency_figures(session, period, as_of(period, today))
    values = indicator_values(figures)
    marks = {
        (indicator_id, subject): value
        for indicator_id, subject, value in session.execute(
            select(AwardInput.indicator_id, AwardInput.subject_id, AwardInput.value).where(
                AwardInput.indicator_id.in_([i.id for i in indicators])
            )
        )
    }
    rows = []
    for regency_id, figure in figures.items():
        inputs = {
            i.code: {
                "weight": i.weight,
                "source": i.source,
                "value": values[regency_id][i.code]
                if i.source == IndicatorSource.COMPUTED
                else marks.get((i.id, regency_id), 0),
            }
            for i in indicators
        }
        desk, panel, final = score(inputs)
        rows.append(
            {
                "subject_id": regency_id,
                "name": figure["name"],
                "desk": desk,
                "panel": panel,
                "final": final,
                "inputs": {"indicators": inputs, "figures": figure},
            }
        )
    session.execute(
        delete(AwardScore).where(
            AwardScore.period_id == period.id, AwardScore.category == AwardCategory.REGENCY
        )
    )
    scores = [
        AwardScore(
            period_id=period.id,
            category=AwardCategory.REGENCY,
            subject_id=row["subject_id"],
            subject_name=row["name"],
            regency_id=row["subject_id"],
            desk_score=row["desk"],
            panel_score=row["panel"],
            final_score=row["final"],
            rank=row["rank"],
            inputs=json.dumps(row["inputs"], sort_keys=True),
            computed_at=now,
        )
        for row in rank(rows)
    ]
    session.add_all(scores)
    session.flush()
    return scores


def lock(session, period: AwardPeriod, user_id: int, now) -> None:
    """Freeze a period once the panel is done and its scores are computed."""
    _refuse_if_locked(period)
    computed = select(func.count(AwardScore.id)).where(AwardScore.period_id == period.id)
    if not session.scalar(computed):
        raise Conflict(_("Compute the scores before locking the period."))
    period.status, period.locked_by_id, period.locked_at = PeriodStatus.LOCKED, user_id, now
