"""Work that outlives a request (reports, batch file checks), on this process's worker threads.

One thread per kind of work: a long report does not hold up the check of an operator's file.
With REPORTS_INLINE set (the tests) the work runs at once, inside the request.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from app.scope import IN_JOB

_pools: dict[str, ThreadPoolExecutor] = {}


def submit(pool: str, work, *args) -> None:
    """Run `work(app, *args)` on the pool's thread, or inline when REPORTS_INLINE is set."""
    app = current_app._get_current_object()
    if app.config.get("REPORTS_INLINE"):
        token = IN_JOB.set(True)
        try:
            work(app, *args)
        finally:
            IN_JOB.reset(token)
        return
    if pool not in _pools:
        # One at a time per kind and process: a 1.000-row PDF takes ~170 MB while it is laid out.
        _pools[pool] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lindungi-{pool}")
    _pools[pool].submit(work, app, *args)
