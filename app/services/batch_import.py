"""Read an uploaded batch file (CSV or XLSX) and check every row, naming each field's problem."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.exports import FORMULA_PREFIXES
from app.models import (
    BatchRow,
    BatchStatus,
    District,
    Enrollment,
    EnrollmentBatch,
    EnrollmentStatus,
    Sponsor,
    Village,
    Worker,
)
from app.models.workers import Segment
from app.params import CONTROL
from app.services import ServiceError
from app.services.identifiers import InvalidIdentifier, validate_nik
from app.services.xlsx_guard import check_archive, invalid, open_workbook

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
# Read as numbers by the row check (a "-5" there is a wrong number, not a formula); every other
# field is kept as text and so must not start like a formula.
NUMERIC_FIELDS = frozenset({"dtsen_decile", "declared_income"})
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
PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*")
MAX_COLUMNS = 64  # the template has 8; wider rows are cut, not padded to a sheet's full width


def read_table(filename: str, data: bytes) -> list[dict]:
    """Read every row of an uploaded file as {field: text} with its line number."""
    return list(iter_table(filename, data))


def iter_table(filename: str, data: bytes) -> Iterator[dict]:
    """Check the file's size and header now, then yield its rows one by one (streaming).

    A formula cell or too many rows raises ServiceError while iterating, before anything is kept.
    """
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    cells = _xlsx_cells(data) if _is_xlsx(filename) else _csv_cells(data)
    first = next(cells, None)
    if first is None:
        raise ServiceError(_("The file is empty."))
    names = [str(cell or "").strip() for cell in first]
    header = [HEADERS.get(name.lower()) for name in names]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise ServiceError(
            _(
                "The file lacks the columns: %(columns)s. Use the template.",
                columns=", ".join(missing),
            )
        )
    return _records(header, names, cells)


def _records(header: list, names: list[str], cells: Iterator[list]) -> Iterator[dict]:
    for line, row in enumerate(cells, start=2):
        if line - 1 > MAX_ROWS:
            raise ServiceError(_("A batch holds at most %(n)d rows.", n=MAX_ROWS))
        if not any(str(c or "").strip() for c in row):
            continue
        record = {"line": line}
        for field, name, cell in zip(header, names, row, strict=False):
            if field:
                if field not in NUMERIC_FIELDS and _formula_like(cell):
                    raise ServiceError(
                        _(
                            "Line %(line)d, column %(column)s starts with a character a "
                            "spreadsheet reads as a formula (= + - @, a tab or a line break); "
                            "remove it.",
                            line=line,
                            column=name,
                        )
                    )
                record[field] = cell
        yield record


def segment_names() -> dict[str, str]:
    """Every way a file may write a segment, to its code: the code itself (pu, vulnerable) and
    its name in Indonesian and in English as the template and the screens show it, any case."""
    names: dict[str, str] = {}
    for locale in ("en", "id"):
        with force_locale(locale):
            for segment in Segment:
                names[str(segment.label).strip().lower()] = segment.value
    names.update({segment.value: segment.value for segment in Segment})
    return names


def _formula_like(cell) -> bool:
    """Tell whether a text cell would run as a formula when the data is exported again."""
    if not isinstance(cell, str):
        return False
    text = cell.lstrip(" \u00a0")
    return text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text.strip())


def count_lines(filename: str, data: bytes) -> int:
    """An upper bound of the file's data rows, for the progress bar (background work: it opens
    a workbook)."""
    if _is_xlsx(filename):
        book = open_workbook(data)
        try:
            rows = (book.worksheets[0].max_row or 0) if book.worksheets else 0
        finally:
            book.close()
        return min(max(rows - 1, 0), MAX_ROWS)
    return max(data.count(b"\n") - (1 if data.endswith(b"\n") else 0), 0)


def check_upload(filename: str, data: bytes) -> None:
    """What the upload request itself may check: an XLSX's zip directory, nothing parsed."""
    if _is_xlsx(filename):
        check_archive(data)


def _is_xlsx(filename: str) -> bool:
    return (filename or "").lower().endswith(".xlsx")


