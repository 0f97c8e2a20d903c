"""Indonesian display formats: Rupiah, dates and masked personal data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import privacy

EMPTY = "—"  # an empty value on a screen


def display(value):
    """Any value a screen shows without a formatter of its own: "—" for nothing, "Ya"/"Tidak"
    for a flag, a date in words; anything else as it is (a record shows its name)."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(value, Decimal):  # rates: "3,7" in Indonesian ("3.700" read as thousands)
        return format_decimal(value, format="#,##0.###")
    return value


def or_empty(formatter):
    """A declared formatter as a screen shows it: "—" where it gives nothing."""

    def shown(value):
        text = formatter(value)
        return EMPTY if text is None or text == "" else text

    return shown


AUDIT_ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "read": _l("read"),
    "read_list": _l("list read"),
    "export": _l("exported"),
    "print": _l("printed"),
    "lock": _l("locked"),
    "login": _l("signed in"),
    "login_failed": _l("sign-in failed"),
    "logout": _l("signed out"),
}
RECORD_TYPES = {
    "Worker": _l("Worker"),
    "Company": _l("Company"),
    "Enrollment": _l("Enrollment"),
    "Contribution": _l("Contribution"),
    "Sponsor": _l("Sponsor"),
    "SponsorCommitment": _l("Sponsor commitment"),
    "EnrollmentBatch": _l("Enrollment batch"),
    "BatchRow": _l("Batch row"),
    "PermitCheck": _l("Permit check"),
    "ReportJob": _l("Report"),
    "AwardPeriod": _l("Award period"),
    "AwardInput": _l("Award mark"),
    "AwardScore": _l("Award score"),
    "AwardEvidence": _l("Award evidence"),
    "AwardIndicator": _l("Award indicator"),
    "User": _l("User"),
    "UserScope": _l("User's area"),
    "Regency": _l("Regency"),
    "District": _l("District"),
    "Village": _l("Village"),
    "Province": _l("Province"),
    "Opd": _l("OPD"),
    "BranchOffice": _l("Branch office"),
    "WageRate": _l("Contribution rate"),
    "IncomeBracket": _l("Income bracket"),
    "ComplianceRule": _l("Compliance rule"),
    "ConstructionProject": _l("Construction project"),
    "MinimumWage": _l("Minimum wage"),
    "RegencyWorkforce": _l("Regency workforce"),
    "Letterhead": _l("Letterhead"),
    "Claim": _l("Claim"),
    "ClaimHeir": _l("Heir"),
    "ScholarshipYear": _l("Scholarship year"),
    "BenefitRule": _l("Benefit rule"),
    "BenefitReport": _l("Benefit report"),
    "IssuedLetter": _l("Issued letter"),
    "ArrearsLetter": _l("Arrears letter"),
    "PenaltyRule": _l("Late-payment penalty rule"),
}


def audit_action(value) -> str:
    """An audit action in the reader's language (the stored value is a code)."""
    return str(AUDIT_ACTIONS.get(value, value or ""))


def record_type(value) -> str:
    """A record type in the reader's language (the stored value is the model's name)."""
    return str(RECORD_TYPES.get(value, value or ""))


def rupiah(amount) -> str:
    """Format an integer amount as `Rp 16.800` (Indonesian) or `Rp 16,800` (English); the space
    does not break, so an amount never wraps between "Rp" and its digits."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp\u00a0{number(abs(int(amount)))}"


def number(value) -> str:
    """Format a whole number with the locale's thousands separators: `61.203` in Indonesian,
    `61,203` in English."""
    if value is None:
        return ""
    return format_decimal(int(value), format="#,##0")


def points(hundredths) -> str:
    """Format a score or a percentage kept in hundredths: `53,85` in Indonesian, `53.85` in
    English."""
    if hundredths is None:
        return ""
    return format_decimal(Decimal(int(hundredths)) / 100, format="#,##0.00")


def percent(value) -> str:
    """A rate in percent with two decimals and the locale's separator: `3,70 %` (Indonesian),
    `3.70 %` (English)."""
    if value is None or value == "":
        return ""
    return f"{format_decimal(Decimal(str(value)), format='#,##0.00')}\u00a0%"


def long_date(value) -> str:
    """Format a date as `20 Maret 2019` in the user's language."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return babel_format_datetime(value, "d MMMM y HH:mm")
    return babel_format_date(value, "d MMMM y")


def roman(value) -> str:
    """Show a JKK risk group as the Roman numeral used in PP 44/2015 (I to V)."""
    return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}.get(value, "")


def arrears(value) -> str:
    """Describe a payer's arrears: the amount, how many months, since when."""
    if value is None or not value.amount:
        return _("No arrears")
    return _(
        "%(amount)s over %(months)d month(s), oldest %(month)s",
        amount=rupiah(value.amount),
        months=value.months,
        month=babel_format_date(value.oldest, "MMMM y"),
    )


def month_year(value) -> str:
    """A month as `Maret 2026`."""
    return "" if value is None else babel_format_date(value, "MMMM y")


def personal_data_visible() -> bool:
    """Tell whether the current user may see unmasked personal data."""
    return privacy.visible()


def nik(value) -> str:
    """Show a NIK in full or with its birth-date digits hidden, by role."""
    return privacy.mask("nik", value) or ""


def birth_date(value) -> str:
    """Show a birth date in full or only its year, by role."""
    if value is None:
        return ""
    return long_date(value) if privacy.visible() else privacy.mask("birth_date", value)


def phone(value) -> str:
    """Show a phone number in full or only its last three digits, by role."""
    return privacy.mask("phone", value) or ""


def wage(value) -> str:
    """Show a wage in Rupiah, or hidden, by role."""
    if value is None:
        return ""
    return rupiah(value) if privacy.visible() else "Rp ••••••"
