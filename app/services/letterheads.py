"""What an issuing office's letterhead may hold: a valid NIP, a number pattern, a safe logo.

NIP (PP 11/2017, BKN): 18 digits, `YYYYMMDD` birth date, `YYYYMM` appointment as civil servant,
sex (1 man, 2 woman) and a three-digit serial. It has no check digit, so the dates and the sex
digit are what can be checked. A logo is a PNG or an SVG recognised by its content, at most
`LOGO_MAX_BYTES`; an SVG may not run scripts or fetch anything (WeasyPrint would follow a link
while laying out the PDF).
"""

from __future__ import annotations

import datetime as dt
import re

from defusedxml import ElementTree
from flask_babel import gettext as _
from sqlalchemy import inspect

from app.errors import Forbidden, ServiceError
from app.models import Letterhead, OfficeKind

LOGO_MAX_BYTES = 256 * 1024
PNG = b"\x89PNG\r\n\x1a\n"
PLACEHOLDERS = frozenset({"seq", "unit", "month-roman", "year"})
UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,29}")
HEADING_LINES = 5
HEADING_LINE_MAX = 120
NUMBER_MAX = 100  # IssuedLetter.number
# What an SVG logo may point at: its own elements, or a bitmap written inside it.
INTERNAL_HREFS = ("#", "data:image/png", "data:image/jpeg")
INTERNAL_URL = re.compile(r"url\(['\"]?#")


def validate_nip(value: str | None, field: str = "signer_nip") -> str | None:
    """Return a NIP as its 18 digits (spaces removed), None when empty; refuse one that is not."""
    nip = "".join((value or "").split())
    if not nip:
        return None
    if not (nip.isascii() and nip.isdigit() and len(nip) == 18):
        raise ServiceError(_("The NIP must have exactly 18 digits."), field=field)
    try:
        born = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise ServiceError(
            _("The first 8 digits of the NIP must be a real birth date (YYYYMMDD)."), field=field
        ) from None
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or born.year < 1900 or (year, month) <= (born.year, born.month):
        raise ServiceError(
            _("Digits 9 to 14 of the NIP must be a real appointment month (YYYYMM) after birth."),
            field=field,
        )
    if nip[14] not in "12":
        raise ServiceError(_("Digit 15 of the NIP must be 1 (man) or 2 (woman)."), field=field)
    if nip[15:] == "000":
        raise ServiceError(_("The last three digits of the NIP cannot be 000."), field=field)
    return nip


