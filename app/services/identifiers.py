"""Indonesian identifiers: NIK, NPWP, NIB, KBLI, KPJ and NPP.

A plain module (no Flask, no database): callers pass what it cannot know, such as whether a
district code exists. Errors are `InvalidIdentifier` with a stable `code` that the user
interface turns into a sentence in the user's language (see `app.validators`).

NIK layout `PPRRSSDDMMYYXXXX` (Dukcapil): province, regency, district of issue, day of birth
(+40 for women), month, two-digit year, serial. NIK has no check digit. NPWP (15 digits) has a
Luhn check digit over its first nine digits; the 16-digit NPWP is the NIK for resident
individuals and "0" + the 15-digit NPWP for other taxpayers (PMK 112/PMK.03/2022).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from stdnum import luhn

__all__ = [
    "InvalidIdentifier",
    "Nik",
    "format_npwp",
    "make_nik",
    "make_npwp15",
    "validate_kbli",
    "validate_kpj",
    "validate_nib",
    "validate_nik",
    "validate_npp",
    "validate_npwp",
]

_SEPARATORS = re.compile(r"[\s.\-/]")


class InvalidIdentifier(ValueError):
    """An identifier that fails validation; `code` says why, `field` which identifier."""

    def __init__(self, field: str, code: str, detail: str = ""):
        super().__init__(f"{field}: {code}{' (' + detail + ')' if detail else ''}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Nik:
    """A validated NIK and what it encodes."""

    value: str
    province_code: str  # "62"
    regency_code: str  # "62.03"
    district_code: str  # "62.03.01"
    birth_date: dt.date
    sex: str  # "M" or "F"
    serial: int


def _digits(field: str, value: str, length: int) -> str:
    compact = _SEPARATORS.sub("", str(value or ""))
    if not compact.isascii() or not compact.isdigit():
        if compact == "":
            raise InvalidIdentifier(field, "length")
        raise InvalidIdentifier(field, "digits")
    if len(compact) != length:
        raise InvalidIdentifier(field, "length")
    return compact


def _nik_birth_date(day: int, month: int, yy: int, today: dt.date) -> tuple[dt.date | None, bool]:
    """The birth date encoded in a NIK and whether any century gives a real date.

    The two-digit year is read as 20yy when that is not in the future, otherwise as 19yy.
    """
    real = False
    for century in (2000, 1900):
        try:
            candidate = dt.date(century + yy, month, day)
        except ValueError:
            continue
        real = True
        if candidate <= today:
            return candidate, True
    return None, real


def validate_nik(
    value: str,
    *,
    region_exists: Callable[[str], bool] | None = None,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> Nik:
    """Validate a NIK; optionally check its district code and the person's birth date and sex.

    `region_exists` receives a Kemendagri district code such as "62.03.01".
    """
    digits = _digits("nik", value, 16)
    today = today or dt.date.today()
    province, regency, district = digits[0:2], digits[2:4], digits[4:6]
    if "00" in (province, regency, district) or int(province) < 11:
        raise InvalidIdentifier("nik", "region")
    district_code = f"{province}.{regency}.{district}"
    if region_exists is not None and not region_exists(district_code):
        raise InvalidIdentifier("nik", "region")
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    encoded_sex = "F" if day > 40 else "M"
    if day > 40:
        day -= 40
    born, real = _nik_birth_date(day, month, yy, today)
    if born is None:
        raise InvalidIdentifier("nik", "future" if real else "birth_date")
    serial = int(digits[12:16])
    if serial == 0:
        raise InvalidIdentifier("nik", "serial")
    if birth_date is not None:
        if (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy):
            raise InvalidIdentifier("nik", "birth_date_mismatch")
        if birth_date > today:
            raise InvalidIdentifier("nik", "future")
        born = birth_date
    if sex is not None and sex != encoded_sex:
        raise InvalidIdentifier("nik", "sex_mismatch")
    return Nik(
        value=digits,
        province_code=province,
        regency_code=f"{province}.{regency}",
        district_code=district_code,
        birth_date=born,
        sex=encoded_sex,
        serial=serial,
    )


def make_nik(district_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Build a valid NIK for a district code ("62.03.01"), birth date, sex and serial."""
    district = district_code.replace(".", "")
    if len(district) != 6 or not district.isdigit():
        raise ValueError(f"district code {district_code!r} is not PP.RR.SS")
    if not 1 <= serial <= 9999:
        raise ValueError("serial must be between 1 and 9999")
    day = birth_date.day + (40 if sex == "F" else 0)
    return f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def validate_npwp(value: str) -> str:
    """Validate an NPWP of 15 digits (Luhn check digit) or 16 digits; return the digits.

    A 16-digit NPWP starting with 0 is "0" + the 15-digit NPWP and is checked as such;
    any other 16-digit NPWP is a resident's NIK and is checked as a NIK.
    """
    compact = _SEPARATORS.sub("", str(value or ""))
    if compact and not (compact.isascii() and compact.isdigit()):
        raise InvalidIdentifier("npwp", "digits")
    if len(compact) == 15:
        if compact[:9] == "000000000" or not luhn.is_valid(compact[:9]):
            raise InvalidIdentifier("npwp", "checksum")
        return compact
    if len(compact) == 16:
        if compact.startswith("0"):
            validate_npwp(compact[1:])
            return compact
        try:
            validate_nik(compact)
        except InvalidIdentifier as exc:  # 16 digits: what is wrong lies inside the number
            raise InvalidIdentifier("npwp", "checksum") from exc
        return compact
    raise InvalidIdentifier("npwp", "length")


def format_npwp(value: str) -> str:
    """Format a 15-digit NPWP as XX.XXX.XXX.X-XXX.XXX; other values are returned as they are."""
    if value and len(value) == 15 and value.isdigit():
        v = value
        return f"{v[0:2]}.{v[2:5]}.{v[5:8]}.{v[8]}-{v[9:12]}.{v[12:15]}"
    return value or ""


def make_npwp15(seed: int, *, office: str = "711", branch: str = "000") -> str:
    """Build a valid 15-digit NPWP (taxpayer type 01 + serial from `seed` + Luhn digit)."""
    body = f"01{seed % 1_000_000:06d}"
    return body + luhn.calc_check_digit(body) + office + branch


def validate_nib(value: str) -> str:
    """Validate an OSS business identification number (13 digits)."""
    return _digits("nib", value, 13)


def validate_kbli(value: str) -> str:
    """Validate a KBLI 2020 business classification code (5 digits)."""
    return _digits("kbli", value, 5)


def _pattern(field: str, value: str, pattern: str, *, upper: bool) -> str:
    compact = re.sub(r"\s", "", str(value or ""))
    if upper:
        compact = compact.upper()
    if not compact or re.fullmatch(pattern, compact) is None:
        raise InvalidIdentifier(field, "pattern")
    return compact


def validate_kpj(value: str, pattern: str = r"^\d{11}$") -> str:
    """Validate a BPJS membership card number (KPJ) against the configured pattern."""
    return _pattern("kpj", value, pattern, upper=False)


def validate_npp(value: str, pattern: str = r"^[A-Z0-9]{8}(-?\d{3})?$") -> str:
    """Validate an employer registration number (NPP) against the configured pattern."""
    return _pattern("npp", value, pattern, upper=True)
