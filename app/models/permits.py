"""Permit-linked compliance: rule parameters, minimum wages, projects and permit checks."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
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
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency
from app.models.base import AuditMixin, Choice, register_labels
from app.models.organisations import Company, Sponsor


class ComplianceRule(AuditMixin, Model):
    """The parameters of the permit check, effective from a date (nationally or per regency)."""

    __tablename__ = "compliance_rule"
    __table_args__ = (
        CheckConstraint("grace_months >= 0 AND grace_amount >= 0", name="ck_rule_grace"),
        CheckConstraint("construction_days >= 0", name="ck_rule_construction_days"),
        CheckConstraint("certificate_days > 0", name="ck_rule_certificate_days"),
        UniqueConstraint("regency_id", "valid_from", name="uq_rule_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency | None] = relationship()
    valid_from: Mapped[dt.date] = mapped_column(Date)
    grace_months: Mapped[int] = mapped_column(Integer, default=0)
    grace_amount: Mapped[int] = mapped_column(Integer, default=0)
    construction_days: Mapped[int] = mapped_column(Integer, default=7)
    check_minimum_wage: Mapped[bool] = mapped_column(Boolean, default=True)
    certificate_days: Mapped[int] = mapped_column(Integer, default=90)
    legal_basis: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        return f"{self.regency or 'Nasional'} {self.valid_from:%Y-%m-%d}"

    @classmethod
    def scope_clause(cls, scope):
        # Everyone reads the national rule and the rules of their own regencies.
        from sqlalchemy import or_

        return or_(cls.regency_id.is_(None), scope.clause(regency=cls.regency_id))


class MinimumWage(AuditMixin, Model):
    """A regency's (UMK) or province's (UMP, regency left empty) monthly minimum wage for a year."""

    __tablename__ = "minimum_wage"
    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_minimum_wage_amount"),
        UniqueConstraint("province_code", "regency_id", "year", name="uq_minimum_wage_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2))
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency | None] = relationship()
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    legal_basis: Mapped[str | None] = mapped_column(String(200))

    @classmethod
    def scope_clause(cls, scope):
        from sqlalchemy import or_

        return or_(cls.regency_id.is_(None), scope.clause(regency=cls.regency_id))


class Funding(Choice):
    APBN = "apbn"
    APBD_FUNDS = "apbd_funds"
    PRIVATE = "private"


register_labels(
    Funding,
    apbn=_l("State budget (APBN)"),
    apbd_funds=_l("Regional budget (APBD)"),
    private=_l("Private"),
)


class ConstructionProject(AuditMixin, Model):
    """A construction contract (SPK) that the contractor must register with BPJS."""

    __tablename__ = "construction_project"
    __table_args__ = (
        Funding.check("funding", "ck_project_funding"),
        CheckConstraint("contract_value > 0", name="ck_project_value"),
        CheckConstraint("contribution >= 0", name="ck_project_contribution"),
        CheckConstraint("end_date IS NULL OR end_date >= spk_date", name="ck_project_period"),
        UniqueConstraint("spk_number", "company_id", name="uq_project_spk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    spk_number: Mapped[str] = mapped_column(String(60))
    spk_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    company: Mapped[Company] = relationship()
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    contract_value: Mapped[int] = mapped_column(BigInteger)
    funding: Mapped[str] = mapped_column(String(12))
    registered_on: Mapped[dt.date | None] = mapped_column(Date)
    contribution: Mapped[int] = mapped_column(BigInteger, default=0)

    def __str__(self) -> str:
        return f"{self.spk_number} {self.name}"

    @property
    def registration_delay(self) -> int | None:
        """Days from the SPK to the BPJS registration (None while unregistered)."""
        return (self.registered_on - self.spk_date).days if self.registered_on else None

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)


class PermitType(Choice):
    BUSINESS = "business"
    RENEWAL = "renewal"
    BUILDING = "building"
    TENDER = "tender"
    FOREIGN_WORKER = "foreign_worker"
    LABOUR_SUPPLY = "labour_supply"


class Decision(Choice):
    PENDING = "pending"
    ISSUED = "issued"
    REFUSED = "refused"


register_labels(
    PermitType,
    business=_l("Business permit"),
    renewal=_l("Permit renewal"),
    building=_l("Building permit (PBG)"),
    tender=_l("Tender participation"),
    foreign_worker=_l("Foreign worker permit"),
    labour_supply=_l("Labour-supply company permit"),
)
register_labels(
    Decision,
    pending=_l("Awaiting decision"),
    issued=_l("Certificate issued"),
    refused=_l("Refused"),
)


class PermitCheck(Model):
    """A permit application checked against the rules, the officer's decision and its document."""

    __tablename__ = "permit_check"
    __table_args__ = (
        PermitType.check("permit_type", "ck_permit_type"),
        Decision.check("decision", "ck_permit_decision"),
        CheckConstraint("decision <> 'issued' OR compliant", name="ck_permit_issued_compliant"),
        UniqueConstraint("certificate_number", name="uq_permit_certificate"),
        UniqueConstraint("verification_code", name="uq_permit_verification"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    company: Mapped[Company] = relationship()
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    permit_type: Mapped[str] = mapped_column(String(20))
    application_number: Mapped[str] = mapped_column(String(60))
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    compliant: Mapped[bool] = mapped_column(Boolean)
    verdict: Mapped[str] = mapped_column(Text)  # JSON: each check, its result and reason
    parameters: Mapped[str] = mapped_column(Text)  # JSON: the rule parameters used
    decision: Mapped[str] = mapped_column(String(10), default=Decision.PENDING, index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    officer = relationship("User")
    note: Mapped[str | None] = mapped_column(String(500))
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    verification_code: Mapped[str | None] = mapped_column(String(40))
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return f"{self.application_number} ({self.company})"

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)


class JobStatus(Choice):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


register_labels(
    JobStatus, queued=_l("Queued"), running=_l("Running"), done=_l("Ready"), failed=_l("Failed")
)


class ReportJob(Model):
    """A report produced in the background, its progress and its files."""

    __tablename__ = "report_job"
    __table_args__ = (
        JobStatus.check("status", "ck_report_job_status"),
        CheckConstraint("period_to >= period_from", name="ck_report_job_period"),
        CheckConstraint("rows_done >= 0 AND rows_total >= 0", name="ck_report_job_rows"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    # The sponsor of a sponsor statement; None for a regency report.
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor.id"), index=True)
    sponsor: Mapped[Sponsor | None] = relationship()
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED, index=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(String(500))
    # Written every few seconds by the worker building it (see EnrollmentBatch.check_heartbeat_at)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)


class ReportOutput(Model):
    """A finished report's file, kept in the database so that any server can send it."""

    __tablename__ = "report_output"

    job_id: Mapped[int] = mapped_column(
        ForeignKey("report_job.id", ondelete="CASCADE"), primary_key=True
    )
    fmt: Mapped[str] = mapped_column(String(5), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)

    @classmethod
    def scope_clause(cls, scope):
        job = ReportJob.__table__.c
        return cls.job_id.in_(
            select(job.id).where(scope.clause(regency=job.regency_id, village=None, opd=None))
        )
