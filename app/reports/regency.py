"""The regency compliance report: companies by status and their shortfalls, arrears, late
construction projects and permit decisions of a period. Built in the background (a regency can
have thousands of companies and WeasyPrint lays out about 100-150 rows a second), kept as PDF,
XLSX and HTML for download."""

from __future__ import annotations

import datetime as dt
import logging

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import background, jobstate
from app.exports import xlsx_sheets
from app.extensions import db
from app.models import (
    Company,
    CompanyStatus,
    ConstructionProject,
    Decision,
    JobStatus,
    PermitCheck,
    Regency,
    ReportJob,
    ReportOutput,
)
from app.reports.pdf import html_to_pdf
from app.services.compliance import check_title, evaluate, rule_in_force

log = logging.getLogger(__name__)
PROGRESS_EVERY = 25
FORMATS = ("pdf", "xlsx", "html")


def regency_context(
    session,
    regency: Regency,
    start: dt.date,
    end: dt.date,
    today: dt.date,
    progress=lambda done, total: None,
) -> dict:
    """Everything the report shows; `progress(done, total)` is called as companies are checked."""
    companies = session.scalars(
        select(Company)
        .where(Company.regency_id == regency.id, Company.status != CompanyStatus.CLOSED)
        .order_by(Company.name)
    ).all()
    rows = []
    for index, company in enumerate(companies):
        verdict = evaluate(session, company, today)
        arrears = next(c for c in verdict.checks if c.code == "arrears").figures["amount"]
        rows.append(
            {
                "company": company,
                "compliant": verdict.compliant,
                "arrears": arrears,
                "shortfalls": [f"{check_title(c.code)}: {c.reason}" for c in verdict.failures],
            }
        )
        if index % PROGRESS_EVERY == 0:
            progress(index, len(companies))
    progress(len(companies), len(companies))
    days = rule_in_force(session, regency.id, today)["construction_days"]
    projects = session.scalars(
        select(ConstructionProject)
        .where(ConstructionProject.regency_id == regency.id, ConstructionProject.spk_date <= end)
        .order_by(ConstructionProject.spk_date)
    ).all()
    late = [p for p in projects if ((p.registered_on or today) - p.spk_date).days > days]
    decisions = dict(
        session.execute(
            select(PermitCheck.decision, func.count())
            .where(
                PermitCheck.regency_id == regency.id,
                func.date(PermitCheck.decided_at) >= start,
                func.date(PermitCheck.decided_at) <= end,
            )
            .group_by(PermitCheck.decision)
        ).all()
    )
    return {
        "regency": regency,
        "start": start,
        "end": end,
        "today": today,
        "rows": rows,
        "compliant": sum(r["compliant"] for r in rows),
        "failing": sum(not r["compliant"] for r in rows),
        "arrears_total": sum(r["arrears"] for r in rows),
        "late_projects": late,
        "construction_days": days,
        "issued": decisions.get(Decision.ISSUED, 0),
        "refused": decisions.get(Decision.REFUSED, 0),
    }


def report_output(session, job: ReportJob, fmt: str) -> bytes | None:
    """A finished report's file, from the database (any server can send it)."""
    return session.scalar(
        select(ReportOutput.content).where(ReportOutput.job_id == job.id, ReportOutput.fmt == fmt)
    )


def regency_xlsx(context: dict, labels: dict) -> bytes:
    """The same report as a workbook: companies, late projects."""
    companies = [
        [
            r["company"].name,
            r["company"].nib,
            r["company"].npp,
            r["company"].size_class,
            labels["yes"] if r["compliant"] else labels["no"],
            r["arrears"],
            "; ".join(r["shortfalls"]),
        ]
        for r in context["rows"]
    ]
    projects = [
        [p.spk_number, p.name, p.company.name, p.spk_date, p.registered_on, p.contract_value]
        for p in context["late_projects"]
    ]
    return xlsx_sheets(
        [
            (labels["companies"], labels["company_columns"], companies),
            (labels["projects"], labels["project_columns"], projects),
        ]
    )


def regency_labels() -> dict:
    """Column titles of the workbook, in the job's language."""
    return {
        "yes": _("Yes"),
        "no": _("No"),
        "companies": _("Companies"),
        "projects": _("Late projects"),
        "company_columns": [
            _("Company"),
            "NIB",
            "NPP",
            _("Size"),
            _("Compliant"),
            _("Arrears"),
            _("Shortfalls"),
        ],
        "project_columns": [
            _("SPK no."),
            _("Project"),
            _("Contractor"),
            _("SPK date"),
            _("Registered with BPJS on"),
            _("Contract value"),
        ],
    }


def regency_files(session, job: ReportJob, progress) -> dict[str, bytes]:
    """The regency compliance report as HTML, PDF and XLSX."""
    context = regency_context(
        session, job.regency, job.period_from, job.period_to, dt.date.today(), progress
    )
    html = render_template("reports/regency.html", locale=job.locale, **context)
    return {
        "html": html.encode(),
        "pdf": html_to_pdf(html),
        "xlsx": regency_xlsx(context, regency_labels()),
    }


def builder(kind: str):
    """The function that builds a kind of report's files: (session, job, progress) -> files."""
    from app.reports.sponsor import statement_files

    return {"regency_compliance": regency_files, "sponsor_statement": statement_files}[kind]


def run_job(app, job_id: int) -> None:
    """Build a queued report and keep its files; record failure instead of raising."""
    with app.app_context():
        session = db.session
        job = session.get(ReportJob, job_id)
        if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
            return  # gone, or finished by an earlier try
        job.status, job.heartbeat_at = JobStatus.RUNNING, dt.datetime.now(dt.UTC)
        session.query(ReportOutput).filter_by(job_id=job_id).delete()  # an earlier try's
        session.commit()

        def progress(done: int, total: int) -> None:
            job.rows_done, job.rows_total = done, total
            job.heartbeat_at = dt.datetime.now(dt.UTC)
            session.commit()

        try:
            with force_locale(job.locale):
                files = builder(job.kind)(session, job, progress)
            for fmt, body in files.items():
                session.add(ReportOutput(job_id=job.id, fmt=fmt, content=body, size=len(body)))
            job.status = JobStatus.DONE
        except Exception as exc:  # a failed report must say so, not hang as "running"
            log.exception("report %s failed", job_id)
            session.rollback()
            job = session.get(ReportJob, job_id)
            job.status, job.error = JobStatus.FAILED, str(exc)[:500]
        job.finished_at = dt.datetime.now(dt.UTC)
        session.commit()


def job_is_stale(job, now: dt.datetime) -> bool:
    """Tell whether a report stopped (its worker died): it reads as failed, nothing written."""
    return jobstate.is_stale(job.status, job.requested_at, job.heartbeat_at, now)


def fail_stale_jobs(session, now: dt.datetime) -> int:
    """Record reports whose worker died (or whose queue lost them) as failed."""
    stale = session.scalars(
        select(ReportJob).where(
            jobstate.stale_clause(
                ReportJob.status, ReportJob.requested_at, ReportJob.heartbeat_at, now
            )
        )
    ).all()
    for job in stale:
        job.status, job.finished_at = JobStatus.FAILED, now
        job.error = "interrupted"
    if stale:
        session.commit()
    return len(stale)


def start_job(job_id: int) -> None:
    """Queue a report for the worker process (run at once when the queue is immediate)."""
    background.submit("reports", run_job, job_id, beat=(ReportJob, job_id, "heartbeat_at"))
