"""Enrollment batches: proposed enrollments, their rows and the maker-checker lifecycle."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency, Village
from app.models.base import Choice, register_labels
from app.models.organisations import Opd, Sponsor
from app.models.workers import Worker


class BatchStatus(Choice):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    REJECTED = "rejected"
    ENROLLED = "enrolled"


register_labels(
    BatchStatus,
    draft=_l("Draft"),
    submitted=_l("Submitted"),
    returned=_l("Returned for revision"),
    rejected=_l("Rejected"),
    enrolled=_l("Approved and enrolled"),
)


class EnrollmentBatch(Model):
    """A proposed list of enrollments from a village, an OPD or a branch, paid by one sponsor."""

    __tablename__ = "enrollment_batch"
    __table_args__ = (
        BatchStatus.check("status", "ck_batch_status"),
        CheckConstraint("period_end >= period_start", name="ck_batch_period"),
        CheckConstraint("jkk AND jkm", name="ck_batch_base_programs"),
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> maker_id",
            name="ck_batch_maker_is_not_checker",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    village: Mapped[Village | None] = relationship()
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opd.id"), index=True)
    opd: Mapped[Opd | None] = relationship()
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsor.id"), index=True)
    sponsor: Mapped[Sponsor] = relationship()
    jkk: Mapped[bool] = mapped_column(Boolean, default=True)
    jkm: Mapped[bool] = mapped_column(Boolean, default=True)
    jht: Mapped[bool] = mapped_column(Boolean, default=False)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.DRAFT, index=True)
    maker_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    maker = relationship("User", foreign_keys=[maker_id])
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # An uploaded file waiting for or being checked in the background, and how far the check is.
    check_status: Mapped[str | None] = mapped_column(String(10))
    check_done: Mapped[int] = mapped_column(Integer, default=0)
    check_total: Mapped[int] = mapped_column(Integer, default=0)
    check_error: Mapped[str | None] = mapped_column(String(500))
    check_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Written every few seconds by the worker running the check: a check whose worker died
    # stops beating and reads (and is recorded) as failed within a minute.
    check_heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    pending_name: Mapped[str | None] = mapped_column(String(200))
    pending_file: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    rows = relationship(
        "BatchRow", back_populates="batch", cascade="all, delete-orphan", order_by="BatchRow.line"
    )

    def __str__(self) -> str:
        return self.title

    @property
    def check_percent(self) -> int:
        if not self.check_total:
            return 0
        return min(100, int(100 * self.check_done / self.check_total))

    @property
    def programs(self) -> list[str]:
        return [p for p in ("jkk", "jkm", "jht") if getattr(self, p)]

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=cls.village_id, opd=cls.opd_id)


class BatchRow(Model):
    """One proposed worker of a batch as read from the file, with what is wrong with it."""

    __tablename__ = "batch_row"
    __table_args__ = (UniqueConstraint("batch_id", "line", name="uq_batch_row_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment_batch.id", ondelete="CASCADE"), index=True
    )
    batch: Mapped[EnrollmentBatch] = relationship(back_populates="rows")
    line: Mapped[int] = mapped_column(Integer)
    nik: Mapped[str | None] = mapped_column(String(32), index=True)
    name: Mapped[str | None] = mapped_column(String(150))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    village_code: Mapped[str | None] = mapped_column(String(20))
    segment: Mapped[str | None] = mapped_column(String(20))
    dtsen_decile: Mapped[int | None] = mapped_column(Integer)
    declared_income: Mapped[int | None] = mapped_column(Integer)
    errors: Mapped[str | None] = mapped_column(Text)  # JSON: field -> message
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"))
    worker: Mapped[Worker | None] = relationship()

    @property
    def valid(self) -> bool:
        return not self.errors
