"""The award's ranking report (per category) and certificates (piagam) as PDF.

Both read the stored scores (the snapshot each was computed from), so a printed ranking is the
ranking on screen. Company categories can hold thousands of companies: the report prints the
best RANKED of the user's area and says how many took part. Regencies and cities are ranked within
their province, so their report prints the best RANKED of each province, province by province,
each with its province; the certificates go to the first WINNERS of each province.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import request
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.charts import bar_chart
from app.formatting import points
from app.models import AwardPeriod, AwardScore
from app.reports.pdf import render_pdf
from app.services import award_evidence, awards

RANKED = 25


def _scores(session, period: AwardPeriod, category: str, visible, best: int):
    """The best `best` of the user's area: of each province for regencies, else of all."""
    query = (
        select(AwardScore)
        .where(AwardScore.period_id == period.id, AwardScore.category == category, visible)
        .order_by(*awards.ranking_order(category))
    )
    if awards.ranks_by_province(category):
        return session.scalars(query.where(AwardScore.rank <= best)).all()
    return session.scalars(query.limit(best)).all()


def ranking_context(session, period: AwardPeriod, category: str, visible) -> dict:
    """What the ranking report shows: indicators, scores with their values, a chart."""
    indicators = awards.indicators_of(period, category)
    scores = _scores(session, period, category, visible, RANKED)
    rows = []
    for score in scores:
        snapshot = json.loads(score.inputs)["indicators"]
        rows.append(
            {"score": score, "values": [snapshot.get(i.code, {}).get("value") for i in indicators]}
        )
    base = select(func.count(AwardScore.id)).where(
        AwardScore.period_id == period.id, AwardScore.category == category
    )
    numbers = {i.id: n for n, i in enumerate(indicators, start=1)}
    panel = [i for i in indicators if i.source == "panel"]
    found = award_evidence.panel_evidence(
        session, [i.id for i in panel], [s.subject_id for s in scores]
    )
    evidence = [
        {"score": s, "number": numbers[i.id], "indicator": i, **found[i.id, s.subject_id]}
        for s in scores
        for i in panel
        if (i.id, s.subject_id) in found
    ]
    by_province = awards.ranks_by_province(category)
    return {
        "period": period,
        "category": category,
        "category_label": awards.CATEGORY_LABELS[category],
        "indicators": indicators,
        "rows": rows,
        "by_province": by_province,
        "ranked": RANKED,
        "provinces": awards.provinces_of(session, [s.regency_id for s in scores])
        if by_province
        else {},
        "evidence": evidence,
        "participants": session.scalar(base) or 0,
        "shown_of": session.scalar(base.where(visible)) or 0,
        "computed_at": session.scalar(
            select(func.max(AwardScore.computed_at)).where(
                AwardScore.period_id == period.id, AwardScore.category == category
            )
        ),
        "weights": {
            "computed": sum(i.weight for i in indicators if i.source == "computed"),
            "panel": sum(i.weight for i in indicators if i.source == "panel"),
        },
        "chart": bar_chart(
            [(r["score"].subject_name[:28], r["score"].final_score / 100) for r in rows[:15]],
            _("Final score"),
            fmt=lambda v: points(round(v * 100)),
            maximum=100,
            width=640,
            label_width=210,
        ),
        "printed": dt.date.today(),
    }


def ranking_pdf(session, period: AwardPeriod, category: str, visible) -> bytes | None:
    context = ranking_context(session, period, category, visible)
    if not context["rows"]:
        return None
    return render_pdf("reports/award_ranking.html", request.url_root, **context)


def certificates_pdf(session, period: AwardPeriod, category: str, visible) -> bytes | None:
    """One landscape page per winner (ranks 1 to WINNERS; of each province for regencies)
    inside the user's area."""
    winners = [
        s
        for s in _scores(session, period, category, visible, awards.WINNERS)
        if s.rank <= awards.WINNERS
    ]
    if not winners:
        return None
    by_province = awards.ranks_by_province(category)
    provinces = awards.provinces_of(session, [s.regency_id for s in winners]) if by_province else {}
    numbers = {
        s.id: awards.certificate_number(
            period.year,
            category,
            s.rank,
            provinces[s.regency_id].code if s.regency_id in provinces else None,
        )
        for s in winners
    }
    return render_pdf(
        "reports/award_certificates.html",
        request.url_root,
        period=period,
        category_label=awards.CATEGORY_LABELS[category],
        winners=winners,
        by_province=by_province,
        provinces=provinces,
        numbers=numbers,
        printed=dt.date.today(),
    )
