"""Official letters: which office issues a document, its next number, and the letter kept.

Who issues what: the permit certificate and the note of refusal come from the regency's one-stop
permit office (DPMPTSP); the berita acara of an approved enrollment batch from the BPJS
Ketenagakerjaan branch that serves the regency, and from the regency government when that branch
has no letterhead (the batch is the region's proposal, paid from its budget). An office with no
letterhead configured still issues: a plain heading and a number in the same series.

A number is given once, when the decision is made, and kept (`IssuedLetter`): every later copy
of the document shows it. Each office has one series a year; the counter row is incremented by
a single INSERT ... ON CONFLICT DO UPDATE ... RETURNING, so two letters issued at the same moment
on two servers never get the same number and a number once kept is never given again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError

from app.models import (
    BranchOffice,
    IssuedLetter,
    Letterhead,
    LetterKind,
    LetterSeries,
    OfficeKind,
    Regency,
    branch_regency,
)
from app.models.letters import DEFAULT_PATTERN

ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
ISSUERS = {
    LetterKind.PERMIT_CERTIFICATE: (OfficeKind.PERMIT_OFFICE,),
    LetterKind.PERMIT_REFUSAL: (OfficeKind.PERMIT_OFFICE,),
    LetterKind.BATCH_RECORD: (OfficeKind.BPJS_BRANCH, OfficeKind.REGENCY_GOVERNMENT),
    LetterKind.ARREARS_WARNING_1: (OfficeKind.BPJS_BRANCH,),
    LetterKind.ARREARS_WARNING_2: (OfficeKind.BPJS_BRANCH,),
    LetterKind.SANCTION_RECOMMENDATION: (OfficeKind.BPJS_BRANCH,),
}


@dataclass(frozen=True)
class Office:
    """An issuing office as a document shows it, configured (`letterhead`) or plain."""

    key: str
    kind: str
    regency_id: int
    heading: tuple[str, ...]
    unit: str
    pattern: str
    place: str
    letterhead: Letterhead | None = None
    signer_name: str | None = None
    signer_position: str | None = None
    signer_nip: str | None = None


def office_for(session, kind: str, regency: Regency) -> Office:
    """The office that issues a document of this kind for a regency."""
    branch = _branch_of(session, regency)
    for office_kind in ISSUERS[kind]:
        letterhead = _letterhead(session, office_kind, regency)
        if letterhead is not None:
            return _configured(letterhead, regency)
    plain = [k for k in ISSUERS[kind] if k != OfficeKind.BPJS_BRANCH or branch is not None]
    return _plain(plain[0] if plain else OfficeKind.REGENCY_GOVERNMENT, regency, branch)


def _branch_of(session, regency: Regency) -> BranchOffice | None:
    return session.scalars(
        select(BranchOffice)
        .join(branch_regency, branch_regency.c.branch_office_id == BranchOffice.id)
        .where(branch_regency.c.regency_id == regency.id)
        .order_by(BranchOffice.code)
    ).first()


def _letterhead(session, kind: str, regency: Regency) -> Letterhead | None:
    query = select(Letterhead).where(Letterhead.kind == kind)
    if kind == OfficeKind.BPJS_BRANCH:  # the branch serving the regency, wherever it sits
        served = select(branch_regency.c.branch_office_id).where(
            branch_regency.c.regency_id == regency.id
        )
        query = query.where(Letterhead.branch_office_id.in_(served)).order_by(
            case((Letterhead.regency_id == regency.id, 0), else_=1), Letterhead.id
        )
    else:
        query = query.where(Letterhead.regency_id == regency.id)
    return session.scalars(query).first()


def office_key(kind: str, regency: Regency, branch: BranchOffice | None = None) -> str:
    """The series an office numbers in: the same whether or not it has a letterhead."""
    if kind == OfficeKind.BPJS_BRANCH and branch is not None:
        return f"{kind}:{branch.code}"
    return f"{kind}:{regency.code}"


def _configured(letterhead: Letterhead, regency: Regency) -> Office:
    return Office(
        key=office_key(letterhead.kind, letterhead.regency, letterhead.branch_office),
        kind=letterhead.kind,
        regency_id=regency.id,
        heading=tuple(letterhead.heading_lines),
        unit=letterhead.unit_code,
        pattern=letterhead.number_pattern or DEFAULT_PATTERN,
        place=letterhead.place,
        letterhead=letterhead,
        signer_name=letterhead.signer_name,
        signer_position=letterhead.signer_position,
        signer_nip=letterhead.signer_nip,
    )


def _plain(kind: str, regency: Regency, branch: BranchOffice | None) -> Office:
    government = _("GOVERNMENT OF %(regency)s", regency=regency.name.upper())
    if kind == OfficeKind.BPJS_BRANCH:
        heading = ("BPJS KETENAGAKERJAAN", _("BRANCH OFFICE %(name)s", name=branch.name.upper()))
        unit, position = branch.code, _("Head of the branch office")
    elif kind == OfficeKind.PERMIT_OFFICE:
        heading = (government, _("ONE-STOP INVESTMENT AND PERMIT OFFICE"))
        unit, position = "DPMPTSP", _("Head of the one-stop permit office")
    else:
        heading = (government,)
        unit = "PEMKOT" if regency.is_city else "PEMKAB"
        position = _("Regional secretary")
    place = regency.name.removeprefix("Kabupaten ").removeprefix("Kota ")
    return Office(
        key=office_key(kind, regency, branch),
        kind=kind,
        regency_id=regency.id,
        heading=heading,
        unit=unit,
        pattern=DEFAULT_PATTERN,
        place=place,
        signer_position=position,
    )


def office_of(session, letter: IssuedLetter, regency: Regency) -> Office:
    """The office as it printed a letter: its letterhead then, or the plain heading it had."""
    if letter.letterhead is not None:
        return _configured(letter.letterhead, regency)
    kind, _sep, code = letter.office_key.partition(":")
    branch = None
    if kind == OfficeKind.BPJS_BRANCH:
        branch = session.scalars(select(BranchOffice).where(BranchOffice.code == code)).first()
        if branch is None:
            kind = OfficeKind.REGENCY_GOVERNMENT
    return _plain(kind, regency, branch)


def local_date(when: dt.datetime | dt.date) -> dt.date:
    """The calendar date of a moment where the office is (the app's time zone, WIB by default)."""
    if not isinstance(when, dt.datetime):
        return when
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    aware = when if when.tzinfo else when.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC
    return aware.astimezone(ZoneInfo(zone or "Asia/Jakarta")).date()


def format_number(pattern: str, seq: int, unit: str, day: dt.date) -> str:
    """Fill a number pattern: `{seq}/{unit}/{month-roman}/{year}` gives 007/DPMPTSP/XII/2026."""
    values = {
        "seq": f"{seq:03d}",
        "unit": unit,
        "month-roman": ROMAN[day.month],
        "year": str(day.year),
    }
    return re.sub(r"\{([^{}]*)\}", lambda m: values.get(m.group(1), m.group(0)), pattern)


def next_seq(session, key: str, year: int) -> int:
    """Take the next number of an office's series in a year, atomically (row made on first use)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = LetterSeries.__table__
    statement = (
        insert(table)
        .values(office_key=key, year=year, last_seq=1)
        .on_conflict_do_update(
            index_elements=[table.c.office_key, table.c.year],
            set_={"last_seq": table.c.last_seq + 1},
        )
        .returning(table.c.last_seq)
    )
    return session.execute(statement).scalar_one()


def letter_of(session, kind: str, subject) -> IssuedLetter | None:
    """The letter already issued for a document, if any."""
    return session.scalars(
        select(IssuedLetter).where(
            IssuedLetter.subject_type == type(subject).__name__,
            IssuedLetter.subject_id == subject.id,
            IssuedLetter.kind == kind,
        )
    ).first()


def issue_number(
    session, office: Office, kind: str, subject, when: dt.datetime, issued_by_id: int | None = None
) -> IssuedLetter:
    """Give a document its number in the office's series, once: a document numbered before
    keeps its letter. The caller commits."""
    existing = letter_of(session, kind, subject)
    if existing is not None:
        return existing
    day = local_date(when)
    seq = next_seq(session, office.key, day.year)
    letter = IssuedLetter(
        office_key=office.key,
        letterhead_id=office.letterhead.id if office.letterhead is not None else None,
        regency_id=office.regency_id,
        year=day.year,
        seq=seq,
        number=format_number(office.pattern, seq, office.unit, day),
        kind=kind,
        subject_type=type(subject).__name__,
        subject_id=subject.id,
        issued_at=when,
        issued_by_id=issued_by_id,
        place=office.place,
        signer_name=office.signer_name,
        signer_position=office.signer_position,
        signer_nip=office.signer_nip,
    )
    session.add(letter)
    session.flush()
    return letter


def issue_for(
    session, kind: str, subject, regency: Regency, when, issued_by_id: int | None = None
) -> IssuedLetter:
    """Number a document for a regency through the office that issues its kind."""
    office = office_for(session, kind, regency)
    return issue_number(session, office, kind, subject, when, issued_by_id)


def kept_letter(session, kind: str, subject, regency: Regency, when, issued_by_id=None):
    """The letter of a document decided before numbers were kept: numbered the first time it is
    printed, dated by its decision; commits. Two first prints at once keep one letter."""
    letter = letter_of(session, kind, subject)
    if letter is not None:
        return letter
    try:
        letter = issue_for(session, kind, subject, regency, when, issued_by_id)
        session.commit()
    except IntegrityError:
        session.rollback()
        letter = letter_of(session, kind, subject)
        if letter is None:
            raise
    return letter
