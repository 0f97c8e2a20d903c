"""Official letters: the issuing offices' letterheads, their number series, the letters issued."""

from __future__ import annotations

import base64
import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency
from app.models.base import AuditMixin, Choice, register_labels
from app.models.organisations import BranchOffice, branch_regency

DEFAULT_PATTERN = "{seq}/{unit}/{month-roman}/{year}"


class OfficeKind(Choice):
    REGENCY_GOVERNMENT = "regency_gov"
    PERMIT_OFFICE = "dpmptsp"
    BPJS_BRANCH = "bpjs_branch"


class LetterKind(Choice):
    PERMIT_CERTIFICATE = "permit_certificate"
    PERMIT_REFUSAL = "permit_refusal"
    BATCH_RECORD = "batch_record"
    ARREARS_WARNING_1 = "arrears_warning_1"
    ARREARS_WARNING_2 = "arrears_warning_2"
    SANCTION_RECOMMENDATION = "sanction_recommendation"


register_labels(
    OfficeKind,
    regency_gov=_l("Regency government"),
    dpmptsp=_l("One-stop permit office (DPMPTSP)"),
    bpjs_branch=_l("BPJS Ketenagakerjaan branch office"),
)
register_labels(
    LetterKind,
    permit_certificate=_l("Certificate of participation"),
    permit_refusal=_l("Note of refusal"),
    batch_record=_l("Record of approval (berita acara)"),
    arrears_warning_1=_l("First warning letter (surat teguran I)"),
    arrears_warning_2=_l("Second warning letter (surat teguran II)"),
    sanction_recommendation=_l("Recommendation for sanction (TMP2T)"),
)


class Letterhead(AuditMixin, Model):
    """An issuing office: its kop surat, its letter numbers and who signs for it."""

    __tablename__ = "letterhead"
    __table_args__ = (
        OfficeKind.check("kind", "ck_letterhead_kind"),
        UniqueConstraint("kind", "regency_id", name="uq_letterhead_kind_regency"),
        UniqueConstraint("branch_office_id", name="uq_letterhead_branch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    # The BPJS branch a branch letterhead belongs to (it may serve several regencies).
    branch_office_id: Mapped[int | None] = mapped_column(ForeignKey("branch_office.id"))
    branch_office: Mapped[BranchOffice | None] = relationship()
    heading: Mapped[str] = mapped_column(Text)  # one line of the kop surat per line
    address: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(120))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    unit_code: Mapped[str] = mapped_column(String(30))
    number_pattern: Mapped[str] = mapped_column(String(80), default=DEFAULT_PATTERN)
    place: Mapped[str] = mapped_column(String(80))
    signer_name: Mapped[str | None] = mapped_column(String(120))
    signer_position: Mapped[str | None] = mapped_column(String(200))
    signer_nip: Mapped[str | None] = mapped_column(String(18))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.heading_lines[-1] if self.heading_lines else self.unit_code

    @property
    def heading_lines(self) -> list[str]:
        return [line.strip() for line in (self.heading or "").splitlines() if line.strip()]

    @property
    def logo_data_uri(self) -> str | None:
        """The logo as a data: URI (PDFs and the screen embed it; nothing is fetched)."""
        if not self.logo or not self.logo_type:
            return None
        return f"data:{self.logo_type};base64,{base64.b64encode(self.logo).decode('ascii')}"

    @classmethod
    def scope_clause(cls, scope):
        # A branch's letterhead belongs to every regency the branch serves.
        def served(ids):
            branches = select(branch_regency.c.branch_office_id).where(
                branch_regency.c.regency_id.in_(ids)
            )
            # NULL-safe: a clause that is NULL for a row would be NULL negated too
            return or_(
                and_(cls.regency_id.is_not(None), cls.regency_id.in_(ids)),
                and_(cls.branch_office_id.is_not(None), cls.branch_office_id.in_(branches)),
            )

        return scope.clause(regency=served, village=None, opd=None)


class LetterSeries(Model):
    """The last number an office gave in a year; a counter row, only ever incremented."""

    __tablename__ = "letter_series"
    __table_args__ = (UniqueConstraint("office_key", "year", name="uq_letter_series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The office, configured or not: "<kind>:<regency code>", or "bpjs_branch:<branch code>".
    office_key: Mapped[str] = mapped_column(String(60))
    year: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)


class IssuedLetter(Model):
    """A number given to one document, kept so that every copy of the document shows it."""

    __tablename__ = "issued_letter"
    __table_args__ = (
        LetterKind.check("kind", "ck_issued_letter_kind"),
        UniqueConstraint("office_key", "year", "seq", name="uq_issued_letter_seq"),
        UniqueConstraint("subject_type", "subject_id", "kind", name="uq_issued_letter_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_key: Mapped[str] = mapped_column(String(60))
    # A letterhead that numbered letters cannot be deleted (their copies print its kop).
    letterhead_id: Mapped[int | None] = mapped_column(ForeignKey("letterhead.id"), index=True)
    letterhead: Mapped[Letterhead | None] = relationship()
    # The regency the document is about (its scope), not necessarily the office's seat.
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    issued_by = relationship("User")
    # Who signed and where, as they stood when the number was given (a later change of the
    # office's head does not rewrite the letters already issued).
    place: Mapped[str | None] = mapped_column(String(80))
    signer_name: Mapped[str | None] = mapped_column(String(120))
    signer_position: Mapped[str | None] = mapped_column(String(200))
    signer_nip: Mapped[str | None] = mapped_column(String(18))

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
