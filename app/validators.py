"""Form validators for identifiers, with messages in the user's language."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.extensions import db
from app.services import identifiers
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


def district_exists(code: str) -> bool:
    """Tell whether a Kemendagri district code is known."""
    from app.models import District

    return db.session.query(District.id).filter_by(code=code).first() is not None


class IdentifierValidator:
    """Normalise an optional identifier field or explain what is wrong with it."""

    def check(self, value: str, form) -> str:
        raise NotImplementedError

    def __call__(self, form, field):
        if field.data in (None, ""):
            field.data = None
            return
        try:
            field.data = self.check(str(field.data), form)
        except InvalidIdentifier as exc:
            raise ValidationError(identifier_message(exc)) from exc


class NikValidator(IdentifierValidator):
    def check(self, value, form):
        birth = getattr(form, "birth_date", None)
        sex = getattr(form, "sex", None)
        return identifiers.validate_nik(
            value,
            region_exists=district_exists,
            birth_date=birth.data if birth is not None else None,
            sex=sex.data if sex is not None and sex.data in ("M", "F") else None,
        ).value


class NpwpValidator(IdentifierValidator):
    def check(self, value, form):
        return identifiers.validate_npwp(value)


class NibValidator(IdentifierValidator):
    def check(self, value, form):
        return identifiers.validate_nib(value)


class KbliValidator(IdentifierValidator):
    def check(self, value, form):
        return identifiers.validate_kbli(value)


class KpjValidator(IdentifierValidator):
    def check(self, value, form):
        return identifiers.validate_kpj(value, current_app.config["KPJ_PATTERN"])


class NppValidator(IdentifierValidator):
    def check(self, value, form):
        return identifiers.validate_npp(value, current_app.config["NPP_PATTERN"])
