"""Log lines carry no personal data: every record is scrubbed once, where it is made.

A log record factory (not a handler filter) so that every logger and every handler, ours,
Flask-AppBuilder's, SQLAlchemy's and gunicorn's, gets the same treatment. What is removed: the
values PostgreSQL quotes in a constraint error ("Key (nik)=(...)"), failing rows ("Failing row
contains (...)"), SQL parameter lists, and any 16-digit number (a NIK) or date of birth pattern
that slipped into a message or a traceback.
"""

from __future__ import annotations

import logging
import re
import traceback

_PATTERNS = [
    (re.compile(r"(Key \([^)]*\)=)\((?:[^()]|\([^)]*\))*\)"), r"\1(…)"),
    (re.compile(r"(Failing row contains )\(.*?\)(?=\.?\s*$)", re.MULTILINE), r"\1(…)"),
    (re.compile(r"(\[parameters: ).*?(\]\s*$)", re.MULTILINE), r"\1…\2"),
    (re.compile(r"(?<!\d)(\d{6})\d{6}(\d{4})(?!\d)"), r"\1******\2"),
]

_installed = False


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
