"""Personal data by role: the one serializer that masks NIK, birth date, phone and wage.

Every channel asks it: screen list and show (through the display formatters), REST list and
item, exports, the audit trail's details, batch pages and PDFs. A role listed in
`app.roles.PERSONAL_DATA_ROLES` sees the values; every other reader, and any reader that cannot
be identified, sees them masked.
"""

from __future__ import annotations

import datetime as dt
import json

from app.roles import can_see_personal_data
from app.scope import acting_user


def mask_nik(value: str | None) -> str:
    """Hide the birth date and serial's first two digits: 620301******0001."""
    if not value:
        return ""
    value = str(value)
    if len(value) != 16:
        return "*" * len(value)
    return value[:6] + "*" * 6 + value[12:]


# The personal fields of each record type and the kind of value they hold.
PERSONAL_FIELDS: dict[str, dict[str, str]] = {
    "Worker": {"nik": "nik", "birth_date": "birth_date", "phone": "phone"},
    "BatchRow": {"nik": "nik", "birth_date": "birth_date", "declared_income": "wage"},
    "Enrollment": {"declared_wage": "wage"},
    "ClaimHeir": {"nik": "nik", "birth_date": "birth_date"},
    "Claim": {"wage": "wage"},
}


def _masked_birth_date(value):
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"**** {value.year}"


def _masked_phone(value):
    text = str(value)
    return "*" * max(len(text) - 3, 0) + text[-3:]


MASKS = {
    "nik": lambda value: mask_nik(str(value)),
    "birth_date": _masked_birth_date,
    "phone": _masked_phone,
    "wage": lambda value: None,
}


def visible(user=None, *, sees: bool | None = None) -> bool:
    """Tell whether personal data is shown in full: to `user`, or the request's user."""
    if sees is not None:
        return sees
    return can_see_personal_data(user if user is not None else acting_user())


def mask(kind: str, value, *, sees: bool | None = None):
    """A personal value of a kind as this reader may see it (None stays None)."""
    if value is None or value == "" or visible(sees=sees):
        return value
    try:
        return MASKS[kind](value)
    except (TypeError, ValueError):
        return "****"


def mask_record(entity: str, data: dict, *, sees: bool | None = None) -> dict:
    """Mask the personal fields of one record's dict in place; returns it."""
    fields = PERSONAL_FIELDS.get(entity)
    if not fields or visible(sees=sees):
        return data
    for name, kind in fields.items():
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, list):  # an audited change: [before, after]
            data[name] = [mask(kind, v, sees=False) for v in value]
        else:
            data[name] = mask(kind, value, sees=False)
    return data


def audit_details(entity: str | None, changes: str | None, *, sees: bool | None = None) -> str:
    """An audit row's details (JSON) with the personal fields masked for this reader."""
    if not changes:
        return ""
    try:
        data = json.loads(changes)
    except ValueError:
        return ""
    if isinstance(data, dict):
        mask_record(entity or "", data, sees=sees)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
