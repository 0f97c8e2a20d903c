"""What needs each user's action today, as counts from aggregate queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from app.models import (
    AuditEvent,
    Company,
    ConstructionProject,
    Contribution,
    CoverageFigure,
    Decision,
    Enrollment,
    EnrollmentBatch,
    EnrollmentStatus,
    IssuedLetter,
    PermitCheck,
    SponsorCommitment,
    Worker,
)
from app.roles import ADMIN, AUDITOR, BRANCH_STAFF, OPERATOR, PERMIT_OFFICER, SUPERVISOR
from app.scope import Scope
from app.services import claims, reconciliation, worklists


@dataclass(frozen=True)
class Task:
    """A number the user should look at, with where to act on it."""

    title: object
    count: int
    endpoint: str
    hint: object = ""
    as_of: dt.datetime | None = None  # counted then by the periodic task; None: just now
    args: dict = field(default_factory=dict)  # the list's own filters: it shows what is counted


def _count(session, model, scope: Scope, *conditions) -> int:
    query = select(func.count()).select_from(model).where(model.scope_clause(scope), *conditions)
    return session.scalar(query) or 0


def workers_without_cover(session, scope: Scope) -> tuple[int, dt.datetime | None]:
    """Workers with no active enrollment, and the time the figure was counted (None: now).

    For a regency, a branch or the whole country the figure comes from the coverage figures
    that the worker refreshes every five minutes (`refresh_coverage`): counting a million
    workers against their enrollments on every home page took half a second. A village or an
    OPD is counted as the page is asked for. Until the first refresh, everything is counted live.
    """
    if scope.village_id is None and scope.opd_id is None:
        kept = session.execute(
            select(
                func.sum(CoverageFigure.workers - CoverageFigure.covered),
                func.min(CoverageFigure.refreshed_at),
            ).where(CoverageFigure.scope_clause(scope))
        ).one()
        if kept[1] is not None:
            return int(kept[0] or 0), kept[1]
    return _uncovered_now(session, scope), None


def _uncovered_now(session, scope: Scope) -> int:
    """The workers in scope less the covered ones (one active enrollment per worker at most,
    uq_enrollment_one_active): two indexed counts, no anti-join of every worker."""
    workers = _count(session, Worker, scope)
    covered = (
        select(func.count())
        .select_from(Enrollment)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE)
    )
    if not scope.unrestricted:
        covered = covered.where(
            Enrollment.worker_id.in_(select(Worker.id).where(Worker.scope_clause(scope)))
        )
    return max(workers - (session.scalar(covered) or 0), 0)


def refresh_coverage(session, now: dt.datetime) -> int:
    """Count every regency's workers and covered workers again (the periodic task); returns how
    many regencies have workers."""
    workers = dict(
        session.execute(select(Worker.regency_id, func.count()).group_by(Worker.regency_id)).all()
    )
    covered = dict(
        session.execute(
            select(Worker.regency_id, func.count())
            .select_from(Enrollment)
            .join(Worker, Worker.id == Enrollment.worker_id)
            .where(Enrollment.status == EnrollmentStatus.ACTIVE)
            .group_by(Worker.regency_id)
        ).all()
    )
    session.execute(delete(CoverageFigure))
    if workers:
        session.execute(
            insert(CoverageFigure),
            [
                {"regency_id": r, "workers": n, "covered": covered.get(r, 0), "refreshed_at": now}
                for r, n in workers.items()
            ],
        )
    session.commit()
    return len(workers)


# FAB's "equal to" filter of a text column, in a list's URL (_flt_3_<column>=<value>)
EQUAL = 3


def _named(session, model, scope: Scope, name: str, value: str, today: dt.date) -> int:
    """Count what one named condition of a list finds (the list opens with the same one)."""
    return _count(session, model, scope, worklists.clause(session, model, name, value, today))


def _worklist(title, model, name, value, hint, session, scope, today, endpoint=None) -> Task:
    return Task(
        title,
        _named(session, model, scope, name, value, today),
        endpoint or f"{model.__name__}View.list",
        hint,
        args=worklists.worklist_args(name, value),
    )


def tasks_for(
    session, role_names: set[str], scope: Scope, today: dt.date, user_id: int | None = None
) -> list[Task]:
    """Build the home-page task list for a user's roles; each task opens the filtered list of
    exactly what it counts."""
    tasks: list[Task] = []
    here = (session, scope, today)
    if role_names & {ADMIN, SUPERVISOR}:
        tasks.append(
            Task(
                _l("Batches waiting for your decision"),
                _count(session, EnrollmentBatch, scope, EnrollmentBatch.status == "submitted"),
                "BatchView.list",
                _l("Approve or return them."),
                args={f"_flt_{EQUAL}_status": "submitted"},
            )
        )
    if user_id is not None and role_names & {BRANCH_STAFF, OPERATOR}:
        tasks.append(
            Task(
                _l("Batches returned to you"),
                _count(
                    session,
                    EnrollmentBatch,
                    scope,
                    EnrollmentBatch.status == "returned",
                    worklists.clause(session, EnrollmentBatch, "mine", "1", today, user_id),
                ),
                "BatchView.list",
                _l("Correct them and submit them again."),
                args={f"_flt_{EQUAL}_status": "returned", "_flt_0_mine": "1"},
            )
        )
    if role_names & {ADMIN, PERMIT_OFFICER}:
        tasks.append(
            Task(
                _l("Permit applications pending"),
                _count(session, PermitCheck, scope, PermitCheck.decision == Decision.PENDING),
                "PermitCheckView.list",
                _l("Checked, waiting for your decision."),
                args={f"_flt_{EQUAL}_decision": Decision.PENDING.value},
            )
        )
    if role_names & {ADMIN, BRANCH_STAFF, SUPERVISOR, PERMIT_OFFICER}:
        tasks.append(
            _worklist(
                _l("Companies in arrears"),
                Company,
                "obligations",
                "arrears",
                _l("Unpaid contributions up to last month."),
                *here,
            )
        )
        tasks.append(
            _worklist(
                _l("Active companies without an NPP"),
                Company,
                "obligations",
                "no_npp",
                _l("Not registered with BPJS Ketenagakerjaan yet."),
                *here,
            )
        )
    if role_names & {ADMIN, BRANCH_STAFF, SUPERVISOR, OPERATOR}:
        uncovered, as_of = workers_without_cover(session, scope)
        tasks.append(
            Task(
                _l("Workers without active cover"),
                uncovered,
                "WorkerView.list",
                _l("Propose or enroll them."),
                as_of,
                args=worklists.worklist_args("coverage", "uncovered"),
            )
        )
        tasks.append(
            _worklist(
                _l("Enrollments ending within 30 days"),
                Enrollment,
                "ending",
                "30",
                _l("Renew them or let the sponsor know."),
                *here,
            )
        )
    if role_names & {ADMIN, BRANCH_STAFF, SUPERVISOR, PERMIT_OFFICER}:
        tasks.append(
            _worklist(
                _l("Construction projects not registered in time"),
                ConstructionProject,
                "registration",
                "late",
                _l("Unregistered past the deadline after the SPK (local rule)."),
                *here,
            )
        )
    if role_names & {ADMIN, BRANCH_STAFF, SUPERVISOR}:
        tasks.append(
            _worklist(
                _l("Unpaid bills last month"),
                Contribution,
                "bill",
                "unpaid_last_month",
                _l("Follow up with the payers."),
                *here,
            )
        )
    if role_names & {ADMIN, AUDITOR}:
        start = dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
        tasks.append(
            Task(
                _l("Exports and personal-data reads today"),
                _count(
                    session,
                    AuditEvent,
                    scope,
                    AuditEvent.at >= start,
                    AuditEvent.action.in_(["export", "read"]),
                ),
                "AuditEventView.list",
                _l("Check that each had a purpose."),
            )
        )
    return tasks


def reminders_for(
    session, role_names: set[str], scope: Scope, today: dt.date, user_id: int | None = None
) -> list[Task]:
    """Dates coming up or gone by that someone must act on; each opens its filtered list."""
    reminders: list[Task] = []
    here = (session, scope, today)
    if role_names & {ADMIN, BRANCH_STAFF, SUPERVISOR}:
        reminders.append(
            _worklist(
                _l("Sponsor commitments ending within 60 days"),
                SponsorCommitment,
                "ending",
                "60",
                _l("Agree the next commitment so that no worker loses cover."),
                *here,
            )
        )
    if role_names & {ADMIN, BRANCH_STAFF, SUPERVISOR}:
        reminders.append(
            _worklist(
                _l("Warning letters past their deadline"),
                IssuedLetter,
                "reply",
                "overdue",
                _l("Still unpaid: send the next letter or the recommendation for sanction."),
                *here,
            )
        )
        open_items = reconciliation.worklist(session, scope, None, "open").subquery()
        reminders.append(
            Task(
                _l("Reconciliation discrepancies open"),
                session.scalar(select(func.count()).select_from(open_items)) or 0,
                "ReconciliationView.worklist",
                _l("Differences with BPJS's own data: resolve each with a note."),
                args={"status": "open"},
            )
        )
    if role_names & {ADMIN, BRANCH_STAFF, SUPERVISOR, OPERATOR}:
        reminders.append(
            Task(
                _l("Scholarship claims due"),
                claims.scholarship_claims_due_count(session, scope, today),
                "ClaimView.index",
                _l("Remind the families to claim this year's scholarship."),
            )
        )
    if role_names & {ADMIN, PERMIT_OFFICER}:
        reminders.append(
            _worklist(
                _l("Certificates expiring within 30 days"),
                PermitCheck,
                "certificate",
                "expiring",
                _l("The companies will need a new check for their next permit."),
                *here,
            )
        )
    return reminders
