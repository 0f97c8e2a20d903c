"""Figures kept for the home page, refreshed by a periodic task instead of counted per request."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column


class CoverageFigure(Model):
    """Per regency: its workers and how many of them hold an active enrollment, as of a time."""

    __tablename__ = "coverage_figure"

    regency_id: Mapped[int] = mapped_column(
        ForeignKey("regency.id", ondelete="CASCADE"), primary_key=True
    )
    workers: Mapped[int] = mapped_column(Integer)
    covered: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