def _csv_cells(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _xlsx_cells(data: bytes) -> Iterator[list]:
    book = open_workbook(data)
    if not book.worksheets:
        book.close()
        raise invalid()
    return _xlsx_rows(book, book.worksheets[0])


def _xlsx_rows(book, sheet) -> Iterator[list]:
    width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
    rows = sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=width)
    try:
        for line in range(1, MAX_ROWS + 2):
            try:
                row = next(rows, None)
            except Exception as exc:  # a part openpyxl cannot parse (cut off, malformed)
                raise invalid() from exc
            if row is None:
                return
            if any(cell.data_type == "f" for cell in row):
                raise ServiceError(
                    _("Line %(line)d holds a formula; save the file with values only.", line=line)
                )
            yield [cell.value for cell in row]
    finally:
        book.close()


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


CHUNK = 1000
FUNDED = (
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.PENDING,
    EnrollmentStatus.LAPSED,
    EnrollmentStatus.ENDED,
)


def check_rows(
    session, batch, records: Iterable[dict], rules: dict, progress=lambda done: None
) -> list[dict]:
    """Check every record against the batch and the database; return the rows (the column
    values of BatchRow) with their errors.

    Records are taken a chunk at a time: lookups cost a few queries per chunk of CHUNK rows, and
    `progress(done)` is called after each chunk.
    """
    checker = RowChecker(session, batch, rules)
    rows: list[dict] = []
    chunk: list[dict] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == CHUNK:
            rows += checker.check_chunk(chunk)
            progress(len(rows))
            chunk = []
    if chunk:
        rows += checker.check_chunk(chunk)
        progress(len(rows))
    return rows


