"""Reconciliation with a BPJS branch extract: the imports and the discrepancies they found."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency
from app.models.base import Choice, register_labels
from app.models.permits import JobStatus


class DiscrepancyKind(Choice):
    UNKNOWN_AT_BPJS = "unknown"
    ENDED_HERE = "ended_here"
    UNPAID = "unpaid"
    UNRECORDED = "unrecorded"
    NAME = "name"


register_labels(
    DiscrepancyKind,
    unknown=_l("Enrolled here, unknown at BPJS"),
    ended_here=_l("Active at BPJS, ended here"),
    unpaid=_l("Billed but not paid"),
    unrecorded=_l("Paid but not recorded here"),
    name=_l("Names disagree"),
)


class DiscrepancyStatus(Choice):
    OPEN = "open"
    RESOLVED = "resolved"


register_labels(DiscrepancyStatus, open=_l("Unresolved"), resolved=_l("Resolved"))


class ReconciliationRun(Model):
    """One imported branch extract, matched in the background within its importer's area."""

    __tablename__ = "reconciliation_run"
    __table_args__ = (JobStatus.check("status", "ck_reconciliation_run_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    # The importer's area as regency ids ("62,63"): rows about anything outside it are counted,
    # never matched.
    area: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    pending_file: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED, index=True)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    requested_by = relationship("User")
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    matched: Mapped[int] = mapped_column(Integer, default=0)
    not_found: Mapped[int] = mapped_column(Integer, default=0)
    outside: Mapped[int] = mapped_column(Integer, default=0)
    found: Mapped[int] = mapped_column(Integer, default=0)
    kpj_filled: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(100, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)


class Discrepancy(Model):
    """A difference between the branch extract and the records here, open until resolved."""

    __tablename__ = "discrepancy"
    __table_args__ = (
        DiscrepancyKind.check("kind", "ck_discrepancy_kind"),
        DiscrepancyStatus.check("status", "ck_discrepancy_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The natural key ("unpaid:w12:2026-01"): the same difference found again is not a new one.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    status: Mapped[str] = mapped_column(String(10), default=DiscrepancyStatus.OPEN, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_run.id"), index=True)
    run: Mapped[ReconciliationRun] = relationship()
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), index=True)
    worker = relationship("Worker")
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    company = relationship("Company")
    line: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[dt.date | None] = mapped_column(Date)
    name_here: Mapped[str | None] = mapped_column(String(150))
    name_bpjs: Mapped[str | None] = mapped_column(String(150))
    billed: Mapped[int | None] = mapped_column(BigInteger)
    paid: Mapped[int | None] = mapped_column(BigInteger)
    found_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    resolved_by = relationship("User")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
