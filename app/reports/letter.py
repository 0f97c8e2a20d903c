"""The parts every official document shares: the kop surat, its number, the place-and-date line
and the signature block, filled from the letter kept for the document."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from app.models import IssuedLetter, Regency
from app.services import letters


def letter_context(letter: IssuedLetter, regency: Regency) -> dict:
    """What templates/reports/_letter.html prints for a document numbered by `letter`."""
    office = letters.office_of(object_session(letter), letter, regency)
    letterhead = office.letterhead
    contacts = []
    if letterhead is not None:
        contacts = [
            letterhead.address,
            letterhead.phone and _("Phone %(phone)s", phone=letterhead.phone),
            letterhead.email and _("Email %(email)s", email=letterhead.email),
            letterhead.website and _("Website %(site)s", site=letterhead.website),
        ]
    return {
        "letter": letter,
        "office": office,
        "logo": letterhead.logo_data_uri if letterhead is not None else None,
        "contact_line": " · ".join(part for part in contacts if part),
        "letter_date": letters.local_date(letter.issued_at),
    }
