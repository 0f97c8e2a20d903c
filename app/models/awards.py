"""Paritrana-style award assessment: periods, indicators with weights, panel inputs and scores.

Scores are kept in hundredths of a point (integers), so recomputing from the stored inputs gives
exactly the same numbers on every database.
"""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Choice, register_labels


class AwardCategory(Choice):
    PROVINCE = "province"
    REGENCY = "regency"
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"


class PeriodStatus(Choice):
    OPEN = "open"
    LOCKED = "locked"


class IndicatorSource(Choice):
    COMPUTED = "computed"
    PANEL = "panel"


register_labels(
    AwardCategory,
    province=_l("Province"),
    regency=_l("Regency or city"),
    large=_l("Large companies"),
    medium=_l("Medium companies"),
    small=_l("Small and micro companies"),
)
register_labels(PeriodStatus, open=_l("Open"), locked=_l("Locked"))
register_labels(
    IndicatorSource, computed=_l("Computed from the records"), panel=_l("Entered by the panel")
)


class AwardPeriod(Model):
    """One calendar year of assessment; locked when the panel is done."""

    __tablename__ = "award_period"
    __table_args__ = (PeriodStatus.check("status", "ck_award_period_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(10), default=PeriodStatus.OPEN)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    locked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    indicators = relationship(
        "AwardIndicator",
        back_populates="period",
        order_by="AwardIndicator.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __str__(self) -> str:
        return str(self.year)

    @property
    def locked(self) -> bool:
        return self.status == PeriodStatus.LOCKED


class AwardIndicator(Model):
    """An indicator of a category with its aspect and weight (weights are illustrative)."""

    __tablename__ = "award_indicator"
    __table_args__ = (
        AwardCategory.check("category", "ck_award_indicator_category"),
        IndicatorSource.check("source", "ck_award_indicator_source"),
        CheckConstraint("weight >= 0 AND weight <= 100", name="ck_award_indicator_weight"),
        UniqueConstraint("period_id", "category", "code", name="uq_award_indicator_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("award_period.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[AwardPeriod] = relationship(back_populates="indicators")
    category: Mapped[str] = mapped_column(String(10))
    aspect: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(150))
    source: Mapped[str] = mapped_column(String(10))
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    relative: Mapped[bool] = mapped_column(Boolean, default=False)  # scaled to the best subject

    def __str__(self) -> str:
        return self.name


class AwardInput(Model):
    """A panel's score (0-100) of one subject on one indicator, with its evidence."""

    __tablename__ = "award_input"
    __table_args__ = (
        CheckConstraint("value >= 0 AND value <= 10000", name="ck_award_input_value"),
        UniqueConstraint("indicator_id", "subject_id", name="uq_award_input_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("award_indicator.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[AwardIndicator] = relationship()
    subject_id: Mapped[int] = mapped_column(Integer)  # a province, regency or company id
    value: Mapped[int] = mapped_column(Integer)  # hundredths of a point, 0..10000
    evidence: Mapped[str | None] = mapped_column(String(300))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    entered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AwardEvidence(Model):
    """A file (PDF, JPEG or PNG) the panel attached as evidence of a subject's mark.

    Kept in the database, so every app server sees it and a database backup holds it.
    """

    __tablename__ = "award_evidence"
    __table_args__ = (
        CheckConstraint("size > 0", name="ck_award_evidence_size"),
        UniqueConstraint("indicator_id", "subject_id", "sha256", name="uq_award_evidence_file"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("award_indicator.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[AwardIndicator] = relationship()
    subject_id: Mapped[int] = mapped_column(Integer)
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    filename: Mapped[str] = mapped_column(String(150))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return self.filename


class AwardScore(Model):
    """A subject's desk, panel and final score and rank, with the inputs it was computed from."""

    __tablename__ = "award_score"
    __table_args__ = (
        AwardCategory.check("category", "ck_award_score_category"),
        UniqueConstraint("period_id", "category", "subject_id", name="uq_award_score_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("award_period.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_name: Mapped[str] = mapped_column(String(200))
    regency_id: Mapped[int | None] = mapped_column(ForeignKey("regency.id"), index=True)
    desk_score: Mapped[int] = mapped_column(Integer)  # hundredths of a point
    panel_score: Mapped[int] = mapped_column(Integer)
    final_score: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[str] = mapped_column(Text)  # JSON: indicator values and weights used
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    @classmethod
    def scope_clause(cls, scope):
        """Scores by their regency; provinces (no regency) only for the unrestricted."""
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