class RowChecker:
    """The rules of one batch; villages are read once, the NIK lookups once per chunk."""

    def __init__(self, session, batch, rules: dict, seen: dict[str, int] | None = None):
        self.session, self.batch, self.rules = session, batch, rules
        self.segment_names = segment_names()
        self.villages = {
            code: (pk, district)
            for pk, code, district in session.execute(
                select(Village.id, Village.code, District.code)
                .join(District)
                .where(Village.regency_id == batch.regency_id)
            )
        }
        self.districts = {district for _pk, district in self.villages.values()}
        self.seen: dict[str, int] = dict(seen or {})

    def check_chunk(self, records: list[dict]) -> list[dict]:
        niks = sorted({_nik(r) for r in records} - {""})
        enrolled, funded, proposed = self._lookups(niks)
        return [self.check(record, enrolled, funded, proposed) for record in records]

    def funded_niks(self, niks: list[str]) -> set[str]:
        """NIKs actively enrolled, funded in the batch's months or proposed in another batch."""
        found: set[str] = set()
        for start in range(0, len(niks), CHUNK):
            enrolled, funded, proposed = self._lookups(niks[start : start + CHUNK])
            found |= enrolled | set(funded) | set(proposed)
        return found

    def _lookups(self, niks: list[str]):
        """Who is actively enrolled, who was funded in the batch's months, who is proposed."""
        batch = self.batch
        overlaps = [
            Enrollment.start_date <= batch.period_end,
            or_(Enrollment.end_date.is_(None), Enrollment.end_date >= batch.period_start),
        ]
        enrolled = set(
            self.session.scalars(
                select(Worker.nik)
                .join(Enrollment, Enrollment.worker_id == Worker.id)
                .where(Worker.nik.in_(niks), Enrollment.status == EnrollmentStatus.ACTIVE)
            )
        )
        # Another regency's sponsor or batch is never named in a row's message.
        here = batch.regency_id
        funded = {
            nik: (sponsor if regency == here else None, start, end)
            for nik, sponsor, regency, start, end in self.session.execute(
                select(
                    Worker.nik,
                    Sponsor.name,
                    Sponsor.regency_id,
                    Enrollment.start_date,
                    Enrollment.end_date,
                )
                .join(Enrollment, Enrollment.worker_id == Worker.id)
                .join(Sponsor, Sponsor.id == Enrollment.sponsor_id)
                .where(Worker.nik.in_(niks), Enrollment.status.in_(FUNDED), *overlaps)
            )
        }
        proposed = {
            nik: (batch_id if regency == here else None)
            for nik, batch_id, regency in self.session.execute(
                select(BatchRow.nik, EnrollmentBatch.id, EnrollmentBatch.regency_id)
                .join(EnrollmentBatch, EnrollmentBatch.id == BatchRow.batch_id)
                .where(
                    BatchRow.nik.in_(niks),
                    BatchRow.errors.is_(None),
                    EnrollmentBatch.id != batch.id,
                    EnrollmentBatch.status == BatchStatus.SUBMITTED,
                    EnrollmentBatch.period_start <= batch.period_end,
                    EnrollmentBatch.period_end >= batch.period_start,
                )
            )
        }
        return enrolled, funded, proposed

    def check(self, record: dict, enrolled, funded, proposed) -> dict:
        """Check one record; every field's problem is named at once."""
        from app.formatting import long_date
        from app.services.identifier_messages import identifier_message

        batch, rules = self.batch, self.rules
        errors: dict[str, str] = {}
        for field, value in record.items():  # the same rules as the file reader's, per field
            if field == "line":
                continue
            if isinstance(value, str) and CONTROL.search(value):  # a NUL PostgreSQL refuses
                errors[field] = _("Remove the control character (such as NUL) from this cell.")
                record[field] = CONTROL.sub("", value)  # the row is kept, without it
            elif field not in NUMERIC_FIELDS and _formula_like(value):
                errors[field] = _(
                    "Must not start like a spreadsheet formula (= + - @, a tab or a line break)."
                )
        nik = _nik(record)
        name = _text(record.get("name"))
        born = _date(record.get("birth_date"))
        sex = SEXES.get(_text(record.get("sex")).lower())
        village_code = _text(record.get("village_code"))
        segment = _text(record.get("segment")).lower() or Segment.VULNERABLE
        if not name:
            errors.setdefault("name", _("The name is required."))
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
                region_exists=self.districts.__contains__,
                birth_date=born if "birth_date" not in errors else None,
                sex=sex,
            )
        except InvalidIdentifier as exc:
            errors["nik"] = identifier_message(exc)
        if "nik" not in errors:
            if nik in self.seen and self.seen[nik] != record["line"]:
                errors["nik"] = _("The same NIK is on line %(line)d.", line=self.seen[nik])
            elif nik in enrolled:
                errors["nik"] = _("This worker is already actively enrolled.")
            elif nik in funded:
                sponsor, start, end = funded[nik]
                errors["nik"] = _(
                    "Already funded by %(sponsor)s from %(start)s to %(end)s; a worker is "
                    "never funded twice for the same month.",
                    sponsor=sponsor or _("a sponsor in another area"),
                    start=long_date(start),
                    end=long_date(end) if end else _("open-ended"),
                )
            elif nik in proposed and proposed[nik] is not None:
                errors["nik"] = _(
                    "Also proposed for the same months in batch #%(id)d awaiting a decision.",
                    id=proposed[nik],
                )
            elif nik in proposed:
                errors["nik"] = _(
                    "Also proposed for the same months in another area, awaiting a decision."
                )
        if nik:
            self.seen.setdefault(nik, record["line"])
        if village_code not in self.villages:
            errors["village_code"] = _("Not a village of %(regency)s.", regency=batch.regency.name)
        elif batch.village_id and self.villages[village_code][0] != batch.village_id:
            errors["village_code"] = _("Not the batch's village.")
        segment = self.segment_names.get(segment, segment)
        if segment not in {s.value for s in Segment}:
            errors["segment"] = _(
                "Unknown segment; write one of: %(names)s.",
                names="; ".join(str(s.label) for s in Segment),
            )
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
        if not income.isdigit() or int(income) <= 0 or len(income) > 11:
            errors["declared_income"] = _("The income is a whole number of Rupiah.")
        return {
            "line": record["line"],
            "nik": nik[:32] or None,
            "name": name[:150] or None,
            "birth_date": born,
            "sex": sex,
            "village_code": village_code[:20] or None,
            "segment": segment[:20],
            "dtsen_decile": int(decile) if decile.isdigit() and len(decile) < 3 else None,
            "declared_income": int(income) if income.isdigit() and len(income) < 12 else None,
            "errors": json.dumps(errors, ensure_ascii=False) if errors else None,
        }


def _nik(record: dict) -> str:
    return _text(record.get("nik")).replace(" ", "")
