"""Claims for benefits after a worker's death, the heirs, and each child's scholarship years."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import AuditMixin, Choice, register_labels
from app.models.workers import Enrollment, Worker


class EventType(Choice):
    DEATH = "death"  # death not caused by work: JKM
    WORK_DEATH = "work_death"  # death from a work accident: JKK


class ClaimStatus(Choice):
    NOT_COVERED = "not_covered"
    REPORTED = "reported"
    DOCUMENTS_COMPLETE = "documents"
    SUBMITTED = "submitted"
    PAID = "paid"
    REJECTED = "rejected"


class UncoveredReason(Choice):
    NO_ENROLLMENT = "no_enrollment"
    NO_PROGRAM = "no_program"
    UNPAID = "unpaid"


class Relation(Choice):
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    OTHER = "other"


class SchoolLevel(Choice):
    NONE = "none"  # not yet at school
    TK = "tk"
    SD = "sd"
    SMP = "smp"
    SMA = "sma"
    HIGHER = "higher"


class BenefitItem(Choice):
    LUMP_SUM = "lump_sum"
    PERIODIC = "periodic"
    FUNERAL = "funeral"
    WAGE_MULTIPLE = "wage_multiple"
    SCHOLARSHIP = "scholarship"


class YearStatus(Choice):
    OPEN = "open"
    PAID = "paid"
    STOPPED = "stopped"


class EndReason(Choice):
    AGE = "age"
    MARRIED = "married"
    WORKING = "working"
    DROPPED_OUT = "dropped_out"
    LEVELS_DONE = "levels_done"
    CLAIM_REJECTED = "claim_rejected"


register_labels(
    EventType, death=_l("Death (not from work)"), work_death=_l("Death from a work accident")
)
register_labels(
    ClaimStatus,
    not_covered=_l("Not covered"),
    reported=_l("Reported"),
    documents=_l("Documents complete"),
    submitted=_l("Submitted to BPJS"),
    paid=_l("Paid"),
    rejected=_l("Rejected"),
)
register_labels(
    UncoveredReason,
    no_enrollment=_l("No active enrollment"),
    no_program=_l("Program not included"),
    unpaid=_l("Coverage lapsed"),
)
register_labels(
    Relation, spouse=_l("Spouse"), child=_l("Child"), parent=_l("Parent"), other=_l("Other heir")
)
register_labels(
    SchoolLevel,
    none=_l("Not yet at school"),
    tk=_l("Kindergarten (TK)"),
    sd=_l("Primary school (SD)"),
    smp=_l("Junior secondary (SMP)"),
    sma=_l("Senior secondary (SMA)"),
    higher=_l("Higher education or training"),
)
register_labels(
    BenefitItem,
    lump_sum=_l("Death benefit (lump sum)"),
    periodic=_l("Periodic benefit (paid at once)"),
    funeral=_l("Funeral costs"),
    wage_multiple=_l("Work accident death benefit (× wage)"),
    scholarship=_l("Scholarship"),
)
register_labels(YearStatus, open=_l("To claim"), paid=_l("Paid"), stopped=_l("Stopped"))
register_labels(
    EndReason,
    age=_l("Reached age 23"),
    married=_l("Married"),
    working=_l("Started work"),
    dropped_out=_l("Left school"),
    levels_done=_l("All school levels done"),
    claim_rejected=_l("Claim rejected"),
)


class BenefitRule(AuditMixin, Model):
    """One benefit amount in force for a period: a fixed sum, a multiple of the wage, or a
    scholarship per child per year at a school level for a number of years."""

    __tablename__ = "benefit_rule"
    __table_args__ = (
        BenefitItem.check("item", "ck_benefit_rule_item"),
        CheckConstraint(
            "event_type IS NULL OR event_type IN ('death', 'work_death')",
            name="ck_benefit_rule_event",
        ),
        CheckConstraint(
            "level IS NULL OR level IN ('tk', 'sd', 'smp', 'sma', 'higher')",
            name="ck_benefit_rule_level",
        ),
        CheckConstraint("amount >= 0 AND multiplier >= 0 AND years >= 0", name="ck_benefit_rule_n"),
        CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name="ck_benefit_rule_period"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str | None] = mapped_column(String(12))  # none: both (scholarships)
    item: Mapped[str] = mapped_column(String(15))
    level: Mapped[str | None] = mapped_column(String(10))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    multiplier: Mapped[int] = mapped_column(Integer, default=0)
    years: Mapped[int] = mapped_column(Integer, default=0)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        return f"{self.item} {self.level or self.event_type or ''} {self.valid_from:%Y-%m-%d}"


class Claim(AuditMixin, Model):
    """An event reported for a worker, what covered it on its date, and the claim's progress."""

    __tablename__ = "claim"
    __table_args__ = (
        EventType.check("event_type", "ck_claim_event_type"),
        ClaimStatus.check("status", "ck_claim_status"),
        CheckConstraint(
            "reason IS NULL OR reason IN ('no_enrollment', 'no_program', 'unpaid')",
            name="ck_claim_reason",
        ),
        CheckConstraint("amount_due >= 0 AND paid_months >= 0", name="ck_claim_amounts"),
        CheckConstraint("amount_paid IS NULL OR amount_paid > 0", name="ck_claim_paid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    worker: Mapped[Worker] = relationship()
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    enrollment_id: Mapped[int | None] = mapped_column(ForeignKey("enrollment.id"), index=True)
    enrollment: Mapped[Enrollment | None] = relationship()
    payer_type: Mapped[str | None] = mapped_column(String(10), index=True)
    event_type: Mapped[str] = mapped_column(String(12))
    event_date: Mapped[dt.date] = mapped_column(Date, index=True)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(15))
    reason_month: Mapped[dt.date | None] = mapped_column(Date)
    wage: Mapped[int | None] = mapped_column(BigInteger)
    paid_months: Mapped[int] = mapped_column(Integer, default=0)
    scholarship_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_due: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(12), index=True)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    amount_paid: Mapped[int | None] = mapped_column(BigInteger)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    heirs: Mapped[list[ClaimHeir]] = relationship(
        back_populates="claim", order_by="ClaimHeir.position", cascade="all, delete-orphan"
    )
    benefits: Mapped[list[ClaimBenefit]] = relationship(
        back_populates="claim", order_by="ClaimBenefit.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"{self.worker} {self.event_date:%Y-%m-%d}"

    @property
    def covered(self) -> bool:
        return self.status != ClaimStatus.NOT_COVERED

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(
            regency=cls.regency_id,
            village=lambda village_id: cls.worker.has(Worker.village_id == village_id),
            opd=lambda opd_id: cls.worker.has(Worker.opd_id == opd_id),
        )


class ClaimHeir(AuditMixin, Model):
    """A family member named in a claim; a child may receive a scholarship."""

    __tablename__ = "claim_heir"
    __table_args__ = (
        Relation.check("relation", "ck_claim_heir_relation"),
        SchoolLevel.check("school_level", "ck_claim_heir_level"),
        CheckConstraint("level_year >= 1", name="ck_claim_heir_level_year"),
        CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('age', 'married', 'working', 'dropped_out',"
            " 'levels_done', 'claim_rejected')",
            name="ck_claim_heir_end_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    claim: Mapped[Claim] = relationship(back_populates="heirs")
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(150))
    relation: Mapped[str] = mapped_column(String(10))
    nik: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    school_level: Mapped[str | None] = mapped_column(String(10))
    level_year: Mapped[int] = mapped_column(Integer, default=1)
    married: Mapped[bool] = mapped_column(Boolean, default=False)
    working: Mapped[bool] = mapped_column(Boolean, default=False)
    scholarship: Mapped[bool] = mapped_column(Boolean, default=False)
    end_reason: Mapped[str | None] = mapped_column(String(15))
    ended_on: Mapped[dt.date | None] = mapped_column(Date)

    years: Mapped[list[ScholarshipYear]] = relationship(
        back_populates="heir", order_by="ScholarshipYear.due_on", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        return cls.claim.has(Claim.scope_clause(scope))


class ClaimBenefit(Model):
    """One amount the family may claim, computed when the event was reported."""

    __tablename__ = "claim_benefit"
    __table_args__ = (
        BenefitItem.check("item", "ck_claim_benefit_item"),
        CheckConstraint("amount >= 0", name="ck_claim_benefit_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    claim: Mapped[Claim] = relationship(back_populates="benefits")
    item: Mapped[str] = mapped_column(String(15))
    amount: Mapped[int] = mapped_column(BigInteger)
    legal_basis: Mapped[str | None] = mapped_column(String(200))

    @classmethod
    def scope_clause(cls, scope):
        return cls.claim.has(Claim.scope_clause(scope))


class ScholarshipYear(AuditMixin, Model):
    """One yearly scholarship claim of a child: when it falls due, the level, the amount."""

    __tablename__ = "scholarship_year"
    __table_args__ = (
        YearStatus.check("status", "ck_scholarship_year_status"),
        CheckConstraint(
            "level IN ('tk', 'sd', 'smp', 'sma', 'higher')", name="ck_scholarship_year_level"
        ),
        CheckConstraint("amount > 0", name="ck_scholarship_year_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    heir_id: Mapped[int] = mapped_column(
        ForeignKey("claim_heir.id", ondelete="CASCADE"), index=True
    )
    heir: Mapped[ClaimHeir] = relationship(back_populates="years")
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    claim: Mapped[Claim] = relationship()
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    level: Mapped[str] = mapped_column(String(10))
    level_year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=YearStatus.OPEN, index=True)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)

    @classmethod
    def scope_clause(cls, scope):
        return cls.claim.has(Claim.scope_clause(scope))
