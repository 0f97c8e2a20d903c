"""Sentences for identifier errors in the user's language: one wording for forms, API, imports."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.identifiers import InvalidIdentifier

FIELD_NAMES = {
    "nik": _l("NIK"),
    "npwp": _l("NPWP"),
    "nib": _l("NIB"),
    "kbli": _l("KBLI"),
    "kpj": _l("KPJ"),
    "npp": _l("NPP"),
}
LENGTH_MESSAGES = {
    "nik": _l("The NIK must have exactly 16 digits."),
    "npwp": _l("The NPWP must have 15 digits (old format) or 16 digits."),
    "nib": _l("The NIB must have exactly 13 digits."),
    "kbli": _l("The KBLI code must have exactly 5 digits."),
}
CODE_MESSAGES = {
    "digits": _l("%(field)s may contain digits only."),
    "region": _l("The first six digits of the NIK are not a known district code."),
    "birth_date": _l("The NIK does not contain a valid birth date."),
    "future": _l("The birth date in the NIK lies in the future."),
    "serial": _l("The last four digits of the NIK cannot be 0000."),
    "birth_date_mismatch": _l("The birth date does not match the NIK."),
    "sex_mismatch": _l(
        "The sex does not match the NIK (for women 40 is added to the day of birth)."
    ),
    "checksum": _l("The check digit of the %(field)s is wrong; check for a typing error."),
    "pattern": _l("%(field)s does not have the expected format."),
}


def identifier_message(exc: InvalidIdentifier) -> str:
    """Translate an identifier error into a sentence for the user."""
    field = exc.field if exc.field in FIELD_NAMES else "nik"
    if exc.code == "length" and field in LENGTH_MESSAGES:
        return str(LENGTH_MESSAGES[field])
    template = CODE_MESSAGES.get(exc.code)
    if template is None:
        return _("%(field)s is not valid.", field=FIELD_NAMES[field])
    return str(template) % {"field": FIELD_NAMES[field]}


def service_error(exc: InvalidIdentifier, field: str | None = None):
    """The ServiceError that explains an invalid identifier on its field."""
    from app.services import ServiceError

    return ServiceError(identifier_message(exc), field=field or exc.field)
