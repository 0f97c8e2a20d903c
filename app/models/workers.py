"""Workers and their enrollments in the social-security programs."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency, Village
from app.models.base import AuditMixin, Choice, register_labels
from app.models.organisations import Company, Opd, Sponsor


class Sex(Choice):
    MALE = "M"
    FEMALE = "F"


class Segment(Choice):
    WAGE_EARNER = "pu"
    INFORMAL = "bpu"
    VULNERABLE = "vulnerable"
    VILLAGE_OFFICIAL = "village_official"
    BPD_MEMBER = "bpd_member"
    RT_RW_HEAD = "rt_rw_head"
    NON_ASN = "non_asn"
    HONORARY_TEACHER = "honorary_teacher"
    CONSTRUCTION = "construction"
    MIGRANT = "migrant"


class WelfareSource(Choice):
    DTKS = "dtks"
    P3KE = "p3ke"
    DTSEN = "dtsen"
    LOCAL = "local"


register_labels(Sex, M=_l("Male"), F=_l("Female"))
register_labels(
    Segment,
    pu=_l("Wage earner (PU)"),
    bpu=_l("Informal worker (BPU)"),
    vulnerable=_l("Vulnerable worker"),
    village_official=_l("Village official"),
    bpd_member=_l("BPD member"),
    rt_rw_head=_l("RT/RW head"),
    non_asn=_l("Non-ASN staff"),
    honorary_teacher=_l("Honorary teacher"),
    construction=_l("Construction worker"),
    migrant=_l("Migrant worker"),
)
register_labels(
    WelfareSource,
    dtks=_l("DTKS"),
    p3ke=_l("P3KE"),
    dtsen=_l("DTSEN"),
    local=_l("Local verification"),
)

WAGE_SEGMENTS = {Segment.WAGE_EARNER, Segment.NON_ASN, Segment.CONSTRUCTION}


class Worker(AuditMixin, Model):
    """A person who works, identified by NIK, with address and welfare data."""

    __tablename__ = "worker"
    __table_args__ = (
        Sex.check("sex", "ck_worker_sex"),
        Segment.check("segment", "ck_worker_segment"),
        CheckConstraint(
            "dtsen_decile IS NULL OR dtsen_decile BETWEEN 1 AND 10", name="ck_worker_decile"
        ),
        CheckConstraint(
            "(CASE WHEN company_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN opd_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN employer_village_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="ck_worker_one_employer",
        ),
        CheckConstraint("length(nik) = 16", name="ck_worker_nik_length"),
        # the lists' order (name, id), inside a regency for the regional staff; on PostgreSQL
        # also a trigram index for "name contains" (migration 0009; not in SQLite)
        Index("ix_worker_name_id", "name", "id"),
        Index("ix_worker_regency_name_id", "regency_id", "name", "id"),
        # a village's workers in that order, the regency read from the index (migration 0013)
        Index(
            "ix_worker_village_name_id",
            "village_id",
            "name",
            "id",
            postgresql_include=["regency_id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    village: Mapped[Village] = relationship(foreign_keys=[village_id])
    # Denormalised from the village so scope filters need no join.
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    rt: Mapped[str | None] = mapped_column(String(3))
    rw: Mapped[str | None] = mapped_column(String(3))
    address: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20))
    kpj: Mapped[str | None] = mapped_column(String(20), unique=True)
    segment: Mapped[str] = mapped_column(String(20), index=True)
    dtsen_decile: Mapped[int | None] = mapped_column(Integer)
    welfare_source: Mapped[str | None] = mapped_column(String(10))
    welfare_verified_by: Mapped[str | None] = mapped_column(String(100))
    welfare_verified_at: Mapped[dt.date | None] = mapped_column(Date)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    company: Mapped[Company | None] = relationship()
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opd.id"), index=True)
    opd: Mapped[Opd | None] = relationship()
    employer_village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    employer_village: Mapped[Village | None] = relationship(foreign_keys=[employer_village_id])
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name

    @property
    def employer(self):
        return self.company or self.opd or self.employer_village

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=cls.village_id, opd=cls.opd_id)


class EnrollmentStatus(Choice):
    DRAFT = "draft"
    PENDING = "pending"
    ACTIVE = "active"
    LAPSED = "lapsed"
    ENDED = "ended"


class PayerType(Choice):
    WORKER = "worker"
    EMPLOYER = "employer"
    APBD = "apbd"
    APBDES = "apbdes"
    CSR = "csr"
    PROVINCE = "province"


SPONSORED_PAYERS = {PayerType.APBD, PayerType.APBDES, PayerType.CSR, PayerType.PROVINCE}

register_labels(
    EnrollmentStatus,
    draft=_l("Draft"),
    pending=_l("Pending"),
    active=_l("Active"),
    lapsed=_l("Lapsed"),
    ended=_l("Ended"),
)
register_labels(
    PayerType,
    worker=_l("The worker"),
    employer=_l("The employer"),
    apbd=_l("Regional budget (APBD)"),
    apbdes=_l("Village funds (APBDes)"),
    csr=_l("CSR sponsor"),
    province=_l("Provincial budget"),
)

PROGRAMS = ("jkk", "jkm", "jht", "jp", "jkp")


class Enrollment(AuditMixin, Model):
    """A worker's participation in a set of programs, with its payer and monthly contribution."""

    __tablename__ = "enrollment"
    __table_args__ = (
        EnrollmentStatus.check("status", "ck_enrollment_status"),
        PayerType.check("payer_type", "ck_enrollment_payer_type"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ck_enrollment_period"),
        CheckConstraint("declared_wage > 0", name="ck_enrollment_wage"),
        CheckConstraint("monthly_contribution >= 0", name="ck_enrollment_contribution"),
        CheckConstraint("jkk AND jkm", name="ck_enrollment_base_programs"),
        CheckConstraint(
            "payer_type <> 'employer' OR company_id IS NOT NULL", name="ck_enrollment_employer"
        ),
        CheckConstraint(
            "payer_type NOT IN ('apbd', 'apbdes', 'csr', 'province') OR sponsor_id IS NOT NULL",
            name="ck_enrollment_sponsor",
        ),
        Index("ix_enrollment_worker_status", "worker_id", "status"),
        Index(
            "uq_enrollment_one_active",
            "worker_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    worker: Mapped[Worker] = relationship(backref="enrollments")
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    jkk: Mapped[bool] = mapped_column(Boolean, default=True)
    jkm: Mapped[bool] = mapped_column(Boolean, default=True)
    jht: Mapped[bool] = mapped_column(Boolean, default=False)
    jp: Mapped[bool] = mapped_column(Boolean, default=False)
    jkp: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(10), default=EnrollmentStatus.DRAFT, index=True)
    payer_type: Mapped[str] = mapped_column(String(10))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    company: Mapped[Company | None] = relationship()
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor.id"), index=True)
    sponsor: Mapped[Sponsor | None] = relationship()
    declared_wage: Mapped[int] = mapped_column(Integer)
    monthly_contribution: Mapped[int] = mapped_column(Integer, default=0)
    worker_share: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"{self.worker} ({self.programs_label})"

    @property
    def programs(self) -> list[str]:
        return [p for p in PROGRAMS if getattr(self, p)]

    @property
    def programs_label(self) -> str:
        return ", ".join(p.upper() for p in self.programs)

    @property
    def payer(self):
        return self.company if self.payer_type == PayerType.EMPLOYER else self.sponsor

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(
            regency=cls.regency_id,
            village=lambda village_id: cls.worker.has(Worker.village_id == village_id),
            opd=lambda opd_id: cls.worker.has(Worker.opd_id == opd_id),
        )


# The worker's active enrollment, if any (at most one: uq_enrollment_one_active): a list of
# workers shows it joined in its own statement (WorkerView's protection column).
Worker.active_cover = relationship(
    Enrollment,
    primaryjoin=lambda: (
        (Enrollment.worker_id == Worker.id) & (Enrollment.status == EnrollmentStatus.ACTIVE)
    ),
    viewonly=True,
    uselist=False,
)
