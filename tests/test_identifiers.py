"""Identifiers: NIK, NPWP, NIB, KBLI, KPJ, NPP — table tests and property-based tests."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.privacy import mask_nik
from app.services.identifiers import (
    InvalidIdentifier,
    format_npwp,
    make_nik,
    make_npwp15,
    validate_kbli,
    validate_kpj,
    validate_nib,
    validate_nik,
    validate_npp,
    validate_npwp,
)

TODAY = dt.date(2026, 11, 22)
KNOWN_DISTRICTS = {"62.03.01", "62.05.01", "61.06.01", "62.71.01"}


def known(code: str) -> bool:
    return code in KNOWN_DISTRICTS


def error_code(func, *args, **kwargs) -> str:
    with pytest.raises(InvalidIdentifier) as info:
        func(*args, **kwargs)
    return info.value.code


# --- NIK: table ---------------------------------------------------------------------------


def test_nik_of_a_man_born_in_1985_in_kapuas_decodes_every_part():
    nik = validate_nik("6203012003850001", region_exists=known, today=TODAY)
    assert nik.regency_code == "62.03"
    assert nik.district_code == "62.03.01"
    assert nik.birth_date == dt.date(1985, 3, 20)
    assert nik.sex == "M"
    assert nik.serial == 1


def test_nik_of_a_woman_has_forty_added_to_the_day():
    nik = validate_nik("6203016003850002", today=TODAY)
    assert nik.sex == "F"
    assert nik.birth_date == dt.date(1985, 3, 20)


def test_nik_two_digit_year_is_read_in_this_century_when_not_in_the_future():
    assert validate_nik("6205010101100001", today=TODAY).birth_date == dt.date(2010, 1, 1)
    assert validate_nik("6205010101300001", today=TODAY).birth_date == dt.date(1930, 1, 1)


def test_nik_accepts_separators_typed_by_people():
    assert validate_nik("6203 0120 0385 0001", today=TODAY).value == "6203012003850001"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("620301200385001", "length"),  # 15 digits
        ("62030120038500011", "length"),  # 17 digits
        ("", "length"),
        ("62030120038500O1", "digits"),  # letter O instead of zero
        ("６２０３０１２００３８５０００１", "digits"),  # full-width digits
        ("0003012003850001", "region"),  # province 00
        ("6200012003850001", "region"),  # regency 00
        ("6203002003850001", "region"),  # district 00
        ("6203013203850001", "birth_date"),  # day 32
        ("6203014003850001", "birth_date"),  # day 40 = neither a man's nor a woman's day
        ("6203017203850001", "birth_date"),  # woman, day 32
        ("6203010013850001", "birth_date"),  # month 13
        ("6203012902250001", "birth_date"),  # 29 Feb 2025 / 1925: no such day
        ("6203012003850000", "serial"),
    ],
)
def test_nik_refuses_malformed_values_with_the_reason(value, code):
    assert error_code(validate_nik, value, today=TODAY) == code


def test_nik_accepts_29_february_of_a_leap_year():
    assert validate_nik("6203012902000001", today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_nik_with_an_unknown_district_is_refused_when_a_lookup_is_given():
    assert (
        error_code(validate_nik, "6299012003850001", region_exists=known, today=TODAY) == "region"
    )


def test_nik_birth_date_must_match_the_one_given():
    code = error_code(
        validate_nik, "6203012003850001", birth_date=dt.date(1985, 3, 21), today=TODAY
    )
    assert code == "birth_date_mismatch"


def test_nik_sex_must_match_the_one_given():
    assert error_code(validate_nik, "6203012003850001", sex="F", today=TODAY) == "sex_mismatch"


def test_nik_birth_date_given_in_the_future_is_refused():
    future = dt.date(2027, 3, 20)
    nik = make_nik("62.03.01", future, "M", 1)
    assert error_code(validate_nik, nik, birth_date=future, today=TODAY) == "future"


def test_mask_nik_hides_birth_date_and_keeps_region_and_serial():
    assert mask_nik("6203012003850001") == "620301******0001"
    assert mask_nik("") == ""
    assert mask_nik("123") == "***"


def test_make_nik_refuses_a_district_code_of_the_wrong_shape():
    with pytest.raises(ValueError):
        make_nik("62.03", dt.date(1990, 1, 1), "M", 1)


# --- NIK: properties ----------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY)
districts = st.sampled_from(sorted(KNOWN_DISTRICTS))
sexes = st.sampled_from(["M", "F"])
serials = st.integers(min_value=1, max_value=9999)


@given(districts, birth_dates, sexes, serials)
def test_every_made_nik_validates_and_round_trips(district, born, sex, serial):
    nik = validate_nik(
        make_nik(district, born, sex, serial),
        region_exists=known,
        birth_date=born,
        sex=sex,
        today=TODAY,
    )
    assert (nik.district_code, nik.sex, nik.serial) == (district, sex, serial)
    assert nik.birth_date == born


@given(districts, birth_dates, serials)
def test_a_man_and_a_woman_never_share_a_nik(district, born, serial):
    assert make_nik(district, born, "M", serial) != make_nik(district, born, "F", serial)


@given(st.text(max_size=20))
def test_nik_validation_either_succeeds_or_raises_invalid_identifier(text):
    try:
        nik = validate_nik(text, today=TODAY)
    except InvalidIdentifier:
        return
    assert len(nik.value) == 16 and nik.value.isdigit()


@given(districts, birth_dates, sexes, serials, st.integers(min_value=0, max_value=15))
def test_changing_one_digit_of_the_date_part_never_crashes(district, born, sex, serial, pos):
    nik = make_nik(district, born, sex, serial)
    changed = nik[:pos] + str((int(nik[pos]) + 5) % 10) + nik[pos + 1 :]
    try:
        validate_nik(changed, today=TODAY)
    except InvalidIdentifier as exc:
        assert exc.field == "nik"


# --- NPWP ---------------------------------------------------------------------------------

# A 15-digit NPWP built with a valid check digit.
VALID_NPWP15 = make_npwp15(234567)


def test_npwp_example_from_python_stdnum_is_valid():
    # The example in python-stdnum's documentation: 01.312.166.0-091.000.
    assert validate_npwp("01.312.166.0-091.000") == "013121660091000"


def test_npwp_with_a_wrong_check_digit_is_refused():
    assert error_code(validate_npwp, "01.312.166.1-091.000") == "checksum"


def test_npwp_of_the_wrong_length_is_refused():
    assert error_code(validate_npwp, "0131216600910") == "length"


def test_npwp_with_letters_is_refused():
    assert error_code(validate_npwp, "01312166A091000") == "digits"


def test_npwp16_of_a_company_is_zero_plus_the_old_number():
    assert validate_npwp("0013121660091000") == "0013121660091000"
    assert error_code(validate_npwp, "0013121661091000") == "checksum"


def test_npwp16_of_a_resident_is_checked_as_a_nik():
    assert validate_npwp("6203012003850001") == "6203012003850001"
    assert error_code(validate_npwp, "6203013203850001") == "checksum"


def test_format_npwp_uses_the_printed_layout():
    assert format_npwp("013121660091000") == "01.312.166.0-091.000"


@given(st.integers(min_value=0, max_value=999_999))
def test_every_made_npwp_validates(seed):
    assert validate_npwp(make_npwp15(seed)) == make_npwp15(seed)


@given(st.integers(min_value=0, max_value=999_999), st.integers(min_value=0, max_value=8))
def test_any_single_digit_typo_in_the_checked_part_is_caught(seed, pos):
    npwp = make_npwp15(seed)
    for replacement in "0123456789":
        if replacement == npwp[pos]:
            continue
        typo = npwp[:pos] + replacement + npwp[pos + 1 :]
        with pytest.raises(InvalidIdentifier):
            validate_npwp(typo)


# --- NIB, KBLI, KPJ, NPP -----------------------------------------------------------------


def test_nib_has_thirteen_digits():
    assert validate_nib("9120001234567") == "9120001234567"
    assert error_code(validate_nib, "912000123456") == "length"
    assert error_code(validate_nib, "91200012345A7") == "digits"


def test_kbli_has_five_digits():
    assert validate_kbli("01262") == "01262"  # Perkebunan buah kelapa sawit
    assert error_code(validate_kbli, "0126") == "length"


def test_kpj_follows_the_configured_pattern():
    assert validate_kpj("12345678901") == "12345678901"
    assert error_code(validate_kpj, "1234567890") == "pattern"
    assert validate_kpj("1234567890", r"^\d{10,15}$") == "1234567890"


def test_npp_is_upper_cased_and_follows_the_configured_pattern():
    assert validate_npp("ab123456") == "AB123456"
    assert validate_npp("AB123456-001") == "AB123456-001"
    assert error_code(validate_npp, "AB12") == "pattern"
    assert error_code(validate_npp, "") == "pattern"
