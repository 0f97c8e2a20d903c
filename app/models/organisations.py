"""Branch offices, regional agencies (OPD), companies and sponsors."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.areas import Regency, Village
from app.models.base import AuditMixin, Choice, register_labels

branch_regency = Table(
    "branch_regency",
    Model.metadata,
    Column(
        "branch_office_id", ForeignKey("branch_office.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("regency_id", ForeignKey("regency.id"), primary_key=True),
)


class BranchOffice(Model):
    """A BPJS Ketenagakerjaan branch office and the regencies it serves."""

    __tablename__ = "branch_office"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    address: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(30))
    regencies: Mapped[list[Regency]] = relationship(secondary=branch_regency)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        # Branch staff read their own office, even where another office serves the same
        # regency; users scoped to regencies read the offices that serve them.
        own = scope.branch_office_id
        return scope.clause(
            regency=lambda ids: (
                cls.id == own if own is not None else cls.regencies.any(Regency.id.in_(ids))
            )
        )


class OpdKind(Choice):
    DINAS = "dinas"
    BADAN = "badan"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    SECRETARIAT = "sekretariat"


register_labels(
    OpdKind,
    dinas=_l("Agency (dinas)"),
    badan=_l("Board (badan)"),
    kecamatan=_l("District office (kecamatan)"),
    kelurahan=_l("Kelurahan office"),
    sekretariat=_l("Secretariat"),
)


class Opd(Model):
    """A regional government agency of a regency."""

    __tablename__ = "opd"
    __table_args__ = (
        UniqueConstraint("regency_id", "name", name="uq_opd_regency_name"),
        OpdKind.check("kind", "ck_opd_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[str] = mapped_column(String(20), default=OpdKind.DINAS)
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, opd=cls.id)


class CompanySize(Choice):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class CompanyStatus(Choice):
    ACTIVE = "active"
    INACTIVE = "inactive"
    CLOSED = "closed"


register_labels(
    CompanySize, micro=_l("Micro"), small=_l("Small"), medium=_l("Medium"), large=_l("Large")
)
register_labels(CompanyStatus, active=_l("Active"), inactive=_l("Inactive"), closed=_l("Closed"))


class Company(AuditMixin, Model):
    """A business entity (badan usaha) that employs workers."""

    __tablename__ = "company"
    __table_args__ = (
        CompanySize.check("size_class", "ck_company_size"),
        CompanyStatus.check("status", "ck_company_status"),
        CheckConstraint("risk_group BETWEEN 1 AND 5", name="ck_company_risk_group"),
        CheckConstraint("declared_workforce >= 0", name="ck_company_workforce"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    npp: Mapped[str | None] = mapped_column(String(15), unique=True)
    nib: Mapped[str | None] = mapped_column(String(13), unique=True)
    npwp: Mapped[str | None] = mapped_column(String(16), index=True)
    kbli: Mapped[str | None] = mapped_column(String(5))
    size_class: Mapped[str] = mapped_column(String(10), default=CompanySize.SMALL)
    risk_group: Mapped[int] = mapped_column(Integer, default=1)
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    village: Mapped[Village | None] = relationship()
    address: Mapped[str | None] = mapped_column(String(255))
    declared_workforce: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=CompanyStatus.ACTIVE)
    registered_on: Mapped[dt.date | None] = mapped_column(Date)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)


class SponsorKind(Choice):
    APBD = "apbd"
    APBDES = "apbdes"
    CSR_COMPANY = "csr_company"
    CSR_PERSON = "csr_person"
    PROVINCE = "province"


register_labels(
    SponsorKind,
    apbd=_l("Regional budget (APBD)"),
    apbdes=_l("Village funds (APBDes)"),
    csr_company=_l("CSR company"),
    csr_person=_l("Individual donor"),
    province=_l("Provincial budget"),
)


class Sponsor(AuditMixin, Model):
    """Who pays contributions for workers other than the worker or the employer."""

    __tablename__ = "sponsor"
    __table_args__ = (SponsorKind.check("kind", "ck_sponsor_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(15))
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    opd_id: Mapped[int | None] = mapped_column(ForeignKey("opd.id"), index=True)
    opd: Mapped[Opd | None] = relationship()
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"), index=True)
    village: Mapped[Village | None] = relationship()
    company_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"), index=True)
    company: Mapped[Company | None] = relationship()
    contact: Mapped[str | None] = mapped_column(String(200))

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        # A village or OPD sees its own sponsors and the regency-wide ones (APBD, CSR, province).
        return scope.clause(
            regency=cls.regency_id,
            village=lambda v: or_(cls.village_id == v, cls.village_id.is_(None)),
            opd=lambda o: or_(cls.opd_id == o, cls.opd_id.is_(None)),
        )


class SponsorCommitment(AuditMixin, Model):
    """A sponsor's promise to fund a number of workers for a period within a ceiling."""

    __tablename__ = "sponsor_commitment"
    __table_args__ = (
        CheckConstraint("workers_quota > 0", name="ck_commitment_quota"),
        CheckConstraint("ceiling_amount > 0", name="ck_commitment_ceiling"),
        CheckConstraint("end_date >= start_date", name="ck_commitment_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsor.id"), index=True)
    sponsor: Mapped[Sponsor] = relationship()
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(100))
    workers_quota: Mapped[int] = mapped_column(Integer)
    programs: Mapped[str] = mapped_column(String(30), default="JKK,JKM")
    ceiling_amount: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)

    def __str__(self) -> str:
        return f"{self.sponsor} {self.reference or ''}".strip()

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
