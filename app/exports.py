"""CSV and XLSX downloads, safe against spreadsheet formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from flask import Response
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def safe_cell(value):
    """Neutralise text that a spreadsheet would run as a formula (ASVS 1.2.10)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, bool | int | float | dt.date) or value is None:
        return value
    return safe_cell(str(value)) if not isinstance(value, str) else value


def csv_bytes(labels: list[str], rows: Iterable[list]) -> bytes:
    """Write rows as UTF-8 CSV with a BOM (so Excel reads Indonesian text) and `;` separators."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(labels)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_sheets(sheets: Iterable[tuple[str, list[str], Iterable[list]]]) -> bytes:
    """Write (title, labels, rows) sheets to an XLSX workbook in write-only (streaming) mode."""
    book = Workbook(write_only=True)
    for title, labels, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        sheet.append([str(label) for label in labels])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(labels: list[str], rows: Iterable[list], title: str = "Data") -> bytes:
    """Write rows to a one-sheet XLSX workbook."""
    return xlsx_sheets([(title, labels, rows)])


def export_response(name: str, fmt: str, labels: list[str], rows: Iterable[list]) -> Response:
    """Build the download response for an export."""
    stamp = dt.date.today().isoformat()
    if fmt == "csv":
        body, content_type = csv_bytes(labels, rows), "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(labels, rows, name)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
