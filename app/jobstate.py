"""When a background job has stopped without saying so.

A running job's worker writes a heartbeat every `HEARTBEAT_SECONDS`; a running job silent for
`SILENT_AFTER` lost its worker (killed, out of memory, a machine gone) and reads as failed at
once, and the periodic clean-up records it so within the minute. A job still waiting in the
queue after `QUEUED_LIMIT` was lost with the queue. Pages only read this; they never write it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_

HEARTBEAT_SECONDS = 10
SILENT_AFTER = dt.timedelta(seconds=45)
QUEUED_LIMIT = dt.timedelta(minutes=30)
QUEUED, RUNNING = "queued", "running"


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)  # SQLite gives back naive UTC
    return moment


def is_stale(status, queued_at, heartbeat_at, now: dt.datetime) -> bool:
    """Has this job stopped without finishing?"""
    queued_at, heartbeat_at = _aware(queued_at), _aware(heartbeat_at)
    if status == RUNNING:
        last_sign = heartbeat_at or queued_at
        return last_sign is not None and last_sign < now - SILENT_AFTER
    if status == QUEUED:
        return queued_at is not None and queued_at < now - QUEUED_LIMIT
    return False


def stale_clause(status, queued_at, heartbeat_at, now: dt.datetime):
    """The same rule as a SQL condition on a job table's columns."""
    return or_(
        and_(status == RUNNING, func.coalesce(heartbeat_at, queued_at) < now - SILENT_AFTER),
        and_(status == QUEUED, queued_at < now - QUEUED_LIMIT),
    )
