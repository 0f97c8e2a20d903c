"""Read an uploaded batch file (CSV or XLSX) and check every row, naming each field's problem."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

from flask_babel import gettext as _
from sqlalchemy import select

from app.models import BatchRow, District, Enrollment, EnrollmentStatus, Village, Worker
from app.models.workers import Segment
from app.services import ServiceError
from app.services.identifiers import InvalidIdentifier, validate_nik

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADERS = {  # what a column may be called in the file -> field
    "nik": "nik",
    "nama": "name",
    "name": "name",
    "nama lengkap": "name",
    "tanggal lahir": "birth_date",
    "tgl lahir": "birth_date",
    "birth_date": "birth_date",
    "jenis kelamin": "sex",
    "sex": "sex",
    "l/p": "sex",
    "kode desa": "village_code",
    "village_code": "village_code",
    "segmen": "segment",
    "segment": "segment",
    "desil dtsen": "dtsen_decile",
    "desil": "dtsen_decile",
    "dtsen_decile": "dtsen_decile",
    "penghasilan": "declared_income",
    "declared_income": "declared_income",
}
REQUIRED = ("nik", "name", "birth_date", "sex", "village_code")
TEMPLATE_HEADERS = [
    "NIK",
    "Nama lengkap",
    "Tanggal lahir",
    "Jenis kelamin",
    "Kode desa",
    "Segmen",
    "Desil DTSEN",
    "Penghasilan",
]
SEXES = {"l": "M", "laki-laki": "M", "m": "M", "p": "F", "perempuan": "F", "f": "F"}
DEFAULT_INCOME = 1_000_000
FORMULA_START = ("=", "+", "@")


def read_table(filename: str, data: bytes) -> list[dict]:
    """Read the rows of an uploaded file as {field: text} with their line numbers."""
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    if (filename or "").lower().endswith(".xlsx"):
        table = _xlsx_cells(data)
    else:
        table = _csv_cells(data)
    if not table:
        raise ServiceError(_("The file is empty."))
    header = [HEADERS.get(str(cell or "").strip().lower()) for cell in table[0]]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise ServiceError(
            _(
                "The file lacks the columns: %(columns)s. Use the template.",
                columns=", ".join(missing),
            )
        )
    if len(table) - 1 > MAX_ROWS:
        raise ServiceError(_("A batch holds at most %(n)d rows.", n=MAX_ROWS))
    records = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        record = {"line": line}
        for field, cell in zip(header, cells, strict=False):
            if field:
                record[field] = cell
        records.append(record)
    return records


def _csv_cells(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    for line, row in enumerate(rows, start=1):
        if any(cell.strip().startswith(FORMULA_START) for cell in row):
            raise ServiceError(
                _("Line %(line)d holds a formula; save the file with values only.", line=line)
            )
    return rows


def _xlsx_cells(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ServiceError(_("The file is not a valid XLSX workbook.")) from exc
    rows = []
    for line, row in enumerate(book.worksheets[0].iter_rows(), start=1):
        if any(cell.data_type == "f" for cell in row):
            raise ServiceError(
                _("Line %(line)d holds a formula; save the file with values only.", line=line)
            )
        rows.append([cell.value for cell in row])
    book.close()
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def check_rows(session, batch, records: list[dict], rules: dict) -> list[BatchRow]:
    """Check every record against the batch and the database; return the rows with their errors.

    Lookups are made once per file (villages, districts, active enrollments), not per row.
    """
    from app.validators import identifier_message

    villages = {
        code: (pk, district)
        for pk, code, district in session.execute(
            select(Village.id, Village.code, District.code)
            .join(District)
            .where(Village.regency_id == batch.regency_id)
        )
    }
    districts = {district for _pk, district in villages.values()}
    niks = {_text(r.get("nik")).replace(" ", "") for r in records}
    enrolled = set()
    nik_list = sorted(niks)
    for start in range(0, len(nik_list), 1000):
        enrolled |= set(
            session.scalars(
                select(Worker.nik)
                .join(Enrollment, Enrollment.worker_id == Worker.id)
                .where(
                    Worker.nik.in_(nik_list[start : start + 1000]),
                    Enrollment.status == EnrollmentStatus.ACTIVE,
                )
            )
        )
    seen: dict[str, int] = {}
    rows = []
    for record in records:
        errors: dict[str, str] = {}
        nik = _text(record.get("nik")).replace(" ", "")
        name = _text(record.get("name"))
        born = _date(record.get("birth_date"))
        sex = SEXES.get(_text(record.get("sex")).lower())
        village_code = _text(record.get("village_code"))
        segment = _text(record.get("segment")).lower() or Segment.VULNERABLE
        if not name:
            errors["name"] = _("The name is required.")
        if born is None:
            errors["birth_date"] = _("Give the birth date as YYYY-MM-DD or DD-MM-YYYY.")
        elif _age(born, batch.period_start) > rules["max_age"]:
            errors["birth_date"] = _(
                "Older than %(age)d at the start of the period.", age=rules["max_age"]
            )
        if sex is None:
            errors["sex"] = _("Write L or P.")
        try:
            validate_nik(
                nik,
                region_exists=districts.__contains__,
                birth_date=born if "birth_date" not in errors else None,
                sex=sex,
            )
        except InvalidIdentifier as exc:
            errors["nik"] = identifier_message(exc)
        if "nik" not in errors and nik in seen:
            errors["nik"] = _("The same NIK is on line %(line)d.", line=seen[nik])
        elif "nik" not in errors and nik in enrolled:
            errors["nik"] = _("This worker is already actively enrolled.")
        seen.setdefault(nik, record["line"])
        if village_code not in villages:
            errors["village_code"] = _("Not a village of %(regency)s.", regency=batch.regency.name)
        elif batch.village_id and villages[village_code][0] != batch.village_id:
            errors["village_code"] = _("Not the batch's village.")
        if segment not in {s.value for s in Segment}:
            errors["segment"] = _("Unknown segment.")
        decile = _text(record.get("dtsen_decile"))
        if decile and (not decile.isdigit() or not 1 <= int(decile) <= 10):
            errors["dtsen_decile"] = _("The decile is a number from 1 to 10.")
        elif segment == Segment.VULNERABLE and decile and int(decile) > rules["max_decile"]:
            errors["dtsen_decile"] = _(
                "Decile %(decile)s is above the eligible %(max)d.",
                decile=decile,
                max=rules["max_decile"],
            )
        income = _text(record.get("declared_income")) or str(DEFAULT_INCOME)
        if not income.isdigit() or int(income) <= 0:
            errors["declared_income"] = _("The income is a whole number of Rupiah.")
        rows.append(
            BatchRow(
                line=record["line"],
                nik=nik[:32] or None,
                name=name[:150] or None,
                birth_date=born,
                sex=sex,
                village_code=village_code[:20] or None,
                segment=segment[:20],
                dtsen_decile=int(decile) if decile.isdigit() and len(decile) < 3 else None,
                declared_income=int(income) if income.isdigit() and len(income) < 12 else None,
                errors=json.dumps(errors, ensure_ascii=False) if errors else None,
            )
        )
    return rows
