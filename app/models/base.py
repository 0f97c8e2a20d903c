"""Shared model helpers: enum-like choices with translated labels and check constraints."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint


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


