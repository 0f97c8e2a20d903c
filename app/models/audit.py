"""Audit trail: who did what to which record, and reads of personal data."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class AuditEvent(Model):
    """One audited action; rows are only ever inserted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20), index=True)
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(50))
    regency_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))

    def __str__(self) -> str:
        return f"{self.action} {self.entity} {self.entity_id}"

    @property
    def details(self) -> tuple[str, str | None]:
        """The record type with the changes: the screens mask personal fields by reader."""
        return (self.entity, self.changes)

    @classmethod
    def scope_clause(cls, scope):
        return scope.clause(regency=cls.regency_id, village=None, opd=None)
