"""The warning letters to a company in arrears and the recommendation for sanction (PDF)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from app import formatting
from app.models import ArrearsLetter, LetterKind
from app.reports.letter import letter_context
from app.reports.pdf import render_pdf
from app.services import arrears, letters


def penalty_lines(session, on) -> list[str]:
    """The penalty rules in force on a date, one short line each (their bases are in the
    reference table, where they are marked as still to be verified)."""
    lines = []
    for rule in arrears.PenaltyBook.load(session, on).rules.values():
        program = (rule.program or _("all programs")).upper()
        line = f"{program} {formatting.percent(rule.percent_per_month)}"
        if rule.cap_percent is not None:
            line += " " + _("(at most %(cap)s)", cap=formatting.percent(rule.cap_percent))
        lines.append(line)
    return lines


def arrears_letter_context(letter: ArrearsLetter) -> dict:
    """What the letter prints: the months and amounts as they stood when it was issued."""
    session = object_session(letter)
    company = letter.company
    permit_office = letters.office_for(session, LetterKind.PERMIT_CERTIFICATE, company.regency)
    previous = [
        earlier
        for earlier in arrears.company_letters(session, company.id)
        if earlier.issued_at < letter.issued_at and earlier.status == letter.status
    ]
    return {
        "arrears_letter": letter,
        "company": company,
        "months": arrears.detail_of(letter),
        "legal_basis": arrears.LEGAL_BASIS,
        "penalty_rules": penalty_lines(session, letter.issued_on),
        "recommendation": letter.kind == LetterKind.SANCTION_RECOMMENDATION,
        "permit_office": permit_office,
        "previous": list(reversed(previous)),
        **letter_context(letter.issued_letter, company.regency),
    }


def arrears_letter_pdf(letter: ArrearsLetter) -> bytes:
    """Render a warning letter or the recommendation for sanction as A4 PDF."""
    return render_pdf("reports/arrears_letter.html", None, **arrears_letter_context(letter))
