"""Small helpers shared by the tests."""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from app.services.identifiers import make_nik

_NIKS = itertools.count()


def record_id(app, model, **filters) -> int:
    """Return the id of the one record matching the filters."""
    with app.app_context():
        return db.session.query(model).filter_by(**filters).one().id


def unique_nik(district: str = "62.03.01", sex: str = "M") -> tuple[str, dt.date]:
    """A valid NIK and its birth date that no other call in this test run returns.

    Births from 2003 on, one day apart, serials from 9700: a region the world and the modules'
    own generators leave alone, so a test owns the person it makes whatever ran before it.
    """
    n = next(_NIKS)
    born = dt.date(2003, 1, 1) + dt.timedelta(days=n)
    return make_nik(district, born, sex, 9700 + n % 300), born


@contextmanager
def count_queries(app):
    """Count SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def _listener(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _listener)


def text_of(response) -> str:
    """A page's HTML, its non-breaking spaces (between "Rp" and an amount) read as spaces."""
    return response.get_data(as_text=True).replace("\xa0", " ")


def pdf_text(data: bytes) -> str:
    """The text of a PDF read back, whitespace folded (what a reader of the page would find)."""
    import io

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def pdf_pages(data: bytes) -> list:
    import io

    from pypdf import PdfReader

    return list(PdfReader(io.BytesIO(data)).pages)
