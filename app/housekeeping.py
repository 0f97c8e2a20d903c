"""The periodic tasks of the job queue: the clean-up every minute, the home page's figures
every five minutes.

Jobs whose worker died (no heartbeat) and jobs the queue lost are recorded as failed; the
certificates of companies that no longer comply are withdrawn. Pages only read these states;
this is where they are written. `flask --app run jobs clean-up` runs the same work once.
"""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from app import logs
from app.background import huey, worker_app
from app.extensions import db
from app.reports.regency import fail_stale_jobs
from app.services.batch_drafts import fail_stale_checks
from app.services.dashboard import refresh_coverage
from app.services.permits import revoke_lapsed
from app.services.reconciliation import fail_stale_runs

log = logging.getLogger(__name__)


def clean_up_now(session, now: dt.datetime) -> dict[str, int]:
    """The clean-up's work: how many checks, reports and imports failed, certificates withdrawn."""
    return {
        "checks": fail_stale_checks(session, now),
        "reports": fail_stale_jobs(session, now),
        "certificates": revoke_lapsed(session, now),
        "reconciliations": fail_stale_runs(session, now),
    }


@huey.periodic_task(crontab(minute="*"))
def clean_up() -> None:
    """Every minute, in the worker."""
    app = worker_app()
    with app.app_context(), logs.job("clean-up"):
        counts = clean_up_now(db.session, dt.datetime.now(dt.UTC))
        if any(counts.values()):
            log.info("clean-up: %s", counts)


@huey.periodic_task(crontab(minute="*/5"))
def refresh_figures() -> None:
    """Every five minutes, in the worker: the home page's coverage figures per regency."""
    app = worker_app()
    with app.app_context(), logs.job("figures"):
        regencies = refresh_coverage(db.session, dt.datetime.now(dt.UTC))
        log.info("coverage figures refreshed for %d regencies", regencies)
