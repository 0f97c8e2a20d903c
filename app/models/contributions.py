"""Effective-dated rate tables and monthly contribution bills and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import AuditMixin, Choice, register_labels
from app.models.organisations import Company, Sponsor
from app.models.workers import Worker


class Program(Choice):
    JKK = "jkk"
    JKM = "jkm"
    JHT = "jht"
    JP = "jp"
    JKP = "jkp"


register_labels(
    Program,
    jkk=_l("JKK (work accident)"),
    jkm=_l("JKM (death)"),
    jht=_l("JHT (old-age savings)"),
    jp=_l("JP (pension)"),
    jkp=_l("JKP (job loss)"),
)


class WageRate(AuditMixin, Model):
    """A wage earner (PU) contribution rate as a percentage of wage, valid from a date."""

    __tablename__ = "wage_rate"
    __table_args__ = (
        Program.check("program", "ck_wage_rate_program"),
        CheckConstraint(
            "risk_group IS NULL OR risk_group BETWEEN 1 AND 5", name="ck_wage_rate_risk_group"
        ),
        CheckConstraint(
            "employer_pct >= 0 AND worker_pct >= 0 AND government_pct >= 0",
            name="ck_wage_rate_positive",
        ),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_wage_rate_period"),
        UniqueConstraint("program", "risk_group", "valid_from", name="uq_wage_rate_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(3))
    risk_group: Mapped[int | None] = mapped_column(Integer)
    employer_pct: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    worker_pct: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    government_pct: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    wage_cap: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        group = f" {self.risk_group}" if self.risk_group else ""
        return f"{self.program.upper()}{group} {self.valid_from:%Y-%m-%d}"


class IncomeBracket(AuditMixin, Model):
    """A non-wage earner (BPU) bracket: nominal amounts for a band of declared income."""

    __tablename__ = "income_bracket"
    __table_args__ = (
        CheckConstraint("income_from >= 0", name="ck_bracket_from"),
        CheckConstraint("income_to IS NULL OR income_to >= income_from", name="ck_bracket_to"),
        CheckConstraint(
            "jkk_amount >= 0 AND jkm_amount >= 0 AND jht_amount >= 0", name="ck_bracket_amounts"
        ),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ck_bracket_period"),
        UniqueConstraint("income_from", "valid_from", name="uq_bracket_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    income_from: Mapped[int] = mapped_column(Integer)
    income_to: Mapped[int | None] = mapped_column(Integer)
    jkk_amount: Mapped[int] = mapped_column(Integer)
    jkm_amount: Mapped[int] = mapped_column(Integer)
    jht_amount: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        return f"{self.income_from}-{self.income_to or ''}"


class Contribution(AuditMixin, Model):
    """A payer's bill for one month and what was paid against it; arrears are due minus paid."""

    __tablename__ = "contribution"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN sponsor_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN worker_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_contribution_one_payer",
        ),
        CheckConstraint("amount_due >= 0 AND amount_paid >= 0", name="ck_contribution_amounts"),
        UniqueConstraint("payer_key", "period", name="uq_contribution_payer_period"),
        # the few unpaid bills, for the arrears worklists (migration 0013)
        Index(
            "ix_contribution_unpaid_company",
            "company_id",
            "period",
            sqlite_where=text("amount_paid < amount_due"),
            postgresql_where=text("amount_paid < amount_due"),
        ),
        Index(
            "ix_contribution_unpaid_period",
            "period",
            "regency_id",
            sqlite_where=text("amount_paid < amount_due"),
            postgresql_where=text("amount_paid < amount_due"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_key: Mapped[str] = mapped_column(String(30), index=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    company: Mapped[Company | None] = relationship()
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor.id"), index=True)
    sponsor: Mapped[Sponsor | None] = relationship()
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), index=True)
    worker: Mapped[Worker | None] = relationship()
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    period: Mapped[dt.date] = mapped_column(Date, index=True)
    amount_due: Mapped[int] = mapped_column(BigInteger)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(60))

    @property
    def payer(self):
        return self.company or self.sponsor or self.worker

    @property
    def outstanding(self) -> int:
        return max(self.amount_due - (self.amount_paid or 0), 0)

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
