"""Award assessment (Paritrana style): indicators from the records and the panel, scores, ranks.

Five categories are assessed each year: provinces, regencies and cities, and large, medium and
small/micro companies. How a score is made (also printed with the ranking):
- every indicator is a value from 0 to 100, kept in hundredths: a coverage ratio capped at 100,
  a share of villages, projects, bills or companies, a panel's mark, or (for `relative`
  indicators such as the number of vulnerable workers funded) the subject's figure scaled so the
  best subject of its round has 100; an indicator with nothing to measure (no project, no bill)
  scores 0, since the records show nothing to credit;
- the desk score is the weighted mean of the computed indicators, the panel score that of the
  panel's, and the final score the weighted mean of all (so the stages count by their weights);
  a panel mark not entered counts as 0;
- ties are broken by the higher panel score, then the higher desk score, then the name;
- regencies and cities compete within their province, as in the award's provincial round: their
  ranks start from 1 in each province and the relative figures are scaled to the province's best.
  Provinces and companies are ranked nationally.
Opening, computing and locking a period belong to the national administrator (an unrestricted
scope); the panel marks only participants inside its own area.
The default weights are illustrative: no official Paritrana weights are published. Admins edit
them while the period is open; a locked period can be neither recomputed nor edited.
"""

from __future__ import annotations

import datetime as dt
import json

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from app.errors import Forbidden
from app.models import (
    AwardCategory,
    AwardIndicator,
    AwardInput,
    AwardPeriod,
    AwardScore,
    Company,
    IndicatorSource,
    PeriodStatus,
    Province,
    Regency,
)
from app.services import Conflict, NotFound, ServiceError
from app.services.award_figures import (  # noqa: F401 (figures are part of this module's API)
    COMPANY_CLASSES,
    FULL,
    company_figures,
    figures_and_values,
    province_figures,
    regency_figures,
)
from app.services.award_indicators import (  # noqa: F401 (so are the indicators and labels)
    CATEGORIES,
    CATEGORY_CODES,
    CATEGORY_LABELS,
    COMPANY_INDICATORS,
    FIGURE_LABELS,
    REGION_INDICATORS,
    WINNERS,
    certificate_number,
    indicator_table,
)


def as_of(period: AwardPeriod, today: dt.date) -> dt.date:
    """The date the records are read at: the end of the year, or today while it runs."""
    return min(dt.date(period.year, 12, 31), today)


RUNNER_ONLY = _l("Only the national administrator opens, computes and locks an award period.")


def refuse_unless_runner(scope) -> None:
    """Opening, computing and locking a period belong to the level that runs the award."""
    if not scope.unrestricted:
        raise Forbidden(str(RUNNER_ONLY))


