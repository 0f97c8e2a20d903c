"""The benefit report as PDF for the yearly monitoring and evaluation (monev)."""

from __future__ import annotations

import datetime as dt

from flask import url_for

from app.reports.pdf import render_pdf
from app.services.benefit_report import BenefitReport


def benefit_report_pdf(report: BenefitReport) -> bytes:
    """Render the report of a period."""
    return render_pdf(
        "reports/benefit_report.html",
        url_for("static", filename="", _external=True),
        report=report,
        generated=dt.date.today(),
    )
