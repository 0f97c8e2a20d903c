"""The regency coverage profile (PDF): UCJ over twelve months, coverage by segment, payer and
program, villages at 100 with the top and bottom villages, and employer compliance.

It draws the dashboard's figures (app.services.coverage) and the dashboard's charts, so the
printed numbers are the numbers on screen.
"""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_babel import gettext as _

from app.charts import bar_chart, line_chart
from app.formatting import number, points
from app.models import PayerType, Segment
from app.reports.pdf import render_pdf
from app.services import coverage as cov
from app.services import villages as desa100

EDGE = 10  # villages listed at the top and at the bottom


def profile_context(session, regency, scope, on: dt.date) -> dict:
    figures = cov.coverage(session, scope, on, regency_id=regency.id)
    villages = desa100.regency_progress(session, regency.id, scope, on)
    ranked = sorted(villages, key=lambda v: (-v.protected, v.code))
    return {
        "regency": regency,
        "on": on,
        "figures": figures,
        "row": figures.regencies[0],
        "top": ranked[:EDGE],
        "bottom": sorted(villages, key=lambda v: (v.protected, v.code))[:EDGE],
        "village_summary": desa100.summary(villages),
        "target": desa100.TARGET,
        "charts": charts(figures),
        "half_charts": charts(figures, width=360),  # drawn narrower for half a page
        "printed": dt.date.today(),
    }


def charts(figures: cov.Coverage, width: int = 560) -> dict:
    """The charts the dashboard and the profile share, `width` pixels wide (narrower on a phone)."""

    def month(d):
        return d.strftime("%m/%y")

    result = {
        "trend": line_chart(
            [(month(end), n) for end, n in figures.trend],
            _("Workers covered at the end of each month"),
            fmt=number,
            width=width,
        ),
        "segments": bar_chart(
            sorted(
                ((Segment.label_of(k), v) for k, v in figures.by_segment.items()),
                key=lambda x: -x[1],
            ),
            _("Covered workers by segment"),
            fmt=number,
            width=width,
        ),
        "payers": bar_chart(
            sorted(
                ((PayerType.label_of(k), v) for k, v in figures.by_payer.items()),
                key=lambda x: -x[1],
            ),
            _("Covered workers by payer"),
            fmt=number,
            width=width,
        ),
        "programs": bar_chart(
            [(k.upper(), v) for k, v in figures.by_program.items()],
            _("Covered workers by program"),
            fmt=number,
            width=width,
        ),
    }
    if not figures.narrowed:
        result["ucj"] = bar_chart(
            [(r.name, (r.ucj or 0) / 100) for r in figures.regencies],
            _("Universal Coverage Jamsostek (UCJ) by regency"),
            fmt=lambda v: points(round(v * 100)) + " %",
            width=width,
        )
        result["ucj_trend"] = line_chart(
            [(month(end), v / 100) for end, v in cov.ucj_trend(figures)],
            _("UCJ at the end of each month"),
            fmt=lambda v: points(round(v * 100)) + " %",
            width=width,
        )
    return result


def profile_pdf(session, regency, scope, on: dt.date) -> bytes:
    return render_pdf(
        "reports/coverage_profile.html",
        request.url_root,
        **profile_context(session, regency, scope, on),
    )
