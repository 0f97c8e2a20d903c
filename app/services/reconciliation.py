"""Reconcile a BPJS branch extract with the records here, in the background, streaming.

The file is read twice, a chunk at a time: first every row is checked (a bad file is refused
before anything is written), then each chunk is matched with a few indexed lookups (NIK, KPJ,
NPP) and its discrepancies written under a natural key, so the same difference found again -
the same extract imported twice, or a later one - is never a second row. Rows about a worker
or company outside the importer's area are counted, never matched. Memory is bounded by the
file's size limit: only the ids of the workers and companies seen are kept across chunks.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, insert, or_, select, update

from app import jobstate
from app.formatting import number
from app.models import (
    AuditEvent,
    Company,
    Contribution,
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyStatus,
    Enrollment,
    EnrollmentStatus,
    JobStatus,
    ReconciliationRun,
    Worker,
)
from app.scope import Scope, read_clause
from app.services import Conflict, ServiceError, audit
from app.services.batch_import import _formula_like
from app.services.identifiers import InvalidIdentifier, validate_nik
from app.services.xlsx_guard import check_archive, invalid, open_workbook

log = logging.getLogger(__name__)
MAX_BYTES = 20 * 2**20
MAX_ROWS = 200_000
CHUNK = 2000
HEADERS = {
    "npp": "npp",
    "kpj": "kpj",
    "nik": "nik",
    "nama": "name",
    "name": "name",
    "status": "status",
    "tagihan": "billed",
    "billed": "billed",
    "dibayar": "paid",
    "bayar": "paid",
    "paid": "paid",
    "periode": "period",
    "period": "period",
}
REQUIRED = ("npp", "kpj", "nik", "name", "status", "billed", "paid", "period")
STATUSES = {
    "aktif": "active",
    "active": "active",
    "nonaktif": "ended",
    "non aktif": "ended",
    "non-aktif": "ended",
    "tidak aktif": "ended",
    "inactive": "ended",
    "ended": "ended",
    "berhenti": "ended",
    "keluar": "ended",
}
BUSY = (JobStatus.QUEUED, JobStatus.RUNNING)
INTERRUPTED = _l("The import was interrupted; upload the extract again.")


def normalise_name(name) -> str:
    """A name as compared: no accents, case, punctuation or repeated spaces."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


# -- reading -------------------------------------------------------------------------------


def _is_xlsx(filename: str) -> bool:
    return (filename or "").lower().endswith(".xlsx")