def validate_pattern(pattern: str | None) -> str:
    """Check a letter-number pattern: only the known placeholders, {seq} among them."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise ServiceError(_("Enter the letter-number pattern."), field="number_pattern")
    names = re.findall(r"\{([^{}]*)\}", pattern)
    rest = re.sub(r"\{[^{}]*\}", "", pattern)
    if set(names) - PLACEHOLDERS or "{" in rest or "}" in rest:
        raise ServiceError(
            _("The letter-number pattern may only use {seq}, {unit}, {month-roman} and {year}."),
            field="number_pattern",
        )
    if "seq" not in names:
        raise ServiceError(
            _("The letter-number pattern must contain {seq}."), field="number_pattern"
        )
    if len(pattern) > 80 or any(not c.isprintable() for c in pattern):
        raise ServiceError(
            _("The letter-number pattern is too long or holds unprintable characters."),
            field="number_pattern",
        )
    return pattern


def sniff_logo(data: bytes) -> str:
    """The content type of a logo (PNG or a script-free SVG) or a refusal."""
    if len(data) > LOGO_MAX_BYTES:
        raise ServiceError(
            _("The logo is larger than %(kb)d KB.", kb=LOGO_MAX_BYTES // 1024), field="logo_file"
        )
    if data.startswith(PNG):
        return "image/png"
    try:
        root = ElementTree.fromstring(data)
    except Exception:  # not XML, or XML with entities or a DTD (defusedxml refuses those)
        root = None
    if root is None or _local(root.tag) != "svg":
        raise ServiceError(_("The logo must be a PNG or SVG image."), field="logo_file")
    for element in root.iter():
        if _local(element.tag) in ("script", "foreignObject"):
            raise _unsafe_svg()
        texts = [element.text or "", *element.attrib.values()]
        if any(_fetches(value) for value in texts):
            raise _unsafe_svg()
        for name, value in element.attrib.items():
            if _local(name).lower().startswith("on"):
                raise _unsafe_svg()
            if _local(name) == "href" and not value.strip().startswith(INTERNAL_HREFS):
                raise _unsafe_svg()
    return "image/svg+xml"


def _fetches(value: str) -> bool:
    """Whether CSS in an SVG would load something: an @import or a url() outside the file."""
    css = "".join(value.split()).lower()
    return "@import" in css or "url(" in INTERNAL_URL.sub("", css)


def _local(name) -> str:
    return str(name).rsplit("}", 1)[-1]


def _unsafe_svg() -> ServiceError:
    return ServiceError(
        _("The SVG logo may not hold scripts or links to other files."), field="logo_file"
    )


def prepare(
    item: Letterhead, kinds: frozenset[str] | None, logo: bytes | None, drop_logo: bool
) -> None:
    """Check a letterhead before it is saved; `kinds` are the offices the user keeps (None: all).

    Raises ServiceError naming the field; nothing is written.
    """
    before = inspect(item).attrs.kind.history.deleted if inspect(item).persistent else []
    if kinds is not None and any(kind not in kinds for kind in [item.kind, *before]):
        raise Forbidden(_("You may only keep the letterhead of your own office."), field="kind")
    if item.kind not in OfficeKind.labels():
        raise ServiceError(_("Choose the kind of office."), field="kind")
    if item.regency is None and item.regency_id is None:
        raise ServiceError(_("Choose the regency of the office."), field="regency")
    if item.kind == OfficeKind.BPJS_BRANCH:
        branch = item.branch_office
        if branch is None:
            raise ServiceError(_("Choose the branch office."), field="branch_office")
        if item.regency is not None and item.regency not in branch.regencies:
            raise ServiceError(
                _("That branch office does not serve this regency."), field="branch_office"
            )
    else:
        item.branch_office, item.branch_office_id = None, None
    lines = [line.strip() for line in (item.heading or "").splitlines() if line.strip()]
    if not lines:
        raise ServiceError(_("Enter at least one heading line."), field="heading")
    if len(lines) > HEADING_LINES or any(len(line) > HEADING_LINE_MAX for line in lines):
        raise ServiceError(
            _(
                "The heading takes at most %(lines)d lines of %(chars)d characters.",
                lines=HEADING_LINES,
                chars=HEADING_LINE_MAX,
            ),
            field="heading",
        )
    item.heading = "\n".join(lines)
    unit = (item.unit_code or "").strip()
    if not UNIT.fullmatch(unit):
        raise ServiceError(
            _("The unit code takes letters, digits, dots and hyphens (at most 30)."),
            field="unit_code",
        )
    item.unit_code = unit
    item.number_pattern = validate_pattern(item.number_pattern)
    longest = item.number_pattern.replace("{seq}", "999999").replace("{unit}", unit)
    if len(longest.replace("{month-roman}", "VIII").replace("{year}", "2026")) > NUMBER_MAX:
        raise ServiceError(
            _(
                "Letter numbers of this pattern would be longer than %(n)d characters.",
                n=NUMBER_MAX,
            ),
            field="number_pattern",
        )
    item.place = (item.place or "").strip()
    if not item.place:
        raise ServiceError(_("Enter the place named in the date line."), field="place")
    item.signer_nip = validate_nip(item.signer_nip)
    for name in ("signer_name", "signer_position", "address", "phone", "email", "website"):
        setattr(item, name, (getattr(item, name) or "").strip() or None)
    if logo:
        item.logo_type, item.logo = sniff_logo(logo), logo
    elif drop_logo:
        item.logo, item.logo_type = None, None


def prepare_delete(item: Letterhead, kinds: frozenset[str] | None) -> None:
    """Only the offices a user keeps may lose their letterhead."""
    if kinds is not None and item.kind not in kinds:
        raise Forbidden(_("You may only keep the letterhead of your own office."), field="kind")
