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
        return LABELS.get((type(self).__name__, self.value), self.value)

    @classmethod
    def label_of(cls, value: str | None) -> str:
        """The translated label of a stored value of this enum ("" for none; an unknown value
        is shown as it is stored)."""
        if value is None or value == "":
            return ""
        try:
            return str(cls(value).label)
        except ValueError:
            return str(value)


# (enum name, value) -> label: the same value may mean different things in two enums
# ("province" the award category and "province" the payer), so labels are keyed per enum.
LABELS: dict[tuple[str, str], object] = {}


def register_labels(choice: type[Choice], **labels) -> None:
    """Register the translated labels of one enum's values."""
    values = {member.value for member in choice}
    unknown = set(labels) - values
    if unknown:
        raise ValueError(f"{choice.__name__} has no values {sorted(unknown)}")
    LABELS.update({(choice.__name__, value): label for value, label in labels.items()})


def choice_type(name: str) -> type[Choice]:
    """The enum of a given class name (for templates, which name the enum they show)."""
    for choice in Choice.__subclasses__():
        if choice.__name__ == name:
            return choice
    raise KeyError(name)


def choice_label(value: str | None, choice: str) -> str:
    """The translated label of a stored value of the named enum (a template filter)."""
    return choice_type(choice).label_of(value)


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
