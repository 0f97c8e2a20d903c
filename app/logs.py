"""Log lines for operators: structured, traceable to a request or job, without personal data.

Every record is scrubbed once, where it is made, and stamped with the request id (taken from
`X-Request-ID` or made up, and sent back in that header), the signed-in user's id and the path;
a background job's records carry the job's id instead. `configure` writes them as JSON lines
(`LINDUNGI_LOG_FORMAT=json`, the default) or as plain text lines (`text`), with time and level.

A log record factory (not a handler filter) so that every logger and every handler, ours,
Flask-AppBuilder's, SQLAlchemy's and gunicorn's, gets the same treatment. What is removed: the
values PostgreSQL quotes in a constraint error ("Key (nik)=(...)"), failing rows ("Failing row
contains (...)"), SQL parameter lists, and any 16-digit number (a NIK) or date of birth pattern
that slipped into a message or a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import sys
import traceback
import uuid
from contextvars import ContextVar

from flask import g, has_request_context, request
from werkzeug.local import LocalProxy

_PATTERNS = [
    (re.compile(r"(Key \([^)]*\)=)\((?:[^()]|\([^)]*\))*\)"), r"\1(…)"),
    (re.compile(r"(Failing row contains )\(.*?\)(?=\.?\s*$)", re.MULTILINE), r"\1(…)"),
    (re.compile(r"(\[parameters: ).*?(\]\s*$)", re.MULTILINE), r"\1…\2"),
    (re.compile(r"(?<!\d)(\d{6})\d{6}(\d{4})(?!\d)"), r"\1******\2"),
]

_installed = False
# The id and user of the job a worker thread or process is running (outside any request).
_job: ContextVar[tuple[str, int | None] | None] = ContextVar("lindungi_job", default=None)
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id() -> str:
    """This request's id (from `X-Request-ID` when it is sane, else made up) or the job's."""
    if has_request_context():
        found = g.get("request_id")
        if found is None:
            given = request.headers.get("X-Request-ID", "")
            found = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
            g.request_id = found
        return found
    job = _job.get()
    return job[0] if job else "-"


def _context() -> tuple[str, int | None, str]:
    """(request id, user id, path) for a record; never queries the database."""
    job = _job.get()
    if job:  # a job run inline by a request (the tests) still logs as the job
        return job[0], job[1], "-"
    if has_request_context():
        return request_id(), _loaded_user_id(), request.path
    return "-", None, "-"


def _loaded_user_id() -> int | None:
    """The id of the user this request has already loaded; never loads one (g.user is a proxy
    that would query the database, and a log line may be written because the database failed)."""
    for user in (g.get("_login_user"), g.__dict__.get("user")):
        if user is not None and not isinstance(user, LocalProxy):
            found = user.__dict__.get("id")
            if found is not None:
                return found
    return None


@contextlib.contextmanager
def job(name: str, user_id: int | None = None):
    """Stamp the records of a background job with its own id (`job-<name>-<n>`)."""
    token = _job.set((f"job-{name}-{uuid.uuid4().hex[:12]}", user_id))
    try:
        yield
    finally:
        _job.reset(token)


def scrub(text: str) -> str:
    """Remove personal values from a text bound for a log."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrubbing(make_record):
    """Wrap a log record factory so that each record it makes is scrubbed."""

    def _scrubbed_record(*args, **kwargs):
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw text, scrubbed
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        record.request_id, record.user_id, record.path = _context()
        if record.exc_info and record.exc_info[0] is not None:
            text = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = scrub(text).rstrip("\n")
        return record

    return _scrubbed_record


def install() -> None:
    """Make every log record scrubbed at creation (idempotent)."""
    global _installed
    if not _installed:
        logging.setLogRecordFactory(scrubbing(logging.getLogRecordFactory()))
        _installed = True


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request, user, path."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", None),
            "path": getattr(record, "path", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(self.formatException(record.exc_info))
        if record.exc_text:
            line["error"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s user=%(user_id)s path=%(path)s] "
    "%(message)s"
)


def configure(app) -> None:
    """Send every record to stderr in the chosen format (once per process), Flask's own
    handler removed so that nothing is written twice."""
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)

    @app.after_request
    def _send_request_id(response):
        response.headers["X-Request-ID"] = request_id()
        return response

    root = logging.getLogger()
    if any(getattr(h, "lindungi", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.lindungi = True
    if app.config.get("LOG_FORMAT", "json") == "text":
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    else:
        handler.setFormatter(JsonLines())
    root.addHandler(handler)
    if root.level == logging.WARNING or root.level == logging.NOTSET:
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
