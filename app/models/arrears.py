"""Arrears enforcement: the late-payment penalty rules and the warning letters sent per company."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency
from app.models.base import AuditMixin, Choice, register_labels
from app.models.letters import IssuedLetter
from app.models.organisations import Company


class LetterStatus(Choice):
    OPEN = "open"
    SETTLED = "settled"


register_labels(
    LetterStatus,
    open=_l("Open (arrears unpaid)"),
    settled=_l("Settled (arrears paid)"),
)


class PenaltyRule(AuditMixin, Model):
    """A late-payment penalty: percent of the unpaid amount per month late, valid from a date.

    ``program`` empty: the rule for every program without a rule of its own. National
    reference data (app/scope.py REFERENCE_MODELS): every role that may open it reads all of it.
    """

    __tablename__ = "penalty_rule"
    __table_args__ = (
        CheckConstraint(
            "program IS NULL OR program IN ('jkk', 'jkm', 'jht', 'jp', 'jkp')",
            name="ck_penalty_rule_program",
        ),
        CheckConstraint("percent_per_month >= 0", name="ck_penalty_rule_percent"),
        CheckConstraint("cap_percent IS NULL OR cap_percent >= 0", name="ck_penalty_rule_cap"),
        CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_penalty_rule_period"
        ),
        UniqueConstraint("program", "valid_from", name="uq_penalty_rule_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str | None] = mapped_column(String(3))
    percent_per_month: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    cap_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        return f"{(self.program or '*').upper()} {self.valid_from:%Y-%m-%d}"


class ArrearsLetter(AuditMixin, Model):
    """One enforcement step against a company in arrears, with what it owed when issued."""

    __tablename__ = "arrears_letter"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('arrears_warning_1', 'arrears_warning_2', 'sanction_recommendation')",
            name="ck_arrears_letter_kind",
        ),
        LetterStatus.check("status", "ck_arrears_letter_status"),
        CheckConstraint(
            "amount > 0 AND months > 0 AND penalty >= 0", name="ck_arrears_letter_sums"
        ),
        UniqueConstraint("company_id", "kind", "issued_on", name="uq_arrears_letter_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    company: Mapped[Company] = relationship()
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    kind: Mapped[str] = mapped_column(String(30))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    months: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    penalty: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)  # JSON: each unpaid month, its amount and penalty
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=LetterStatus.OPEN, index=True)
    settled_on: Mapped[dt.date | None] = mapped_column(Date)
    issued_letter_id: Mapped[int | None] = mapped_column(ForeignKey("issued_letter.id"))
    issued_letter: Mapped[IssuedLetter | None] = relationship()

    def __str__(self) -> str:
        return self.issued_letter.number if self.issued_letter else f"#{self.id}"

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
