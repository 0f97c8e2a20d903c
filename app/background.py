"""Work that outlives a request, on a real queue: huey, run by its own worker process.

`submit(pool, work, *args)` queues `work(app, *args)` (a module-level function) as a task; the
worker process (`flask --app run worker`) runs it, with retries where a try can be repeated
(every job here starts over from its stored input and replaces what an earlier try left). The
queue lives in SQLite beside the embedded database, or in Redis (`LINDUNGI_QUEUE_URL`), so any
app server queues and any worker runs; inputs and results are in the database, so any server
serves the result. While a job runs, a heartbeat is written to its row every few seconds: a job
whose worker died reads as failed within a minute (app/jobstate.py), and the periodic clean-up,
a task of its own every minute (app/housekeeping.py), records it so. With `QUEUE_IMMEDIATE`
(the tests) huey runs each task at once, inside the request, in memory.

At most `PDF_LAYOUTS` PDF layouts run at once in a process (app/reports/pdf.py; one worker
process per host): a 1.000-row PDF takes ~170 MB while it is laid out.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import RedisStorage, SqliteStorage
from sqlalchemy import update

from app import logs
from app.scope import IN_JOB

log = logging.getLogger(__name__)

huey = Huey("lindungi", immediate=True, results=False)  # configure() sets the real storage
_worker_app: Flask | None = None


def configure(app: Flask) -> None:
    """Point the queue at the configured storage, or run tasks at once (QUEUE_IMMEDIATE)."""
    if app.config.get("QUEUE_IMMEDIATE"):
        huey.immediate = True
        return
    url = app.config["QUEUE_URL"]
    if url.startswith(("redis://", "rediss://", "unix://")):
        huey.storage_class, huey.storage_kwargs = RedisStorage, {"url": url}
    elif url.startswith("sqlite:///"):
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": url[len("sqlite:///") :]}
    else:
        raise ValueError(f"LINDUNGI_QUEUE_URL must be redis://… or sqlite:///…, not {url!r}")
    huey._immediate = False
    huey.storage = huey.create_storage()


def submit(pool: str, work, *args, beat: tuple | None = None) -> None:
    """Queue `work(app, *args)`; `beat` = (model, id, column) names the job's heartbeat."""
    target = f"{work.__module__}:{work.__qualname__}"
    if beat is not None:
        model, pk, column = beat
        beat = (f"{model.__module__}:{model.__qualname__}", pk, column)
    run_task(pool, target, list(args), beat)


@huey.task(retries=2, retry_delay=10)
def run_task(pool: str, target: str, args: list, beat: tuple | None) -> None:
    """The one task: find the work by name and run it in the app, beating while it runs."""
    work = _resolve(target)
    app = worker_app()
    if has_app_context() and current_app._get_current_object() is app:
        _run(pool, work, app, args, beat)
    else:
        with app.app_context():
            _run(pool, work, app, args, beat)


def _resolve(target: str):
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def worker_app() -> Flask:
    """The app tasks run in: the worker's (set by `serve`), or the request's when the queue
    runs tasks at once."""
    if _worker_app is not None:
        return _worker_app
    if has_app_context():
        return current_app._get_current_object()
    raise RuntimeError("no app to run the task in: start the worker with `flask --app run worker`")


def serve(app: Flask, workers: int = 2) -> None:
    """Run the worker: consume the queue with `workers` threads and run the periodic tasks."""
    global _worker_app
    _worker_app = app
    consumer = huey.create_consumer(
        workers=workers, worker_type="thread", periodic=True, check_worker_health=True
    )
    consumer.run()


def _run(pool: str, work, app: Flask, args: list, beat: tuple | None) -> None:
    """Run one job with its own log id and heartbeat; a failure is logged (scrubbed)."""
    token = IN_JOB.set(True)
    stop = threading.Event()
    try:
        with logs.job(pool):
            if beat is not None:
                _beat(app, beat)
                if not huey.immediate:
                    threading.Thread(
                        target=_beating, args=(app, beat, stop), daemon=True, name="heartbeat"
                    ).start()
            try:
                work(app, *args)
            except Exception:
                log.exception("background job %s failed", getattr(work, "__name__", pool))
                from app.extensions import db

                db.session.rollback()  # nothing half-written stays in the session
                raise  # huey retries it (the job starts over), or records it failed
    finally:
        stop.set()
        IN_JOB.reset(token)


def _beat(app: Flask, beat: tuple) -> None:
    from app.extensions import db
    from app.jobstate import RUNNING

    target, pk, column = beat
    model = _resolve(target)
    with app.app_context(), db.engine.begin() as conn:
        status = model.status if hasattr(model, "status") else model.check_status
        conn.execute(
            update(model)
            .where(model.id == pk, status == RUNNING)
            .values({column: dt.datetime.now(dt.UTC)})
        )


def _beating(app: Flask, beat: tuple, stop: threading.Event) -> None:
    from app.jobstate import HEARTBEAT_SECONDS

    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            _beat(app, beat)
        except Exception:  # a missed beat is not the job's failure; the next one may pass
            log.warning("heartbeat of %s %s missed", beat[0], beat[1], exc_info=True)