def check_upload(filename: str, data: bytes) -> None:
    """What the request itself checks: type, size, an XLSX's zip directory."""
    if not data:
        raise ServiceError(_("The file is empty."))
    if not (filename or "").lower().endswith((".csv", ".xlsx")):
        raise ServiceError(_("Upload the extract as a CSV or XLSX file."))
    if len(data) > MAX_BYTES:
        raise ServiceError(_("The file is larger than %(mb)d MB.", mb=MAX_BYTES // 2**20))
    if _is_xlsx(filename):
        check_archive(data)


def _csv_cells(data: bytes) -> Iterator[list]:
    encoding = "utf-8-sig"
    try:
        data[:4096].decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = "latin-1"
    first = data.split(b"\n", 1)[0]
    delimiter = ";" if first.count(b";") > first.count(b",") else ","
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    yield from csv.reader(stream, delimiter=delimiter)


def _xlsx_cells(data: bytes) -> Iterator[list]:
    book = open_workbook(data)
    try:
        if not book.worksheets:
            raise invalid()
        rows = book.worksheets[0].iter_rows(max_col=32)
        while True:
            try:
                row = next(rows, None)
            except Exception as exc:  # a part openpyxl cannot parse
                raise invalid() from exc
            if row is None:
                return
            if any(cell.data_type == "f" for cell in row):
                raise ServiceError(_("The file holds formulas; save it with values only."))
            yield [cell.value for cell in row]
    finally:
        book.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _period(value) -> dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    text = _text(value)
    for fmt in ("%Y-%m", "%m/%Y", "%m-%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y%m"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2100:
            return day.replace(day=1)
    return None


def _amount(value) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value >= 0 and float(value).is_integer() else None
    text = _text(value).replace("Rp", "").replace(" ", "").replace(".", "")
    if text == "":
        return 0
    return int(text) if text.isdigit() else None


def _code(value, size: int) -> str | None:
    """A KPJ or NPP: letters and digits only (dots, dashes and spaces dropped), or None."""
    text = _text(value).replace(".", "").replace("-", "").replace(" ", "").upper()
    if text == "":
        return ""
    return text if text.isascii() and text.isalnum() and len(text) <= size else None


def iter_rows(filename: str, data: bytes) -> Iterator[dict]:
    """Check the header now, then yield each row checked; the first bad row raises ServiceError
    naming its line and column."""
    cells = _xlsx_cells(data) if _is_xlsx(filename) else _csv_cells(data)
    first = next(cells, None)
    if first is None:
        raise ServiceError(_("The file is empty."))
    header = [HEADERS.get(_text(cell).lower()) for cell in first]
    missing = [f for f in REQUIRED if f not in header]
    if missing:
        raise ServiceError(
            _(
                "The extract lacks the columns: %(columns)s. It needs NPP, KPJ, NIK, Nama, "
                "Status, Tagihan, Dibayar and Periode.",
                columns=", ".join(missing),
            )
        )
    return _rows(header, cells)


def _bad(line: int, what) -> ServiceError:
    return ServiceError(_("Line %(line)d: %(what)s Nothing was imported.", line=line, what=what))


def _rows(header: list, cells: Iterator[list]) -> Iterator[dict]:
    for line, cells_of_row in enumerate(cells, start=2):
        if line - 1 > MAX_ROWS:
            raise ServiceError(_("An extract holds at most %(n)s rows.", n=number(MAX_ROWS)))
        raw = {f: c for f, c in zip(header, cells_of_row, strict=False) if f}
        if not any(_text(c) for c in raw.values()):
            continue
        if any(_formula_like(c) for c in raw.values()):
            raise _bad(line, _("a cell starts like a spreadsheet formula."))
        nik = _text(raw.get("nik"))
        try:
            validate_nik(nik)
        except InvalidIdentifier:
            raise _bad(line, _("the NIK is not a valid 16-digit NIK.")) from None
        period = _period(raw.get("period"))
        if period is None:
            raise _bad(line, _("the period is not a month such as 2026-01."))
        status = STATUSES.get(_text(raw.get("status")).lower())
        if status is None:
            raise _bad(line, _("the status must be Aktif or Nonaktif."))
        billed, paid = _amount(raw.get("billed")), _amount(raw.get("paid"))
        if billed is None or paid is None:
            raise _bad(line, _("billed and paid must be whole rupiah amounts."))
        kpj, npp = _code(raw.get("kpj"), 20), _code(raw.get("npp"), 15)
        if kpj is None or npp is None:
            raise _bad(line, _("KPJ and NPP hold letters and digits only."))
        name = _text(raw.get("name"))[:150]
        if not name:
            raise _bad(line, _("the name is empty."))
        yield {
            "line": line,
            "nik": nik,
            "kpj": kpj or None,
            "npp": npp or None,
            "name": name,
            "status": status,
            "billed": billed,
            "paid": paid,
            "period": period,
        }


def _chunks(rows: Iterator[dict]) -> Iterator[list[dict]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# -- the job -------------------------------------------------------------------------------


def queue_extract(session, scope: Scope, user_id: int, filename: str, data: bytes, now):
    """Keep an uploaded extract for the background import, or refuse it with a reason.

    The same file already imported in the same area is refused: it would change nothing.
    """
    if scope.unrestricted or not scope.regency_ids or scope.village_id or scope.opd_id:
        raise ServiceError(_("Only branch staff with a work area import a branch extract."))
    check_upload(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    area = ",".join(str(r) for r in sorted(scope.regency_ids))
    earlier = session.scalars(
        select(ReconciliationRun).where(
            ReconciliationRun.file_sha256 == digest,
            ReconciliationRun.area == area,
            ReconciliationRun.status.in_((*BUSY, JobStatus.DONE)),
        )
    ).first()
    if earlier is not None and not is_stale(earlier, now):
        raise Conflict(
            _(
                "This extract was already imported (import no. %(n)d); importing it again "
                "changes nothing.",
                n=earlier.id,
            )
        )
    run = ReconciliationRun(
        regency_id=min(scope.regency_ids),
        area=area,
        file_name=(filename or "")[:200],
        file_sha256=digest,
        pending_file=data,
        status=JobStatus.QUEUED,
        rows_done=0,
        rows_total=0,
        requested_by_id=user_id,
        requested_at=now,
        matched=0,
        not_found=0,
        outside=0,
        found=0,
        kpj_filled=0,
    )
    session.add(run)
    session.flush()
    return run


def is_stale(run: ReconciliationRun, now: dt.datetime) -> bool:
    """Has this import stopped without finishing (its worker died)? It then reads as failed."""
    return jobstate.is_stale(run.status, run.requested_at, run.heartbeat_at, now)


def fail_stale_runs(session, now: dt.datetime) -> int:
    """Record imports whose worker died as failed (the periodic clean-up)."""
    stale = session.scalars(
        select(ReconciliationRun).where(
            jobstate.stale_clause(
                ReconciliationRun.status,
                ReconciliationRun.requested_at,
                ReconciliationRun.heartbeat_at,
                now,
            )
        )
    ).all()
    for run in stale:
        run.status, run.error, run.pending_file = JobStatus.FAILED, str(INTERRUPTED), None
    if stale:
        session.commit()
    return len(stale)


def run_import(session, run_id: int) -> None:
    """Background: check then match a queued extract, committing progress per chunk; a bad file
    is recorded as failed with its reason and changes nothing. A run cut off while matching
    leaves the chunks it committed; importing the file again completes it (natural keys)."""
    run = session.get(ReconciliationRun, run_id)
    if run is None or run.status not in BUSY:
        return
    data, filename = run.pending_file, run.file_name
    run.status, run.heartbeat_at = JobStatus.RUNNING, dt.datetime.now(dt.UTC)
    run.rows_done = run.matched = run.not_found = run.outside = run.found = run.kpj_filled = 0
    session.commit()
    try:
        run.rows_total = sum(1 for _row in iter_rows(filename, data))  # the check: no writes
        session.commit()
        Matcher(session, run).match_all(iter_rows(filename, data), _progress(session, run))
        run.status, run.finished_at = JobStatus.DONE, dt.datetime.now(dt.UTC)
    except ServiceError as exc:
        session.rollback()
        run = session.get(ReconciliationRun, run_id)
        run.status, run.error = JobStatus.FAILED, str(exc.message)[:500]
    except Exception:
        log.exception("reconciliation import %s failed", run_id)  # no row data in logs
        session.rollback()
        run = session.get(ReconciliationRun, run_id)
        run.status, run.error = JobStatus.FAILED, _("The extract could not be imported.")
    run.pending_file = None
    session.commit()


def _progress(session, run) -> Callable[[int], None]:
    def progress(done: int) -> None:
        run.rows_done, run.heartbeat_at = done, dt.datetime.now(dt.UTC)
        session.commit()

    return progress


class Matcher:
    """Match an extract's rows with the workers and companies of a run's area."""

    def __init__(self, session, run: ReconciliationRun):
        self.session, self.run = session, run
        self.area = frozenset(int(r) for r in run.area.split(","))
        self.seen_workers: set[int] = set()
        self.seen_companies: set[int] = set()
        self.kpj_given: dict[str, str] = {}  # KPJ -> the NIK it was given to in this extract
        self.now = dt.datetime.now(dt.UTC)
        user = run.requested_by
        self.actor = {
            "user_id": run.requested_by_id,
            "username": user.username if user is not None else "system",
            "ip": None,
        }

    def match_all(self, rows: Iterator[dict], progress: Callable[[int], None]) -> None:
        done = 0
        for chunk in _chunks(rows):
            self.match_chunk(chunk)
            done += len(chunk)
            progress(done)
        self.unknown_at_bpjs()
        self.session.flush()

    def match_chunk(self, chunk: list[dict]) -> None:
        s = self.session
        niks = {r["nik"] for r in chunk}
        kpjs = {r["kpj"] for r in chunk if r["kpj"]}
        npps = {r["npp"] for r in chunk if r["npp"]}
        columns = (Worker.id, Worker.nik, Worker.kpj, Worker.name, Worker.regency_id)
        columns += (Worker.company_id,)
        by_nik = {w.nik: w for w in s.execute(select(*columns).where(Worker.nik.in_(niks)))}
        by_kpj = {}
        if kpjs:
            by_kpj = {w.kpj: w for w in s.execute(select(*columns).where(Worker.kpj.in_(kpjs)))}
        companies = {}
        if npps:
            companies = {
                c.npp: c
                for c in s.execute(
                    select(Company.id, Company.npp, Company.regency_id).where(Company.npp.in_(npps))
                )
            }
        matched = []
        for row in chunk:
            worker = by_nik.get(row["nik"]) or by_kpj.get(row["kpj"])
            company = companies.get(row["npp"])
            if worker is not None and worker.regency_id not in self.area:
                self.run.outside += 1
                continue
            if company is not None and company.regency_id in self.area:
                self.seen_companies.add(company.id)
            if worker is None:
                if company is not None and company.regency_id not in self.area:
                    self.run.outside += 1
                else:
                    self.run.not_found += 1
                continue
            self.run.matched += 1
            self.seen_workers.add(worker.id)
            matched.append((row, worker))
        if not matched:
            return
        ids = {w.id for _r, w in matched}
        active = set(
            s.scalars(
                select(Enrollment.worker_id).where(
                    Enrollment.worker_id.in_(ids), Enrollment.status == EnrollmentStatus.ACTIVE
                )
            )
        )
        periods = {r["period"] for r, _w in matched if r["paid"]}
        payers = {w.company_id for _r, w in matched if w.company_id}
        recorded: set[tuple] = set()
        if periods:
            paid_rows = s.execute(
                select(Contribution.worker_id, Contribution.company_id, Contribution.period).where(
                    Contribution.period.in_(periods),
                    Contribution.amount_paid > 0,
                    or_(Contribution.worker_id.in_(ids), Contribution.company_id.in_(payers)),
                )
            )
            for p in paid_rows:
                payer = ("w", p.worker_id) if p.worker_id else ("c", p.company_id)
                recorded.add((*payer, p.period))
        found, fills = [], []
        for row, w in matched:
            base = {"regency_id": w.regency_id, "worker_id": w.id, "company_id": w.company_id}
            base |= {"line": row["line"], "name_here": w.name, "name_bpjs": row["name"]}
            month = row["period"].isoformat()[:7]
            if normalise_name(row["name"]) != normalise_name(w.name):
                found.append(base | {"kind": DiscrepancyKind.NAME, "key": f"name:w{w.id}"})
            if row["status"] == "active" and w.id not in active:
                found.append(base | {"kind": DiscrepancyKind.ENDED_HERE, "key": f"ended:w{w.id}"})
            money = {"period": row["period"], "billed": row["billed"], "paid": row["paid"]}
            if row["billed"] > row["paid"]:
                key = f"unpaid:w{w.id}:{month}"
                found.append(base | money | {"kind": DiscrepancyKind.UNPAID, "key": key})
            if row["paid"] > 0 and not (
                ("w", w.id, row["period"]) in recorded
                or ("c", w.company_id, row["period"]) in recorded
            ):
                key = f"unrecorded:w{w.id}:{month}"
                found.append(base | money | {"kind": DiscrepancyKind.UNRECORDED, "key": key})
            if row["kpj"] and not w.kpj and by_nik.get(row["nik"]) is w:
                fills.append((row, w))
        self._fill_kpj(fills)
        self._write(found)

    def _fill_kpj(self, fills: list) -> None:
        """Give a worker the extract's KPJ when certain: matched by NIK in the area, no KPJ yet,
        and the KPJ held by no other worker nor given to another NIK in this extract."""
        if not fills:
            return
        held = set(
            self.session.scalars(
                select(Worker.kpj).where(Worker.kpj.in_({r["kpj"] for r, _w in fills}))
            )
        )
        audit_rows = []
        for row, w in fills:
            kpj = row["kpj"]
            if kpj in held or self.kpj_given.get(kpj, row["nik"]) != row["nik"]:
                continue
            taken = self.session.execute(
                update(Worker)
                .where(Worker.id == w.id, Worker.kpj.is_(None))
                .values(kpj=kpj, version=Worker.version + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                continue
            held.add(kpj)
            self.kpj_given[kpj] = row["nik"]
            self.run.kpj_filled += 1
            changes = {"kpj": [None, kpj], "source": "reconciliation", "run": self.run.id}
            audit_rows.append(
                {
                    "at": self.now,
                    "action": "update",
                    "entity": "Worker",
                    "entity_id": str(w.id),
                    "regency_id": w.regency_id,
                    "changes": json.dumps(changes, sort_keys=True),
                    **self.actor,
                }
            )
        if audit_rows:
            self.session.execute(insert(AuditEvent.__table__), audit_rows)

    def _write(self, found: list[dict]) -> None:
        """Insert the discrepancies whose natural key is new (one chunk's, deduplicated)."""
        unique = {}
        for item in found:
            unique.setdefault(item["key"], item)
        if not unique:
            return
        known = set(
            self.session.scalars(select(Discrepancy.key).where(Discrepancy.key.in_(unique)))
        )
        rows = [
            {
                "line": None,
                "period": None,
                "name_here": None,
                "name_bpjs": None,
                "billed": None,
                "paid": None,
                "company_id": None,
            }
            | item
            | {"run_id": self.run.id, "status": DiscrepancyStatus.OPEN, "found_at": self.now}
            for key, item in unique.items()
            if key not in known
        ]
        if rows:
            self.session.execute(insert(Discrepancy.__table__), rows)
            self.run.found += len(rows)

    def unknown_at_bpjs(self) -> None:
        """Workers of the area with an active enrollment the extract does not hold: those of the
        companies it lists, and those with no employer (sponsored or independent)."""
        base = select(Worker.id, Worker.regency_id, Worker.company_id, Worker.name).where(
            Worker.regency_id.in_(self.area),
            select(Enrollment.id)
            .where(Enrollment.worker_id == Worker.id, Enrollment.status == EnrollmentStatus.ACTIVE)
            .exists(),
        )
        companies = sorted(self.seen_companies)
        groups = [Worker.company_id.is_(None)] + [
            Worker.company_id.in_(companies[i : i + 500]) for i in range(0, len(companies), 500)
        ]
        for group in groups:
            found = [
                {
                    "kind": DiscrepancyKind.UNKNOWN_AT_BPJS,
                    "key": f"unknown:w{w.id}",
                    "regency_id": w.regency_id,
                    "worker_id": w.id,
                    "company_id": w.company_id,
                    "name_here": w.name,
                }
                for w in self.session.execute(base.where(group))
                if w.id not in self.seen_workers
            ]
            for i in range(0, len(found), CHUNK):
                self._write(found[i : i + CHUNK])


# -- the worklist --------------------------------------------------------------------------


def worklist(session, scope: Scope, kind: str | None, status: str | None):
    """The discrepancies of an area, newest first, filtered by kind and status (open by default)."""
    query = select(Discrepancy).where(read_clause(Discrepancy, scope))
    if kind in {k.value for k in DiscrepancyKind}:
        query = query.where(Discrepancy.kind == kind)
    if status != "all":
        if status not in {k.value for k in DiscrepancyStatus}:
            status = DiscrepancyStatus.OPEN
        query = query.where(Discrepancy.status == status)
    return query.order_by(Discrepancy.id.desc())


def resolve(session, scope: Scope, discrepancy_id: int, user_id: int, note: str, now) -> None:
    """Resolve an open discrepancy with a note (required), once; audited, then committed."""
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Write a note on how the discrepancy was resolved."), field="note")
    taken = session.execute(
        update(Discrepancy)
        .where(
            and_(
                Discrepancy.id == discrepancy_id,
                Discrepancy.status == DiscrepancyStatus.OPEN,
                read_clause(Discrepancy, scope),
            )
        )
        .values(
            status=DiscrepancyStatus.RESOLVED,
            resolved_by_id=user_id,
            resolved_at=now,
            note=note[:2000],
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        session.rollback()
        raise Conflict(_("This discrepancy is already resolved or not in your work area."))
    item = session.get(Discrepancy, discrepancy_id)
    session.refresh(item)
    audit.record(
        session,
        "resolve",
        "Discrepancy",
        discrepancy_id,
        item.regency_id,
        kind=item.kind,
        worker_id=item.worker_id,
        note=note[:2000],
    )