def open_period(session, year: int, *, scope) -> AwardPeriod:
    """Create a period with the default (illustrative) indicators of every category, once a year."""
    refuse_unless_runner(scope)
    if not 2017 <= year <= 2100:
        raise ServiceError(_("The award has been held since 2017; enter a year from 2017."))
    period = session.scalars(select(AwardPeriod).where(AwardPeriod.year == year)).first()
    if period is not None:
        return period
    period = AwardPeriod(year=year, status=PeriodStatus.OPEN)
    session.add(period)
    for category in CATEGORIES:
        for position, row in enumerate(indicator_table(category)):
            code, aspect, name, source, weight, relative = row
            session.add(
                AwardIndicator(
                    period=period,
                    category=category,
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


def indicators_of(period: AwardPeriod, category: str) -> list[AwardIndicator]:
    return [i for i in period.indicators if i.category == category]


def refuse_if_locked(period: AwardPeriod) -> None:
    if period.locked:
        raise Conflict(
            _("The period %(year)d is locked; nothing in it can change.", year=period.year)
        )


def set_weight(session, indicator: AwardIndicator, weight) -> None:
    """Change an indicator's weight while its period is open."""
    refuse_if_locked(indicator.period)
    try:
        weight = int(str(weight).strip())
    except (TypeError, ValueError):
        weight = -1
    if not 0 <= weight <= 100:
        raise ServiceError(_("A weight is a whole number from 0 to 100."), field="weight")
    indicator.weight = weight


def set_weights(session, period: AwardPeriod, category: str, given: dict[int, str]) -> None:
    """Change a category's weights together ({indicator id: weight}): all of them or none.

    Raises ServiceError naming the indicator at fault; the caller rolls back.
    """
    indicators = indicators_of(period, category)
    for indicator in indicators:
        if indicator.id in given:
            try:
                set_weight(session, indicator, given[indicator.id])
            except ServiceError as error:
                raise ServiceError(f"{indicator.name}: {error}") from error
    if not sum(i.weight for i in indicators):
        raise ServiceError(_("At least one indicator needs a weight above 0."))


def may_mark(scope, category: str, regency_id: int | None) -> bool:
    """The panel marks participants inside the user's scope; provinces only the unrestricted."""
    if category == AwardCategory.PROVINCE:
        return scope.unrestricted
    return scope.allows_regency(regency_id)


def subject_regency(session, category: str, subject_id: int) -> int | None:
    """The regency a participant belongs to (a regency itself, a company's); None for a province."""
    if category == AwardCategory.PROVINCE:
        return None
    if category == AwardCategory.REGENCY:
        return subject_id
    return session.scalar(select(Company.regency_id).where(Company.id == subject_id))


def set_marks(
    session, period, category, subject_id, marks: dict[int, tuple], user_id, now, *, scope
):
    """Record a participant's panel marks ({indicator id: (value, evidence)}) together.

    A participant outside the scope (another branch's regency, a company in it, a province for a
    restricted user) reads as not found and nothing is recorded. Panel indicators left out or
    given an empty value keep their mark. Raises ServiceError naming the indicator at fault; the
    caller rolls back.
    """
    if not subject_exists(session, category, subject_id) or not may_mark(
        scope, category, subject_regency(session, category, subject_id)
    ):
        raise NotFound(_("No such participant in this category."))
    for indicator in indicators_of(period, category):
        if indicator.source != IndicatorSource.PANEL or indicator.id not in marks:
            continue
        value, evidence = marks[indicator.id]
        if str(value or "").strip() == "":
            continue
        try:
            set_input(session, indicator, subject_id, value, evidence, user_id, now)
        except ServiceError as error:
            raise ServiceError(f"{indicator.name}: {error}") from error


def subject_exists(session, category: str, subject_id: int) -> bool:
    """Tell whether a subject (province, regency or company) takes part in a category."""
    if category == AwardCategory.PROVINCE:
        return session.get(Province, subject_id) is not None
    if category == AwardCategory.REGENCY:
        return session.get(Regency, subject_id) is not None
    company = session.get(Company, subject_id)
    return company is not None and company.size_class in COMPANY_CLASSES[category]


def set_input(session, indicator: AwardIndicator, subject_id: int, value, evidence, user_id, now):
    """Record the panel's mark (0-100, two decimals) of a subject on a panel indicator."""
    refuse_if_locked(indicator.period)
    if indicator.source != IndicatorSource.PANEL:
        raise ServiceError(_("This indicator is computed from the records."))
    if not subject_exists(session, indicator.category, subject_id):
        raise NotFound(_("No such participant in this category."))
    try:
        hundredths = round(float(str(value).replace(",", ".")) * 100)
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


def rank(rows: list[dict], group=lambda row: None) -> list[dict]:
    """Order by final score; ties by panel score, then desk score, then name; number 1, 2, ...

    Rows of different groups (the provinces, for regencies) are ranked apart, each from 1.
    """
    ordered = sorted(rows, key=lambda r: (-r["final"], -r["panel"], -r["desk"], r["name"]))
    positions: dict = {}
    for row in ordered:
        key = group(row)
        positions[key] = positions.get(key, 0) + 1
        row["rank"] = positions[key]
    return ordered


def ranks_by_province(category: str) -> bool:
    """Tell whether a category is ranked province by province (regencies and cities)."""
    return category == AwardCategory.REGENCY


def ranking_order(category: str) -> list:
    """The order of a category's ranking: province by province for regencies, then rank, name.

    Companies are ranked nationally, so they are listed by rank whatever their province.
    """
    if not ranks_by_province(category):
        return [AwardScore.rank, AwardScore.subject_name]
    province = (
        select(Province.code)
        .join(Regency, Regency.province_id == Province.id)
        .where(Regency.id == AwardScore.regency_id)
        .scalar_subquery()
    )
    return [province, AwardScore.rank, AwardScore.subject_name]


def provinces_of(session, regency_ids) -> dict:
    """The province (its code and name) of each regency, {regency id: row}, in one query."""
    ids = {i for i in regency_ids if i is not None}
    if not ids:
        return {}
    return {
        row.regency_id: row
        for row in session.execute(
            select(Regency.id.label("regency_id"), Province.code, Province.name)
            .join(Province, Province.id == Regency.province_id)
            .where(Regency.id.in_(ids))
        )
    }


def compute_scores(
    session, period: AwardPeriod, category: str, today: dt.date, now, *, scope
) -> int:
    """Compute, rank and store one category's scores; refused once the period is locked.

    Returns how many subjects were ranked. The figures come from grouped queries and the scores
    are written as one multi-row INSERT, so a category of 20.000 companies takes seconds.
    Regencies are ranked within their province, as in the award's regional round.
    """
    refuse_unless_runner(scope)
    refuse_if_locked(period)
    indicators = indicators_of(period, category)
    figures, values = figures_and_values(session, period, category, as_of(period, today))
    marks = {
        (indicator_id, subject): value
        for indicator_id, subject, value in session.execute(
            select(AwardInput.indicator_id, AwardInput.subject_id, AwardInput.value).where(
                AwardInput.indicator_id.in_([i.id for i in indicators])
            )
        )
    }
    rows = []
    for subject, figure in figures.items():
        inputs = {
            i.code: {
                "weight": i.weight,
                "source": i.source,
                "value": values[subject][i.code]
                if i.source == IndicatorSource.COMPUTED
                else marks.get((i.id, subject), 0),
            }
            for i in indicators
        }
        desk, panel, final = score(inputs)
        rows.append(
            {
                "subject_id": subject,
                "name": figure["name"],
                "regency_id": subject
                if category == AwardCategory.REGENCY
                else figure.get("regency_id"),
                "desk": desk,
                "panel": panel,
                "final": final,
                "inputs": {"indicators": inputs, "figures": figure},
            }
        )
    session.execute(
        delete(AwardScore).where(AwardScore.period_id == period.id, AwardScore.category == category)
    )
    if rows:
        session.execute(
            insert(AwardScore),
            [
                {
                    "period_id": period.id,
                    "category": category,
                    "subject_id": row["subject_id"],
                    "subject_name": row["name"],
                    "regency_id": row["regency_id"],
                    "desk_score": row["desk"],
                    "panel_score": row["panel"],
                    "final_score": row["final"],
                    "rank": row["rank"],
                    "inputs": json.dumps(row["inputs"], sort_keys=True),
                    "computed_at": now,
                }
                for row in rank(rows, _group_of(session, category, rows))
            ],
        )
    return len(rows)


def _group_of(session, category: str, rows: list[dict]):
    """How rows are grouped for ranking: regencies by province, other categories together."""
    if not ranks_by_province(category):
        return lambda row: None
    ids = [row["subject_id"] for row in rows]
    province = dict(
        session.execute(select(Regency.id, Regency.province_id).where(Regency.id.in_(ids))).all()
    )
    return lambda row: province.get(row["subject_id"])


def may_compute(period: AwardPeriod, *, scope) -> None:
    """Refuse a computation now, before it is queued: not the runner, or a locked period."""
    refuse_unless_runner(scope)
    refuse_if_locked(period)


def compute_all(session, period: AwardPeriod, today: dt.date, now, *, scope) -> dict[str, int]:
    """Compute every category of a period; returns how many were ranked per category."""
    may_compute(period, scope=scope)
    return {c: compute_scores(session, period, c, today, now, scope=scope) for c in CATEGORIES}


def lock(session, period: AwardPeriod, user_id: int, now, *, scope) -> None:
    """Freeze a period once the panel is done and its scores are computed."""
    refuse_unless_runner(scope)
    refuse_if_locked(period)
    computed = select(func.count(AwardScore.id)).where(AwardScore.period_id == period.id)
    if not session.scalar(computed):
        raise Conflict(_("Compute the scores before locking the period."))
    period.status, period.locked_by_id, period.locked_at = PeriodStatus.LOCKED, user_id, now
