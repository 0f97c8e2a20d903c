"""Work that outlives a request (reports, batch file checks), on this process's worker threads.

One thread per kind of work: a long report does not hold up the check of an operator's file.
With REPORTS_INLINE set (the tests) the work runs at once, inside the request.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from app import logs
from app.scope import IN_JOB

log = logging.getLogger(__name__)

_pools: dict[str, ThreadPoolExecutor] = {}


def submit(pool: str, work, *args) -> None:
    """Run `work(app, *args)` on the pool's thread, or inline when REPORTS_INLINE is set."""
    app = current_app._get_current_object()
    if app.config.get("REPORTS_INLINE"):
        _run(pool, work, app, *args)
        return
    if pool not in _pools:
        # One at a time per kind and process: a 1.000-row PDF takes ~170 MB while it is laid out.
        _pools[pool] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lindungi-{pool}")
    _pools[pool].submit(_run, pool, work, app, *args)


def _run(pool: str, work, app, *args) -> None:
    """Run one job with its own log id; a failure is logged (scrubbed) and never lost."""
    token = IN_JOB.set(True)
    try:
        with logs.job(pool):
            try:
                work(app, *args)
            except Exception:
                log.exception("background job %s failed", getattr(work, "__name__", pool))
                if not app.config.get("REPORTS_INLINE"):
                    return  # the thread pool would swallow it; it is logged now
                raise
    finally:
        IN_JOB.reset(token)
