"""Kemendagri area hierarchy: province, regency, district, village, and regency workforce."""

from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship


class Province(Model):
    __tablename__ = "province"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))

    def __str__(self) -> str:
        return self.name


class Regency(Model):
    __tablename__ = "regency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"), index=True)
    province: Mapped[Province] = relationship()

    def __str__(self) -> str:
        return self.name

    @property
    def is_city(self) -> bool:
        """Regency codes 71 and above are cities (kota)."""
        return int(self.code[-2:]) >= 71

    @classmethod
    def scope_clause(cls, scope):
        # A village or OPD operator reads the regency they work in (its name and code).
        return scope.clause(regency=cls.id, village=lambda _v: true(), opd=lambda _o: true())


class District(Model):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, opd=lambda _o: true())


class Village(Model):
    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    district: Mapped[District] = relationship()
    # Denormalised from the district so scope filters need no join.
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()

    def __str__(self) -> str:
        return f"{self.name} ({self.district.name})" if self.district else self.name

    @property
    def is_kelurahan(self) -> bool:
        """A village code whose 4-digit tail starts with 1 is a kelurahan, otherwise a desa."""
        return self.code.rsplit(".", 1)[-1].startswith("1")

    @classmethod
    def scope_clause(cls, scope):
        # An OPD works across its regency: its operator reads (and picks) every village there.
        return scope.clause(regency=cls.regency_id, village=cls.id, opd=lambda _o: true())


class RegencyWorkforce(Model):
    """Potential workforce of a regency in a year, the denominator of coverage ratios."""

    __tablename__ = "regency_workforce"
    __table_args__ = (UniqueConstraint("regency_id", "year", name="uq_workforce_regency_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    regency_id: Mapped[int] = mapped_column(ForeignKey("regency.id"), index=True)
    regency: Mapped[Regency] = relationship()
    year: Mapped[int] = mapped_column(Integer)
    wage_earners: Mapped[int] = mapped_column(Integer, default=0)
    informal_workers: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(200))
    # 1 for a figure as recorded; the demo records the source's figures divided by its scale
    # (1:50), and the dashboard and the coverage profile say so.
    scale: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    @property
    def total(self) -> int:
        return (self.wage_earners or 0) + (self.informal_workers or 0)

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id)
