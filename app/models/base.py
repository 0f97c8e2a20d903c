"""Shared model helpers: enum-like choices with translated labels and check constraints."""

from __future__ import annotations

from enum import StrEnum

from flask_appbuilder.models.mixins import AuditMixin as FabAuditMixin
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer
from sqlalchemy.orm import declared_attr


class Choice(StrEnum):
    """A string enum whose members carry a translated label."""

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Map each value to its translated label."""
        return {member.value: str(member.label) for member in cls}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """Return (value, label) pairs for form select fields."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def check(cls, column: str, name: str) -> CheckConstraint:
        """Build a database check constraint allowing only this enum's values."""
        values = ", ".join(f"'{member.value}'" for member in cls)
        return CheckConstraint(f"{column} IN ({values})", name=name)

    @property
    def label(self):
        return LABELS.get(self.value, self.value)


LABELS: dict[str, object] = {}


def register_labels(**labels) -> None:
    """Register translated labels for choice values (values are unique across enums)."""
    LABELS.update(labels)


def choice_label(value: str | None) -> str:
    """Return the translated label of a stored choice value."""
    if value is None:
        return ""
    return str(LABELS.get(value, value))


class AuditMixin(FabAuditMixin):
    """FAB's created/changed stamps, with no user for work done by commands (imports, demo)."""

    @declared_attr
    def created_by_fk(cls):
        return Column(Integer, ForeignKey("ab_user.id"), default=cls.get_user_id, nullable=True)

    @declared_attr
    def changed_by_fk(cls):
        return Column(
            Integer,
            ForeignKey("ab_user.id"),
            default=cls.get_user_id,
            onupdate=cls.get_user_id,
            nullable=True,
        )
