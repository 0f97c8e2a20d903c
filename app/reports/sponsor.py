"""The sponsor statement: whom a sponsor covered in a period, for how many months, for how much.

A regent's decree can fund ten thousand workers, so the statement is built in the background like
the regency report and kept as PDF, XLSX and HTML.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.exports import xlsx_sheets
from app.formatting import long_date
from app.models import Enrollment, ReportJob, Segment, SponsorCommitment
from app.reports.pdf import html_to_pdf
from app.services.sponsors import funded_by, statement_lines

PROGRESS_EVERY = 200


def statement_context(session, job: ReportJob, progress=lambda done, total: None) -> dict:
    """Everything the statement shows, from one query for the lines and one for the count."""
    sponsor, start, end = job.sponsor, job.period_from, job.period_to
    total = session.scalar(
        select(func.count(Enrollment.id)).where(*funded_by(sponsor.id, start, end))
    )
    progress(0, total)
    lines, by_month = [], defaultdict(lambda: [0, 0])
    for index, line in enumerate(statement_lines(session, sponsor.id, start, end), start=1):
        lines.append(line)
        month = line.first.replace(day=1)
        while month <= line.last:
            by_month[month][0] += 1
            by_month[month][1] += line.monthly
            month = (month + dt.timedelta(days=32)).replace(day=1)
        if index % PROGRESS_EVERY == 0:
            progress(index, total)
    progress(len(lines), total)
    commitments = session.scalars(
        select(SponsorCommitment)
        .where(
            SponsorCommitment.sponsor_id == sponsor.id,
            SponsorCommitment.start_date <= end,
            SponsorCommitment.end_date >= start,
        )
        .order_by(SponsorCommitment.start_date)
    ).all()
    return {
        "sponsor": sponsor,
        "start": start,
        "end": end,
        "lines": lines,
        "months": sorted(by_month.items()),
        "workers": len({(line.name, line.nik) for line in lines}),
        "worker_months": sum(line.months for line in lines),
        "amount": sum(line.amount for line in lines),
        "commitments": commitments,
        "generated": dt.date.today(),
    }


def statement_columns() -> list[str]:
    return [
        _("No."),
        _("Name"),
        _("NIK"),
        _("Village"),
        _("Segment"),
        _("Programs"),
        _("Covered from"),
        _("Covered until"),
        _("Months"),
        _("Monthly contribution"),
        _("Amount"),
    ]


def statement_files(session, job: ReportJob, progress) -> dict[str, bytes]:
    """The statement as HTML, PDF and XLSX."""
    context = statement_context(session, job, progress)
    html = render_template(
        "reports/sponsor_statement.html",
        locale=job.locale,
        columns=statement_columns(),
        **context,
    )
    rows = [
        [
            number,
            line.name,
            line.nik,
            line.village,
            Segment.label_of(line.segment),
            line.programs,
            long_date(line.first),
            long_date(line.last),
            line.months,
            line.monthly,
            line.amount,
        ]
        for number, line in enumerate(context["lines"], start=1)
    ]
    months = [
        [month.strftime("%Y-%m"), workers, amount] for month, (workers, amount) in context["months"]
    ]
    xlsx = xlsx_sheets(
        [
            (_("Workers covered"), statement_columns(), rows),
            (_("By month"), [_("Month"), _("Workers"), _("Amount")], months),
        ]
    )
    return {"html": html.encode(), "pdf": html_to_pdf(html), "xlsx": xlsx}
