"""Reports built in the background: request, follow the progress, download."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import JobStatus, Regency, ReportJob, Sponsor
from app.reports.regency import FORMATS, job_is_stale, report_output, start_job
from app.scope import current_scope, get_in_scope
from app.services import audit

MIMETYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
RECENT = 20


def _date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.form.get(name, ""))
    except ValueError:
        return None


class ReportView(BaseView):
    """The regency compliance report, produced in the background and kept for download."""

    route_base = "/reports"
    default_view = "index"
    method_permission_name = {
        "index": "list",
        "download": "list",
        "request_report": "request",
        "request_statement": "request",
    }

    @expose("/")
    @has_access
    def index(self):
        """Show the request form and the reports of the user's area with their progress."""
        scope = current_scope()
        regencies = db.session.scalars(
            select(Regency).where(Regency.scope_clause(scope)).order_by(Regency.code)
        ).all()
        jobs = db.session.scalars(
            select(ReportJob)
            .where(ReportJob.scope_clause(scope))
            .order_by(ReportJob.id.desc())
            .limit(RECENT)
        ).all()
        sponsors = db.session.scalars(
            select(Sponsor).where(Sponsor.scope_clause(scope)).order_by(Sponsor.name)
        ).all()
        now = dt.datetime.now(dt.UTC)
        interrupted = {job.id for job in jobs if job_is_stale(job, now)}
        busy = any(
            job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and job.id not in interrupted
            for job in jobs
        )
        today = dt.date.today()
        return self.render_template(
            "reports.html",
            title=_("Regency reports and sponsor statements"),
            regencies=regencies,
            sponsors=sponsors,
            jobs=jobs,
            interrupted=interrupted,
            busy=busy,
            default_start=today.replace(month=1, day=1),
            today=today,
        )

    @expose("/regency", methods=["POST"])
    @has_access
    def request_report(self):
        """Queue a regency report for a period; refuse a regency outside the user's area."""
        regency = get_in_scope(db.session, Regency, request.form.get("regency", type=int))
        if regency is None:
            abort(404)
        return self._queue("regency_compliance", regency.id, None)

    @expose("/sponsor", methods=["POST"])
    @has_access
    def request_statement(self):
        """Queue a sponsor statement for a period; refuse a sponsor outside the user's area."""
        sponsor = get_in_scope(db.session, Sponsor, request.form.get("sponsor", type=int))
        if sponsor is None:
            abort(404)
        return self._queue("sponsor_statement", sponsor.regency_id, sponsor.id)

    def _queue(self, kind: str, regency_id: int, sponsor_id: int | None):
        start, end = _date("start"), _date("end")
        if start is None or end is None or start > end:
            flash(_("Give a period whose start is not after its end."), "danger")
            return redirect(url_for("ReportView.index"))
        job = ReportJob(
            kind=kind,
            regency_id=regency_id,
            sponsor_id=sponsor_id,
            period_from=start,
            period_to=end,
            locale=str(get_locale() or "id"),
            status=JobStatus.QUEUED,
            requested_by_id=g.user.id,
            requested_at=dt.datetime.now(dt.UTC),
        )
        db.session.add(job)
        db.session.commit()
        start_job(job.id)
        flash(_("The report is being prepared; this page shows its progress."), "info")
        return redirect(url_for("ReportView.index"))

    @expose("/<int:pk>/<fmt>")
    @has_access
    def download(self, pk, fmt):
        """Download a finished report as PDF or XLSX, or read it on screen (HTML)."""
        job = get_in_scope(db.session, ReportJob, pk)
        if fmt not in FORMATS or job is None or job.status != JobStatus.DONE:
            abort(404)
        body = report_output(db.session, job, fmt)
        if body is None:
            abort(404)
        audit.record(
            db.session, "export", "ReportJob", job.id, regency_id=job.regency_id, format=fmt
        )
        response = Response(body, mimetype=MIMETYPES[fmt])
        if fmt != "html":
            subject = "pernyataan-sponsor" if job.sponsor_id else "laporan-kepatuhan"
            name = f"{subject}-{job.regency.code}-{job.id}-{job.period_to:%Y%m%d}.{fmt}"
            response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
