"""The only module that imports WeasyPrint: HTML templates in, A4 PDF bytes out."""

from __future__ import annotations

import threading

from flask import current_app, render_template
from flask_babel import get_locale
from weasyprint import HTML

_slots: dict[int, threading.BoundedSemaphore] = {}


def html_to_pdf(html: str, base_url: str | None = None) -> bytes:
    """Lay out finished HTML as PDF, in one of this process's few layout slots (PDF_LAYOUTS):
    a 1.000-row PDF takes ~170 MB while it is laid out."""
    with _slot():
        return HTML(string=html, base_url=base_url).write_pdf()


def render_pdf(template: str, base_url: str, **context) -> bytes:
    """Render a Jinja template of templates/reports/ to PDF (fonts from the system, no network)."""
    html = render_template(template, locale=str(get_locale() or "id"), **context)
    return html_to_pdf(html, base_url)


def _slot() -> threading.BoundedSemaphore:
    limit = current_app.config.get("PDF_LAYOUTS", 1)
    return _slots.setdefault(limit, threading.BoundedSemaphore(limit))
