"""A real queue for the tests that need one: SQLite storage and a worker thread in this process."""

from __future__ import annotations

import contextlib
import threading
import time

from app import background


@contextlib.contextmanager
def real_queue(app, path):
    """Queue into an SQLite file and consume it on a thread, as the worker process would."""
    app.config.update(QUEUE_IMMEDIATE=False, QUEUE_URL=f"sqlite:///{path}")
    background.configure(app)
    background._worker_app = app
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set():
            task = background.huey.dequeue()
            if task is None:
                time.sleep(0.05)
                continue
            background.huey.execute(task)

    thread = threading.Thread(target=consume, daemon=True, name="test-worker")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
        background._worker_app = None
        app.config["QUEUE_IMMEDIATE"] = True
        background.configure(app)
