"""Each identifier error names its identifier and its reason: forms and the API put the message
on that field, so a wrong field name sends the user to the wrong box."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services import identifiers
from app.services.identifiers import InvalidIdentifier

VALID_NPWP15 = identifiers.make_npwp15(42)
WRONG_DIGIT = VALID_NPWP15[:8] + str((int(VALID_NPWP15[8]) + 1) % 10) + VALID_NPWP15[9:]


def error_of(call) -> tuple[str, str]:
    with pytest.raises(InvalidIdentifier) as caught:
        call()
    return caught.value.field, caught.value.code


@pytest.mark.parametrize(
    "call,expected",
    [
        (lambda: identifiers.validate_nib("12345"), ("nib", "length")),
        (lambda: identifiers.validate_nib("12345678901x3"), ("nib", "digits")),
        (lambda: identifiers.validate_nib(""), ("nib", "length")),
        (lambda: identifiers.validate_kbli("1234"), ("kbli", "length")),
        (lambda: identifiers.validate_kbli("1234x"), ("kbli", "digits")),
        (lambda: identifiers.validate_npwp("12.345"), ("npwp", "length")),
        (lambda: identifiers.validate_npwp(None), ("npwp", "length")),
        (lambda: identifiers.validate_npwp("01234567A123000"), ("npwp", "digits")),
        (lambda: identifiers.validate_npwp("000000000123000"), ("npwp", "checksum")),
        (lambda: identifiers.validate_npwp(WRONG_DIGIT), ("npwp", "checksum")),
        (lambda: identifiers.validate_npwp("9999999999999999"), ("npwp", "checksum")),
        (lambda: identifiers.validate_kpj("123"), ("kpj", "pattern")),
        (lambda: identifiers.validate_kpj(None), ("kpj", "pattern")),
        (lambda: identifiers.validate_npp("ab"), ("npp", "pattern")),
    ],
)
def test_an_identifier_error_names_its_field_and_reason(call, expected):
    assert error_of(call) == expected


def test_a_valid_fifteen_digit_npwp_is_returned_as_digits():
    dotted = identifiers.format_npwp(VALID_NPWP15)
    assert identifiers.validate_npwp(dotted) == VALID_NPWP15
    assert identifiers.validate_npwp("0" + VALID_NPWP15) == "0" + VALID_NPWP15


def test_a_nine_zero_npwp_with_a_valid_luhn_digit_is_still_refused():
    assert error_of(lambda: identifiers.validate_npwp("000000000711000")) == ("npwp", "checksum")


def test_an_npwp_is_formatted_only_when_it_has_fifteen_digits():
    assert identifiers.format_npwp("012345678901234") == "01.234.567.8-901.234"
    assert identifiers.format_npwp("0123456789012345") == "0123456789012345"
    assert identifiers.format_npwp("01234567890123x") == "01234567890123x"
    assert identifiers.format_npwp("") == ""
    assert identifiers.format_npwp(None) == ""


def test_spaces_inside_a_kpj_or_npp_are_removed_and_an_npp_upper_cased():
    assert identifiers.validate_kpj(" 123 456 789 01 ") == "12345678901"
    assert identifiers.validate_kpj("1234567890a", r"^\d{10}[a-z]$") == "1234567890a"
    assert identifiers.validate_npp("ab 123456") == "AB123456"


def test_a_kpj_is_not_upper_cased():
    assert error_of(lambda: identifiers.validate_kpj("1234567890a", r"^\d{10}A$")) == (
        "kpj",
        "pattern",
    )


def test_generated_npwps_differ_by_seed_and_wrap_at_a_million():
    assert identifiers.make_npwp15(1) != identifiers.make_npwp15(2)
    assert identifiers.make_npwp15(1_000_001) == identifiers.make_npwp15(1)


# --- NIK ---

NIK = identifiers.make_nik("62.03.01", dt.date(1985, 3, 20), "M", 11)


@pytest.mark.parametrize(
    "nik,kwargs,code",
    [
        ("0003012003850011", {}, "region"),
        ("1003012003850011", {}, "region"),
        ("6200012003850011", {}, "region"),
        (NIK, {"region_exists": lambda code: False}, "region"),
        ("6203013203850011", {}, "birth_date"),
        ("6203012003850000", {}, "serial"),
        (NIK, {"birth_date": dt.date(1985, 3, 21)}, "birth_date_mismatch"),
        (NIK, {"sex": "F"}, "sex_mismatch"),
        ("620301200385001", {}, "length"),
        ("62030120038500x1", {}, "digits"),
    ],
)
def test_every_nik_error_names_the_nik_and_its_reason(nik, kwargs, code):
    assert error_of(lambda: identifiers.validate_nik(nik, **kwargs)) == ("nik", code)


def test_the_first_province_code_is_eleven():
    assert identifiers.validate_nik("1101012003850011").province_code == "11"


def test_the_district_lookup_receives_the_dotted_code():
    seen = []
    identifiers.validate_nik(NIK, region_exists=lambda code: seen.append(code) or True)
    assert seen == ["62.03.01"]


def test_a_nik_born_today_is_read_in_this_century():
    today = dt.date(2026, 12, 4)
    nik = identifiers.validate_nik("6203010412260011", today=today)
    assert nik.birth_date == today


def test_a_nik_whose_date_lies_ahead_in_both_centuries_is_in_the_future():
    assert error_of(
        lambda: identifiers.validate_nik("6203010101600011", today=dt.date(1950, 1, 1))
    ) == ("nik", "future")


def test_a_given_birth_date_after_today_is_in_the_future():
    today = dt.date(2026, 12, 4)
    assert error_of(
        lambda: identifiers.validate_nik(
            "6203010101270011", birth_date=dt.date(2027, 1, 1), today=today
        )
    ) == ("nik", "future")


def test_a_womans_nik_carries_forty_on_the_day():
    nik = identifiers.validate_nik("6203016003850011")
    assert (nik.sex, nik.birth_date, nik.serial) == ("F", dt.date(1985, 3, 20), 11)


def test_an_identifier_error_reads_as_its_field_and_reason():
    assert str(InvalidIdentifier("nik", "region")) == "nik: region"
    assert str(InvalidIdentifier("nik", "region", "62.99.01")) == "nik: region (62.99.01)"


def test_a_nik_is_made_from_its_parts():
    assert identifiers.make_nik("62.03.01", dt.date(1985, 3, 20), "F", 7) == "6203016003850007"
    with pytest.raises(ValueError):
        identifiers.make_nik("62.03", dt.date(1985, 3, 20), "M", 7)
    with pytest.raises(ValueError):
        identifiers.make_nik("62.03.01", dt.date(1985, 3, 20), "M", 0)
    with pytest.raises(ValueError):
        identifiers.make_nik("62.03.01", dt.date(1985, 3, 20), "M", 10000)
    assert identifiers.make_nik("62.03.01", dt.date(1985, 3, 20), "M", 9999).endswith("9999")
